package ink

// Resizer resamples ink images to another size, the way [Preprocessor]
// scales a drawing's box: shrinking averages the source pixels each
// destination pixel covers, enlarging interpolates bilinearly between pixel
// centres. Values are clamped to 0..1 as they are read, NaN to 0. It keeps
// its scratch between calls; the zero value is ready to use.
type Resizer struct {
	xs, ys resampler
	rows   []float32
}

// Run writes src (sw×sh values, row-major) resized to dw×dh into
// dst[:dw*dh]. It returns false, writing nothing, when a size is outside
// 1..[MaxDrawingSide] or a slice is too short. The same size copies src,
// clamped.
func (r *Resizer) Run(dst []float32, dw, dh int, src []float32, sw, sh int) bool {
	if dw < 1 || dh < 1 || sw < 1 || sh < 1 || dw > MaxDrawingSide || dh > MaxDrawingSide || sw > MaxDrawingSide || sh > MaxDrawingSide ||
		len(dst) < dw*dh || len(src) < sw*sh {
		return false
	}
	r.xs.plan(sw, dw, sw)
	r.ys.plan(sh, dh, sh)
	if cap(r.rows) < sh*dw {
		r.rows = make([]float32, sh*dw)
	}
	rows := r.rows[:sh*dw]
	for y := 0; y < sh; y++ {
		r.xs.apply(rows[y*dw:(y+1)*dw], src[y*sw:(y+1)*sw])
	}
	for x := 0; x < dw; x++ {
		r.ys.applyColumn(dst[x:], rows[x:], dw)
	}
	return true
}
