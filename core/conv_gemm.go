package core

import (
	"runtime"
	"unsafe"
)

// Blocking of the fused matrix product: convKC of depth and convNC output
// columns at a time, so that a block of the right operand (256 × 256
// floats) stays in the second-level cache while every panel of filters
// passes over it.
const (
	convKC = 256
	convNC = 256
)

// gemmPlan is the "pointwise" and "gemm" methods of [ConvPlan]: per group,
// the filters (m rows of depth kd, packed once) times the image unrolled
// into kd rows of n = OH·OW columns. The unrolled rows are never laid out
// whole: each block of convKC rows and convNC columns is gathered from the
// image (im2col by blocks) into a buffer that stays in cache, or, for a
// 1×1 convolution at stride 1, read in place. The kernel works on whole
// tiles; the last rows of a group (m not a multiple of the tile's) and the
// last columns of the image go through small buffers.
type gemmPlan struct {
	m, kd, n    int
	mp, mFull   int
	inPlace     bool      // 1×1, stride 1, no padding: B is the input's rows
	pa          []float32 // per group, per depth block: mp×kb packed as the kernel reads it
	bias        []float32 // per group, mp values (zero past m)
	bbuf        []float32 // a gathered block of B: convKC rows of ncp floats
	cRows, cCol []float32 // the last partial panel of rows (mr × ncp); the last columns (mFull × nr)
	rRows, rCol []float32 // the residual under them
	ncp         int       // columns of a block, rounded up to whole tiles
	ep          EpilogueArgs
}

func newGemmPlan(p *ConvPlan, w []float32, alloc func(string, int) ([]float32, error)) (*gemmPlan, error) {
	g, kern := &p.g, p.kern
	mr, nr := kern.mr, kern.nr
	gp := &gemmPlan{m: g.K / g.Group, kd: g.C / g.Group * g.KH * g.KW, n: g.OH * g.OW}
	gp.mp = (gp.m + mr - 1) / mr * mr
	gp.mFull = gp.m / mr * mr
	gp.inPlace = g.pointwise()
	gp.ncp = (min(convNC, gp.n) + nr - 1) / nr * nr
	if gp.kd == 0 || gp.n == 0 {
		return nil, shapeErrorf("Conv", "empty product")
	}
	gp.pa = make([]float32, g.Group*gp.mp*gp.kd)
	gp.bias = make([]float32, g.Group*gp.mp)
	for grp := 0; grp < g.Group; grp++ {
		wg := w[grp*gp.m*gp.kd : (grp+1)*gp.m*gp.kd]
		for p0 := 0; p0 < gp.kd; p0 += convKC {
			kb := min(convKC, gp.kd-p0)
			off := grp*gp.mp*gp.kd + p0*gp.mp
			packA(false, gp.m, mr, kb, wg, gp.kd, p0, gp.pa[off:off+gp.mp*kb])
		}
		copy(gp.bias[grp*gp.mp:], p.bias[grp*gp.m:(grp+1)*gp.m])
	}
	var err error
	get := func(what string, n int) []float32 {
		if err != nil || n == 0 {
			return nil
		}
		var b []float32
		b, err = alloc(what, n)
		return b
	}
	if !gp.inPlace || gp.n%nr != 0 || gp.n > panelDirectLd {
		gp.bbuf = get("unrolled block", min(convKC, gp.kd)*gp.ncp)
	}
	if gp.mFull < gp.m {
		gp.cRows = get("last rows", mr*gp.ncp)
		if p.residual {
			gp.rRows = get("last rows' residual", mr*gp.ncp)
		}
	}
	if gp.n%nr != 0 && gp.mFull > 0 {
		gp.cCol = get("last columns", gp.mFull*nr)
		if p.residual {
			gp.rCol = get("last columns' residual", gp.mFull*nr)
		}
	}
	return gp, err
}

// run computes one image: y ([K, n]) from x ([C, H, W]) and res (y's
// shape, or nil).
func (gp *gemmPlan) run(p *ConvPlan, y, x, res []float32) {
	g, kern := &p.g, p.kern
	mr, nr := kern.mr, kern.nr
	cg, n := g.C/g.Group, gp.n
	ep := &gp.ep
	for grp := 0; grp < g.Group; grp++ {
		src := x[grp*cg*g.H*g.W : (grp+1)*cg*g.H*g.W]
		dst := y[grp*gp.m*n : (grp+1)*gp.m*n]
		var rg []float32
		if res != nil {
			rg = res[grp*gp.m*n : (grp+1)*gp.m*n]
		}
		bias := gp.bias[grp*gp.mp : (grp+1)*gp.mp]
		for j0 := 0; j0 < n; j0 += convNC {
			nb := min(convNC, n-j0)
			nFull := nb / nr * nr
			nbp := (nb + nr - 1) / nr * nr
			for p0 := 0; p0 < gp.kd; p0 += convKC {
				kb := min(convKC, gp.kd-p0)
				first, last := p0 == 0, p0+kb == gp.kd
				var pb unsafe.Pointer
				bRow := nbp
				switch {
				case gp.bbuf == nil || (gp.inPlace && nb == nbp && n <= panelDirectLd):
					_ = src[(p0+kb-1)*n+j0+nb-1]
					pb, bRow = unsafe.Pointer(&src[p0*n+j0]), n
				case gp.inPlace:
					for r := 0; r < kb; r++ {
						row := gp.bbuf[r*nbp : (r+1)*nbp]
						copy(row, src[(p0+r)*n+j0:(p0+r)*n+j0+nb])
						clear(row[nb:])
					}
					pb = unsafe.Pointer(&gp.bbuf[0])
				default:
					im2colBlock(gp.bbuf[:kb*nbp], nbp, src, g, p0, kb, j0, nb)
					pb = unsafe.Pointer(&gp.bbuf[0])
				}
				pa := gp.pa[grp*gp.mp*gp.kd+p0*gp.mp:]
				if gp.mFull > 0 && nFull > 0 {
					ep.Bias, ep.Res, ep.ResLd = unsafe.Pointer(&bias[0]), nil, n
					if rg != nil {
						ep.Res = unsafe.Pointer(&rg[j0])
					}
					p.epilogue(ep, first, last)
					_ = dst[(gp.mFull-1)*n+j0+nFull-1]
					kern.gemm(unsafe.Pointer(&pa[0]), pb, bRow, unsafe.Pointer(&dst[j0]), n, gp.mFull, nFull, kb, ep)
				}
				if nFull < nb && gp.mFull > 0 {
					// The last columns, a tile wide, into their buffer.
					ep.Bias, ep.Res, ep.ResLd = unsafe.Pointer(&bias[0]), nil, nr
					if first && rg != nil {
						copyBlock(gp.rCol, nr, rg[j0+nFull:], n, gp.mFull, nb-nFull)
					}
					if rg != nil {
						ep.Res = unsafe.Pointer(&gp.rCol[0])
					}
					p.epilogue(ep, first, last)
					kern.gemm(unsafe.Pointer(&pa[0]), unsafe.Add(pb, 4*nFull), bRow, unsafe.Pointer(&gp.cCol[0]), nr, gp.mFull, nr, kb, ep)
				}
				if gp.mFull < gp.m {
					// The last rows, a tile high, every column, into their buffer.
					rows := gp.m - gp.mFull
					ep.Bias, ep.Res, ep.ResLd = unsafe.Pointer(&bias[gp.mFull]), nil, nbp
					if first && rg != nil {
						clear(gp.rRows)
						copyBlock(gp.rRows, nbp, rg[gp.mFull*n+j0:], n, rows, nb)
					}
					if rg != nil {
						ep.Res = unsafe.Pointer(&gp.rRows[0])
					}
					p.epilogue(ep, first, last)
					kern.gemm(unsafe.Pointer(&pa[gp.mFull*kb]), pb, bRow, unsafe.Pointer(&gp.cRows[0]), nbp, mr, nbp, kb, ep)
				}
			}
			if nFull < nb && gp.mFull > 0 {
				copyBlock(dst[j0+nFull:], n, gp.cCol, nr, gp.mFull, nb-nFull)
			}
			if gp.mFull < gp.m {
				copyBlock(dst[gp.mFull*n+j0:], n, gp.cRows, nbp, gp.m-gp.mFull, nb)
			}
		}
	}
	runtime.KeepAlive(gp)
	runtime.KeepAlive(x)
	runtime.KeepAlive(y)
	runtime.KeepAlive(res)
}

// copyBlock copies rows × cols floats from src (rows lds apart) to dst
// (rows ldd apart).
func copyBlock(dst []float32, ldd int, src []float32, lds, rows, cols int) {
	for r := 0; r < rows; r++ {
		copy(dst[r*ldd:r*ldd+cols], src[r*lds:r*lds+cols])
	}
}

// im2colBlock gathers rows p0 … p0+kb−1 and columns j0 … j0+nb−1 of the
// image's im2col matrix (row (c·KH + i)·KW + j holds, for every output
// position, the input pixel under tap (i, j) of channel c, zero in the
// padding) into dst, rows ld floats apart, zeroing columns nb … ld−1.
// src is the [C/Group, H, W] image of one group.
func im2colBlock(dst []float32, ld int, src []float32, g *ConvGeom, p0, kb, j0, nb int) {
	khw, hw := g.KH*g.KW, g.H*g.W
	for pp := 0; pp < kb; pp++ {
		p := p0 + pp
		c, t := p/khw, p%khw
		i, j := t/g.KW, t%g.KW
		plane := src[c*hw : (c+1)*hw]
		row := dst[pp*ld : (pp+1)*ld]
		clear(row[nb:])
		shift := j*g.DW - g.PL
		// Output columns whose tap lands inside the input: 0 ≤ ow·SW + shift < W.
		owLo := max(ceilDiv(-shift, g.SW), 0)
		owHi := min(ceilDiv(g.W-shift, g.SW), g.OW)
		for q := 0; q < nb; {
			oh, ow := (j0+q)/g.OW, (j0+q)%g.OW
			run := min(g.OW-ow, nb-q)
			out := row[q : q+run]
			q += run
			ih := oh*g.SH - g.PT + i*g.DH
			lo, hi := max(owLo, ow), min(owHi, ow+run)
			if ih < 0 || ih >= g.H || lo >= hi {
				clear(out)
				continue
			}
			in := plane[ih*g.W : (ih+1)*g.W]
			clear(out[:lo-ow])
			clear(out[hi-ow:])
			if g.SW == 1 {
				copy(out[lo-ow:hi-ow], in[lo+shift:hi+shift])
				continue
			}
			for o, iw := lo, lo*g.SW+shift; o < hi; o, iw = o+1, iw+g.SW {
				out[o-ow] = in[iw]
			}
		}
	}
}
