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
		c.inputs = append(c.inputs, confInput{name: n, shape: s})
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
	add(confCase{name: "not_and_or_where", opset: 13, ops: []string{"Not", "And", "Or", "Where"}, inputs: []confInput{{name: "x0", shape: img}}, build: func(b *onnx.ModelBuilder) {
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
		add(confCase{name: fmt.Sprintf("cast_type%d_and_back", to), opset: 13, ops: []string{"Cast"}, inputs: []confInput{{name: "x", shape: img}}, build: func(b *onnx.ModelBuilder) {
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
		add(confCase{name: c.name, opset: c.opset, ops: []string{"Split" + attrList(c.attrs)}, inputs: []confInput{{name: "x", shape: img}}, build: func(b *onnx.ModelBuilder) {
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
		confCase{name: "shufflenet_channel_shuffle", opset: 13, ops: []string{"Reshape", "Transpose", "Split", "Concat"}, inputs: []confInput{{name: "x", shape: []int{1, 8, 3, 3}}}, build: func(b *onnx.ModelBuilder) {
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
		confCase{name: "dynamic_shape_subgraph", opset: 13, ops: []string{"Shape", "Gather", "ConstantOfShape", "Range", "Size", "Equal", "Where", "Expand", "Unsqueeze"}, inputs: []confInput{{name: "x", shape: []int{2, 3, 4}}}, build: func(b *onnx.ModelBuilder) {
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

// resizeCases cover Resize's modes and coordinate transformations and
// Upsample.
func resizeCases() []confCase {
	img := []int{1, 2, 5, 4}
	scales := func(s ...float32) func(b *onnx.ModelBuilder) []string {
		return func(b *onnx.ModelBuilder) []string {
			b.Initializer("scales", &core.Tensor{Shape: []int{len(s)}, Data: s})
			return []string{"", "scales"}
		}
	}
	sizes := func(s ...int64) func(b *onnx.ModelBuilder) []string {
		return func(b *onnx.ModelBuilder) []string {
			b.InitializerInts("sizes", []int{len(s)}, s)
			return []string{"", "", "sizes"}
		}
	}
	var cs []confCase
	for _, coord := range []string{"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric", "half_pixel_symmetric"} {
		for _, mode := range []string{"nearest", "linear"} {
			opset := int64(13)
			if coord == "half_pixel_symmetric" {
				opset = 19
			}
			attrs := []onnx.Attr{onnx.AttrString("mode", mode), onnx.AttrString("coordinate_transformation_mode", coord)}
			cs = append(cs,
				node("resize_up_"+mode+"_"+coord, opset, "Resize", [][]int{img}, scales(1, 1, 2.5, 1.75), attrs...),
				node("resize_down_"+mode+"_"+coord, opset, "Resize", [][]int{img}, sizes(1, 2, 3, 3), attrs...),
			)
		}
	}
	for _, nm := range []string{"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"} {
		cs = append(cs, node("resize_nearest_"+nm, 11, "Resize", [][]int{img}, func(b *onnx.ModelBuilder) []string {
			b.Initializer("roi", &core.Tensor{Shape: []int{0}, Data: []float32{}})
			b.Initializer("scales", &core.Tensor{Shape: []int{4}, Data: []float32{1, 1, 1.5, 3}})
			return []string{"roi", "scales"}
		}, onnx.AttrString("mode", "nearest"), onnx.AttrString("nearest_mode", nm), onnx.AttrString("coordinate_transformation_mode", "asymmetric")))
	}
	cs = append(cs,
		node("resize_tf_crop_and_resize", 13, "Resize", [][]int{img}, func(b *onnx.ModelBuilder) []string {
			b.Initializer("roi", &core.Tensor{Shape: []int{8}, Data: []float32{0, 0, -0.2, 0.1, 1, 1, 0.8, 1.3}})
			b.InitializerInts("sizes", []int{4}, []int64{1, 2, 6, 5})
			return []string{"roi", "", "sizes"}
		}, onnx.AttrString("mode", "linear"), onnx.AttrString("coordinate_transformation_mode", "tf_crop_and_resize"), onnx.AttrFloat("extrapolation_value", -3)),
		node("resize_opset10_nearest", 10, "Resize", [][]int{img}, func(b *onnx.ModelBuilder) []string {
			b.Initializer("scales", &core.Tensor{Shape: []int{4}, Data: []float32{1, 1, 0.6, 2}})
			return []string{"scales"}
		}),
		node("resize_opset10_linear", 10, "Resize", [][]int{img}, func(b *onnx.ModelBuilder) []string {
			b.Initializer("scales", &core.Tensor{Shape: []int{4}, Data: []float32{1, 1, 2, 2}})
			return []string{"scales"}
		}, onnx.AttrString("mode", "linear")),
		node("resize_axes_not_larger", 18, "Resize", [][]int{img}, func(b *onnx.ModelBuilder) []string {
			b.InitializerInts("sizes", []int{2}, []int64{8, 9})
			return []string{"", "", "sizes"}
		}, onnx.AttrInts("axes", 2, 3), onnx.AttrString("keep_aspect_ratio_policy", "not_larger")),
		node("resize_axes_scales", 18, "Resize", [][]int{img}, func(b *onnx.ModelBuilder) []string {
			b.Initializer("scales", &core.Tensor{Shape: []int{2}, Data: []float32{2, 3}})
			return []string{"", "scales"}
		}, onnx.AttrInts("axes", 3, 2), onnx.AttrString("mode", "linear")),
		one("upsample_opset7_nearest", 7, "Upsample", img, onnx.AttrFloats("scales", 1, 1, 2, 3)),
		node("upsample_opset9_linear", 9, "Upsample", [][]int{img}, func(b *onnx.ModelBuilder) []string {
			b.Initializer("scales", &core.Tensor{Shape: []int{4}, Data: []float32{1, 1, 2, 2}})
			return []string{"scales"}
		}, onnx.AttrString("mode", "linear")),
	)
	return cs
}

// poolConvCases cover 1-D and 3-D pooling, MaxPool's indices, 1-D
// convolution and ConvTranspose.
func poolConvCases() []confCase {
	seq := []int{2, 3, 11}
	vol := []int{1, 2, 5, 6, 4}
	img := []int{1, 4, 5, 6}
	cs := []confCase{
		one("maxpool_1d", 13, "MaxPool", seq, onnx.AttrInts("kernel_shape", 3), onnx.AttrInts("strides", 2), onnx.AttrInts("pads", 1, 1)),
		one("avgpool_1d_ceil", 13, "AveragePool", seq, onnx.AttrInts("kernel_shape", 2), onnx.AttrInts("strides", 2), onnx.AttrInt("ceil_mode", 1)),
		one("maxpool_3d", 13, "MaxPool", vol, onnx.AttrInts("kernel_shape", 2, 3, 2), onnx.AttrInts("strides", 2, 2, 1), onnx.AttrInts("pads", 0, 1, 0, 1, 1, 1)),
		one("avgpool_3d_include_pad", 13, "AveragePool", vol, onnx.AttrInts("kernel_shape", 3, 3, 3), onnx.AttrInts("pads", 1, 1, 1, 1, 1, 1), onnx.AttrInt("count_include_pad", 1)),
		one("avgpool_3d_same_upper_ceil", 19, "AveragePool", vol, onnx.AttrInts("kernel_shape", 2, 2, 3), onnx.AttrInts("strides", 2, 3, 2), onnx.AttrString("auto_pad", "SAME_UPPER")),
		one("globalavgpool_3d", 13, "GlobalAveragePool", vol),
		one("avgpool_3d_dilations_ceil_include_pad", 19, "AveragePool", []int{1, 1, 14, 14, 14}, onnx.AttrInts("kernel_shape", 5, 5, 5), onnx.AttrInts("strides", 3, 3, 3), onnx.AttrInts("dilations", 2, 2, 2), onnx.AttrInt("ceil_mode", 1), onnx.AttrInt("count_include_pad", 1)),
		one("avgpool_2d_dilations_ceil_include_pad", 19, "AveragePool", []int{1, 2, 14, 14}, onnx.AttrInts("kernel_shape", 5, 5), onnx.AttrInts("strides", 3, 3), onnx.AttrInts("dilations", 2, 2), onnx.AttrInt("ceil_mode", 1), onnx.AttrInt("count_include_pad", 1)),
		withInits("conv_1d", 13, "Conv", seq, [][]int{{4, 3, 3}, {4}}, onnx.AttrInts("pads", 1, 2), onnx.AttrInts("strides", 2)),
		withInits("conv_1d_dilated_group", 13, "Conv", []int{1, 4, 12}, [][]int{{6, 2, 3}}, onnx.AttrInts("dilations", 2), onnx.AttrInt("group", 2)),
		withInits("convtranspose_basic", 13, "ConvTranspose", img, [][]int{{4, 3, 3, 3}, {3}}),
		withInits("convtranspose_stride2_pads", 11, "ConvTranspose", img, [][]int{{4, 2, 3, 3}, {2}}, onnx.AttrInts("strides", 2, 2), onnx.AttrInts("pads", 1, 1, 1, 1), onnx.AttrInts("output_padding", 1, 1)),
		withInits("convtranspose_group_dilation", 13, "ConvTranspose", img, [][]int{{4, 3, 2, 2}}, onnx.AttrInt("group", 2), onnx.AttrInts("dilations", 2, 1), onnx.AttrInts("strides", 1, 2)),
		withInits("convtranspose_output_shape", 13, "ConvTranspose", img, [][]int{{4, 2, 3, 3}}, onnx.AttrInts("strides", 2, 2), onnx.AttrInts("output_shape", 10, 12)),
		withInits("convtranspose_same_upper", 13, "ConvTranspose", img, [][]int{{4, 2, 3, 3}}, onnx.AttrInts("strides", 2, 2), onnx.AttrString("auto_pad", "SAME_UPPER")),
		withInits("convtranspose_same_lower", 13, "ConvTranspose", img, [][]int{{4, 2, 4, 4}}, onnx.AttrInts("strides", 2, 2), onnx.AttrString("auto_pad", "SAME_LOWER")),
		withInits("convtranspose_1x1", 22, "ConvTranspose", img, [][]int{{4, 5, 1, 1}, {5}}),
		withInits("convtranspose_1d", 13, "ConvTranspose", seq, [][]int{{3, 2, 4}, {2}}, onnx.AttrInts("strides", 3)),
	}
	for _, order := range []int64{0, 1} {
		cs = append(cs, confCase{name: fmt.Sprintf("maxpool_indices_order%d", order), opset: 12, ops: []string{"MaxPool(Indices)"}, inputs: []confInput{{name: "x", shape: img}}, build: func(b *onnx.ModelBuilder) {
			b.Node("MaxPool", "p", []string{"x"}, []string{"y", "i"}, onnx.AttrInts("kernel_shape", 2, 3), onnx.AttrInts("pads", 1, 0, 0, 1), onnx.AttrInt("storage_order", order))
			b.Node("Cast", "c", []string{"i"}, []string{"fi"}, onnx.AttrInt("to", onnx.TypeFloat))
			b.Output("y", nil)
			b.Output("fi", nil)
		}})
	}
	cs = append(cs, confCase{name: "maxpool_unused_indices", opset: 13, ops: []string{"MaxPool(Indices unused)"}, inputs: []confInput{{name: "x", shape: img}}, build: func(b *onnx.ModelBuilder) {
		b.Node("MaxPool", "p", []string{"x"}, []string{"y", "unused"}, onnx.AttrInts("kernel_shape", 2, 2))
		b.Output("y", nil)
	}})
	return cs
}

// reduceNormCases cover reductions, ArgMax/ArgMin and normalisations.
func reduceNormCases() []confCase {
	img := []int{2, 4, 3, 5}
	var cs []confCase
	for _, op := range []string{"ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceSumSquare", "ReduceLogSumExp"} {
		cs = append(cs,
			one(op+"_opset11_axes", 11, op, img, onnx.AttrInts("axes", 2, -1)),
			one(op+"_all_nokeep", 13, op, []int{2, 3, 2}, onnx.AttrInt("keepdims", 0)),
		)
	}
	cs = append(cs,
		node("ReduceSum_axes_input", 13, "ReduceSum", [][]int{img}, ints([]int64{1})),
		node("ReduceMean_axes_input_opset18", 18, "ReduceMean", [][]int{img}, ints([]int64{-1, -2}), onnx.AttrInt("keepdims", 0)),
		node("ReduceMax_noop_empty_axes", 18, "ReduceMax", [][]int{img}, nil, onnx.AttrInt("noop_with_empty_axes", 1)),
		one("ReduceLogSum_pos", 13, "ReduceLogSum", []int{2, 3}), // negative inputs give NaN in both
		one("lrn", 13, "LRN", []int{1, 7, 3, 3}, onnx.AttrInt("size", 3), onnx.AttrFloat("alpha", 0.01), onnx.AttrFloat("beta", 0.75), onnx.AttrFloat("bias", 2)),
		one("lrn_defaults", 13, "LRN", []int{2, 6, 2, 2}, onnx.AttrInt("size", 5)),
		withInits("instancenorm", 13, "InstanceNormalization", img, [][]int{{4}, {4}}, onnx.AttrFloat("epsilon", 1e-3)),
		withInits("layernorm_last_axis", 17, "LayerNormalization", img, [][]int{{5}, {5}}),
		withInits("layernorm_axis1_no_bias", 17, "LayerNormalization", img, [][]int{{4, 3, 5}}, onnx.AttrInt("axis", 1)),
		withInits("groupnorm_opset21", 21, "GroupNormalization", img, [][]int{{4}, {4}}, onnx.AttrInt("num_groups", 2)),
	)
	for _, c := range []struct {
		name, op string
		attrs    []onnx.Attr
	}{
		{"argmax", "ArgMax", []onnx.Attr{onnx.AttrInt("axis", 1)}},
		{"argmin_last_nokeep", "ArgMin", []onnx.Attr{onnx.AttrInt("axis", -1), onnx.AttrInt("keepdims", 0), onnx.AttrInt("select_last_index", 1)}},
	} {
		cs = append(cs, confCase{name: c.name, opset: 13, ops: []string{c.op + attrList(c.attrs)}, inputs: []confInput{{name: "x", shape: img}}, build: func(b *onnx.ModelBuilder) {
			b.Node("Round", "r", []string{"x"}, []string{"xr"}) // ties, for select_last_index
			b.Node(c.op, "n", []string{"xr"}, []string{"i"}, c.attrs...)
			b.Node("Cast", "c", []string{"i"}, []string{"y"}, onnx.AttrInt("to", onnx.TypeFloat))
			b.Output("y", nil)
		}})
	}
	return cs
}

// dropoutMaskCases declare Dropout's mask, used and unused.
func dropoutMaskCases() []confCase {
	return []confCase{
		{name: "dropout_mask_output", opset: 13, ops: []string{"Dropout(mask)"}, inputs: []confInput{{name: "x", shape: []int{2, 3}}}, build: func(b *onnx.ModelBuilder) {
			b.Node("Dropout", "d", []string{"x"}, []string{"y", "mask"})
			b.Node("Cast", "c", []string{"mask"}, []string{"m"}, onnx.AttrInt("to", onnx.TypeFloat))
			b.Output("y", nil)
			b.Output("m", nil)
		}},
		{name: "dropout_unused_mask_opset7", opset: 7, ops: []string{"Dropout(unused mask)"}, inputs: []confInput{{name: "x", shape: []int{2, 3}}}, build: func(b *onnx.ModelBuilder) {
			b.Node("Dropout", "d", []string{"x"}, []string{"y", "mask"}, onnx.AttrFloat("ratio", 0.5))
			b.Output("y", nil)
		}},
	}
}
