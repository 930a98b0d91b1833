package ink

import "math"

// The drawing page's canvas, which [PlaceStrokes] and [RasterizeStrokes]
// reproduce so that replayed and generated digits look like drawn ones.
const (
	// PadSize is the side of the page's square canvas, in pixels.
	PadSize = 280

	// PenWidth is the width of the page's pen on that canvas, in pixels.
	// The pen is round: lineCap and lineJoin "round".
	PenWidth = 18

	// DigitFraction is the fraction of the canvas a digit from the pen-digit
	// data is scaled to: people draw digits about two thirds of the pad high.
	DigitFraction = 0.65
)

// Stroke is one pen stroke, its points in drawing order. Each point is
// {x, y} with y growing downward, in canvas pixels once placed by
// [PlaceStrokes].
type Stroke [][2]float32

// PlaceStrokes maps strokes given in the unit box of the pen-digit data (the
// longer side spans 0..1, the shorter is centred, y down) onto a canvas of
// canvas×canvas pixels: the unit box is scaled to fraction·canvas pixels and
// centred, so the digit's longer side spans that many pixels.
func PlaceStrokes(strokes [][][2]float32, canvas int, fraction float32) []Stroke {
	size := fraction * float32(canvas)
	off := (float32(canvas) - size) / 2
	n := 0
	for _, s := range strokes {
		n += len(s)
	}
	pts := make([][2]float32, n)
	out := make([]Stroke, len(strokes))
	for i, s := range strokes {
		placed := pts[:len(s):len(s)]
		pts = pts[len(s):]
		for j, q := range s {
			placed[j] = [2]float32{off + q[0]*size, off + q[1]*size}
		}
		out[i] = placed
	}
	return out
}

// RasterizeStrokes draws strokes onto dst as a w×h ink image (ink high,
// 0..1), reusing dst.Pix when it is large enough. Each stroke is a polyline
// of width penWidth with round caps and joins; a stroke of one point, or of
// repeated identical points, is a dot of diameter penWidth.
//
// Anti-aliasing approximates the canvas's: a pixel whose centre lies at
// distance d from the polyline gets the coverage
//
//	clamp(penWidth/2 + 0.5 − d, 0, 1)
//
// a one-pixel ramp across the edge whose integral across a line is exactly
// penWidth. Where strokes overlap the larger coverage wins, as with the
// canvas's opaque pen.
//
// Points that are NaN or infinite are skipped, a negative penWidth counts as
// 0 (a hairline about one pixel wide), and a w or h outside
// 1..[MaxDrawingSide] leaves dst empty (0×0).
func RasterizeStrokes(dst *GrayImage, strokes []Stroke, w, h int, penWidth float32) {
	if dst == nil {
		return
	}
	if w < 1 || h < 1 || w > MaxDrawingSide || h > MaxDrawingSide {
		dst.setSize(0, 0)
		return
	}
	dst.setSize(w, h)
	clear(dst.Pix)
	win := window{cw: w, ch: h}
	r := penRadius(penWidth)
	drawStrokes(dst, win, strokes, r, nil)
}

// penRadius is the radius of a pen penWidth pixels wide: a negative width
// counts as 0, and a pen wider than any image covers it all anyway.
func penRadius(penWidth float32) float32 {
	if penWidth <= 0 {
		return 0
	}
	return min(penWidth, 4*MaxDrawingSide) / 2
}

// drawStrokes draws every stroke as the capsules between its consecutive
// finite points (a stroke of one point as a dot) into the window win of
// dst, recording the inked span of each row in ink when it is not nil.
func drawStrokes(dst *GrayImage, win window, strokes []Stroke, r float32, ink *inkRows) {
	for _, s := range strokes {
		var prev [2]float32
		have, drawn := false, false
		for _, p := range s {
			if !finite32(p[0]) || !finite32(p[1]) {
				continue
			}
			if have {
				drawCapsuleFast(dst, win, prev, p, r, ink)
				drawn = true
			}
			prev, have = p, true
		}
		if have && !drawn {
			drawCapsuleFast(dst, win, prev, prev, r, ink)
		}
	}
}

// finite32 reports whether v is neither NaN nor infinite.
func finite32(v float32) bool { return v-v == 0 }

// drawCapsule draws the segment from a to b with radius r and round ends
// (a disc when a == b) into g, keeping the larger coverage per pixel. Only
// the pixels of the segment's bounding box grown by r+0.5 are visited. The
// geometry is in float64 so that points far outside the image still give
// exact distances: float32 squares overflow beyond about 1e19.
func drawCapsule(g *GrayImage, a32, b32 [2]float32, r32 float32) {
	a := [2]float64{float64(a32[0]), float64(a32[1])}
	b := [2]float64{float64(b32[0]), float64(b32[1])}
	r := float64(r32)
	reach := r + 0.5 // coverage falls to 0 at this distance
	// Pixel x is centred at x+0.5: it can be touched if x+0.5 lies within
	// reach of [min, max].
	x0, x1 := pixelSpan(min(a[0], b[0])-reach-0.5, max(a[0], b[0])+reach-0.5, g.W)
	y0, y1 := pixelSpan(min(a[1], b[1])-reach-0.5, max(a[1], b[1])+reach-0.5, g.H)
	if x0 > x1 || y0 > y1 {
		return
	}
	dx, dy := b[0]-a[0], b[1]-a[1]
	inv := 0.0
	if l2 := dx*dx + dy*dy; l2 > 0 {
		inv = 1 / l2
	}
	reach2 := reach * reach
	// Inside the pen minus half a pixel the coverage is 1: no square root.
	full2 := -1.0
	if r >= 0.5 {
		full2 = (r - 0.5) * (r - 0.5)
	}
	for y := y0; y <= y1; y++ {
		py := float64(y) + 0.5 - a[1]
		row := g.Pix[y*g.W : (y+1)*g.W]
		for x := x0; x <= x1; x++ {
			if row[x] >= 1 {
				continue
			}
			px := float64(x) + 0.5 - a[0]
			t := min(max((px*dx+py*dy)*inv, 0), 1)
			ex, ey := px-t*dx, py-t*dy
			d2 := ex*ex + ey*ey
			if d2 >= reach2 {
				continue
			}
			c := float32(1)
			if d2 > full2 {
				c = float32(min(reach-math.Sqrt(d2), 1))
			}
			row[x] = max(row[x], c)
		}
	}
}

// pixelSpan returns the pixel indices from ceil(lo) to floor(hi), clipped to
// 0..n−1; lo > hi afterwards means there are none. The bounds are clamped as
// floats first, since converting a huge float to int is not defined.
func pixelSpan(lo, hi float64, n int) (int, int) {
	lo = min(max(lo, -1), float64(n))
	hi = min(max(hi, -1), float64(n))
	return max(int(math.Ceil(lo)), 0), min(int(math.Floor(hi)), n-1)
}
