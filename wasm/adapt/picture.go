package adapt

import (
	"math"

	"wasmcnn/internal/fmtlite"
)

// A picture (a photo, a camera snapshot) is fed the way torchvision's
// classifiers were evaluated — Resize(S·256/224) then CenterCrop(S) — so
// that a model trained with those transforms sees what it saw in training:
// the picture is scaled, keeping its shape, until it covers the model's
// input enlarged by 256/224 (the side that binds becomes round(S·256/224),
// 256 for 224; the other follows, rounded down as torchvision does), then
// the centre of that is cut to the model's size. Scaling uses PIL's
// bilinear filter, which widens with the reduction so that every source
// pixel counts (torchvision's Resize on PIL images), computed in float.
// Grey models get PIL's luminance, 0.299 R + 0.587 G + 0.114 B; alpha is
// ignored, as PIL's convert("RGB") ignores it. Then each channel is
// normalised ([Normalization]) and laid out as the model wants.

// MaxPictureSide bounds a picture's side, in pixels.
const MaxPictureSide = 8192

// Picture is an image as the browser decodes it: W×H pixels of 4 bytes,
// red, green, blue and alpha, row-major from the top left.
type Picture struct {
	W, H int
	RGBA []byte
}

// Check says why p cannot be fed, or returns nil.
func (p Picture) Check() error {
	if p.W < 1 || p.H < 1 || p.W > MaxPictureSide || p.H > MaxPictureSide {
		return fmtlite.Errorf("a picture of %d×%d pixels; the page takes 1 to %d pixels a side", p.W, p.H, MaxPictureSide)
	}
	if len(p.RGBA) != 4*p.W*p.H {
		return fmtlite.Errorf("a picture of %d×%d pixels needs %d bytes of RGBA, got %d", p.W, p.H, 4*p.W*p.H, len(p.RGBA))
	}
	return nil
}

// CropRatio is how much larger than the model's input the picture is
// scaled before its centre is cut out: torchvision's 256/224.
const CropRatio = 256.0 / 224.0

// Crop is where a model's input lies in a picture: the picture is scaled
// to RW×RH and the input is its block of H×W pixels at (Left, Top).
type Crop struct {
	RW, RH    int
	Left, Top int
}

// CropFor returns how a w×h picture is cut to a W×H input: scaled so that
// it covers the input enlarged by [CropRatio] — the binding side becomes
// round(side·256/224), the other side in proportion, rounded down — then
// centred, with Python's round (half to even) as torchvision's CenterCrop.
func CropFor(w, h, W, H int) Crop {
	var c Crop
	if float64(H)*float64(w) >= float64(W)*float64(h) { // the height binds
		c.RH = int(math.Round(float64(H) * CropRatio))
		c.RW = w * c.RH / h
	} else {
		c.RW = int(math.Round(float64(W) * CropRatio))
		c.RH = h * c.RW / w
	}
	c.RW, c.RH = max(c.RW, W), max(c.RH, H)
	c.Left = int(math.RoundToEven(float64(c.RW-W) / 2))
	c.Top = int(math.RoundToEven(float64(c.RH-H) / 2))
	return c
}

// taps are the weights of one axis: output i reads source pixels
// first[i] … first[i]+len(w[i])−1 with weights w[i], summing to 1.
type taps struct {
	first []int
	w     [][]float32
}

// resampleTaps computes PIL's bilinear weights (its precompute_coeffs) for
// n outputs, starting at output `from`, of a source of size in scaled to
// size out: output i is centred at (i+0.5)·in/out and reads the source
// through a triangle filter as wide as one source pixel, or as one output
// pixel when shrinking.
func resampleTaps(t *taps, in, out, from, n int) {
	scale := float64(in) / float64(out)
	fs := max(scale, 1)
	support := fs
	t.first = t.first[:0]
	t.w = t.w[:0]
	for i := from; i < from+n; i++ {
		center := (float64(i) + 0.5) * scale
		lo := max(int(center-support+0.5), 0)
		hi := min(int(center+support+0.5), in)
		ws := make([]float32, 0, hi-lo)
		var sum float64
		k := make([]float64, 0, hi-lo)
		for x := lo; x < hi; x++ {
			v := max(0, 1-math.Abs((float64(x)-center+0.5)/fs))
			k = append(k, v)
			sum += v
		}
		for _, v := range k {
			if sum != 0 {
				v /= sum
			}
			ws = append(ws, float32(v))
		}
		t.first = append(t.first, lo)
		t.w = append(t.w, ws)
	}
}

// picturePlan is the scratch of [Input.FillPicture], kept between calls.
type picturePlan struct {
	xs, ys taps
	src    []float32 // the picture's channels, planar, 0..1
	rows   []float32 // the horizontal pass
}

// FillPicture writes into dst (of [Input.Len] values) the input for a
// picture: cut and scaled as [CropFor] says, in grey for a 1-channel model
// and in the model's channel order otherwise, normalised by n and laid out
// as the model wants; the other examples of a fixed batch get black. It
// keeps the scaled picture (0..1) for [Input.Seen].
func (x *Input) FillPicture(dst []float32, p Picture, n Normalization) error {
	if err := p.Check(); err != nil {
		return err
	}
	if len(dst) != x.Len() {
		return fmtlite.Errorf("adapt: FillPicture into %d values, want %d", len(dst), x.Len())
	}
	c := CropFor(p.W, p.H, x.W, x.H)
	pl := &x.pic
	resampleTaps(&pl.xs, p.W, c.RW, c.Left, x.W)
	resampleTaps(&pl.ys, p.H, c.RH, c.Top, x.H)
	// Only the source rows the vertical pass reads.
	y0, y1 := p.H, 0
	for i := range pl.ys.first {
		y0 = min(y0, pl.ys.first[i])
		y1 = max(y1, pl.ys.first[i]+len(pl.ys.w[i]))
	}
	rows := y1 - y0
	planes := 3
	if x.C == 1 {
		planes = 1
	}
	// The source rows as planes of 0..1, grey for one channel.
	need := planes * rows * p.W
	if cap(pl.src) < need {
		pl.src = make([]float32, need)
	}
	src := pl.src[:need]
	for y := 0; y < rows; y++ {
		row := p.RGBA[(y0+y)*4*p.W : (y0+y+1)*4*p.W]
		for i := 0; i < p.W; i++ {
			r, g, b := float32(row[4*i])/255, float32(row[4*i+1])/255, float32(row[4*i+2])/255
			if planes == 1 {
				src[y*p.W+i] = Luma(r, g, b)
				continue
			}
			src[y*p.W+i], src[(rows+y)*p.W+i], src[(2*rows+y)*p.W+i] = r, g, b
		}
	}
	// Horizontal, then vertical.
	needRows := planes * rows * x.W
	if cap(pl.rows) < needRows {
		pl.rows = make([]float32, needRows)
	}
	hor := pl.rows[:needRows]
	for k := 0; k < planes*rows; k++ {
		in, out := src[k*p.W:(k+1)*p.W], hor[k*x.W:(k+1)*x.W]
		for i := range out {
			var s float32
			for j, w := range pl.xs.w[i] {
				s += w * in[pl.xs.first[i]+j]
			}
			out[i] = s
		}
	}
	hw := x.H * x.W
	if cap(x.seen) < planes*hw {
		x.seen = make([]float32, planes*hw)
	}
	x.seen = x.seen[:planes*hw]
	x.seenC = planes
	for k := 0; k < planes; k++ {
		for yo := 0; yo < x.H; yo++ {
			first, ws := pl.ys.first[yo]-y0, pl.ys.w[yo]
			for xo := 0; xo < x.W; xo++ {
				var s float32
				for j, w := range ws {
					s += w * hor[(k*rows+first+j)*x.W+xo]
				}
				x.seen[k*hw+yo*x.W+xo] = s
			}
		}
	}
	x.lay(dst, x.seen, planes, n)
	return nil
}

// Luma is PIL's grey of a colour: ITU-R 601's 0.299 R + 0.587 G + 0.114 B.
func Luma(r, g, b float32) float32 { return 0.299*r + 0.587*g + 0.114*b }

// lay normalises planes (RGB, or one grey plane, H×W each, 0..1) into
// dst in the model's layout and channel order.
func (x *Input) lay(dst, planes []float32, n int, norm Normalization) {
	hw := x.H * x.W
	one := dst[:hw*x.C]
	for c := 0; c < x.C; c++ {
		plane := planes[:hw]
		if n == 3 {
			from := c
			if norm.BGR {
				from = 2 - c
			}
			plane = planes[from*hw : (from+1)*hw]
		}
		sc, off := norm.Scale[c], norm.Offset[c]
		for i, v := range plane {
			if x.Layout == NHWC {
				one[i*x.C+c] = v*sc + off
			} else {
				one[c*hw+i] = v*sc + off
			}
		}
	}
	// Black in the other examples of a fixed batch: each channel's offset.
	per := hw * x.C
	for i := per; i < len(dst); i++ {
		c := (i % per) / hw
		if x.Layout == NHWC {
			c = i % x.C
		}
		dst[i] = norm.Offset[c]
	}
}

// Seen returns the image the model saw in the last Fill or FillPicture, at
// its size before normalisation (0..1): channels planes of H×W, 3 (red,
// green, blue) for a picture fed to a colour model, 1 (grey) otherwise.
func (x *Input) Seen() (planes []float32, channels int) {
	if x.seenC == 0 {
		return x.gray, 1
	}
	return x.seen, x.seenC
}
