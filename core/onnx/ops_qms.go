package onnx

import (
	"math"

	"wasmcnn/core"
)

// The quantized operators of onnxruntime's domain com.microsoft that its
// quantizer writes (and that its QDQ fusion runs), computed as
// onnxruntime's x86 kernels compute them.
func init() {
	msOpSpecs = map[string]opSpec{
		"QLinearAdd":               {minIn: 7, maxIn: 8, minOut: 1, maxOut: 1, compile: compileQLinearBinary(true)},
		"QLinearMul":               {minIn: 7, maxIn: 8, minOut: 1, maxOut: 1, compile: compileQLinearBinary(false)},
		"QLinearGlobalAveragePool": {attrs: map[string]attrRule{"channels_last": always(attrInt)}, minIn: 5, maxIn: 5, minOut: 1, maxOut: 1, compile: compileQLinearGlobalAvgPool},
		"QLinearAveragePool": {attrs: map[string]attrRule{"auto_pad": always(attrString), "ceil_mode": always(attrInt), "channels_last": always(attrInt),
			"count_include_pad": always(attrInt), "kernel_shape": always(attrInts), "pads": always(attrInts), "strides": always(attrInts)},
			minIn: 5, maxIn: 5, minOut: 1, maxOut: 1, compile: compileQLinearAvgPool},
		"QLinearConcat":    {attrs: map[string]attrRule{"axis": always(attrInt)}, minIn: 5, maxIn: -1, minOut: 1, maxOut: 1, compile: compileQLinearConcat},
		"QLinearLeakyRelu": {attrs: map[string]attrRule{"alpha": always(attrFloat)}, minIn: 5, maxIn: 5, minOut: 1, maxOut: 1, compile: compileQLinearLookup},
		"QLinearSigmoid":   {minIn: 5, maxIn: 5, minOut: 1, maxOut: 1, compile: compileQLinearLookup},
		"QGemm": {attrs: map[string]attrRule{"alpha": always(attrFloat), "transA": always(attrInt), "transB": always(attrInt)},
			minIn: 6, maxIn: 9, minOut: 1, maxOut: 1, compile: compileQGemm},
		"QLinearConv":      {attrs: quantOps()["QLinearConv"].attrs, minIn: 8, maxIn: 9, minOut: 1, maxOut: 1, compile: compileQLinearConv},
		"QuantizeLinear":   {attrs: map[string]attrRule{"axis": always(attrInt)}, minIn: 2, maxIn: 3, minOut: 1, maxOut: 1, compile: compileQuantize},
		"DequantizeLinear": {attrs: map[string]attrRule{"axis": always(attrInt)}, minIn: 2, maxIn: 3, minOut: 1, maxOut: 1, compile: compileDequantize},
	}
}

// eightBit checks that a quantized input's type is UINT8 or INT8.
func (x *nodeCtx) eightBit(p *qparams) error {
	if p.t.elem != onnxUint8 && p.t.elem != onnxInt8 {
		return x.errorf("type %s; want UINT8 or INT8", p.t.typeName())
	}
	return nil
}

// compileQLinearBinary plans QLinearAdd (add) or QLinearMul of two
// quantized tensors that broadcast, as the MLAS kernels onnxruntime runs
// on x86 compute them: QLinearAdd with the AVX2 kernel's fused
// multiply-adds, (b − zb)·(sb/sc) + (a − za)·(sa/sc) + zc with the constant
// part zc − (za·sa/sc + zb·sb/sc) folded first, itself a fused
// multiply-add as the compiler contracts it; QLinearMul as
// float32((a − za)(b − zb))·(sa·sb/sc) + zc. Where one operand is one
// value for a whole row, the kernels fold it into the constant part (a
// fused multiply-add too), and so does this.
//
// ONNX Runtime Web has no such kernel: its WebAssembly build adds
// (sa·(a − za) + sb·(b − zb))/sc in float32 and rounds, which can land one
// step away where a value lies near a rounding boundary (the full-size
// int8 MobileNetV2: 645 of its 1000 outputs differ between the two
// onnxruntimes, and by nothing else).
//
//go:noinline
func compileQLinearBinary(add bool) func(x *nodeCtx) ([]*val, func(), error) {
	return func(x *nodeCtx) ([]*val, func(), error) {
		a, b := x.input(0), x.input(3)
		if a == nil || b == nil {
			return nil, nil, x.errorf("A and B are required")
		}
		ap, err := x.quantParams(1, 2, a.elem, nil, -1)
		if err != nil {
			return nil, nil, err
		}
		bp, err := x.quantParams(4, 5, b.elem, nil, -1)
		if err != nil {
			return nil, nil, err
		}
		cp, err := x.quantParams(6, 7, ap.t.elem, nil, -1)
		if err != nil {
			return nil, nil, err
		}
		for _, p := range []*qparams{ap, bp, cp} {
			if err := x.eightBit(p); err != nil {
				return nil, nil, err
			}
		}
		if ap.t != bp.t || ap.t != cp.t {
			return nil, nil, x.errorf("A, B and C must have one type")
		}
		if _, err := x.quantIn(0, ap.t); err != nil {
			return nil, nil, err
		}
		if _, err := x.quantIn(3, bp.t); err != nil {
			return nil, nil, err
		}
		p, err := x.newBcast(a.shape, b.shape)
		if err != nil {
			return nil, nil, err
		}
		out, err := x.outFloat(p.out)
		if err != nil {
			return nil, nil, err
		}
		out.elem = cp.t.elem
		t := cp.t
		za, zb, zc := float32(ap.zp[0]), float32(bp.zp[0]), cp.zp[0]
		var row func(y, a, b []float32, ia, ib int)
		if add {
			rA, rB := ap.scale[0]/cp.scale[0], bp.scale[0]/cp.scale[0]
			// The compiler contracts rA·za + rB·zb into one fused
			// multiply-add (rB·zb rounded, then rA·za added to it
			// exactly): an unfused sum can be one float32 step away
			// and move a value that lies near a rounding boundary.
			fixed := float32(zc) - fma32(rA, za, float32(rB*zb))
			row = func(y, a, b []float32, ia, ib int) {
				switch {
				case ia == 0 && ib != 0: // A one value: folded into the constant (contracted too)
					f := fma32(a[0], rA, fixed)
					for i := range y {
						y[i] = roundSaturate(fma32(b[i*ib], rB, f), t)
					}
				case ib == 0 && ia != 0:
					f := fma32(b[0], rB, fixed)
					for i := range y {
						y[i] = roundSaturate(fma32(a[i*ia], rA, f), t)
					}
				default:
					for i := range y {
						y[i] = roundSaturate(fma32(a[i*ia], rA, fma32(b[i*ib], rB, fixed)), t)
					}
				}
			}
		} else {
			ratio := ap.scale[0] * bp.scale[0] / cp.scale[0]
			row = func(y, a, b []float32, ia, ib int) {
				for i := range y {
					prod := int32(a[i*ia]-za) * int32(b[i*ib]-zb)
					y[i] = roundSaturate(float32(float32(prod)*ratio)+float32(zc), t)
				}
			}
		}
		// A constant operand is held as integers (quantValues converts it).
		return []*val{out}, func() { p.rows(out.f, quantValues(a), quantValues(b), row) }, nil
	}
}

// poolParams reads the input and output quantization of a quantized
// pooling or lookup node: X, x_scale, x_zero_point, y_scale, y_zero_point.
func (x *nodeCtx) poolParams() (*val, *qparams, *qparams, error) {
	in := x.input(0)
	xp, err := x.quantParams(1, 2, in.elem, nil, -1)
	if err != nil {
		return nil, nil, nil, err
	}
	yp, err := x.quantParams(3, 4, xp.t.elem, nil, -1)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := x.eightBit(xp); err != nil {
		return nil, nil, nil, err
	}
	if yp.t != xp.t {
		return nil, nil, nil, x.errorf("input and output types differ")
	}
	if _, err := x.quantIn(0, xp.t); err != nil {
		return nil, nil, nil, err
	}
	return in, xp, yp, nil
}

// compileQLinearGlobalAvgPool sums each plane in integers and requantizes
// the sum with the scale x_scale/(y_scale·pixels), as MLAS does (refusing,
// as it does, scales that would make every output one constant).
func compileQLinearGlobalAvgPool(x *nodeCtx) ([]*val, func(), error) {
	in, xp, yp, err := x.poolParams()
	if err != nil {
		return nil, nil, err
	}
	if x.attrInt("channels_last", 0) != 0 {
		return nil, nil, x.errorf("channels_last is not supported")
	}
	if len(in.shape) < 3 {
		return nil, nil, x.errorf("input %v, want [N, C, spatial…]", in.shape)
	}
	planes, hw := in.shape[0]*in.shape[1], core.Product(in.shape[2:])
	if hw >= 1<<24 || hw == 0 {
		return nil, nil, x.errorf("%d pixels per plane", hw)
	}
	scale := xp.scale[0] / (yp.scale[0] * float32(hw))
	if scale < 0x1p-32 || scale >= 256 {
		return nil, nil, x.errorf("x_scale/(y_scale·%d) = %v is outside [2^-32, 256): every output would be one value", hw, scale)
	}
	shape := append([]int(nil), in.shape[:2]...)
	for range in.shape[2:] {
		shape = append(shape, 1)
	}
	out, err := x.outFloat(shape)
	if err != nil {
		return nil, nil, err
	}
	out.elem = yp.t.elem
	bias := -int64(xp.zp[0]) * int64(hw)
	return []*val{out}, func() {
		for pl := 0; pl < planes; pl++ {
			sum := bias
			for _, v := range in.f[pl*hw : (pl+1)*hw] {
				sum += int64(v)
			}
			out.f[pl] = requantize(sum, scale, yp.zp[0], yp.t)
		}
	}, nil
}

// compileQLinearAvgPool plans onnxruntime's quantized average pooling:
// the inputs dequantized to float32, averaged over each window clipped to
// the input (divided by the whole kernel's size with count_include_pad),
// then quantized as round(mean/y_scale + y_zero_point), clamped.
func compileQLinearAvgPool(x *nodeCtx) ([]*val, func(), error) {
	in, xp, yp, err := x.poolParams()
	if err != nil {
		return nil, nil, err
	}
	if x.attrInt("channels_last", 0) != 0 {
		return nil, nil, x.errorf("channels_last is not supported")
	}
	_, shape4, err := x.image(0, true)
	if err != nil {
		return nil, nil, err
	}
	ws, err := x.windowND(len(in.shape)-2, true)
	if err != nil {
		return nil, nil, err
	}
	g, err := core.NewPoolGeom("AveragePool", shape4, ws.window2D())
	if err != nil {
		return nil, nil, x.errorf("%v", err)
	}
	if g.DH != 1 || g.DW != 1 {
		return nil, nil, x.errorf("dilations are not supported")
	}
	out, err := x.outFloat(flatShape(g.OutShape(), len(in.shape)))
	if err != nil {
		return nil, nil, err
	}
	out.elem = yp.t.elem
	include := x.attrInt("count_include_pad", 0) != 0
	xs, xz := xp.scale[0], xp.zp[0]
	ys, yz := yp.scale[0], float32(yp.zp[0])
	lo, hi := float32(yp.t.lo), float32(yp.t.hi)
	return []*val{out}, func() {
		for pl := 0; pl < g.N*g.C; pl++ {
			src := in.f[pl*g.H*g.W:]
			for oh := 0; oh < g.OH; oh++ {
				h0 := oh*g.SH - g.PT
				h1 := min(h0+g.KH, g.H)
				h0 = max(h0, 0)
				for ow := 0; ow < g.OW; ow++ {
					w0 := ow*g.SW - g.PL
					w1 := min(w0+g.KW, g.W)
					w0 = max(w0, 0)
					var sum float32
					for h := h0; h < h1; h++ {
						for w := w0; w < w1; w++ {
							sum += float32(xs * float32(int32(src[h*g.W+w])-xz))
						}
					}
					count := (h1 - h0) * (w1 - w0)
					if include {
						count = g.KH * g.KW
					}
					mean := sum / float32(count)
					v := float32(math.RoundToEven(float64(float32(mean/ys) + yz)))
					out.f[(pl*g.OH+oh)*g.OW+ow] = min(max(v, lo), hi)
				}
			}
		}
	}, nil
}

// lookupTable is onnxruntime's table for a quantized element-wise
// function: each of the 256 inputs dequantized, transformed, and quantized
// by QuantizeLinear.
func lookupTable(xp, yp *qparams, f func(float32) float32) []float32 {
	table := make([]float32, 256)
	for i := range table {
		q := int32(i)
		if xp.t.elem == onnxInt8 {
			q = int32(int8(i))
		}
		v := xp.scale[0] * float32(q-xp.zp[0])
		table[i] = quantizeValue(f(v), yp.scale[0], yp.zp[0], yp.t)
	}
	return table
}

// tableIndex returns the table entry of a quantized value (its byte).
func tableIndex(v float32) int { return int(uint8(int32(v))) }

// compileQLinearLookup plans QLinearLeakyRelu and QLinearSigmoid through
// a lookup table. onnxruntime's sigmoid is MLAS's own approximation of the
// logistic function; where it and the exact function fall on either side
// of a rounding boundary the output differs by one step (see the tests).
func compileQLinearLookup(x *nodeCtx) ([]*val, func(), error) {
	in, xp, yp, err := x.poolParams()
	if err != nil {
		return nil, nil, err
	}
	f := func(v float32) float32 { return float32(1 / (1 + math.Exp(-float64(v)))) }
	if x.n.opType == "QLinearLeakyRelu" {
		alpha := x.attrFloat("alpha", 0.01)
		f = func(v float32) float32 {
			if v >= 0 {
				return v
			}
			return alpha * v
		}
	}
	table := lookupTable(xp, yp, f)
	out, err := x.outFloat(in.shape)
	if err != nil {
		return nil, nil, err
	}
	out.elem = yp.t.elem
	return []*val{out}, func() {
		for i, v := range in.f[:len(out.f)] {
			out.f[i] = table[tableIndex(v)]
		}
	}, nil
}

// compileQLinearConcat concatenates quantized tensors: inputs quantized
// like the output are copied, the others requantized through a lookup
// table, as onnxruntime does.
func compileQLinearConcat(x *nodeCtx) ([]*val, func(), error) {
	if (len(x.n.inputs)-2)%3 != 0 {
		return nil, nil, x.errorf("%d inputs; want Y_scale, Y_zero_point and triples (X, X_scale, X_zero_point)", len(x.n.inputs))
	}
	yp, err := x.quantParams(0, 1, onnxUint8, nil, -1)
	if err != nil {
		return nil, nil, err
	}
	if err := x.eightBit(yp); err != nil {
		return nil, nil, err
	}
	k := (len(x.n.inputs) - 2) / 3
	ins := make([]*val, k)
	shapes := make([][]int, k)
	tables := make([][]float32, k)
	for i := range ins {
		v := x.input(2 + 3*i)
		if v == nil {
			return nil, nil, x.errorf("input %d is empty", i)
		}
		p, err := x.quantParams(3+3*i, 4+3*i, v.elem, nil, -1)
		if err != nil {
			return nil, nil, err
		}
		if p.t != yp.t {
			return nil, nil, x.errorf("input %d of type %s, output %s", i, p.t.typeName(), yp.t.typeName())
		}
		if _, err := x.quantIn(2+3*i, p.t); err != nil {
			return nil, nil, err
		}
		if !sameParams(p, yp) {
			tables[i] = lookupTable(p, yp, func(v float32) float32 { return v })
		}
		ins[i], shapes[i] = v, v.shape
	}
	if x.attr("axis") == nil {
		return nil, nil, x.errorf("axis is required")
	}
	shape, axis, err := core.ConcatShape(shapes, int(x.attrInt("axis", 0)))
	if err != nil {
		return nil, nil, x.errorf("%v", err)
	}
	out, err := x.outFloat(shape)
	if err != nil {
		return nil, nil, err
	}
	out.elem = yp.t.elem
	srcs := make([][]float32, k)
	mapped := make([][]float32, k)
	for i := range mapped {
		if tables[i] != nil {
			mapped[i] = make([]float32, core.Product(shapes[i]))
		}
	}
	return []*val{out}, func() {
		for i, v := range ins {
			src := quantValues(v)
			if tables[i] != nil {
				for j, q := range src {
					mapped[i][j] = tables[i][tableIndex(q)]
				}
				src = mapped[i]
			}
			srcs[i] = src
		}
		core.Concat(out.f, srcs, shapes, axis)
	}, nil
}

// compileQGemm plans com.microsoft's QGemm: alpha·A·B + C (C in INT32),
// requantized with the scale alpha·a_scale·b_scale/y_scale, or scaled to
// floats when the output has no scale.
func compileQGemm(x *nodeCtx) ([]*val, func(), error) {
	a, b := x.input(0), x.input(3)
	transA, transB := x.attrInt("transA", 0) != 0, x.attrInt("transB", 0) != 0
	if len(a.shape) != 2 || !b.konst || !b.isInt || len(b.shape) != 2 || transA {
		return nil, nil, x.errorf("A %v (transA %v) and B %v: wasmcnn multiplies a matrix by a constant integer matrix", a.shape, transA, b.shape)
	}
	m, k := a.shape[0], a.shape[1]
	bk, n := b.shape[0], b.shape[1]
	bi := b.i
	if transB {
		bk, n = n, bk
		bi = make([]int64, len(b.i))
		for r := 0; r < bk; r++ {
			for c := 0; c < n; c++ {
				bi[r*n+c] = b.i[c*bk+r]
			}
		}
	}
	if bk != k {
		return nil, nil, x.errorf("A %v and B %v do not multiply", a.shape, b.shape)
	}
	ap, err := x.quantParams(1, 2, onnxUint8, a.shape, -1)
	if err != nil {
		return nil, nil, err
	}
	if _, err := x.quantIn(0, ap.t); err != nil {
		return nil, nil, err
	}
	bp, err := x.quantParams(4, 5, b.elem, []int{1, n}, 1)
	if err != nil {
		return nil, nil, err
	}
	alpha := x.attrFloat("alpha", 1)
	var yp *qparams
	if x.input(7) != nil {
		if yp, err = x.quantParams(7, 8, ap.t.elem, nil, -1); err != nil {
			return nil, nil, err
		}
	}
	if err := x.addMACs(int64(m) * int64(k) * int64(n)); err != nil {
		return nil, nil, err
	}
	q := planQMatMul(m, k, n, ap, bi, bp, func(j int) float32 {
		s, _ := bp.at(j)
		v := alpha * ap.scale[0] * s
		if yp != nil {
			v /= yp.scale[0]
		}
		return v
	})
	if c := x.input(6); c != nil {
		if !c.konst || !c.isInt || c.elem != onnxInt32 || len(c.i) != n && len(c.i) != 1 {
			return nil, nil, x.errorf("C %q must be an INT32 constant of 1 or %d values", c.name, n)
		}
		q.bias = make([]int32, n)
		for j := range q.bias {
			q.bias[j] = int32(c.i[j%len(c.i)])
		}
	}
	elem := int64(onnxFloat)
	if yp == nil {
		q.floatOut = true
	} else {
		q.y, q.yzp, elem = yp.t, yp.zp[0], yp.t.elem
	}
	return x.qmatmulOut(q, a, []int{m, n}, elem)
}
