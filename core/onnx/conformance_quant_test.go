package onnx_test

import (
	"fmt"
	"math/rand/v2"

	"wasmcnn/core/onnx"
)

// qints returns n seeded integers in [lo, hi], as float64 for
// InitializerTyped.
func qints(seed uint64, n int, lo, hi int) []float64 {
	r := rand.New(rand.NewPCG(seed, 9))
	v := make([]float64, n)
	for i := range v {
		v[i] = float64(lo + r.IntN(hi-lo+1))
	}
	return v
}

// qscalar adds a float scale and a zero point of type typ.
func qscalar(b *onnx.ModelBuilder, name string, scale float32, typ int64, zp float64) {
	b.InitializerTyped(name+"_s", onnx.TypeFloat, []int{}, []float64{float64(scale)})
	b.InitializerTyped(name+"_z", typ, []int{}, []float64{zp})
}

// quantCases cover QuantizeLinear, DequantizeLinear, QLinearConv,
// QLinearMatMul and the com.microsoft operators onnxruntime's quantizer
// writes, exactly against onnxruntime-node (its x86 kernels).
func quantCases() []confCase {
	img := []int{2, 3, 7, 6}
	var cs []confCase
	add := func(c ...confCase) { cs = append(cs, c...) }
	// Quantize and dequantize, per tensor and per axis. A scale of 1/64
	// makes many of the float inputs land exactly half way between two
	// integers (ties to even), and |x| ≤ 2 saturates int8 at scale 1/64.
	for _, typ := range []int64{onnx.TypeUint8, onnx.TypeInt8} {
		typ := typ
		add(confCase{name: fmt.Sprintf("quantize_dequantize_type%d", typ), opset: 13, ops: []string{"QuantizeLinear", "DequantizeLinear"}, inputs: []confInput{{name: "x", shape: img}}, build: func(b *onnx.ModelBuilder) {
			b.Initializer("k", onnx.RandInput(3, 1))
			b.Node("Round", "r", []string{"x"}, []string{"xr"}) // quarter steps…
			qscalar(b, "q", 1.0/64, typ, map[int64]float64{onnx.TypeUint8: 131, onnx.TypeInt8: -3}[typ])
			b.InitializerTyped("quarter", onnx.TypeFloat, []int{}, []float64{1.0 / 128})
			b.Node("Mul", "m", []string{"xr", "quarter"}, []string{"ties"}) // …half of a step: ties
			b.Node("Add", "a", []string{"x", "ties"}, []string{"xt"})
			b.Node("QuantizeLinear", "q", []string{"ties", "q_s", "q_z"}, []string{"qt"})
			b.Node("QuantizeLinear", "q2", []string{"xt", "q_s", "q_z"}, []string{"qx"})
			b.Node("DequantizeLinear", "d", []string{"qt", "q_s", "q_z"}, []string{"y"})
			b.Node("DequantizeLinear", "d2", []string{"qx", "q_s", "q_z"}, []string{"y2"})
			b.Output("y", nil)
			b.Output("y2", nil)
		}})
	}
	add(
		confCase{name: "quantize_per_axis", opset: 13, ops: []string{"QuantizeLinear(axis)", "DequantizeLinear(axis)"}, inputs: []confInput{{name: "x", shape: img}}, build: func(b *onnx.ModelBuilder) {
			b.InitializerTyped("s", onnx.TypeFloat, []int{3}, []float64{0.02, 0.05, 0.011})
			b.InitializerTyped("z", onnx.TypeInt8, []int{3}, []float64{0, -20, 7})
			b.Node("QuantizeLinear", "q", []string{"x", "s", "z"}, []string{"q"}, onnx.AttrInt("axis", 1))
			b.Node("DequantizeLinear", "d", []string{"q", "s", "z"}, []string{"y"}, onnx.AttrInt("axis", -3))
			b.Output("y", nil)
		}},
		confCase{name: "quantize_default_uint8_opset10", opset: 10, ops: []string{"QuantizeLinear(no zero point)"}, inputs: []confInput{{name: "x", shape: img}}, build: func(b *onnx.ModelBuilder) {
			b.InitializerTyped("s", onnx.TypeFloat, []int{}, []float64{0.01})
			b.Node("QuantizeLinear", "q", []string{"x", "s"}, []string{"q"})
			b.Node("Cast", "c", []string{"q"}, []string{"y"}, onnx.AttrInt("to", onnx.TypeFloat))
			b.Output("y", nil)
		}},
		confCase{name: "dequantize_uint8_input_int32_weights", opset: 19, ops: []string{"DequantizeLinear(UINT8 input, INT32 constant)"}, inputs: []confInput{{name: "q", shape: []int{2, 5}, typ: "uint8"}}, build: func(b *onnx.ModelBuilder) {
			qscalar(b, "a", 0.1, onnx.TypeUint8, 100)
			b.InitializerTyped("w", onnx.TypeInt32, []int{5}, qints(4, 5, -100000, 100000))
			b.InitializerTyped("ws", onnx.TypeFloat, []int{}, []float64{0.001})
			b.Node("DequantizeLinear", "d", []string{"q", "a_s", "a_z"}, []string{"x"})
			b.Node("DequantizeLinear", "dw", []string{"w", "ws"}, []string{"wf"})
			b.Node("Add", "add", []string{"x", "wf"}, []string{"y"})
			b.Output("y", nil)
		}},
	)
	// QLinearConv on uint8 inputs: int8 and uint8 weights, per channel,
	// bias, padding, strides, groups, depthwise, and weights large enough
	// that float32 accumulation alone would not be exact.
	convs := []struct {
		name      string
		x, w      []int
		wtyp      int64
		wlo, whi  int
		perAxis   bool
		bias      bool
		attrs     []onnx.Attr
		inputType string
	}{
		{"qlinearconv_u8s8_per_channel", []int{2, 4, 8, 7}, []int{5, 4, 3, 3}, onnx.TypeInt8, -127, 127, true, true, []onnx.Attr{onnx.AttrInts("pads", 1, 1, 1, 1)}, "uint8"},
		{"qlinearconv_u8u8_stride2", []int{1, 3, 9, 9}, []int{4, 3, 3, 3}, onnx.TypeUint8, 0, 255, false, true, []onnx.Attr{onnx.AttrInts("strides", 2, 2)}, "uint8"},
		{"qlinearconv_depthwise", []int{1, 6, 7, 7}, []int{6, 1, 3, 3}, onnx.TypeInt8, -127, 127, true, true, []onnx.Attr{onnx.AttrInt("group", 6), onnx.AttrInts("pads", 1, 1, 1, 1)}, "uint8"},
		{"qlinearconv_group2_1x1", []int{1, 4, 5, 5}, []int{6, 2, 1, 1}, onnx.TypeInt8, -50, 50, false, false, []onnx.Attr{onnx.AttrInt("group", 2)}, "uint8"},
		{"qlinearconv_chunked_64ch", []int{1, 64, 6, 6}, []int{8, 64, 3, 3}, onnx.TypeInt8, -127, 127, true, true, []onnx.Attr{onnx.AttrInts("pads", 1, 1, 1, 1)}, "uint8"},
		{"qlinearconv_s8s8", []int{1, 3, 6, 6}, []int{4, 3, 3, 3}, onnx.TypeInt8, -127, 127, true, true, []onnx.Attr{onnx.AttrInts("pads", 0, 1, 1, 0)}, "int8"},
	}
	for ci, c := range convs {
		c := c
		add(confCase{name: c.name, opset: 13, ops: []string{"QLinearConv" + attrList(c.attrs)}, inputs: []confInput{{name: "x", shape: c.x, typ: c.inputType}}, build: func(b *onnx.ModelBuilder) {
			xt := int64(onnx.TypeUint8)
			xz := 121.0
			if c.inputType == "int8" {
				xt, xz = onnx.TypeInt8, -5
			}
			qscalar(b, "x", 0.02, xt, xz)
			b.InitializerTyped("w", c.wtyp, c.w, qints(uint64(40+ci), c.w[0]*c.w[1]*c.w[2]*c.w[3], c.wlo, c.whi))
			if c.perAxis {
				scales := make([]float64, c.w[0])
				zps := make([]float64, c.w[0])
				for k := range scales {
					scales[k] = 0.001 * float64(k+1)
				}
				b.InitializerTyped("w_s", onnx.TypeFloat, []int{c.w[0]}, scales)
				b.InitializerTyped("w_z", c.wtyp, []int{c.w[0]}, zps)
			} else {
				qscalar(b, "w", 0.003, c.wtyp, map[int64]float64{onnx.TypeUint8: 128, onnx.TypeInt8: 0}[c.wtyp])
			}
			qscalar(b, "y", 0.05, xt, xz/2)
			ins := []string{"x", "x_s", "x_z", "w", "w_s", "w_z", "y_s", "y_z"}
			if c.bias {
				b.InitializerTyped("bias", onnx.TypeInt32, []int{c.w[0]}, qints(uint64(60+ci), c.w[0], -2000, 2000))
				ins = append(ins, "bias")
			}
			b.Node("QLinearConv", "conv", ins, []string{"q"}, c.attrs...)
			b.Node("Cast", "c", []string{"q"}, []string{"y"}, onnx.AttrInt("to", onnx.TypeFloat))
			b.Output("y", nil)
		}})
	}
	add(confCase{name: "qlinearmatmul_per_column_chunked", opset: 13, ops: []string{"QLinearMatMul"}, inputs: []confInput{{name: "a", shape: []int{3, 600}, typ: "uint8"}}, build: func(b *onnx.ModelBuilder) {
		qscalar(b, "a", 0.02, onnx.TypeUint8, 3)
		b.InitializerTyped("b", onnx.TypeInt8, []int{600, 5}, qints(70, 3000, -127, 127))
		b.InitializerTyped("b_s", onnx.TypeFloat, []int{5}, []float64{0.001, 0.002, 0.0005, 0.003, 0.004})
		b.InitializerTyped("b_z", onnx.TypeInt8, []int{5}, []float64{0, 0, 0, 0, 0})
		qscalar(b, "y", 0.4, onnx.TypeUint8, 128)
		b.Node("QLinearMatMul", "mm", []string{"a", "a_s", "a_z", "b", "b_s", "b_z", "y_s", "y_z"}, []string{"q"})
		b.Node("Cast", "c", []string{"q"}, []string{"y"}, onnx.AttrInt("to", onnx.TypeFloat))
		b.Output("y", nil)
	}})
	add(msQuantCases()...)
	add(qdqCases()...)
	return cs
}

// msQuantCases cover com.microsoft's quantized operators, on uint8 inputs
// fed straight to them.
func msQuantCases() []confCase {
	img := []int{2, 3, 5, 4}
	ms := func(name, op string, shapes [][]int, build func(b *onnx.ModelBuilder, ins []string) []string, attrs ...onnx.Attr) confCase {
		c := confCase{name: name, opset: 13, ops: []string{"com.microsoft." + op + attrList(attrs)}}
		var ins []string
		for i, s := range shapes {
			n := fmt.Sprintf("x%d", i)
			c.inputs = append(c.inputs, confInput{name: n, shape: s, typ: "uint8"})
			ins = append(ins, n)
		}
		c.build = func(b *onnx.ModelBuilder) {
			b.Import("com.microsoft", 1)
			b.NodeIn("com.microsoft", op, "n", build(b, ins), []string{"q"}, attrs...)
			b.Node("Cast", "c", []string{"q"}, []string{"y"}, onnx.AttrInt("to", onnx.TypeFloat))
			b.Output("y", nil)
		}
		return c
	}
	binary := func(b *onnx.ModelBuilder, ins []string) []string {
		qscalar(b, "a", 0.031, onnx.TypeUint8, 120)
		qscalar(b, "b", 0.017, onnx.TypeUint8, 97)
		qscalar(b, "c", 0.045, onnx.TypeUint8, 128)
		return []string{ins[0], "a_s", "a_z", ins[1], "b_s", "b_z", "c_s", "c_z"}
	}
	residualAdd := func(b *onnx.ModelBuilder, ins []string) []string {
		qscalar(b, "a", 0.060547147, onnx.TypeUint8, 148)
		qscalar(b, "b", 0.07030885, onnx.TypeUint8, 126)
		qscalar(b, "c", 0.079901606, onnx.TypeUint8, 136)
		return []string{ins[0], "a_s", "a_z", ins[1], "b_s", "b_z", "c_s", "c_z"}
	}
	unary := func(b *onnx.ModelBuilder, ins []string) []string {
		qscalar(b, "x", 0.05, onnx.TypeUint8, 128)
		qscalar(b, "y", 0.004, onnx.TypeUint8, 3)
		return []string{ins[0], "x_s", "x_z", "y_s", "y_z"}
	}
	cs := []confCase{
		// Many values, so that rounding ties and saturation both occur.
		ms("qlinearadd_same_shape", "QLinearAdd", [][]int{{4, 16, 32, 32}, {4, 16, 32, 32}}, binary),
		ms("qlinearadd_broadcast_channel", "QLinearAdd", [][]int{img, {3, 1, 1}}, binary),
		ms("qlinearadd_scalar_a", "QLinearAdd", [][]int{{1}, img}, binary),
		ms("qlinearadd_broadcast_rows", "QLinearAdd", [][]int{{1, 3, 5, 1}, img}, binary),
		// The parameters of the first residual Add of the int8 MobileNetV2
		// at full size: there the kernel's constant part, computed as a
		// fused multiply-add, is one float32 step away from the unfused
		// sum, and 3 of the 65536 (a, b) pairs round to another integer —
		// 2^18 values meet them.
		ms("qlinearadd_contracted_constant", "QLinearAdd", [][]int{{4, 16, 64, 64}, {4, 16, 64, 64}}, residualAdd),
		ms("qlinearmul_same_shape", "QLinearMul", [][]int{{4, 16, 32, 32}, {4, 16, 32, 32}}, binary),
		ms("qlinearmul_broadcast", "QLinearMul", [][]int{img, {4}}, binary),
		ms("qlinearglobalaveragepool", "QLinearGlobalAveragePool", [][]int{{2, 3, 7, 9}}, func(b *onnx.ModelBuilder, ins []string) []string {
			qscalar(b, "x", 0.05, onnx.TypeUint8, 128)
			qscalar(b, "y", 0.01, onnx.TypeUint8, 100)
			return []string{ins[0], "x_s", "x_z", "y_s", "y_z"}
		}),
		ms("qlinearaveragepool_pads", "QLinearAveragePool", [][]int{{1, 2, 7, 7}}, unary, onnx.AttrInts("kernel_shape", 3, 3), onnx.AttrInts("strides", 2, 2), onnx.AttrInts("pads", 1, 1, 1, 1)),
		ms("qlinearaveragepool_include_pad_ceil", "QLinearAveragePool", [][]int{{1, 2, 6, 6}}, unary, onnx.AttrInts("kernel_shape", 3, 3), onnx.AttrInts("strides", 2, 2), onnx.AttrInts("pads", 1, 1, 1, 1), onnx.AttrInt("count_include_pad", 1), onnx.AttrInt("ceil_mode", 1)),
		ms("qlinearleakyrelu", "QLinearLeakyRelu", [][]int{img}, unary, onnx.AttrFloat("alpha", 0.1)),
		ms("qlinearconcat_mixed_params", "QLinearConcat", [][]int{img, {2, 2, 5, 4}, img}, func(b *onnx.ModelBuilder, ins []string) []string {
			qscalar(b, "y", 0.05, onnx.TypeUint8, 128)
			qscalar(b, "a", 0.05, onnx.TypeUint8, 128) // as the output: copied
			qscalar(b, "b", 0.021, onnx.TypeUint8, 77)
			qscalar(b, "c", 0.11, onnx.TypeUint8, 140)
			return []string{"y_s", "y_z", ins[0], "a_s", "a_z", ins[1], "b_s", "b_z", ins[2], "c_s", "c_z"}
		}, onnx.AttrInt("axis", 1)),
		ms("qgemm_transB_bias", "QGemm", [][]int{{3, 40}}, func(b *onnx.ModelBuilder, ins []string) []string {
			qscalar(b, "a", 0.02, onnx.TypeUint8, 12)
			b.InitializerTyped("b", onnx.TypeInt8, []int{7, 40}, qints(80, 280, -127, 127))
			qscalar(b, "b", 0.004, onnx.TypeInt8, 0)
			b.InitializerTyped("c", onnx.TypeInt32, []int{7}, qints(81, 7, -3000, 3000))
			qscalar(b, "y", 0.1, onnx.TypeUint8, 128)
			return []string{ins[0], "a_s", "a_z", "b", "b_s", "b_z", "c", "y_s", "y_z"}
		}, onnx.AttrInt("transB", 1), onnx.AttrFloat("alpha", 0.5)),
	}
	// Constant operands holding every uint8 value, broadcast so that each
	// row adds one value of A (then of B) to all 256 of the other: every
	// pair, with the kernel's one-value rows, whose constant part is a
	// fused multiply-add too. With these parameters 2 of the 65536 pairs
	// round to another integer when it is not, and constants held as
	// integers are read.
	cs = append(cs, confCase{name: "qlinearadd_constant_rows", opset: 13, ops: []string{"com.microsoft.QLinearAdd(constants, one value per row)"},
		inputs: []confInput{{name: "x", shape: []int{1}}},
		build: func(b *onnx.ModelBuilder) {
			b.Import("com.microsoft", 1)
			all := make([]float64, 256)
			for i := range all {
				all[i] = float64(i)
			}
			b.InitializerTyped("col", onnx.TypeUint8, []int{256, 1}, all)
			b.InitializerTyped("row", onnx.TypeUint8, []int{1, 256}, all)
			qscalar(b, "a", 0.08027803, onnx.TypeUint8, 171)
			qscalar(b, "b", 0.013975921, onnx.TypeUint8, 229)
			qscalar(b, "c", 0.03225395, onnx.TypeUint8, 204)
			b.NodeIn("com.microsoft", "QLinearAdd", "one_a", []string{"col", "a_s", "a_z", "row", "b_s", "b_z", "c_s", "c_z"}, []string{"qa"})
			b.NodeIn("com.microsoft", "QLinearAdd", "one_b", []string{"row", "b_s", "b_z", "col", "a_s", "a_z", "c_s", "c_z"}, []string{"qb"})
			b.Node("Cast", "ca", []string{"qa"}, []string{"ya"}, onnx.AttrInt("to", onnx.TypeFloat))
			b.Node("Cast", "cb", []string{"qb"}, []string{"yb"}, onnx.AttrInt("to", onnx.TypeFloat))
			b.Node("Identity", "x_seen", []string{"x"}, []string{"xs"})
			b.Output("ya", nil)
			b.Output("yb", nil)
			b.Output("xs", nil)
		}})
	// MLAS computes the logistic function by its own approximation: where
	// it and the exact function fall on either side of a rounding boundary
	// the quantized output is one step away.
	sig := ms("qlinearsigmoid", "QLinearSigmoid", [][]int{img}, unary)
	sig.offBy.steps, sig.offBy.fraction = 1, 0.05
	cs = append(cs, sig)
	return cs
}

// qdqCases are models in the QDQ form onnxruntime's quantize_static
// writes — QuantizeLinear/DequantizeLinear pairs on every activation,
// weights and biases dequantized from integer constants — run in
// onnxruntime with its default optimisations, which fuse each group into
// an integer kernel; wasmcnn fuses the same groups.
func qdqCases() []confCase {
	// qdq quantizes and dequantizes x; each quantized activation is also
	// dequantized a second time into a graph output, so that every fused
	// kernel's integers are compared, not only the last.
	qdq := func(b *onnx.ModelBuilder, x, name string, scale float32, zp float64) string {
		qscalar(b, name, scale, onnx.TypeUint8, zp)
		b.Node("QuantizeLinear", name+"_q", []string{x, name + "_s", name + "_z"}, []string{name + "_qt"})
		b.Node("DequantizeLinear", name+"_dq", []string{name + "_qt", name + "_s", name + "_z"}, []string{name + "_f"})
		b.Node("DequantizeLinear", name+"_seen", []string{name + "_qt", name + "_s", name + "_z"}, []string{name + "_out"})
		b.Output(name+"_out", nil)
		return name + "_f"
	}
	weights := func(b *onnx.ModelBuilder, name string, shape []int, seed uint64, biasScale float32) (string, string) {
		n := 1
		for _, d := range shape {
			n *= d
		}
		b.InitializerTyped(name+"_w", onnx.TypeInt8, shape, qints(seed, n, -127, 127))
		scales := make([]float64, shape[0])
		for k := range scales {
			scales[k] = 0.002 + 0.0003*float64(k)
		}
		b.InitializerTyped(name+"_ws", onnx.TypeFloat, []int{shape[0]}, scales)
		b.InitializerTyped(name+"_wz", onnx.TypeInt8, []int{shape[0]}, make([]float64, shape[0]))
		b.Node("DequantizeLinear", name+"_wdq", []string{name + "_w", name + "_ws", name + "_wz"}, []string{name + "_wf"}, onnx.AttrInt("axis", 0))
		bs := make([]float64, shape[0])
		for k := range bs {
			bs[k] = float64(biasScale) * scales[k]
		}
		b.InitializerTyped(name+"_b", onnx.TypeInt32, []int{shape[0]}, qints(seed+1, shape[0], -5000, 5000))
		b.InitializerTyped(name+"_bs", onnx.TypeFloat, []int{shape[0]}, bs)
		b.InitializerTyped(name+"_bz", onnx.TypeInt32, []int{shape[0]}, make([]float64, shape[0]))
		b.Node("DequantizeLinear", name+"_bdq", []string{name + "_b", name + "_bs", name + "_bz"}, []string{name + "_bf"}, onnx.AttrInt("axis", 0))
		return name + "_wf", name + "_bf"
	}
	// A residual Add in QDQ form, fused into QLinearAdd, with the
	// parameters of qlinearadd_contracted_constant; the inputs are
	// widened to span the whole uint8 range before they are quantized.
	residual := confCase{name: "qdq_residual_add", opset: 13, optimize: true,
		ops:    []string{"QDQ Add (contracted constant)"},
		inputs: []confInput{{name: "x", shape: []int{4, 16, 64, 64}}, {name: "y", shape: []int{4, 16, 64, 64}}},
		build: func(b *onnx.ModelBuilder) {
			b.InitializerTyped("wide", onnx.TypeFloat, []int{}, []float64{5})
			b.Node("Mul", "wx", []string{"x", "wide"}, []string{"xw"})
			b.Node("Mul", "wy", []string{"y", "wide"}, []string{"yw"})
			x := qdq(b, "xw", "xq", 0.060547147, 148)
			y := qdq(b, "yw", "yq", 0.07030885, 126)
			b.Node("Add", "res", []string{x, y}, []string{"res"})
			res := qdq(b, "res", "reso", 0.079901606, 136)
			b.Node("Identity", "out", []string{res}, []string{"z"})
			b.Output("z", nil)
		}}
	return []confCase{residual, {name: "qdq_network", opset: 13, optimize: true,
		ops:    []string{"QDQ Conv, Add, Mul, Concat, AveragePool, GlobalAveragePool, LeakyRelu, MaxPool, Gemm, MatMul"},
		inputs: []confInput{{name: "x", shape: []int{2, 3, 24, 24}}},
		build: func(b *onnx.ModelBuilder) {
			x := qdq(b, "x", "in", 0.016, 128)
			w, bias := weights(b, "c1", []int{8, 3, 3, 3}, 100, 0.016)
			b.Node("Conv", "c1", []string{x, w, bias}, []string{"c1"}, onnx.AttrInts("pads", 1, 1, 1, 1))
			c1 := qdq(b, "c1", "c1o", 0.02, 0) // a removed ReLU: zero point 0
			w2, b2 := weights(b, "c2", []int{8, 1, 3, 3}, 200, 0.02)
			b.Node("Conv", "c2", []string{c1, w2, b2}, []string{"c2"}, onnx.AttrInt("group", 8), onnx.AttrInts("pads", 1, 1, 1, 1))
			c2 := qdq(b, "c2", "c2o", 0.01, 120)
			b.Node("Add", "res", []string{c1, c2}, []string{"res"})
			res := qdq(b, "res", "reso", 0.025, 90)
			b.Node("LeakyRelu", "lr", []string{res}, []string{"lr"}, onnx.AttrFloat("alpha", 0.1))
			lr := qdq(b, "lr", "lro", 0.02, 30)
			b.Node("Mul", "mul", []string{lr, c2}, []string{"mul"})
			mul := qdq(b, "mul", "mulo", 0.003, 128)
			b.Node("Concat", "cat", []string{mul, lr}, []string{"cat"}, onnx.AttrInt("axis", 1))
			cat := qdq(b, "cat", "cato", 0.02, 40)
			b.Node("MaxPool", "mp", []string{cat}, []string{"mp"}, onnx.AttrInts("kernel_shape", 2, 2), onnx.AttrInts("strides", 2, 2))
			mp := qdq(b, "mp", "mpo", 0.02, 40)
			b.Node("AveragePool", "ap", []string{mp}, []string{"ap"}, onnx.AttrInts("kernel_shape", 3, 3), onnx.AttrInts("pads", 1, 1, 1, 1))
			ap := qdq(b, "ap", "apo", 0.015, 40)
			b.Node("GlobalAveragePool", "gap", []string{ap}, []string{"gap"})
			gap := qdq(b, "gap", "gapo", 0.01, 40)
			b.InitializerInts("flat", []int{2}, []int64{2, 16})
			b.Node("Reshape", "flat", []string{gap, "flat"}, []string{"fl"})
			fl := qdq(b, "fl", "flo", 0.01, 40)
			wf, bf := weights(b, "fc", []int{10, 16}, 300, 0.01)
			b.Node("Gemm", "fc", []string{fl, wf, bf}, []string{"fc"}, onnx.AttrInt("transB", 1))
			fc := qdq(b, "fc", "fco", 0.01, 128)
			b.InitializerTyped("mm_w", onnx.TypeInt8, []int{10, 4}, qints(400, 40, -127, 127))
			qscalar(b, "mmw", 0.01, onnx.TypeInt8, 0)
			b.Node("DequantizeLinear", "mm_wdq", []string{"mm_w", "mmw_s", "mmw_z"}, []string{"mm_wf"})
			b.Node("MatMul", "mm", []string{fc, "mm_wf"}, []string{"mm"})
			mm := qdq(b, "mm", "mmo", 0.02, 128)
			b.Node("Identity", "out", []string{mm}, []string{"y"})
			b.Output("y", nil)
		}}}
}
