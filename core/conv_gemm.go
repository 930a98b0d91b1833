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
// whole: a 1×1 convolution at stride 1 reads the input in place; the
// others copy the image once into a zero-bordered buffer (unless it has
// no padding) and gather each block of convKC rows and a few whole output
// rows (about convNC columns) from it with the kernels' Gather, into a
// buffer that stays in cache. The kernel works on whole tiles; the last
// rows of a group (m not a multiple of the tile's) and the last columns
// go through small buffers.
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
	rowsPer     int       // output rows per gathered block
	xpad        []float32 // the zero-bordered image, when there is padding
	hp, wp      int       // the gathered image's height and width (padded or not)
	offs        []int32   // per depth row of a group: where its tap reads in the group's image
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
	if !gp.inPlace {
		gp.rowsPer = max(1, convNC/g.OW)
		gp.ncp = (min(gp.rowsPer, g.OH)*g.OW + nr - 1) / nr * nr
		gp.hp, gp.wp = g.H+g.PT+g.PB, g.W+g.PL+g.PR
		if int64(g.C)*int64(gp.hp)*int64(gp.wp) > 1<<28 {
			return nil, shapeErrorf("Conv", "padded input of %d×%d×%d too large", g.C, gp.hp, gp.wp)
		}
		plane := gp.hp * gp.wp
		gp.offs = make([]int32, 0, gp.kd)
		for c := 0; c < g.C/g.Group; c++ {
			for i := 0; i < g.KH; i++ {
				for j := 0; j < g.KW; j++ {
					gp.offs = append(gp.offs, int32(c*plane+i*g.DH*gp.wp+j*g.DW))
				}
			}
		}
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
	return gp, gp.allocScratch(p, alloc)
}

// allocScratch asks alloc for the plan's scratch buffers, in a fixed
// order given the geometry, and clears the padded image.
func (gp *gemmPlan) allocScratch(p *ConvPlan, alloc func(string, int) ([]float32, error)) error {
	g, nr, mr := &p.g, p.kern.nr, p.kern.mr
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
	if !gp.inPlace && (gp.hp != g.H || gp.wp != g.W) {
		gp.xpad = get("padded input", g.C*gp.hp*gp.wp)
		clear(gp.xpad) // the border: only the interior is written afterwards
	}
	if gp.mFull < gp.m {
		gp.cRows = get("last rows", mr*gp.ncp)
		if p.residual {
			gp.rRows = get("last rows' residual", mr*gp.ncp)
		}
	}
	// Blocks of whole output rows need not be whole tiles wide either.
	if (gp.n%nr != 0 || !gp.inPlace) && gp.mFull > 0 {
		gp.cCol = get("last columns", gp.mFull*nr)
		if p.residual {
			gp.rCol = get("last columns' residual", gp.mFull*nr)
		}
	}
	return err
}

// run computes one image: y ([K, n]) from x ([C, H, W]) and res (y's
// shape, or nil).
func (gp *gemmPlan) run(p *ConvPlan, y, x, res []float32) {
	g, kern := &p.g, p.kern
	cg, n := g.C/g.Group, gp.n
	img, plane := x, g.H*g.W
	if gp.xpad != nil {
		plane = gp.hp * gp.wp
		interior := gp.xpad[g.PT*gp.wp+g.PL:]
		if cp := kern.copyBlocks; cp != nil {
			_, _ = interior[(g.C-1)*plane+(g.H-1)*gp.wp+g.W-1], x[g.C*g.H*g.W-1]
			cp(unsafe.Pointer(&interior[0]), unsafe.Pointer(&x[0]), g.C, g.H, g.W, gp.wp, g.W, plane, g.H*g.W)
		} else {
			for c := 0; c < g.C; c++ {
				for r := 0; r < g.H; r++ {
					copy(interior[c*plane+r*gp.wp:c*plane+r*gp.wp+g.W], x[(c*g.H+r)*g.W:(c*g.H+r+1)*g.W])
				}
			}
		}
		img = gp.xpad
	}
	for grp := 0; grp < g.Group; grp++ {
		dst := y[grp*gp.m*n : (grp+1)*gp.m*n]
		var rg []float32
		if res != nil {
			rg = res[grp*gp.m*n : (grp+1)*gp.m*n]
		}
		if gp.inPlace {
			src := x[grp*cg*n : (grp+1)*cg*n]
			for j0 := 0; j0 < n; j0 += convNC {
				gp.block(p, dst, rg, grp, j0, min(convNC, n-j0), func(p0, kb, nb, nbp int) (unsafe.Pointer, int) {
					if gp.bbuf == nil || (nb == nbp && n <= panelDirectLd) {
						_ = src[(p0+kb-1)*n+j0+nb-1]
						return unsafe.Pointer(&src[p0*n+j0]), n
					}
					for r := 0; r < kb; r++ {
						row := gp.bbuf[r*nbp : (r+1)*nbp]
						copy(row, src[(p0+r)*n+j0:(p0+r)*n+j0+nb])
						clear(row[nb:])
					}
					return unsafe.Pointer(&gp.bbuf[0]), nbp
				})
			}
			continue
		}
		// The group's image, padded or not: the gather's offsets start there.
		gimg := img[grp*cg*plane : (grp+1)*cg*plane]
		rowW := g.W
		if gp.xpad != nil {
			rowW = gp.wp
		}
		for oh0 := 0; oh0 < g.OH; oh0 += gp.rowsPer {
			rows := min(gp.rowsPer, g.OH-oh0)
			start := oh0 * g.SH * rowW
			gp.block(p, dst, rg, grp, oh0*g.OW, rows*g.OW, func(p0, kb, nb, nbp int) (unsafe.Pointer, int) {
				// The last element the gather reads: the last tap of the
				// block's last row and column.
				_ = gimg[start+int(gp.offs[p0+kb-1])+(rows-1)*g.SH*rowW+(g.OW-1)*g.SW]
				_ = gp.bbuf[(kb-1)*nbp+nb-1]
				kern.gather(unsafe.Pointer(&gp.bbuf[0]), unsafe.Pointer(&gimg[start]), unsafe.Pointer(&gp.offs[p0]),
					nbp, kb, rows, g.OW, g.SH*rowW, g.SW)
				return unsafe.Pointer(&gp.bbuf[0]), nbp
			})
		}
	}
	runtime.KeepAlive(gp)
	runtime.KeepAlive(x)
	runtime.KeepAlive(y)
	runtime.KeepAlive(res)
}

// block computes columns j0 … j0+nb−1 of one group's output dst (rows of
// n floats), with the residual rg (dst's shape, or nil): for each block
// of depth, bBlock returns B's rows p0 … p0+kb−1 of those columns (nbp =
// nb rounded up to whole tiles; columns past nb may hold anything) and
// their stride, and the kernel adds their products.
func (gp *gemmPlan) block(p *ConvPlan, dst, rg []float32, grp, j0, nb int, bBlock func(p0, kb, nb, nbp int) (unsafe.Pointer, int)) {
	kern := p.kern
	mr, nr, n := kern.mr, kern.nr, gp.n
	ep := &gp.ep
	bias := gp.bias[grp*gp.mp : (grp+1)*gp.mp]
	nFull := nb / nr * nr
	nbp := (nb + nr - 1) / nr * nr
	for p0 := 0; p0 < gp.kd; p0 += convKC {
		kb := min(convKC, gp.kd-p0)
		first, last := p0 == 0, p0+kb == gp.kd
		pb, bRow := bBlock(p0, kb, nb, nbp)
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

// copyBlock copies rows × cols floats from src (rows lds apart) to dst
// (rows ldd apart).
func copyBlock(dst []float32, ldd int, src []float32, lds, rows, cols int) {
	for r := 0; r < rows; r++ {
		copy(dst[r*ldd:r*ldd+cols], src[r*lds:r*lds+cols])
	}
}
