package ink

import (
	"errors"
	"image"
	"math"

	"wasmcnn/internal/fmtlite"
)

// Geometry of a preprocessed digit, as MNIST made it.
const (
	// FieldSize is the side of the preprocessed image: FieldSize×FieldSize
	// values, row-major, ink high.
	FieldSize = 28

	// BoxSize is the longer side of the ink's bounding box after scaling.
	BoxSize = 20

	// FieldCentre is where the ink's centre of mass is placed, on both axes,
	// in index coordinates: pixel i is the point i, so the centre of mass is
	// Σ v·i / Σ v, as scipy.ndimage.center_of_mass counts. This is where
	// MNIST put it: over its 70,000 digits the centre of mass is uniform in
	// [13.5, 14.5) on both axes, mean 14.0 (MNIST shifted by whole pixels).
	// In the area convention, where pixel i covers [i, i+1) and the field
	// [0, 28), the point is 14.5: half a pixel right of and below the
	// field's geometric centre. Placing drawings as MNIST placed its digits
	// matters more than symmetry, since the models learn MNIST's placement.
	FieldCentre = 14.0
)

// MaxDrawingSide bounds the width and the height of a drawing accepted by
// [FromRGBA], [Preprocessor.Run] and [RasterizeStrokes]: 8192 px is far
// more than any canvas, and bounds one drawing to 256 MiB of float32.
const MaxDrawingSide = 8192

// inkThreshold is the fraction of the strongest ink a pixel must exceed to
// count towards the bounding box, so that faint anti-aliasing fringes and
// scanner noise do not stretch the box.
const inkThreshold = 0.05

// minInk is the strongest ink below which a drawing counts as empty: one
// 8-bit grey level.
const minInk = 1.0 / 255

// GrayImage is an ink image of W×H pixels. Pix holds one value per pixel,
// row-major: pixel (x, y) is Pix[y*W+x]. Values run from 0 (no ink, the
// paper) to 1 (full ink), the polarity of MNIST: ink high.
type GrayImage struct {
	W, H int
	Pix  []float32
}

// setSize makes g a w×h image, reusing Pix when it is large enough. The
// pixel values are left as they were; callers overwrite or clear them.
func (g *GrayImage) setSize(w, h int) {
	n := w * h
	if cap(g.Pix) < n {
		g.Pix = make([]float32, n)
	}
	g.Pix = g.Pix[:n]
	g.W, g.H = w, h
}

// FromRGBA converts the bytes of a canvas's ImageData (RGBA, 4 bytes per
// pixel, not premultiplied, row-major) into ink in dst, reusing dst.Pix when
// it is large enough.
//
// Each pixel is composited over white, c' = c·a + 255·(1−a) with a = A/255,
// and its ink is 1 − Y(c')/255 with the Rec. 601 luma Y = 0.299R + 0.587G +
// 0.114B. That simplifies to ink = a·(1 − Y(c)/255): black strokes give the
// same ink whether the canvas was cleared to white or left transparent.
//
// It returns an error if w or h is outside 1..[MaxDrawingSide] or rgba does
// not hold exactly 4·w·h bytes.
func FromRGBA(dst *GrayImage, rgba []byte, w, h int) error {
	if dst == nil {
		return errors.New("ink: FromRGBA: nil destination image")
	}
	if w < 1 || h < 1 || w > MaxDrawingSide || h > MaxDrawingSide {
		return fmtlite.Errorf("ink: FromRGBA: size %d×%d, want width and height in 1..%d", w, h, MaxDrawingSide)
	}
	if len(rgba) != 4*w*h {
		return fmtlite.Errorf("ink: FromRGBA: %d bytes for a %d×%d image, want %d (4 bytes per pixel, RGBA)", len(rgba), w, h, 4*w*h)
	}
	dst.setSize(w, h)
	// Integer luma (×1000) keeps white exactly at zero ink.
	const scale = 1.0 / (255 * 255 * 1000)
	for i := range dst.Pix {
		p := rgba[4*i : 4*i+4 : 4*i+4]
		y := 299*int32(p[0]) + 587*int32(p[1]) + 114*int32(p[2])
		dst.Pix[i] = float32(int32(p[3])*(255*1000-y)) * scale
	}
	return nil
}

// FromImage converts a decoded image (an uploaded PNG or JPEG) into ink.
// Transparent pixels are composited over white, as on the page, and grey
// levels are the Rec. 601 luma, 0 black to 1 white.
//
// The polarity is decided from the border, the outermost rows and columns:
// paper fills the border of a drawing or a scan. If the border's mean grey is
// at least 0.5 the paper is light and ink is dark (ink = 1 − grey); otherwise
// the ink is light (ink = grey), as in MNIST itself. The contrast is then
// stretched so that the border's mean ink maps to 0 and the strongest ink to
// 1, clamping to 0..1. An image with no ink stronger than its border comes
// out all zero, and an empty image gives a 0×0 GrayImage.
//
// The result has one float32 per pixel: callers handling untrusted files
// should check the size with image.DecodeConfig before decoding.
func FromImage(img image.Image) GrayImage {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= 0 || h <= 0 {
		return GrayImage{}
	}
	g := GrayImage{W: w, H: h, Pix: make([]float32, w*h)}
	// RGBA64At returns a value, not an interface, so the standard image
	// types (all of which have it) convert without an allocation per pixel.
	fast, _ := img.(image.RGBA64Image)
	for y := 0; y < h; y++ {
		row := g.Pix[y*w : (y+1)*w]
		for x := range row {
			var r, gr, bl, a uint32
			if fast != nil {
				c := fast.RGBA64At(b.Min.X+x, b.Min.Y+y)
				r, gr, bl, a = uint32(c.R), uint32(c.G), uint32(c.B), uint32(c.A)
			} else {
				r, gr, bl, a = img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			}
			// The channels are premultiplied: over white, c' = c + (1−a).
			paper := 0xffff - a
			lum := 0.299*float32(r+paper) + 0.587*float32(gr+paper) + 0.114*float32(bl+paper)
			row[x] = min(lum/0xffff, 1)
		}
	}
	if borderMean(&g) >= 0.5 {
		for i, v := range g.Pix {
			g.Pix[i] = 1 - v
		}
	}
	bg := borderMean(&g)
	hi := float32(0)
	for _, v := range g.Pix {
		hi = max(hi, v)
	}
	if hi-bg < minInk {
		clear(g.Pix)
		return g
	}
	k := 1 / (hi - bg)
	for i, v := range g.Pix {
		g.Pix[i] = min(max((v-bg)*k, 0), 1)
	}
	return g
}

// borderMean returns the mean value of the outermost rows and columns of g,
// each pixel counted once.
func borderMean(g *GrayImage) float32 {
	w, h := g.W, g.H
	var sum float64
	n := 0
	for y := 0; y < h; y++ {
		row := g.Pix[y*w : (y+1)*w]
		if y == 0 || y == h-1 {
			for _, v := range row {
				sum += float64(v)
			}
			n += w
			continue
		}
		sum += float64(row[0])
		n++
		if w > 1 {
			sum += float64(row[w-1])
			n++
		}
	}
	return float32(sum / float64(n))
}

// Preprocessor turns drawings into MNIST-style 28×28 digits. It keeps the
// scratch buffers between calls, so after the first call for a given drawing
// size [Preprocessor.Run] does not allocate. The zero value is ready to use;
// a Preprocessor must not be used by several goroutines at once.
type Preprocessor struct {
	xs, ys resampler
	rows   []float32                  // ink box resampled across: box height × tw
	box    [BoxSize * BoxSize]float32 // the scaled ink box, tw×th, row-major
}

// Preprocess runs a new [Preprocessor] on img and returns the FieldSize×FieldSize
// digit, all zero when ok is false. Use a Preprocessor to avoid allocating
// on every call.
func Preprocess(img *GrayImage) ([]float32, bool) {
	var p Preprocessor
	dst := make([]float32, FieldSize*FieldSize)
	ok := p.Run(dst, img)
	return dst, ok
}

// Run writes into dst[:FieldSize*FieldSize] the digit drawn in img, prepared
// the way the MNIST digits were:
//
//  1. The bounding box of the ink: pixels above 5 % of the strongest ink.
//  2. The box is scaled so that its longer side is [BoxSize] (20) pixels,
//     keeping the aspect ratio. Shrinking averages the source pixels that
//     cover each destination pixel (a box filter, which anti-aliases a
//     280-px drawing properly); enlarging a tiny drawing interpolates
//     bilinearly.
//  3. The scaled box is shifted by a sub-pixel amount, interpolating
//     bilinearly, so that its centre of mass lands on [FieldCentre] (pixel
//     14.0 in index coordinates, where MNIST put it) on both axes of the
//     28×28 field; whatever falls outside the field is clipped.
//     Bilinear interpolation keeps the centre of mass exactly, so the
//     output's centre of mass is FieldCentre unless ink was clipped.
//  4. Values are clamped to 0..1, ink high.
//
// Input values are clamped to 0..1 as they are read, and NaN counts as no
// ink, so that one bad pixel cannot spoil a drawing. Run returns false,
// zeroing dst, if the image has no ink (nothing above 1/255) or is
// inconsistent: W or H outside 1..[MaxDrawingSide] or Pix shorter than W·H.
// If dst is shorter than FieldSize² it returns false without writing. It
// never panics.
func (p *Preprocessor) Run(dst []float32, img *GrayImage) (ok bool) {
	return p.run(dst, img, nil)
}

// run is Run; ink, if not nil, says where img's ink lies (the rasterizer
// knows), which spares scanning and resampling the rest. The answer is the
// same bit for bit: the pixels left out are 0 and add nothing.
func (p *Preprocessor) run(dst []float32, img *GrayImage, ink *inkRows) (ok bool) {
	const n = FieldSize * FieldSize
	if len(dst) < n {
		return false
	}
	dst = dst[:n]
	clear(dst)
	if img == nil || img.W < 1 || img.H < 1 || img.W > MaxDrawingSide || img.H > MaxDrawingSide || len(img.Pix) < img.W*img.H {
		return false
	}
	w, h := img.W, img.H
	pix := img.Pix[:w*h]

	// 1. The strongest ink, then the bounding box of what stands out.
	// Plain comparisons rather than the min and max builtins, which order
	// NaNs and signed zeros and cost several times more per pixel.
	hi := float32(0)
	if ink != nil && !ink.fits(w, h) {
		ink = nil
	}
	if ink != nil {
		hi = ink.hi
	} else {
		for _, v := range pix {
			if v > hi {
				hi = v
			}
		}
	}
	if hi > 1 {
		hi = 1
	}
	if hi < minInk {
		return false
	}
	thr := inkThreshold * hi
	x0, y0, x1, y1 := w, h, -1, -1
	for y := 0; y < h; y++ {
		row := pix[y*w : (y+1)*w]
		first, end := 0, w
		if ink != nil {
			first, end = int(ink.first[y]), int(ink.last[y])+1
		}
		for first < end && !(row[first] > thr) {
			first++
		}
		if first >= end {
			continue
		}
		last := end - 1
		for !(row[last] > thr) {
			last--
		}
		x0, x1 = min(x0, first), max(x1, last)
		if y0 > y {
			y0 = y
		}
		y1 = y
	}
	bw, bh := x1-x0+1, y1-y0+1

	// 2. Scale the box so its longer side is BoxSize.
	tw, th := BoxSize, BoxSize
	if bw > bh {
		th = max(1, int(math.Round(float64(bh)*BoxSize/float64(bw))))
	} else if bh > bw {
		tw = max(1, int(math.Round(float64(bw)*BoxSize/float64(bh))))
	}
	// Scratch is sized by the drawing, not the box, so that any box of a
	// drawing of this size fits without allocating.
	p.xs.plan(bw, tw, w)
	p.ys.plan(bh, th, h)
	if cap(p.rows) < h*BoxSize {
		p.rows = make([]float32, h*BoxSize)
	}
	rows := p.rows[:bh*tw]
	for r := 0; r < bh; r++ {
		src := pix[(y0+r)*w+x0 : (y0+r)*w+x0+bw]
		if ink != nil {
			p.xs.applyWithin(rows[r*tw:(r+1)*tw], src, int(ink.first[y0+r])-x0, int(ink.last[y0+r])-x0)
			continue
		}
		p.xs.apply(rows[r*tw:(r+1)*tw], src)
	}
	box := p.box[:tw*th]
	for c := 0; c < tw; c++ {
		p.ys.applyColumn(box[c:], rows[c:], tw)
	}

	// 3. Centre of mass, in index coordinates like FieldCentre.
	var mass, mx, my float64
	for y := 0; y < th; y++ {
		for x, v := range box[y*tw : (y+1)*tw] {
			mass += float64(v)
			mx += float64(v) * float64(x)
			my += float64(v) * float64(y)
		}
	}
	if !(mass > 0) {
		return false
	}
	// Field pixel k samples the box at index k+s with s = centre −
	// FieldCentre, which puts the box's centre of mass at k = FieldCentre.
	sx := mx/mass - FieldCentre
	sy := my/mass - FieldCentre
	ix, iy := math.Floor(sx), math.Floor(sy)
	fx, fy := float32(sx-ix), float32(sy-iy)
	ox, oy := int(ix), int(iy)
	at := func(x, y int) float32 {
		if x < 0 || y < 0 || x >= tw || y >= th {
			return 0
		}
		return box[y*tw+x]
	}
	// Only field pixels whose samples can touch the box are visited.
	for ky := max(0, -oy-1); ky < min(FieldSize, th-oy); ky++ {
		by := ky + oy
		for kx := max(0, -ox-1); kx < min(FieldSize, tw-ox); kx++ {
			bx := kx + ox
			top := (1-fx)*at(bx, by) + fx*at(bx+1, by)
			bot := (1-fx)*at(bx, by+1) + fx*at(bx+1, by+1)
			// 4. Clamp: rounding can step just outside 0..1.
			dst[ky*FieldSize+kx] = min(max((1-fy)*top+fy*bot, 0), 1)
		}
	}
	return true
}

// resampler holds the weights that resample one axis of n source pixels
// onto t destination pixels: destination j is the sum over k of
// w[off[j]+k] · src[first[j]+k] for k < off[j+1]−off[j].
type resampler struct {
	first, off []int32
	w          []float32
}

// plan computes the weights for n source pixels onto t ≤ BoxSize destination
// pixels. limit is the largest n this axis may see, used to size the weight
// buffer once so that later plans do not allocate.
//
// Shrinking (t ≤ n) uses area weights: destination pixel j covers the source
// interval [j·n/t, (j+1)·n/t), and each source pixel weighs the length of its
// overlap with it, scaled so the weights sum to 1. Enlarging uses bilinear
// weights at the pixel centres, (j+0.5)·n/t − 0.5 in source indices, clamped
// to the edge pixels.
func (r *resampler) plan(n, t, limit int) {
	if cap(r.w) < limit+2*BoxSize {
		r.w = make([]float32, 0, limit+2*BoxSize)
		r.first = make([]int32, 0, BoxSize)
		r.off = make([]int32, 0, BoxSize+1)
	}
	r.w, r.first, r.off = r.w[:0], r.first[:0], r.off[:0]
	if t <= n {
		k := float64(t) / float64(n)
		for j := 0; j < t; j++ {
			// Exact integer numerators: the last interval ends at n exactly.
			lo := float64(j*n) / float64(t)
			hi := float64((j+1)*n) / float64(t)
			i0, i1 := int(lo), min(int(math.Ceil(hi)), n)
			r.first = append(r.first, int32(i0))
			r.off = append(r.off, int32(len(r.w)))
			for i := i0; i < i1; i++ {
				overlap := min(hi, float64(i+1)) - max(lo, float64(i))
				r.w = append(r.w, float32(overlap*k))
			}
		}
	} else {
		for j := 0; j < t; j++ {
			u := (float64(j)+0.5)*float64(n)/float64(t) - 0.5
			u = min(max(u, 0), float64(n-1))
			i0 := int(u)
			f := float32(u - float64(i0))
			r.first = append(r.first, int32(i0))
			r.off = append(r.off, int32(len(r.w)))
			if i0+1 < n {
				r.w = append(r.w, 1-f, f)
			} else {
				r.w = append(r.w, 1)
			}
		}
	}
	r.off = append(r.off, int32(len(r.w)))
}

// apply resamples the row src into dst, clamping source values to 0..1 as
// it reads them, NaN to 0.
func (r *resampler) apply(dst, src []float32) {
	for j, i0 := range r.first {
		ws := r.w[r.off[j]:r.off[j+1]]
		s := src[i0 : int(i0)+len(ws)]
		var acc float32
		for k, wk := range ws {
			v := s[k]
			if !(v >= 0) { // negative or NaN
				v = 0
			} else if v > 1 {
				v = 1
			}
			acc += wk * v
		}
		dst[j] = acc
	}
}

// applyColumn resamples the column src[i·stride] into dst[j·stride].
func (r *resampler) applyColumn(dst, src []float32, stride int) {
	for j, i0 := range r.first {
		ws := r.w[r.off[j]:r.off[j+1]]
		var acc float32
		for k, wk := range ws {
			acc += wk * src[(int(i0)+k)*stride]
		}
		dst[j*stride] = acc
	}
}
