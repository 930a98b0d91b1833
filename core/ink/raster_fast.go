package ink

import "math"

// The fast twin of drawCapsule, and drawing into a window of the canvas.
// Both give drawCapsule's pixels bit for bit: a pixel's value is the
// largest coverage any capsule gives it, whatever order the capsules and
// pixels are visited in, and every pixel whose coverage is not plainly 0 or
// 1 is computed by drawCapsule's own formula (TestDrawCapsuleFast).

// fastCapsuleLimit bounds the coordinates and radius the fast path takes:
// within it float64 rounding moves a distance by less than 1e-8 pixels, far
// inside capsuleSlack and the float32 rounding of a coverage near 1. Anything larger is drawn by drawCapsule.
const fastCapsuleLimit = 1 << 14

// capsuleSlack widens a row's span of the capsule, in pixels, so that
// rounding can never leave out a pixel drawCapsule would draw.
const capsuleSlack = 1e-5

// window is the part of a canvas an image holds: image pixel (i, j) is
// canvas pixel (x0+i, y0+j). The canvas is cw×ch pixels.
type window struct {
	x0, y0, cw, ch int
}

// drawCapsuleFast draws the segment from a to b with radius r and round ends
// into g, the window win of the canvas, exactly as drawCapsule draws it on
// the whole canvas. Per row it works out where the capsule can reach and
// computes drawCapsule's coverage from each end of that span inwards, only
// until the first pixel inside the pen's core (coverage 1): the row of the
// core is one interval, since the capsule is convex, and every pixel
// between the two found is set to 1 without arithmetic.
//
// If ink is not nil, the rows and columns it may have drawn on and the
// largest value it wrote are added to it.
func drawCapsuleFast(g *GrayImage, win window, a32, b32 [2]float32, r32 float32, ink *inkRows) {
	ax, ay := float64(a32[0]), float64(a32[1])
	bx, by := float64(b32[0]), float64(b32[1])
	r := float64(r32)
	const lim = fastCapsuleLimit
	if !(math.Abs(ax) <= lim && math.Abs(ay) <= lim && math.Abs(bx) <= lim && math.Abs(by) <= lim && r <= lim) {
		drawCapsuleWindow(g, win, a32, b32, r32, ink)
		return
	}
	reach := r + 0.5
	// The pixels drawCapsule visits, in canvas coordinates.
	x0, x1 := pixelSpan(min(ax, bx)-reach-0.5, max(ax, bx)+reach-0.5, win.cw)
	y0, y1 := pixelSpan(min(ay, by)-reach-0.5, max(ay, by)+reach-0.5, win.ch)
	x0, x1 = max(x0, win.x0), min(x1, win.x0+g.W-1)
	y0, y1 = max(y0, win.y0), min(y1, win.y0+g.H-1)
	if x0 > x1 || y0 > y1 {
		return
	}
	dx, dy := bx-ax, by-ay
	inv := 0.0
	if l2 := dx*dx + dy*dy; l2 > 0 {
		inv = 1 / l2
	}
	reach2 := reach * reach
	full2 := -1.0
	if r >= 0.5 {
		full2 = (r - 0.5) * (r - 0.5)
	}
	seg := newCapsuleGeom(ax, ay, dx, dy, reach+capsuleSlack)
	for y := y0; y <= y1; y++ {
		cy := float64(y) + 0.5
		lo, hi, ok := seg.span(cy)
		if !ok {
			continue
		}
		// Pixel x is centred at x+0.5.
		xs, xe := spanOf(lo-0.5, hi-0.5, x0, x1)
		if xs > xe {
			continue
		}
		// row[x-off] is canvas pixel x.
		row, off := g.Pix[(y-win.y0)*g.W:(y-win.y0+1)*g.W], win.x0
		py := cy - ay
		top := float32(0) // the largest value written in the row
		// draw applies drawCapsule's formula to pixel x and reports whether
		// the pixel lies in the core (d² ≤ full2). The min and max builtins
		// are plain comparisons here, since they cost a call each under
		// WebAssembly; they agree: nothing is NaN, t = −0 gives the same
		// distance as 0, and the pixels are never −0.
		draw := func(x int) (core bool) {
			px := float64(x) + 0.5 - ax
			t := (px*dx + py*dy) * inv
			if t < 0 {
				t = 0
			} else if t > 1 {
				t = 1
			}
			ex, ey := px-t*dx, py-t*dy
			d2 := ex*ex + ey*ey
			if d2 >= reach2 {
				return false
			}
			c := float32(1)
			if d2 > full2 {
				if e := reach - math.Sqrt(d2); e < 1 {
					c = float32(e)
				}
			}
			if c > row[x-off] {
				row[x-off] = c
				if c > top {
					top = c
				}
			}
			return d2 <= full2
		}
		// Pixels at 1 already cannot change: the walks pass over them.
		l := xs
		for l <= xe && (row[l-off] >= 1 || !draw(l)) {
			l++
		}
		if l <= xe {
			e := xe
			for e > l && (row[e-off] >= 1 || !draw(e)) {
				e--
			}
			// Between two core pixels the exact distance is at most theirs
			// (it is convex along the row), so drawCapsule's coverage there
			// rounds to 1 even where rounding puts d² a hair above full2.
			for x := l + 1; x < e; x++ {
				row[x-off] = 1
			}
		}
		if ink != nil {
			// Every pixel the capsule may change in the row lies in xs..xe.
			ink.add(y-win.y0, xs-win.x0, xe-win.x0, top)
		}
	}
}

// capsuleGeom is a segment from (ax, ay) along (dx, dy), of length l, and
// the distance rho its spans are for.
type capsuleGeom struct {
	ax, ay, dx, dy, l2 float64
	rho, rho2, rhoL    float64
	idx, idy           float64 // 1/dx and 1/dy, or 0
}

func newCapsuleGeom(ax, ay, dx, dy, rho float64) capsuleGeom {
	s := capsuleGeom{ax: ax, ay: ay, dx: dx, dy: dy, l2: dx*dx + dy*dy, rho: rho, rho2: rho * rho}
	s.rhoL = rho * math.Sqrt(s.l2)
	if dx != 0 {
		s.idx = 1 / dx
	}
	if dy != 0 {
		s.idy = 1 / dy
	}
	return s
}

// span returns the x-interval of the horizontal line at height y whose points
// lie within rho of the segment, widened by rounding at most: the union of
// what the discs at its ends and the band swept between them cut from the
// line (the capsule is convex, so the union is one interval). ok is false
// when the line misses it.
func (s *capsuleGeom) span(y float64) (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, c := range [2][2]float64{{s.ax, s.ay}, {s.ax + s.dx, s.ay + s.dy}} {
		if h2 := s.rho2 - (y-c[1])*(y-c[1]); h2 >= 0 {
			h := math.Sqrt(h2)
			if c[0]-h < lo {
				lo = c[0] - h
			}
			if c[0]+h > hi {
				hi = c[0] + h
			}
		}
	}
	if s.l2 > 0 {
		// Points (ax+u, y) of the band: 0 ≤ u·dx + q ≤ l² (the projection
		// falls on the segment) and |u·dy − p| ≤ rho·l (the distance to the
		// segment's line), with q = (y−ay)·dy and p = (y−ay)·dx.
		q, p := (y-s.ay)*s.dy, (y-s.ay)*s.dx
		blo, bhi := math.Inf(-1), math.Inf(1)
		clip := func(u1, u2 float64) {
			if u1 > u2 {
				u1, u2 = u2, u1
			}
			if u1 > blo {
				blo = u1
			}
			if u2 < bhi {
				bhi = u2
			}
		}
		if s.dx != 0 {
			clip(-q*s.idx, (s.l2-q)*s.idx)
		} else if q < 0 || q > s.l2 {
			return lo, hi, lo <= hi
		}
		if s.dy != 0 {
			clip((p-s.rhoL)*s.idy, (p+s.rhoL)*s.idy)
		} else if math.Abs(p) > s.rhoL {
			return lo, hi, lo <= hi
		}
		if blo <= bhi {
			if s.ax+blo < lo {
				lo = s.ax + blo
			}
			if s.ax+bhi > hi {
				hi = s.ax + bhi
			}
		}
	}
	return lo, hi, lo <= hi
}

// spanOf returns the pixels from ceil(lo) to floor(hi) within a..b, for
// finite lo and hi; from > to means there are none.
func spanOf(lo, hi float64, a, b int) (from, to int) {
	if lo > float64(b) || hi < float64(a) {
		return b + 1, b
	}
	from, to = a, b
	if lo > float64(a) {
		from = int(math.Ceil(lo))
	}
	if hi < float64(b) {
		to = int(math.Floor(hi))
	}
	return from, to
}

// drawCapsuleWindow is drawCapsule on a window of the canvas: it draws on a
// canvas-sized scratch and copies the window back. It serves the
// coordinates too large for the fast path, which real drawings never have;
// for ink it records every row whole.
func drawCapsuleWindow(g *GrayImage, win window, a, b [2]float32, r float32, ink *inkRows) {
	full := GrayImage{W: win.cw, H: win.ch, Pix: make([]float32, win.cw*win.ch)}
	for j := 0; j < g.H; j++ {
		copy(full.Pix[(win.y0+j)*win.cw+win.x0:], g.Pix[j*g.W:(j+1)*g.W])
	}
	drawCapsule(&full, a, b, r)
	for j := 0; j < g.H; j++ {
		row := g.Pix[j*g.W : (j+1)*g.W]
		copy(row, full.Pix[(win.y0+j)*win.cw+win.x0:])
		if ink != nil {
			top := float32(0)
			for _, v := range row {
				if v > top {
					top = v
				}
			}
			ink.add(j, 0, g.W-1, top)
		}
	}
}

// rasterizeInkWindow draws strokes as [RasterizeStrokes] does on a w×h
// canvas, but dst holds only the window of the canvas the pen can reach,
// and ink where in it the ink lies; a drawing that cannot touch the canvas
// gives an empty image. The window holds every pixel with ink, so the preprocessing, which
// looks only at the ink, reads it as it reads the whole canvas, and the
// pixels outside it are never cleared, drawn or scanned.
func rasterizeInkWindow(dst *GrayImage, ink *inkRows, strokes []Stroke, w, h int, penWidth float32) {
	if w < 1 || h < 1 || w > MaxDrawingSide || h > MaxDrawingSide {
		dst.setSize(0, 0)
		ink.reset(0)
		return
	}
	r := penRadius(penWidth)
	// The window is the points' bounding box grown by the pen's reach,
	// clipped to the canvas: it holds every capsule's box.
	reach := float64(r) + 0.5
	lx, ly, hx, hy := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, s := range strokes {
		for _, p := range s {
			if finite32(p[0]) && finite32(p[1]) {
				x, y := float64(p[0]), float64(p[1])
				lx, ly, hx, hy = min(lx, x), min(ly, y), max(hx, x), max(hy, y)
			}
		}
	}
	x0, x1 := pixelSpan(lx-reach-0.5, hx+reach-0.5, w)
	y0, y1 := pixelSpan(ly-reach-0.5, hy+reach-0.5, h)
	if lx > hx || x0 > x1 || y0 > y1 {
		dst.setSize(0, 0)
		ink.reset(0)
		return
	}
	dst.setSize(x1-x0+1, y1-y0+1)
	clear(dst.Pix)
	ink.reset(dst.H)
	win := window{x0: x0, y0: y0, cw: w, ch: h}
	drawStrokes(dst, win, strokes, r, ink)
}
