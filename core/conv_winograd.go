package core

import (
	"runtime"
	"unsafe"
)

// winogradPays reports whether NewConvPlan chooses Winograd for g (a 3×3
// convolution of stride 1 and one group) on the kernels kern. Measured on
// ResNet-50's and SqueezeNet's 3×3 layers (internal/convbench, in
// direct-convolution GFLOP/s): with the browser's SIMD product, Winograd
// is 1.6× faster at 512 channels in and out (7×7 maps: 48 vs 30 under
// Node), even at 256 (40 vs 37) and 2–8× slower below, where the Go
// transforms cost more than the multiplications they save; natively the
// AVX-512 and AVX2 products win everywhere (150–180 vs 35–100 with AVX-512).
func winogradPays(g *ConvGeom, kern *fusedKernels) bool {
	return kern != nativeFusedKernels && kern != goFusedKernels && g.C >= 384 && g.K >= 384
}

// winogradTiles is how many 2×2 output tiles one block transforms: the
// sixteen transformed blocks of the input (16 × C × 64 floats) and of the
// products stay in the second-level cache.
const winogradTiles = 64

// winogradPlan is the "winograd" method of [ConvPlan]: Winograd's minimal
// filtering F(2×2, 3×3) for 3×3 convolutions of stride 1 and one group.
// Each 2×2 block of outputs comes from the 4×4 block of input under it:
//
//	Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A
//
// so that, summed over the channels, the sixteen element-wise products
// are sixteen matrix products of K × C filters (transformed once, when
// planning) by C × tiles transformed inputs: 16 multiply-adds per 4
// outputs instead of 36. The transforms cost additions per tile and
// channel (input) and per tile and filter (output), which the fewer
// multiplications repay only when C and K are large enough; the
// transforms' additions round, so results differ from the direct sum by a
// few float32 ulps of the inputs' magnitude (measured in the tests).
type winogradPlan struct {
	th, tw     int       // tiles down and across
	hp, wp     int       // the padded input: 2·th + 2 rows of 2·tw + 2
	mp, mFull  int       // filters rounded up to whole panels, and the whole panels
	u          []float32 // 16 packed filter matrices, each mp × C in blocks of convKC
	xpad       []float32 // the zero-bordered image
	v          []float32 // 16 transformed input blocks, C × winogradTiles each
	m          []float32 // 16 product blocks, mp × winogradTiles each
	ep         EpilogueArgs
	zeroBias   []float32
	paramsNone [4]float32
}

func newWinogradPlan(p *ConvPlan, w []float32, alloc func(string, int) ([]float32, error)) (*winogradPlan, error) {
	g, kern := &p.g, p.kern
	mr := kern.mr
	d := &winogradPlan{th: (g.OH + 1) / 2, tw: (g.OW + 1) / 2}
	d.hp, d.wp = 2*d.th+2, 2*d.tw+2
	d.mp = (g.K + mr - 1) / mr * mr
	d.mFull = g.K / mr * mr
	// U = G g Gᵀ for every filter and channel, then each of its sixteen
	// positions packed as a K × C matrix for the product kernel, one panel
	// of mr filters at a time: the transformed filters waiting to be packed
	// are a panel's, not the whole layer's (16/9 of its weights: 16 MiB for
	// a 512 × 512 layer, in a memory that never shrinks).
	d.u = make([]float32, 16*d.mp*g.C)
	ub := make([]float32, 16*mr*g.C)
	for k0 := 0; k0 < g.K; k0 += mr {
		rows := min(mr, g.K-k0)
		for k := 0; k < rows; k++ {
			for c := 0; c < g.C; c++ {
				var u [16]float32
				winogradFilter(&u, w[((k0+k)*g.C+c)*9:((k0+k)*g.C+c+1)*9])
				for xi, v := range u {
					ub[(xi*mr+k)*g.C+c] = v
				}
			}
		}
		for xi := 0; xi < 16; xi++ {
			a := ub[xi*mr*g.C : (xi+1)*mr*g.C]
			for p0 := 0; p0 < g.C; p0 += convKC {
				kb := min(convKC, g.C-p0)
				// Panel k0/mr of the block packA lays out for all K rows.
				off := xi*d.mp*g.C + p0*d.mp + k0*kb
				packA(false, rows, mr, kb, a, g.C, p0, d.u[off:off+mr*kb])
			}
		}
	}
	if err := d.allocScratch(g, alloc); err != nil {
		return nil, err
	}
	d.zeroBias = make([]float32, d.mp)
	return d, nil
}

// allocScratch asks alloc for the padded image (cleared) and the
// transformed blocks, in that order.
func (d *winogradPlan) allocScratch(g *ConvGeom, alloc func(string, int) ([]float32, error)) error {
	var err error
	if d.xpad, err = alloc("padded input", g.C*d.hp*d.wp); err != nil {
		return err
	}
	clear(d.xpad)
	if d.v, err = alloc("transformed input", 16*g.C*winogradTiles); err != nil {
		return err
	}
	d.m, err = alloc("transformed products", 16*d.mp*winogradTiles)
	return err
}

// winogradFilter sets u = G g Gᵀ for the 3×3 filter g, with
// G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1].
func winogradFilter(u *[16]float32, g []float32) {
	var t [12]float32 // G g: 4 rows of 3
	for j := 0; j < 3; j++ {
		g0, g1, g2 := g[j], g[3+j], g[6+j]
		t[j] = g0
		t[3+j] = (g0 + g1 + g2) / 2
		t[6+j] = (g0 - g1 + g2) / 2
		t[9+j] = g2
	}
	for i := 0; i < 4; i++ {
		r0, r1, r2 := t[3*i], t[3*i+1], t[3*i+2]
		u[4*i] = r0
		u[4*i+1] = (r0 + r1 + r2) / 2
		u[4*i+2] = (r0 - r1 + r2) / 2
		u[4*i+3] = r2
	}
}

// run computes one image.
func (d *winogradPlan) run(p *ConvPlan, y, x, res []float32) {
	g, kern := &p.g, p.kern
	mr, nr := kern.mr, kern.nr
	plane := d.hp * d.wp
	for c := 0; c < g.C; c++ {
		for r := 0; r < g.H; r++ {
			copy(d.xpad[c*plane+(g.PT+r)*d.wp+g.PL:][:g.W], x[(c*g.H+r)*g.W:][:g.W])
		}
	}
	tiles := d.th * d.tw
	ep := &d.ep
	for t0 := 0; t0 < tiles; t0 += winogradTiles {
		tb := min(winogradTiles, tiles-t0)
		tbp := (tb + nr - 1) / nr * nr
		d.transformInput(g, t0, tb, tbp)
		// M[ξ] = U[ξ] · V[ξ], over the whole depth, into mp × tbp blocks.
		for xi := 0; xi < 16; xi++ {
			mb := d.m[xi*d.mp*tbp : (xi+1)*d.mp*tbp]
			vb := d.v[xi*g.C*tbp:]
			for p0 := 0; p0 < g.C; p0 += convKC {
				kb := min(convKC, g.C-p0)
				*ep = EpilogueArgs{Flags: EpAccumulate, Bias: unsafe.Pointer(&d.zeroBias[0]), Params: unsafe.Pointer(&d.paramsNone)}
				if p0 == 0 {
					ep.Flags = 0
				}
				pa := d.u[xi*d.mp*g.C+p0*d.mp:]
				kern.gemm(unsafe.Pointer(&pa[0]), unsafe.Pointer(&vb[p0*tbp]), tbp, unsafe.Pointer(&mb[0]), tbp, d.mp, tbp, kb, ep)
			}
		}
		d.transformOutput(p, y, res, t0, tb, tbp)
	}
	_ = mr
	runtime.KeepAlive(d)
	runtime.KeepAlive(x)
	runtime.KeepAlive(y)
}

// transformInput sets V[ξ][c][t] = (Bᵀ d B)[ξ] for the tiles t0 … t0+tb−1,
// with Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]; columns tb … tbp−1
// are zero.
func (d *winogradPlan) transformInput(g *ConvGeom, t0, tb, tbp int) {
	plane := d.hp * d.wp
	for c := 0; c < g.C; c++ {
		src := d.xpad[c*plane : (c+1)*plane]
		for t := 0; t < tbp; t++ {
			if t >= tb {
				for xi := 0; xi < 16; xi++ {
					d.v[(xi*g.C+c)*tbp+t] = 0
				}
				continue
			}
			ty, tx := (t0+t)/d.tw, (t0+t)%d.tw
			o := 2*ty*d.wp + 2*tx
			var b [16]float32 // Bᵀ d, row by row
			for j := 0; j < 4; j++ {
				d0, d1, d2, d3 := src[o+j], src[o+d.wp+j], src[o+2*d.wp+j], src[o+3*d.wp+j]
				b[j] = d0 - d2
				b[4+j] = d1 + d2
				b[8+j] = d2 - d1
				b[12+j] = d1 - d3
			}
			for i := 0; i < 4; i++ {
				r0, r1, r2, r3 := b[4*i], b[4*i+1], b[4*i+2], b[4*i+3]
				base := (4*i*g.C+c)*tbp + t
				step := g.C * tbp
				d.v[base] = r0 - r2
				d.v[base+step] = r1 + r2
				d.v[base+2*step] = r2 - r1
				d.v[base+3*step] = r1 - r3
			}
		}
	}
}

// transformOutput sets each 2×2 output block to Aᵀ M A, Aᵀ = [1 1 1 0;
// 0 1 −1 −1], plus the bias and residual, through the activation,
// dropping what falls outside an odd-sized output.
func (d *winogradPlan) transformOutput(p *ConvPlan, y, res []float32, t0, tb, tbp int) {
	g := &p.g
	ohw := g.OH * g.OW
	step := d.mp * tbp
	for k := 0; k < g.K; k++ {
		bias := p.bias[k]
		for t := 0; t < tb; t++ {
			var m [16]float32
			for xi := range m {
				m[xi] = d.m[xi*step+k*tbp+t]
			}
			var a [8]float32 // Aᵀ M: 2 rows of 4
			for j := 0; j < 4; j++ {
				a[j] = m[j] + m[4+j] + m[8+j]
				a[4+j] = m[4+j] - m[8+j] - m[12+j]
			}
			ty, tx := (t0+t)/d.tw, (t0+t)%d.tw
			for i := 0; i < 2; i++ {
				oh := 2*ty + i
				if oh >= g.OH {
					break
				}
				r0, r1, r2, r3 := a[4*i], a[4*i+1], a[4*i+2], a[4*i+3]
				out := [2]float32{r0 + r1 + r2, r1 - r2 - r3}
				for j := 0; j < 2; j++ {
					ow := 2*tx + j
					if ow >= g.OW {
						break
					}
					at := k*ohw + oh*g.OW + ow
					v := out[j] + bias
					if res != nil {
						v += res[at]
					}
					y[at] = p.act.Apply(v)
				}
			}
		}
	}
}
