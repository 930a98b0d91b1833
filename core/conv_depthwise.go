package core

import (
	"runtime"
	"unsafe"
)

// depthwiseChunk bounds the padded copy of the channels a depthwise kernel
// call reads (in floats, 256 KiB): the copy is written and read again
// while it is in the second-level cache.
const depthwiseChunk = 1 << 16

// depthwiseSplitMinW is the narrowest input whose rows are split at stride
// 2: on 112-wide rows the split saves a quarter of the time (MobileNetV2's
// 96×112×112 3×3: 324 → 240 µs), on 56 it costs as much as it saves and
// on 28 or 14 the copy's calls, a row at a time, cost twice the shuffles.
const depthwiseSplitMinW = 96

// depthwisePlan is the "depthwise" method of [ConvPlan]: channels are
// copied a chunk at a time into a zero-bordered buffer (the border written
// once, when planning), which the kernel reads without testing bounds.
//
// At stride 2 on wide rows, where the kernels have a deinterleave, each
// padded row is stored split: its even columns, then its odd ones (half =
// ⌈wp/2⌉ floats in). Output column q's tap at padded column 2q + j then
// reads column q + j/2 of the evens or q + (j−1)/2 of the odds, so the
// kernel runs at stride 1, its loads contiguous: the columns are sorted
// once per input float while copying instead of once per tap and output.
type depthwisePlan struct {
	hp, wp int
	split  bool      // rows stored as evens then odds; the kernel at stride 1
	half   int       // with split: where a row's odd columns start
	chunk  int       // channels per kernel call
	w      []float32 // the filters, KH·KW per channel
	offs   []int32   // each tap's offset in a padded plane
	xpad   []float32 // chunk padded planes and the kernel's slack
	args   DepthwiseArgs
}

func newDepthwisePlan(p *ConvPlan, w []float32, alloc func(string, int) ([]float32, error)) (*depthwisePlan, error) {
	g := &p.g
	d := &depthwisePlan{hp: g.H + g.PT + g.PB, wp: g.W + g.PL + g.PR}
	// The rows the outputs reach: padded rows past the input's are never
	// read (the window may stop short of the bottom padding).
	plane := d.hp * d.wp
	d.chunk = max(1, min(g.C, depthwiseChunk/plane))
	taps := g.KH * g.KW
	d.w = append([]float32(nil), w[:g.C*taps]...)
	d.split = g.SW == 2 && g.W >= depthwiseSplitMinW && p.kern.deinterleave != nil
	d.half = (d.wp + 1) / 2
	d.offs = make([]int32, 0, taps)
	for i := 0; i < g.KH; i++ {
		for j := 0; j < g.KW; j++ {
			col := j * g.DW
			if d.split {
				col = d.splitCol(col)
			}
			d.offs = append(d.offs, int32(i*g.DH*d.wp+col))
		}
	}
	if int64(d.chunk)*int64(plane) > 1<<28 {
		return nil, shapeErrorf("Conv", "depthwise plane of %d×%d too large", d.hp, d.wp)
	}
	if err := d.allocScratch(alloc); err != nil {
		return nil, err
	}
	d.args = DepthwiseArgs{
		W: unsafe.Pointer(&d.w[0]), Offs: unsafe.Pointer(&d.offs[0]),
		Taps: taps, OH: g.OH, OW: g.OW, RowStep: g.SH * d.wp, SW: g.SW,
		XPlane: plane, YPlane: g.OH * g.OW, Act: p.act.Kind, Params: unsafe.Pointer(p.params),
	}
	if d.split {
		d.args.SW = 1
	}
	return d, nil
}

// splitCol returns where padded column col of a row is stored when rows
// are split into their even and odd columns.
func (d *depthwisePlan) splitCol(col int) int {
	if col%2 == 0 {
		return col / 2
	}
	return d.half + col/2
}

// allocScratch asks alloc for the padded chunk of channels and clears it.
func (d *depthwisePlan) allocScratch(alloc func(string, int) ([]float32, error)) error {
	var err error
	d.xpad, err = alloc("padded input", d.chunk*d.hp*d.wp+DepthwiseSlack)
	clear(d.xpad) // the border: only the interior is written afterwards
	return err
}

// run computes one image.
func (d *depthwisePlan) run(p *ConvPlan, y, x []float32) {
	g := &p.g
	hw, plane, yPlane := g.H*g.W, d.hp*d.wp, g.OH*g.OW
	a := &d.args // in the plan, not on the stack: the kernel keeps no pointer to it
	for c0 := 0; c0 < g.C; c0 += d.chunk {
		cn := min(d.chunk, g.C-c0)
		src := x[c0*hw : (c0+cn)*hw]
		interior := d.xpad[g.PT*d.wp+g.PL:]
		if d.split {
			d.copySplit(p, src, cn)
		} else if cp := p.kern.copyBlocks; cp != nil {
			_, _ = interior[(cn-1)*plane+(g.H-1)*d.wp+g.W-1], src[len(src)-1]
			cp(unsafe.Pointer(&interior[0]), unsafe.Pointer(&src[0]), cn, g.H, g.W, d.wp, g.W, plane, hw)
		} else {
			for c := 0; c < cn; c++ {
				for r := 0; r < g.H; r++ {
					copy(interior[c*plane+r*d.wp:c*plane+r*d.wp+g.W], src[c*hw+r*g.W:c*hw+(r+1)*g.W])
				}
			}
		}
		out := y[c0*yPlane : (c0+cn)*yPlane]
		a.Y, a.X = unsafe.Pointer(&out[0]), unsafe.Pointer(&d.xpad[0])
		a.W = unsafe.Pointer(&d.w[c0*a.Taps])
		a.Bias = unsafe.Pointer(&p.bias[c0])
		a.Channels = cn
		p.kern.depthwise(a)
	}
	runtime.KeepAlive(d)
	runtime.KeepAlive(p)
	runtime.KeepAlive(x)
	runtime.KeepAlive(y)
}

// copySplit copies cn channels of src into the padded buffer with each
// row split into its even and odd padded columns: the input's even
// columns land in one half and its odd ones in the other, which half
// depending on the parity of the left padding.
func (d *depthwisePlan) copySplit(p *ConvPlan, src []float32, cn int) {
	g := &p.g
	plane, hw := d.hp*d.wp, g.H*g.W
	// Where input columns 0 and 1 are stored in a padded row.
	c0, c1 := d.splitCol(g.PL), d.splitCol(g.PL+1)
	ne, no := (g.W+1)/2, g.W/2
	_ = d.xpad[(cn-1)*plane+(g.PT+g.H-1)*d.wp+max(c0+ne, c1+no)-1]
	_ = src[cn*hw-1]
	for c := 0; c < cn; c++ {
		for r := 0; r < g.H; r++ {
			row := c*plane + (g.PT+r)*d.wp
			p.kern.deinterleave(unsafe.Pointer(&d.xpad[row+c0]), unsafe.Pointer(&d.xpad[row+c1]), unsafe.Pointer(&src[c*hw+r*g.W]), g.W)
		}
	}
}
