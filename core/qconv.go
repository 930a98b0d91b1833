package core

import (
	"math"
	"runtime"
	"unsafe"
)

// QuantConv describes a quantized convolution as ONNX's QLinearConv (and
// onnxruntime's fusion of DequantizeLinear → Conv → QuantizeLinear)
// defines it: 8-bit input, filters and output, each signed or not, with
// their zero points and scales, and an int32 bias:
//
//	acc[k]  = bias[k] + Σ (x − XZero)·(w[k] − WZero[k])      (in int32)
//	y[k]    = saturate(roundHalfEven(float32(acc[k]) · scale[k]) + YZero)
//	scale[k] = XScale · WScale[k] / YScale                   (in float32, in that order)
//
// WZero and WScale hold one value for every filter or one for all. The
// result is exactly onnxruntime's: the clamp to the output's range (less
// its zero point) comes before the rounding, which with integer bounds
// is the same thing.
type QuantConv struct {
	XZero   int32
	XScale  float32
	XSigned bool

	W       []byte // [K, C/Group, KH, KW], int8 when WSigned, else uint8
	WZero   []int32
	WScale  []float32
	WSigned bool

	Bias []int32 // K values, or nil

	YZero   int32
	YScale  float32
	YSigned bool
}

// quantRange returns the values an 8-bit type holds.
func quantRange(signed bool) (lo, hi int32) {
	if signed {
		return -128, 127
	}
	return 0, 255
}

// quantValue reads one 8-bit value.
func quantValue(b byte, signed bool) int32 {
	if signed {
		return int32(int8(b))
	}
	return int32(b)
}

// check validates q for a convolution of geometry g.
func (q *QuantConv) check(g *ConvGeom) error {
	const op = "QLinearConv"
	per := func(name string, n int) error {
		if n != 1 && n != g.K {
			return shapeErrorf(op, "%s has %d values, want 1 or %d (one per filter)", name, n, g.K)
		}
		return nil
	}
	if n := g.K * (g.C / g.Group) * g.KH * g.KW; len(q.W) < n {
		return shapeErrorf(op, "%d weights, want %d", len(q.W), n)
	}
	if err := per("the filters' zero point", len(q.WZero)); err != nil {
		return err
	}
	if err := per("the filters' scale", len(q.WScale)); err != nil {
		return err
	}
	if q.Bias != nil && len(q.Bias) < g.K {
		return shapeErrorf(op, "bias of %d values, want %d", len(q.Bias), g.K)
	}
	for _, z := range []struct {
		name   string
		v      []int32
		signed bool
	}{{"input", []int32{q.XZero}, q.XSigned}, {"filters", q.WZero, q.WSigned}, {"output", []int32{q.YZero}, q.YSigned}} {
		lo, hi := quantRange(z.signed)
		for _, v := range z.v {
			if v < lo || v > hi {
				return shapeErrorf(op, "the %s' zero point %d is outside [%d, %d]", z.name, v, lo, hi)
			}
		}
	}
	scales := append([]float32{q.XScale, q.YScale}, q.WScale...)
	for _, s := range scales {
		if !(s > 0) || math.IsInf(float64(s), 0) {
			return shapeErrorf(op, "scale %v: scales must be positive and finite", s)
		}
	}
	return nil
}

// scales returns scale[k] for every filter, computed as onnxruntime does.
func (q *QuantConv) scales(k int) []float32 {
	s := make([]float32, k)
	for i := range s {
		ws := q.WScale[0]
		if len(q.WScale) > 1 {
			ws = q.WScale[i]
		}
		prod := q.XScale * ws // rounded to float32 before the division, as in C++
		s[i] = prod / q.YScale
	}
	return s
}

// wZero returns filter k's zero point.
func (q *QuantConv) wZero(k int) int32 {
	if len(q.WZero) > 1 {
		return q.WZero[k]
	}
	return q.WZero[0]
}

// requantize returns the output byte for accumulator acc (bias included)
// of a filter with scale s.
func requantize(acc int32, s float32, zero, lo, hi int32) byte {
	v := float32(acc) * s
	// Clamp to the output's range less the zero point, then round half to
	// even: the bounds are integers, so the order does not matter.
	v = min(max(v, float32(lo-zero)), float32(hi-zero))
	return byte(int32(roundHalfEven(v)) + zero)
}

// roundHalfEven rounds v (|v| ≤ 2^22) to the nearest integer, ties to
// even, as x86's cvtps2dq and WebAssembly's f32.nearest do: adding
// 1.5·2^23 leaves no fraction bits, so float32's own rounding (to nearest,
// ties to even) does it, and subtracting it back is exact.
func roundHalfEven(v float32) float32 {
	const magic = 1.5 * (1 << 23)
	return (v + magic) - magic
}

// QConvPlan is a quantized convolution ([QuantConv]) planned on the float
// kernels of [ConvPlan], exactly: the input less its zero point and the
// filters less theirs are small integers, whose products and sums a
// float32 holds without rounding as long as every partial sum stays below
// 2^24. The input channels are split into chunks small enough for that
// bound (from the filters' largest magnitude and the input's), each chunk
// a float plan whose integer result is added in int32; the bias and the
// requantization follow in one pass. Grouped convolutions too deep for
// one chunk run the int32 reference loop ("int32" method).
type QConvPlan struct {
	g        ConvGeom
	q        QuantConv
	scale    []float32
	chunks   []*ConvPlan // float plans over consecutive input channels
	chunkC   int         // input channels per chunk
	xf, yf   []float32   // the input less its zero point; a chunk's products
	acc      []int32     // the sum of the chunks, when there are several
	yLo, yHi int32
	bias     []int32 // K values, zero without a bias
	rq       RequantArgs
	method   string
}

// maxExact is the largest magnitude up to which float32 holds every
// integer.
const maxExact = 1 << 24

// NewQConvPlan plans the quantized convolution q of geometry g for panel
// kernel k (nil: the CPU's kernels); alloc provides the scratch buffers,
// as for [NewConvPlan]. It refuses zero points outside their type's
// range, scales that are not positive and finite, and short weights or
// bias, with an error that says which.
func NewQConvPlan(k *PanelKernel, g *ConvGeom, q QuantConv, alloc func(string, int) ([]float32, error)) (*QConvPlan, error) {
	if g.N < 1 || g.Group < 1 || g.C%g.Group != 0 || g.K%g.Group != 0 || g.OH < 1 || g.OW < 1 {
		return nil, shapeErrorf("QLinearConv", "geometry not built by NewConvGeom (N %d, C %d, K %d, group %d)", g.N, g.C, g.K, g.Group)
	}
	if err := q.check(g); err != nil {
		return nil, err
	}
	p := &QConvPlan{g: *g, q: q, scale: q.scales(g.K)}
	p.q.W = append([]byte(nil), q.W[:g.K*(g.C/g.Group)*g.KH*g.KW]...)
	p.q.WZero = append([]int32(nil), q.WZero...)
	if q.Bias != nil {
		p.q.Bias = append([]int32(nil), q.Bias[:g.K]...)
	}
	p.yLo, p.yHi = quantRange(q.YSigned)
	p.bias = make([]int32, g.K)
	copy(p.bias, q.Bias)
	p.rq = RequantArgs{Bias: unsafe.Pointer(&p.bias[0]), Scale: unsafe.Pointer(&p.scale[0]), Zero: q.YZero, Lo: p.yLo, Hi: p.yHi}
	cg, khw := g.C/g.Group, g.KH*g.KW
	// The largest |x − XZero| any input can give, and |w − WZero| of these filters.
	xLo, xHi := quantRange(q.XSigned)
	maxX := int64(max(q.XZero-xLo, xHi-q.XZero))
	maxW := int64(0)
	wf := make([]float32, len(p.q.W))
	for i, b := range p.q.W {
		v := quantValue(b, q.WSigned) - q.wZero(i/(cg*khw))
		wf[i] = float32(v)
		maxW = max(maxW, int64(v), -int64(v))
	}
	perChannel := int64(khw) * maxX * maxW
	p.chunkC = cg
	if perChannel > 0 {
		p.chunkC = int(min(int64(cg), (maxExact-1)/perChannel))
	}
	var err error
	if p.chunkC < 1 || (p.chunkC < cg && g.Group > 1) {
		p.method = "int32"
		return p, nil
	}
	if p.xf, err = alloc("input as floats", g.C*g.H*g.W); err != nil {
		return nil, err
	}
	if p.yf, err = alloc("products", g.K*g.OH*g.OW); err != nil {
		return nil, err
	}
	one := *g
	one.N = 1
	for c0 := 0; c0 < cg; c0 += p.chunkC {
		cc := min(p.chunkC, cg-c0)
		sub := one
		sub.C = cc * g.Group // several chunks only with one group
		w := wf
		if cc < cg {
			// The chunk's slice of every filter.
			w = make([]float32, g.K*cc*khw)
			for f := 0; f < g.K; f++ {
				copy(w[f*cc*khw:(f+1)*cc*khw], wf[(f*cg+c0)*khw:(f*cg+c0+cc)*khw])
			}
		}
		cp, err := NewConvPlan(k, &sub, w, nil, Activation{}, false, alloc)
		if err != nil {
			return nil, err
		}
		p.chunks = append(p.chunks, cp)
	}
	p.method = p.chunks[0].Method()
	if len(p.chunks) > 1 {
		p.acc = make([]int32, g.K*g.OH*g.OW)
	}
	return p, nil
}

// Method names how the plan computes: a [ConvPlan] method when the float
// kernels are exact for it, "int32" otherwise.
func (p *QConvPlan) Method() string { return p.method }

// Chunks returns how many float products the input channels are split into.
func (p *QConvPlan) Chunks() int { return len(p.chunks) }

// Run computes y ([N, K, OH, OW] bytes) from x ([N, C, H, W] bytes).
func (p *QConvPlan) Run(y, x []byte) {
	g := &p.g
	in, out := g.C*g.H*g.W, g.K*g.OH*g.OW
	if len(x) < g.N*in || len(y) < g.N*out {
		panic(panicShortSlice)
	}
	if p.chunks == nil {
		QConvRef(y, x, g, &p.q)
		return
	}
	kern := p.chunks[0].kern
	for n := 0; n < g.N; n++ {
		xn := x[n*in : (n+1)*in]
		kern.quantIn(unsafe.Pointer(&p.xf[0]), unsafe.Pointer(&xn[0]), in, p.q.XZero, p.q.XSigned)
		p.requantize(y[n*out : (n+1)*out])
	}
	runtime.KeepAlive(x)
}

// RunFloats is [QConvPlan.Run] on tensors that hold their bytes' values
// as floats (0…255, or −128…127 when signed, exact in float32), as the
// model planner keeps quantized tensors: the input less its zero point
// feeds the float plans without a pass through bytes, and the output's
// bytes, written to tmp (at least [QConvPlan.FloatsTemp] of them), are
// widened into y. Values of x that are not such integers give an
// unspecified result.
func (p *QConvPlan) RunFloats(y, x []float32, tmp []byte) {
	g := &p.g
	in, out := g.C*g.H*g.W, g.K*g.OH*g.OW
	if len(x) < g.N*in || len(y) < g.N*out || len(tmp) < p.FloatsTemp() {
		panic(panicShortSlice)
	}
	if p.chunks == nil {
		xb, yb := tmp[:g.N*in], tmp[g.N*in:g.N*(in+out)]
		for i, v := range x[:g.N*in] {
			xb[i] = byte(int32(v))
		}
		QConvRef(yb, xb, g, &p.q)
		widenBytes(y, yb, p.q.YSigned)
		return
	}
	zero := float32(p.q.XZero)
	for n := 0; n < g.N; n++ {
		for i, v := range x[n*in : (n+1)*in] {
			p.xf[i] = v - zero
		}
		yb := tmp[:out]
		p.requantize(yb)
		widenBytes(y[n*out:(n+1)*out], yb, p.q.YSigned)
	}
}

// FloatsTemp returns the bytes of scratch [QConvPlan.RunFloats] needs:
// one image's output, or the whole input and output for the "int32"
// method, which reads bytes.
func (p *QConvPlan) FloatsTemp() int {
	g := &p.g
	if p.chunks == nil {
		return g.N * (g.C*g.H*g.W + g.K*g.OH*g.OW)
	}
	return g.K * g.OH * g.OW
}

// WithScratch is [ConvPlan.WithScratch] for the quantized plan: a copy
// sharing the packed weights on the scratch alloc provides, asked for in
// the order [NewQConvPlan] asked.
func (p *QConvPlan) WithScratch(alloc func(string, int) ([]float32, error)) (*QConvPlan, error) {
	q := *p
	if p.chunks == nil {
		return &q, nil
	}
	g := &p.g
	var err error
	if q.xf, err = alloc("input as floats", g.C*g.H*g.W); err != nil {
		return nil, err
	}
	if q.yf, err = alloc("products", g.K*g.OH*g.OW); err != nil {
		return nil, err
	}
	q.chunks = make([]*ConvPlan, len(p.chunks))
	for i, c := range p.chunks {
		if q.chunks[i], err = c.WithScratch(alloc); err != nil {
			return nil, err
		}
	}
	if p.acc != nil {
		q.acc = make([]int32, len(p.acc))
	}
	return &q, nil
}

// ClearPadding zeroes the zero-bordered copies of the image that the
// float plans write only when planning ([ConvPlan.ClearPadding]).
func (p *QConvPlan) ClearPadding() {
	for _, c := range p.chunks {
		c.ClearPadding()
	}
}

// widenBytes sets y to the values of the bytes b, signed or not.
func widenBytes(y []float32, b []byte, signed bool) {
	y = y[:len(b)]
	if signed {
		for i, v := range b {
			y[i] = float32(int8(v))
		}
		return
	}
	for i, v := range b {
		y[i] = float32(v)
	}
}

// requantize computes one image from p.xf, the input less its zero point
// as floats: the chunks' products summed in int32 (or the one chunk's
// exact floats), plus the bias, requantized into y.
func (p *QConvPlan) requantize(y []byte) {
	g := &p.g
	in, out, hw, ohw := g.C*g.H*g.W, g.K*g.OH*g.OW, g.H*g.W, g.OH*g.OW
	kern := p.chunks[0].kern
	xf := p.xf[:in]
	for ci, cp := range p.chunks {
		c0 := ci * p.chunkC
		cc := cp.g.C
		cp.Run(p.yf, xf[c0*hw:(c0+cc)*hw], nil)
		if len(p.chunks) == 1 {
			break
		}
		acc := p.acc
		if ci == 0 {
			for i, v := range p.yf[:out] {
				acc[i] = int32(v)
			}
			continue
		}
		for i, v := range p.yf[:out] {
			acc[i] += int32(v)
		}
	}
	if p.acc == nil {
		kern.requant(unsafe.Pointer(&y[0]), unsafe.Pointer(&p.yf[0]), g.K, ohw, &p.rq)
		runtime.KeepAlive(p)
		runtime.KeepAlive(y)
		return
	}
	for k := 0; k < g.K; k++ {
		bias, s := p.bias[k], p.scale[k]
		dst := y[k*ohw : (k+1)*ohw]
		for i, v := range p.acc[k*ohw : (k+1)*ohw] {
			dst[i] = requantize(v+bias, s, p.q.YZero, p.yLo, p.yHi)
		}
	}
}

// QConvRef is the reference for [QConvPlan]: the definition's loop nest
// in int32, then the requantization.
func QConvRef(y, x []byte, g *ConvGeom, q *QuantConv) {
	cg, kg := g.C/g.Group, g.K/g.Group
	lo, hi := quantRange(q.YSigned)
	scale := q.scales(g.K)
	for n := 0; n < g.N; n++ {
		for k := 0; k < g.K; k++ {
			grp := k / kg
			wz := q.wZero(k)
			for oh := 0; oh < g.OH; oh++ {
				for ow := 0; ow < g.OW; ow++ {
					var acc int32
					if q.Bias != nil {
						acc = q.Bias[k]
					}
					for c := 0; c < cg; c++ {
						for i := 0; i < g.KH; i++ {
							for j := 0; j < g.KW; j++ {
								ih := oh*g.SH - g.PT + i*g.DH
								iw := ow*g.SW - g.PL + j*g.DW
								if ih < 0 || ih >= g.H || iw < 0 || iw >= g.W {
									continue // the padding holds the zero point: x − XZero = 0
								}
								xv := quantValue(x[((n*g.C+grp*cg+c)*g.H+ih)*g.W+iw], q.XSigned) - q.XZero
								wv := quantValue(q.W[((k*cg+c)*g.KH+i)*g.KW+j], q.WSigned) - wz
								acc += xv * wv
							}
						}
					}
					y[((n*g.K+k)*g.OH+oh)*g.OW+ow] = requantize(acc, scale[k], q.YZero, lo, hi)
				}
			}
		}
	}
}
