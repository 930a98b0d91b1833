package core

import (
	"runtime"
	"unsafe"
)

// ImplicitConv is a stride-1 convolution of one group planned for a
// [PanelKernel] with ConvTiles. Where [Conv2D] copies every input pixel
// under every tap into an im2col matrix (KH·KW copies of the input, the
// bulk of a small network's time in the browser), this copies the input
// once into a zero-bordered buffer of width Wp and lets the kernel read
// tap (c, i, j) of output position (oh, ow) at
//
//	xpad[c·Hp·Wp + (oh + i·DH)·Wp + ow + j·DW] = xpad[offs[tap] + oh·Wp + ow]
//
// so the whole product is one call per image, the output computed on rows
// of Wp columns (the last Wp − OW of each are discarded) and then copied
// into place. When OW is a multiple of 8 the kernel instead skips the
// padding columns itself at the end of each output row: no wasted
// columns, and the products land in place. Weights are packed and the
// bias padded once, when planning.
type ImplicitConv struct {
	g          ConvGeom
	hp, wp     int
	mp, np, kb int
	pa         []float32 // weights in panels of 4 rows, depth-major
	offs       []int32   // where each tap's window starts in xpad
	bias       []float32 // mp values, zero past K
	xpad       []float32 // one padded image, plus the columns the last tiles overrun
	padLen     int       // xpad's length
	wide       []float32 // mp × np products on rows of Wp (or compact rows, when K is not a multiple of 4)
	compact    bool      // output rows compact: OW a multiple of 8
	ep         EpilogueArgs
}

// NewImplicitConv plans g for kernel k, or returns nil where the implicit
// form does not apply: strides, groups, or a kernel without ConvTiles.
// w and b (b may be nil) must not change afterwards. alloc provides the
// buffers that the planner accounts for.
func NewImplicitConv(k *PanelKernel, g *ConvGeom, w, b []float32, alloc func(string, int) ([]float32, error)) (*ImplicitConv, error) {
	if k == nil || k.ConvTiles == nil || k.MR != 4 || k.NR != 8 || g.Group != 1 || g.SH != 1 || g.SW != 1 {
		return nil, nil
	}
	c := &ImplicitConv{g: *g, hp: g.H + g.PT + g.PB, wp: g.W + g.PL + g.PR}
	c.kb = g.C * g.KH * g.KW
	c.mp = (g.K + 3) / 4 * 4
	c.np = (g.OH*c.wp + 7) / 8 * 8
	if g.OW%8 == 0 {
		c.compact, c.np = true, g.OH*g.OW
	}
	if c.hp < g.OH || c.wp < g.OW || c.kb == 0 {
		return nil, nil
	}
	plane := c.hp * c.wp
	c.offs = make([]int32, 0, c.kb)
	maxOff := 0
	for ch := 0; ch < g.C; ch++ {
		for i := 0; i < g.KH; i++ {
			for j := 0; j < g.KW; j++ {
				o := ch*plane + i*g.DH*c.wp + j*g.DW
				if o > 1<<28 {
					return nil, nil // kernels compute byte addresses in 32 bits
				}
				c.offs = append(c.offs, int32(o))
				maxOff = max(maxOff, o)
			}
		}
	}
	c.padLen = max(g.C*plane, maxOff+c.np)
	if err := c.allocScratch(alloc); err != nil {
		return nil, err
	}
	c.pa = make([]float32, c.mp*c.kb)
	packA(false, g.K, 4, c.kb, w, c.kb, 0, c.pa)
	c.bias = make([]float32, c.mp)
	if b != nil {
		copy(c.bias, b[:g.K])
	}
	return c, nil
}

// allocScratch asks alloc for the scratch buffers, in NewImplicitConv's
// order.
func (c *ImplicitConv) allocScratch(alloc func(string, int) ([]float32, error)) error {
	var err error
	if c.xpad, err = alloc("padded input", c.padLen); err != nil {
		return err
	}
	if !c.compact || c.mp != c.g.K {
		if c.wide, err = alloc("products", c.mp*c.np); err != nil {
			return err
		}
	}
	return nil
}

// copyBlocks is [PanelKernel].CopyBlocks on slices, through the kernel's
// where it has one (one call instead of one Go copy per row).
func copyBlocks(k *PanelKernel, dst, src []float32, groups, rows, width, dstRow, srcRow, dstGroup, srcGroup int) {
	last := func(group, row int) int { return (groups-1)*group + (rows-1)*row + width }
	_, _ = dst[last(dstGroup, dstRow)-1], src[last(srcGroup, srcRow)-1]
	if k.CopyBlocks != nil {
		k.CopyBlocks(unsafe.Pointer(&dst[0]), unsafe.Pointer(&src[0]), groups, rows, width, dstRow, srcRow, dstGroup, srcGroup)
		runtime.KeepAlive(dst)
		runtime.KeepAlive(src)
		return
	}
	for g := 0; g < groups; g++ {
		for r := 0; r < rows; r++ {
			copy(dst[g*dstGroup+r*dstRow:][:width], src[g*srcGroup+r*srcRow:][:width])
		}
	}
}

// run computes y from x as [Conv2D] does, for the geometry c was planned for.
func (c *ImplicitConv) Run(k *PanelKernel, y, x []float32) {
	g := &c.g
	checkConv(y, x, c.pa, nil, g)
	hw, ohw := g.H*g.W, g.OH*g.OW
	for n := 0; n < g.N; n++ {
		c.pad(k, x[n*g.C*hw:(n+1)*g.C*hw])
		out := y[n*g.K*ohw : (n+1)*g.K*ohw]
		if c.compact {
			// Compact rows: straight into y when every product row is an
			// output channel, else through the buffer.
			dst := out
			if c.wide != nil {
				dst = c.wide
			}
			_ = dst[c.mp*c.np-1]
			k.ConvTiles(unsafe.Pointer(&c.pa[0]), unsafe.Pointer(&c.xpad[0]), unsafe.Pointer(&c.offs[0]),
				unsafe.Pointer(&c.bias[0]), unsafe.Pointer(&dst[0]), c.np, c.mp, c.np, c.kb, g.OW, c.wp-g.OW)
			if c.wide != nil {
				copy(out, c.wide[:g.K*ohw])
			}
			continue
		}
		k.ConvTiles(unsafe.Pointer(&c.pa[0]), unsafe.Pointer(&c.xpad[0]), unsafe.Pointer(&c.offs[0]),
			unsafe.Pointer(&c.bias[0]), unsafe.Pointer(&c.wide[0]), c.np, c.mp, c.np, c.kb, c.np, 0)
		if c.wp == g.OW {
			copyBlocks(k, out, c.wide, g.K, 1, ohw, 0, 0, ohw, c.np)
		} else {
			copyBlocks(k, out, c.wide, g.K, g.OH, g.OW, g.OW, c.wp, ohw, c.np)
		}
	}
	runtime.KeepAlive(c)
	runtime.KeepAlive(y)
}

// pad lays one image into the padded buffer: only the interior is
// written, the border stays zero from planning.
func (c *ImplicitConv) pad(k *PanelKernel, img []float32) {
	g := &c.g
	if c.hp == g.H && c.wp == g.W {
		copy(c.xpad, img)
		return
	}
	copyBlocks(k, c.xpad[g.PT*c.wp+g.PL:], img, g.C, g.H, g.W, c.wp, g.W, c.hp*c.wp, g.H*g.W)
}

// runFused is Run with the epilogue of a [ConvPlan] (the bias is the
// plan's, packed when planning): the residual and the activation are
// applied by the kernel where its rows are the output's (compact rows,
// filters a multiple of four), else by a pass over the output after it.
func (c *ImplicitConv) runFused(k *PanelKernel, y, x, res []float32, p *ConvPlan) {
	g := &c.g
	hw, ohw := g.H*g.W, g.OH*g.OW
	ep := &c.ep
	for n := 0; n < g.N; n++ {
		c.pad(k, x[n*g.C*hw:(n+1)*g.C*hw])
		out := y[n*g.K*ohw : (n+1)*g.K*ohw]
		var r []float32
		if p.residual {
			r = res[n*g.K*ohw : (n+1)*g.K*ohw]
		}
		inKernel := r == nil || (c.compact && c.mp == g.K)
		*ep = EpilogueArgs{Flags: EpBias, Bias: unsafe.Pointer(&c.bias[0]), Act: p.act.Kind, Params: unsafe.Pointer(p.params)}
		if r != nil && inKernel {
			ep.Flags |= EpResidual
			ep.Res, ep.ResLd = unsafe.Pointer(&r[0]), ohw
		}
		if inKernel && p.act.Kind != ActNone {
			ep.Flags |= EpActivate
		}
		dst, rowCols, rowSkip := c.wide, c.np, 0
		if c.compact {
			rowCols, rowSkip = g.OW, c.wp-g.OW
			if c.wide == nil {
				dst = out
			}
		}
		_ = dst[c.mp*c.np-1]
		k.ConvTilesEp(unsafe.Pointer(&c.pa[0]), unsafe.Pointer(&c.xpad[0]), unsafe.Pointer(&c.offs[0]),
			unsafe.Pointer(&dst[0]), c.np, c.mp, c.np, c.kb, rowCols, rowSkip, ep)
		switch {
		case !inKernel:
			// The residual and the activation on the way out of the
			// products (out may be the residual itself).
			rowStride := c.wp
			if c.compact {
				rowStride = g.OW
			}
			for i := 0; i < g.K; i++ {
				for oh := 0; oh < g.OH; oh++ {
					src := c.wide[i*c.np+oh*rowStride:][:g.OW]
					o := i*ohw + oh*g.OW
					dst, rr := out[o:o+g.OW], r[o:o+g.OW]
					for q, v := range src {
						dst[q] = p.act.Apply(v + rr[q])
					}
				}
			}
		case c.wide == nil:
		case c.compact:
			copy(out, c.wide[:g.K*ohw])
		case c.wp == g.OW:
			copyBlocks(k, out, c.wide, g.K, 1, ohw, 0, 0, ohw, c.np)
		default:
			copyBlocks(k, out, c.wide, g.K, g.OH, g.OW, g.OW, c.wp, ohw, c.np)
		}
	}
	runtime.KeepAlive(c)
	runtime.KeepAlive(p)
	runtime.KeepAlive(y)
	runtime.KeepAlive(res)
}
