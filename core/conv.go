package core

// Conv2D computes the 2-D convolution (cross-correlation, as in every deep
// learning framework) of x with the filters w plus the bias b:
//
//	y[n,k,oh,ow] = b[k] + Σ_{c,i,j} w[k,c,i,j] · x[n, g·C/G + c, oh·SH − PT + i·DH, ow·SW − PL + j·DW]
//
// where g = k / (K/G) is the filter's group and taps outside the input read
// zero. x is [N, C, H, W], w is [K, C/G, KH, KW], b is [K] or nil, and y is
// [N, K, OH, OW]; g gives the sizes. Each filter reaches through all C/G
// channels of its group and gives one output map. col is scratch of at least
// g.ColSize() elements.
//
// It runs im2col and [Gemm] for each image and group; the result is identical,
// up to float32 rounding, to Conv2DRef.
func Conv2D(y, x, w, b []float32, g *ConvGeom, col []float32) {
	checkConv(y, x, w, b, g)
	if len(col) < g.ColSize() {
		panic(panicShortSlice)
	}
	if g.Batched() {
		conv2dBatched(y, x, w, b, g, col)
		return
	}
	cg, kg := g.C/g.Group, g.K/g.Group
	p := g.OH * g.OW
	ckk := cg * g.KH * g.KW
	for n := 0; n < g.N; n++ {
		for grp := 0; grp < g.Group; grp++ {
			src := x[(n*g.C+grp*cg)*g.H*g.W : (n*g.C+(grp+1)*cg)*g.H*g.W]
			mat := src
			if !g.pointwise() {
				mat = col[:ckk*p]
				im2col(mat, p, 0, src, cg, g)
			}
			dst := y[(n*g.K+grp*kg)*p : (n*g.K+(grp+1)*kg)*p]
			beta := float32(0)
			if b != nil {
				for k := 0; k < kg; k++ {
					row := dst[k*p : (k+1)*p]
					bias := b[grp*kg+k]
					for i := range row {
						row[i] = bias
					}
				}
				beta = 1
			}
			Gemm(false, false, kg, p, ckk, 1, w[grp*kg*ckk:(grp+1)*kg*ckk], ckk, mat, p, beta, dst, p)
		}
	}
}

// conv2dBatched is [Conv2D] for several images and one group: one im2col
// matrix of all images ([C·KH·KW, N·P]), one product into a [K, N·P] matrix,
// then the bias added while laying it out as [N, K, P].
func conv2dBatched(y, x, w, b []float32, g *ConvGeom, scratch []float32) {
	p := g.OH * g.OW
	ckk, np := g.C*g.KH*g.KW, g.N*g.OH*g.OW
	col, prod := scratch[:ckk*np], scratch[ckk*np:(ckk+g.K)*np]
	for n := 0; n < g.N; n++ {
		im2col(col, np, n*p, x[n*g.C*g.H*g.W:(n+1)*g.C*g.H*g.W], g.C, g)
	}
	Gemm(false, false, g.K, np, ckk, 1, w, ckk, col, np, 0, prod, np)
	for n := 0; n < g.N; n++ {
		for k := 0; k < g.K; k++ {
			src := prod[k*np+n*p : k*np+n*p+p]
			dst := y[(n*g.K+k)*p : (n*g.K+k+1)*p]
			if b == nil {
				copy(dst, src)
				continue
			}
			bias := b[k]
			for i, v := range src {
				dst[i] = v + bias
			}
		}
	}
}

// checkConv panics unless the slices have the sizes g implies.
func checkConv(y, x, w, b []float32, g *ConvGeom) {
	if len(x) < g.N*g.C*g.H*g.W || len(y) < g.N*g.K*g.OH*g.OW || len(w) < g.K*(g.C/g.Group)*g.KH*g.KW {
		panic(panicShortSlice)
	}
	if b != nil && len(b) < g.K {
		panic(panicShortSlice)
	}
}

// im2col unrolls the cg channels of one image src ([cg, H, W]) into col, a
// matrix with (cg·KH·KW) rows of stride ld whose row (c·KH + i)·KW + j holds,
// from column off on, for every output position, the input pixel under tap
// (i, j) of channel c (zero in the padding).
func im2col(col []float32, ld, off int, src []float32, cg int, g *ConvGeom) {
	p := g.OH * g.OW
	row := 0
	for c := 0; c < cg; c++ {
		plane := src[c*g.H*g.W : (c+1)*g.H*g.W]
		for i := 0; i < g.KH; i++ {
			for j := 0; j < g.KW; j++ {
				dst := col[row*ld+off : row*ld+off+p]
				row++
				// Output columns ow whose tap lands inside the input: 0 ≤ ow·SW + shift < W.
				shift := j*g.DW - g.PL
				lo := ceilDiv(-shift, g.SW)
				hi := ceilDiv(g.W-shift, g.SW)
				lo, hi = max(lo, 0), min(hi, g.OW)
				if g.SW == 1 && g.SH == 1 && g.OW == g.W && lo < hi {
					im2colSameRow(dst, plane, i*g.DH-g.PT, shift, lo, hi, g)
					continue
				}
				for oh := 0; oh < g.OH; oh++ {
					out := dst[oh*g.OW : (oh+1)*g.OW]
					ih := oh*g.SH - g.PT + i*g.DH
					if ih < 0 || ih >= g.H || lo >= hi {
						clear(out)
						continue
					}
					in := plane[ih*g.W : (ih+1)*g.W]
					clear(out[:lo])
					clear(out[hi:])
					if g.SW == 1 {
						// Rows of small maps are short: a loop beats a memmove call.
						src := in[lo+shift : hi+shift]
						dst := out[lo:hi]
						for k := range src {
							dst[k] = src[k]
						}
						continue
					}
					for ow, iw := lo, lo*g.SW+shift; ow < hi; ow, iw = ow+1, iw+g.SW {
						out[ow] = in[iw]
					}
				}
			}
		}
	}
}

// im2colSameRow fills one row of the im2col matrix, tap (dy, shift), when
// the output is as wide as the input at stride 1 ("same" padding) and some
// columns [lo, hi) of the tap land inside the input: then
// output position k reads input position k + dy·W + shift, so the whole
// row is one copy, after which the columns whose tap falls off the left or
// right edge (outside [lo, hi)), which the copy filled from the neighbouring
// rows, are cleared. Short rows copied one by one cost far more.
func im2colSameRow(dst, plane []float32, dy, shift, lo, hi int, g *ConvGeom) {
	ohLo, ohHi := max(0, -dy), min(g.OH, g.H-dy)
	if ohLo >= ohHi {
		clear(dst) // the tap is above or below the input in every row
		return
	}
	start, end := ohLo*g.OW+lo, (ohHi-1)*g.OW+hi
	d := dy*g.W + shift
	clear(dst[:start])
	copy(dst[start:end], plane[start+d:end+d])
	clear(dst[end:])
	for oh := ohLo; oh < ohHi; oh++ {
		out := dst[oh*g.OW : (oh+1)*g.OW]
		clear(out[:lo])
		clear(out[hi:])
	}
}

// ceilDiv returns ⌈a/b⌉ for b > 0 and any sign of a.
func ceilDiv(a, b int) int {
	if a <= 0 {
		return -((-a) / b)
	}
	return (a + b - 1) / b
}

// Conv2DBackward computes the gradients of [Conv2D] given dy, the gradient of
// the loss with respect to y ([N, K, OH, OW]):
//
//	dw[k,c,i,j] += Σ_{n,oh,ow} dy[n,k,oh,ow] · x[n, …tap…]
//	db[k]       += Σ_{n,oh,ow} dy[n,k,oh,ow]
//	dx          =  the transpose of the convolution applied to dy
//
// dw and db accumulate (callers zero them once per batch); dx is overwritten
// and may be nil when the input needs no gradient; db may be nil. col is
// scratch of g.BackwardScratchSize() elements. colReady says that col still
// holds what a batched Conv2D of the same x left in its scratch (the im2col
// matrix), which then is not computed again.
func Conv2DBackward(dx, dw, db, dy, x, w []float32, g *ConvGeom, col []float32, colReady bool) {
	checkConv(dy, x, w, db, g)
	cg, kg := g.C/g.Group, g.K/g.Group
	p := g.OH * g.OW
	ckk := cg * g.KH * g.KW
	if len(dw) < g.K*ckk || (dx != nil && len(dx) < g.N*g.C*g.H*g.W) || len(col) < g.BackwardScratchSize() {
		panic(panicShortSlice)
	}
	if g.Batched() {
		conv2dBackwardBatched(dx, dw, db, dy, x, w, g, col, colReady)
		return
	}
	for n := 0; n < g.N; n++ {
		for grp := 0; grp < g.Group; grp++ {
			src := x[(n*g.C+grp*cg)*g.H*g.W : (n*g.C+(grp+1)*cg)*g.H*g.W]
			d := dy[(n*g.K+grp*kg)*p : (n*g.K+(grp+1)*kg)*p]
			wg := w[grp*kg*ckk : (grp+1)*kg*ckk]
			mat := src
			if !g.pointwise() {
				mat = col[:ckk*p]
				im2col(mat, p, 0, src, cg, g)
			}
			Gemm(false, true, kg, ckk, p, 1, d, p, mat, p, 1, dw[grp*kg*ckk:(grp+1)*kg*ckk], ckk)
			if db != nil {
				for k := 0; k < kg; k++ {
					var s float32
					for _, v := range d[k*p : (k+1)*p] {
						s += v
					}
					db[grp*kg+k] += s
				}
			}
			if dx == nil {
				continue
			}
			dsrc := dx[(n*g.C+grp*cg)*g.H*g.W : (n*g.C+(grp+1)*cg)*g.H*g.W]
			if g.pointwise() {
				Gemm(true, false, ckk, p, kg, 1, wg, ckk, d, p, 0, dsrc, p)
				continue
			}
			dcol := col[:ckk*p]
			Gemm(true, false, ckk, p, kg, 1, wg, ckk, d, p, 0, dcol, p)
			col2im(dsrc, dcol, p, 0, cg, g)
		}
	}
}

// conv2dBackwardBatched is [Conv2DBackward] for several images and one
// group, as one product per gradient over the whole batch.
func conv2dBackwardBatched(dx, dw, db, dy, x, w []float32, g *ConvGeom, scratch []float32, colReady bool) {
	p := g.OH * g.OW
	ckk, np := g.C*g.KH*g.KW, g.N*g.OH*g.OW
	col, d := scratch[:ckk*np], scratch[ckk*np:(ckk+g.K)*np]
	// dy as a [K, N·P] matrix, the layout of the forward product.
	for n := 0; n < g.N; n++ {
		for k := 0; k < g.K; k++ {
			copy(d[k*np+n*p:k*np+n*p+p], dy[(n*g.K+k)*p:(n*g.K+k+1)*p])
		}
	}
	if db != nil {
		for k := 0; k < g.K; k++ {
			var s float32
			for _, v := range d[k*np : (k+1)*np] {
				s += v
			}
			db[k] += s
		}
	}
	if !colReady {
		for n := 0; n < g.N; n++ {
			im2col(col, np, n*p, x[n*g.C*g.H*g.W:(n+1)*g.C*g.H*g.W], g.C, g)
		}
	}
	Gemm(false, true, g.K, ckk, np, 1, d, np, col, np, 1, dw, ckk)
	if dx == nil {
		return
	}
	Gemm(true, false, ckk, np, g.K, 1, w, ckk, d, np, 0, col, np)
	for n := 0; n < g.N; n++ {
		col2im(dx[n*g.C*g.H*g.W:(n+1)*g.C*g.H*g.W], col, np, n*p, g.C, g)
	}
}

// col2im is the adjoint of im2col: it sums each entry of col (rows of
// stride ld, starting at column off) back into the input pixel it was copied
// from, overwriting dst ([cg, H, W]).
func col2im(dst, col []float32, ld, off, cg int, g *ConvGeom) {
	clear(dst[:cg*g.H*g.W])
	p := g.OH * g.OW
	row := 0
	for c := 0; c < cg; c++ {
		plane := dst[c*g.H*g.W : (c+1)*g.H*g.W]
		for i := 0; i < g.KH; i++ {
			for j := 0; j < g.KW; j++ {
				src := col[row*ld+off : row*ld+off+p]
				row++
				shift := j*g.DW - g.PL
				lo := max(ceilDiv(-shift, g.SW), 0)
				hi := min(ceilDiv(g.W-shift, g.SW), g.OW)
				if lo >= hi {
					continue
				}
				for oh := 0; oh < g.OH; oh++ {
					ih := oh*g.SH - g.PT + i*g.DH
					if ih < 0 || ih >= g.H {
						continue
					}
					in := plane[ih*g.W : (ih+1)*g.W]
					s := src[oh*g.OW : (oh+1)*g.OW]
					for ow, iw := lo, lo*g.SW+shift; ow < hi; ow, iw = ow+1, iw+g.SW {
						in[iw] += s[ow]
					}
				}
			}
		}
	}
}
