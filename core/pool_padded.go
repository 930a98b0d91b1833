package core

import "sync"

// maxPoolPadded is maxPoolInside for planes whose frame (the outputs whose
// windows reach past the input: padding, ceil_mode's last windows) is a
// large part of the output, as in GoogLeNet's padded 3×3 poolings of
// 28×28, 14×14 and 7×7 planes, where the frame's outputs, one or two taps
// short, took the scalar loops. It pools a copy of the input extended by
// repeating its edge rows and columns, every window inside it, in one
// maxPoolRows call, which is bit for bit the windows clipped to the input:
// an edge value copied into a window's padding is a tap of the same
// window, and where the copies come first (top and left) they repeat the
// window's first row or column in order, so the values appear for the
// first time in the order the clipped window visits them; a value that
// appeared before never wins again (a later tap wins only when greater).
// Callers check that every window has a tap inside the input (usePadded).
func maxPoolPadded(y, x []float32, g *ConvGeom) {
	planes, hw, ohw := g.N*g.C, g.H*g.W, g.OH*g.OW
	hp, wp := (g.OH-1)*g.SH+g.KH, (g.OW-1)*g.SW+g.KW
	// Rows too short for a vector are pooled as one long row of stride-wp
	// outputs per plane (their inputs are s·wp apart for stride s in both
	// directions), the outputs between the rows' ends discarded.
	flat := shortRows(g) > 0
	// Windows that tile the input exactly (GoogLeNet's 2×2 pooling of
	// 14×14 to 7×7) need no copy: the input is its own extension.
	exact := g.PT == 0 && g.PL == 0 && hp == g.H && wp == g.W
	size := 0
	if !exact {
		size = planes * hp * wp
	}
	if flat {
		size += planes * g.OH * wp
	}
	s := getPoolScratch(size)
	defer poolScratch.Put(s)
	xp := x[:planes*hw]
	if !exact {
		xp = (*s)[:planes*hp*wp]
		for pl := 0; pl < planes; pl++ {
			in := x[pl*hw : (pl+1)*hw]
			out := xp[pl*hp*wp : (pl+1)*hp*wp]
			for i := 0; i < hp; i++ {
				r := min(max(i-g.PT, 0), g.H-1)
				edgeRow(out[i*wp:(i+1)*wp], in[r*g.W:(r+1)*g.W], g.PL)
			}
		}
	}
	if !flat {
		maxPoolRows(y, xp, planes, ohw, hp*wp, g.OH, g.OW, g.OW, g.SH*wp, wp, g.KH, g.KW, g.SW)
		return
	}
	ys := (*s)[size-planes*g.OH*wp:]
	maxPoolRows(ys, xp, planes, g.OH*wp, hp*wp, 1, (g.OH-1)*wp+g.OW, 0, 0, wp, g.KH, g.KW, g.SW)
	for pl := 0; pl < planes; pl++ {
		for oh := 0; oh < g.OH; oh++ {
			copy(y[pl*ohw+oh*g.OW:pl*ohw+(oh+1)*g.OW], ys[(pl*g.OH+oh)*wp:])
		}
	}
}

// edgeRow sets dst[j] to src[clamp(j − left, 0, len(src)−1)].
func edgeRow(dst, src []float32, left int) {
	l := min(left, len(dst))
	for j := range dst[:l] {
		dst[j] = src[0]
	}
	m := l + copy(dst[l:], src)
	for j := m; j < len(dst); j++ {
		dst[j] = src[len(src)-1]
	}
}

// usePadded reports whether maxPoolInside should pool g through
// maxPoolPadded: undilated windows that each have a tap inside the input,
// and a frame of more than an eighth of the outputs (the copy costs about
// what the vector kernel does; below that it costs more than the frame's
// scalar loops save) or rows too short for the vector kernel (short,
// from shortRows). inner is the number of outputs whose windows lie
// inside the input.
func usePadded(g *ConvGeom, inner, short int) bool {
	if g.DH != 1 || g.DW != 1 || (8*(g.OH*g.OW-inner) <= g.OH*g.OW && short == 0) {
		return false
	}
	h0, h1 := tapRange(-g.PT, 1, g.KH, g.H)
	h2, h3 := tapRange((g.OH-1)*g.SH-g.PT, 1, g.KH, g.H)
	w0, w1 := tapRange(-g.PL, 1, g.KW, g.W)
	w2, w3 := tapRange((g.OW-1)*g.SW-g.PL, 1, g.KW, g.W)
	return h0 < h1 && h2 < h3 && w0 < w1 && w2 < w3
}

// shortRows returns the platform's narrowest row for maxPoolRows's vector
// kernel when g's output rows are narrower and pool as one long row
// (equal strides, several rows), else 0: GoogLeNet's 2×2 pooling to 7×7.
func shortRows(g *ConvGeom) int {
	k := elementwise()
	if k == nil || k.MaxPoolRows == nil || g.OW >= k.MaxPoolRowsMinN || g.SH != g.SW || g.SW > 2 || g.OH < 2 {
		return 0
	}
	return k.MaxPoolRowsMinN
}

// poolScratch holds the buffers of maxPoolPadded between calls.
var poolScratch sync.Pool

// getPoolScratch returns a buffer of n floats from poolScratch.
func getPoolScratch(n int) *[]float32 {
	s, _ := poolScratch.Get().(*[]float32)
	if s == nil || cap(*s) < n {
		b := make([]float32, n)
		s = &b
	}
	*s = (*s)[:n]
	return s
}
