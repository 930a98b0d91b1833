package ink

// inkRows says where the ink of an image lies, row by row, as the stroke
// rasterizer knows it: every pixel of row y outside first[y]..last[y] is 0,
// hi is the largest pixel value, and every value is a coverage in 0..1. It
// spares the preprocessing its scans of the empty canvas, and its clamping.
type inkRows struct {
	first, last []int32 // first[y] > last[y]: the row is empty
	hi          float32
}

// reset makes ink describe an empty h-row image.
func (ink *inkRows) reset(h int) {
	if cap(ink.first) < h {
		ink.first, ink.last = make([]int32, h), make([]int32, h)
	}
	ink.first, ink.last = ink.first[:h], ink.last[:h]
	for y := range ink.first {
		ink.first[y], ink.last[y] = 1<<30, -1
	}
	ink.hi = 0
}

// add records that row y may hold ink from column a to b and that a pixel
// of value v was written.
func (ink *inkRows) add(y, a, b int, v float32) {
	if int32(a) < ink.first[y] {
		ink.first[y] = int32(a)
	}
	if int32(b) > ink.last[y] {
		ink.last[y] = int32(b)
	}
	if v > ink.hi {
		ink.hi = v
	}
}

// fits reports whether ink describes a w×h image.
func (ink *inkRows) fits(w, h int) bool {
	if len(ink.first) != h || len(ink.last) != h {
		return false
	}
	for y, a := range ink.first {
		if b := ink.last[y]; a <= b && (a < 0 || int(b) >= w) {
			return false
		}
	}
	return true
}

// applyWithin is apply for a row of values in 0..1 whose pixels outside
// lo..hi are 0: a destination pixel whose source pixels all lie outside is
// 0 without reading them, and the others are computed as apply computes
// them, without the clamping, which leaves such values as they are.
func (r *resampler) applyWithin(dst, src []float32, lo, hi int) {
	for j, i0 := range r.first {
		n := int(r.off[j+1] - r.off[j])
		if int(i0) > hi || int(i0)+n-1 < lo {
			dst[j] = 0
			continue
		}
		ws := r.w[r.off[j]:r.off[j+1]]
		s := src[i0 : int(i0)+len(ws)]
		var acc float32
		for k, wk := range ws {
			acc += wk * s[k]
		}
		dst[j] = acc
	}
}
