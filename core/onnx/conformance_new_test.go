package onnx_test

import (
	"fmt"

	"wasmcnn/core"
	"wasmcnn/core/onnx"
)

// node returns a case of one node over inputs named x0, x1… of the given
// shapes (nil: an empty optional input), with constant inputs added by
// consts, output y.
func node(name string, opset int64, op string, shapes [][]int, consts func(b *onnx.ModelBuilder) []string, attrs ...onnx.Attr) confCase {
	c := confCase{name: name, opset: opset, ops: []string{op + attrList(attrs)}}
	var ins []string
	for i, s := range shapes {
		n := fmt.Sprintf("x%d", i)
		c.inputs = append(c.inputs, confInput{n, s})
		ins = append(ins, n)
	}
	c.build = func(b *onnx.ModelBuilder) {
		all := ins
		if consts != nil {
			all = append(append([]string(nil), ins...), consts(b)...)
		}
		b.Node(op, "n", all, []string{"y"}, attrs...)
		b.Output("y", nil)
	}
	return c
}

// ints adds INT64 initializers and returns their names ("" for nil: an
// empty optional input).
func ints(vals ...[]int64) func(b *onnx.ModelBuilder) []string {
	return func(b *onnx.ModelBuilder) []string {
		var names []string
		for i, v := range vals {
			if v == nil {
				names = append(names, "")
				continue
			}
			n := fmt.Sprintf("k%d", i)
			b.InitializerInts(n, []int{len(v)}, v)
			names = append(names, n)
		}
		return names
	}
}

// floats adds float initializers of the given shapes, seeded.
func floats(shapes ...[]int) func(b *onnx.ModelBuilder) []string {
	return func(b *onnx.ModelBuilder) []string {
		var names []string
		for i, s := range shapes {
			n := fmt.Sprintf("f%d", i)
			b.Initializer(n, onnx.RandInput(uint64(500+i), s...))
			names = append(names, n)
		}
		return names
	}
}

// scalar adds one float constant.
func scalar(v float32) func(b *onnx.ModelBuilder) []string {
	return func(b *onnx.ModelBuilder) []string {
		b.Initializer("s", &core.Tensor{Shape: []int{}, Data: []float32{v}})
		return []string{"s"}
	}
}

// elementwiseCases cover the activations, element-wise functions,
// variadic and comparison ops.
func elementwiseCases() []confCase {
	img := []int{2, 3, 5, 4}
	var cs []confCase
	add := func(c ...confCase) { cs = append(cs, c...) }
	for _, op := range []string{"Exp", "Log", "Sqrt", "Neg", "Abs", "Reciprocal", "Floor", "Ceil", "Round", "Sign", "Erf", "Softsign", "Softplus", "HardSwish"} {
		add(one(op, 14, op, img))
	}
	add(
		one("Mish", 18, "Mish", img),
		one("hardsigmoid_default", 13, "HardSigmoid", img),
		one("hardsigmoid_alpha_beta", 22, "HardSigmoid", img, onnx.AttrFloat("alpha", 0.3), onnx.AttrFloat("beta", 0.4)),
		one("elu", 13, "Elu", img, onnx.AttrFloat("alpha", 0.7)),
		one("selu_default", 13, "Selu", img),
		one("celu", 13, "Celu", img, onnx.AttrFloat("alpha", 1.5)),
		one("thresholdedrelu", 13, "ThresholdedRelu", img, onnx.AttrFloat("alpha", 0.3)),
		one("gelu_none", 20, "Gelu", img),
		one("gelu_tanh", 20, "Gelu", img, onnx.AttrString("approximate", "tanh")),
		node("prelu_channel", 16, "PRelu", [][]int{img}, floats([]int{3, 1, 1})),
		node("prelu_scalar_slope", 9, "PRelu", [][]int{img}, floats([]int{1})),
		node("prelu_runtime_slope", 13, "PRelu", [][]int{img, {5, 4}}, nil),
		node("pow_square", 13, "Pow", [][]int{img}, scalar(2)),
		node("pow_runtime", 15, "Pow", [][]int{img, {4}}, nil),
		node("sum_one", 13, "Sum", [][]int{img}, nil),
		node("sum_residual", 13, "Sum", [][]int{img, img, img}, nil),
		node("sum_broadcast", 8, "Sum", [][]int{{3, 1, 1}, img, {4}}, nil),
		node("mean_broadcast", 13, "Mean", [][]int{img, {5, 1}}, nil),
		node("max_three", 13, "Max", [][]int{img, {4}, img}, nil),
		node("min_broadcast", 12, "Min", [][]int{{1, 3, 1, 1}, img}, nil),
	)
	for _, op := range []string{"Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual"} {
		c := node(op, 16, op, [][]int{img}, floats([]int{4}))
		c.build = func(b *onnx.ModelBuilder) {
			b.Initializer("k", onnx.RandInput(510, 4))
			b.Node("Round", "r", []string{"x0"}, []string{"xr"}) // so that Equal is sometimes true
			b.Node("Round", "rk", []string{"k"}, []string{"kr"})
			b.Node(op, "n", []string{"xr", "kr"}, []string{"c"})
			b.Node("Where", "w", []string{"c", "x0", "kr"}, []string{"y"})
			b.Output("y", nil)
		}
		c.ops = append(c.ops, "Where")
		add(c)
	}
	add(confCase{name: "not_and_or_where", opset: 13, ops: []string{"Not", "And", "Or", "Where"}, inputs: []confInput{{"x0", img}}, build: func(b *onnx.ModelBuilder) {
		b.Initializer("zero", &core.Tensor{Shape: []int{}, Data: []float32{0}})
		b.Node("Greater", "g", []string{"x0", "zero"}, []string{"pos"})
		b.Node("Not", "n", []string{"pos"}, []string{"neg"})
		b.Node("Less", "l", []string{"x0", "zero"}, []string{"lt"})
		b.Node("And", "a", []string{"neg", "lt"}, []string{"both"})
		b.Node("Or", "o", []string{"pos", "both"}, []string{"any"})
		b.Node("Neg", "m", []string{"x0"}, []string{"mx"})
		b.Node("Where", "w", []string{"any", "x0", "mx"}, []string{"y"})
		b.Output("y", nil)
	}})
	return cs
}

// moveCases cover slicing, splitting, padding, repeating, rearranging and
// casting.
func moveCases() []confCase {
	img := []int{2, 6, 5, 4}
	var cs []confCase
	add := func(c ...confCase) { cs = append(cs, c...) }
	add(
		node("slice_basic", 13, "Slice", [][]int{img}, ints([]int64{1, 1}, []int64{4, 3}, []int64{1, 2})),
		node("slice_negative_steps", 13, "Slice", [][]int{img}, ints([]int64{-1, 4}, []int64{-100, 0}, []int64{1, -1}, []int64{-2, -1})),
		node("slice_clamped_and_empty_axes", 11, "Slice", [][]int{img}, ints([]int64{0, 0, 2}, []int64{1 << 40, 3, 100})),
		node("slice_step3", 13, "Slice", [][]int{img}, ints([]int64{0}, []int64{6}, []int64{1}, []int64{3})),
		one("slice_opset9_attrs", 9, "Slice", img, onnx.AttrInts("starts", 2, 1), onnx.AttrInts("ends", 4, -1), onnx.AttrInts("axes", 1, 3)),
		node("expand", 13, "Expand", [][]int{{3, 1}}, ints([]int64{2, 1, 4})),
		node("expand_smaller_shape", 8, "Expand", [][]int{{2, 3, 1}}, ints([]int64{5})),
		node("tile", 13, "Tile", [][]int{{2, 3, 2}}, ints([]int64{2, 1, 3})),
		one("depthtospace_dcr", 13, "DepthToSpace", []int{1, 8, 3, 2}, onnx.AttrInt("blocksize", 2)),
		one("depthtospace_crd", 11, "DepthToSpace", []int{2, 8, 2, 3}, onnx.AttrInt("blocksize", 2), onnx.AttrString("mode", "CRD")),
		one("spacetodepth", 13, "SpaceToDepth", []int{1, 2, 6, 4}, onnx.AttrInt("blocksize", 2)),
		node("pad_constant", 13, "Pad", [][]int{img}, func(b *onnx.ModelBuilder) []string {
			b.InitializerInts("p", []int{8}, []int64{0, 1, 2, 0, 0, 0, 1, 3})
			b.Initializer("v", &core.Tensor{Shape: []int{}, Data: []float32{0.5}})
			return []string{"p", "v"}
		}),
		node("pad_negative_crop", 13, "Pad", [][]int{img}, ints([]int64{0, -1, 1, -1, 0, 0, -2, 2})),
		node("pad_reflect", 13, "Pad", [][]int{img}, ints([]int64{0, 0, 2, 3, 0, 0, 4, 1}), onnx.AttrString("mode", "reflect")),
		node("pad_edge", 11, "Pad", [][]int{img}, ints([]int64{0, 2, 1, 1, 0, 1, 3, 2}), onnx.AttrString("mode", "edge")),
		node("pad_wrap", 19, "Pad", [][]int{img}, ints([]int64{0, 0, 2, 1, 0, 0, 1, 3}), onnx.AttrString("mode", "wrap")),
		node("pad_axes", 18, "Pad", [][]int{img}, ints([]int64{1, 2, 3, 0}, nil, []int64{-1, 2})),
		one("pad_opset2_attrs", 7, "Pad", img, onnx.AttrInts("pads", 0, 0, 1, 1, 0, 0, 1, 1), onnx.AttrFloat("value", -1)),
	)
	for _, to := range []int64{onnx.TypeFloat16, onnx.TypeBfloat16, onnx.TypeInt8, onnx.TypeUint8, onnx.TypeInt32, onnx.TypeBool} {
		add(confCase{name: fmt.Sprintf("cast_type%d_and_back", to), opset: 13, ops: []string{"Cast"}, inputs: []confInput{{"x", img}}, build: func(b *onnx.ModelBuilder) {
			b.Initializer("k", &core.Tensor{Shape: []int{}, Data: []float32{60}})
			b.Node("Mul", "m", []string{"x", "k"}, []string{"big"}) // beyond int8 and uint8, both signs
			b.Node("Cast", "c", []string{"big"}, []string{"c"}, onnx.AttrInt("to", to))
			b.Node("Cast", "f", []string{"c"}, []string{"y"}, onnx.AttrInt("to", onnx.TypeFloat))
			b.Output("y", nil)
		}})
	}
	for _, c := range []struct {
		name  string
		opset int64
		split []int64
		outs  int
		attrs []onnx.Attr
	}{
		{"split_equal", 13, nil, 3, []onnx.Attr{onnx.AttrInt("axis", 1)}},
		{"split_sizes_input", 13, []int64{1, 4, 1}, 3, []onnx.Attr{onnx.AttrInt("axis", 1)}},
		{"split_attr", 11, nil, 2, []onnx.Attr{onnx.AttrInt("axis", -1), onnx.AttrInts("split", 1, 3)}},
		{"split_num_outputs_uneven", 18, nil, 2, []onnx.Attr{onnx.AttrInt("axis", 2), onnx.AttrInt("num_outputs", 2)}},
	} {
		c := c
		add(confCase{name: c.name, opset: c.opset, ops: []string{"Split" + attrList(c.attrs)}, inputs: []confInput{{"x", img}}, build: func(b *onnx.ModelBuilder) {
			ins := []string{"x"}
			if c.split != nil {
				b.InitializerInts("split", []int{len(c.split)}, c.split)
				ins = append(ins, "split")
			}
			var outs []string
			for i := 0; i < c.outs; i++ {
				outs = append(outs, fmt.Sprintf("y%d", i))
			}
			b.Node("Split", "s", ins, outs, c.attrs...)
			for _, o := range outs {
				b.Output(o, nil)
			}
		}})
	}
	add(
		confCase{name: "shufflenet_channel_shuffle", opset: 13, ops: []string{"Reshape", "Transpose", "Split", "Concat"}, inputs: []confInput{{"x", []int{1, 8, 3, 3}}}, build: func(b *onnx.ModelBuilder) {
			b.InitializerInts("split", []int{2}, []int64{4, 4})
			b.Node("Split", "s", []string{"x", "split"}, []string{"a", "b"}, onnx.AttrInt("axis", 1))
			b.Node("Relu", "r", []string{"b"}, []string{"br"})
			b.Node("Concat", "c", []string{"a", "br"}, []string{"c"}, onnx.AttrInt("axis", 1))
			b.InitializerInts("s5", []int{5}, []int64{1, 2, 4, 3, 3})
			b.Node("Reshape", "r1", []string{"c", "s5"}, []string{"r1"})
			b.Node("Transpose", "t", []string{"r1"}, []string{"t"}, onnx.AttrInts("perm", 0, 2, 1, 3, 4))
			b.InitializerInts("s4", []int{4}, []int64{1, -1, 3, 3})
			b.Node("Reshape", "r2", []string{"t", "s4"}, []string{"y"})
			b.Output("y", nil)
		}},
		confCase{name: "dynamic_shape_subgraph", opset: 13, ops: []string{"Shape", "Gather", "ConstantOfShape", "Range", "Size", "Equal", "Where", "Expand", "Unsqueeze"}, inputs: []confInput{{"x", []int{2, 3, 4}}}, build: func(b *onnx.ModelBuilder) {
			// torch.onnx's expand_as: shape arithmetic folded while planning.
			b.Node("Shape", "s", []string{"x"}, []string{"s"})
			b.Node("Size", "n", []string{"x"}, []string{"n"})
			b.InitializerInts("i2", []int{}, []int64{2})
			b.Node("Gather", "g", []string{"s", "i2"}, []string{"w"}, onnx.AttrInt("axis", 0))
			b.InitializerInts("zero", []int{}, []int64{0})
			b.InitializerInts("one", []int{}, []int64{1})
			b.Node("Range", "rg", []string{"zero", "w", "one"}, []string{"rg"})
			b.Node("ConstantOfShape", "cos", []string{"s"}, []string{"ones"}, onnx.AttrTensor("value", &core.Tensor{Shape: []int{1}, Data: []float32{1}}))
			b.Node("Equal", "eq", []string{"s", "s"}, []string{"eq"})
			b.InitializerInts("m1", []int{3}, []int64{-1, -1, -1})
			b.Node("Where", "wh", []string{"eq", "m1", "s"}, []string{"sel"})
			b.Node("Cast", "cf", []string{"rg"}, []string{"rgf"}, onnx.AttrInt("to", onnx.TypeFloat))
			b.Node("Cast", "cn", []string{"n"}, []string{"nf"}, onnx.AttrInt("to", onnx.TypeFloat))
			b.Node("Mul", "m", []string{"ones", "rgf"}, []string{"ramp"})
			b.Node("Add", "a", []string{"x", "ramp"}, []string{"a"})
			b.Node("Div", "d", []string{"a", "nf"}, []string{"dv"})
			b.Node("Neg", "ng", []string{"sel"}, []string{"pos"})
			b.Node("Expand", "e", []string{"dv", "s"}, []string{"y"})
			b.Output("y", nil)
		}},
	)
	return cs
}
