package onnx_test

import (
	"fmt"
	"strings"

	"wasmcnn/core/nn"

	"wasmcnn/core"
	"wasmcnn/core/onnx"
)

// A conformance case is an ONNX model built here, run in wasmcnn and in
// onnxruntime (the reference implementation) on the same inputs.
type confCase struct {
	name   string
	opset  int64
	ops    []string // the ops and attributes it covers, for the coverage table
	inputs []confInput
	build  func(b *onnx.ModelBuilder)
	raw    []byte // a whole model, instead of build
	// optimize runs onnxruntime with every graph optimisation, as a
	// session does by default: for QDQ models, which it fuses into
	// integer kernels.
	optimize bool
	// offBy, when set, is how far a quantized output may be from
	// onnxruntime's (in steps of its integers), and on what fraction of
	// the values at most; the case explains why.
	offBy struct {
		steps, fraction float64
	}
}

type confInput struct {
	name  string
	shape []int
	typ   string // an ONNX Runtime integer type ("uint8", "int8"), or "" for float32
}

// Agreement required with onnxruntime: |got − want| ≤ confAbs + confRel·|want|.
const (
	confRel = 1e-4
	confAbs = 1e-5
)

// model encodes the case's model: the inputs declared, then what build adds.
func (c confCase) model() []byte {
	if c.raw != nil {
		return c.raw
	}
	b := onnx.NewModelBuilder(c.opset)
	for _, in := range c.inputs {
		switch in.typ {
		case "uint8":
			b.InputTyped(in.name, onnx.TypeUint8, in.shape)
		case "int8":
			b.InputTyped(in.name, onnx.TypeInt8, in.shape)
		default:
			b.Input(in.name, in.shape)
		}
	}
	c.build(b)
	return b.Bytes()
}

// one returns a case whose single input x feeds node op, output y.
func one(name string, opset int64, op string, shape []int, attrs ...onnx.Attr) confCase {
	return confCase{name: name, opset: opset, ops: []string{op + attrList(attrs)}, inputs: []confInput{{name: "x", shape: shape}}, build: func(b *onnx.ModelBuilder) {
		b.Node(op, "n", []string{"x"}, []string{"y"}, attrs...)
		b.Output("y", nil)
	}}
}

// withInits returns a case with input x and float initializers named w0, w1… of the given shapes.
func withInits(name string, opset int64, op string, shape []int, inits [][]int, attrs ...onnx.Attr) confCase {
	return confCase{name: name, opset: opset, ops: []string{op + attrList(attrs)}, inputs: []confInput{{name: "x", shape: shape}}, build: func(b *onnx.ModelBuilder) {
		ins := []string{"x"}
		for i, s := range inits {
			if s == nil {
				ins = append(ins, "")
				continue
			}
			n := fmt.Sprintf("w%d", i)
			b.Initializer(n, onnx.RandInput(uint64(100+i), s...))
			ins = append(ins, n)
		}
		b.Node(op, "n", ins, []string{"y"}, attrs...)
		b.Output("y", nil)
	}}
}

func attrList(attrs []onnx.Attr) string {
	if len(attrs) == 0 {
		return ""
	}
	names := make([]string, len(attrs))
	for i, a := range attrs {
		names[i] = a.Name
	}
	return "(" + strings.Join(names, ",") + ")"
}

func conformanceCases() []confCase {
	img := []int{2, 3, 9, 8}
	var cs []confCase
	add := func(c ...confCase) { cs = append(cs, c...) }

	// Convolution: padding forms, stride, dilation, groups, 1×1, no bias, kernel_shape left out.
	add(
		withInits("conv_valid", 13, "Conv", img, [][]int{{4, 3, 3, 3}, {4}}, onnx.AttrInts("kernel_shape", 3, 3)),
		withInits("conv_no_kernel_shape", 13, "Conv", img, [][]int{{4, 3, 3, 3}, {4}}),
		withInits("conv_no_bias", 11, "Conv", img, [][]int{{4, 3, 3, 3}}),
		withInits("conv_pads_same", 13, "Conv", img, [][]int{{4, 3, 3, 3}, {4}}, onnx.AttrInts("pads", 1, 1, 1, 1)),
		withInits("conv_pads_asymmetric", 13, "Conv", img, [][]int{{4, 3, 3, 3}, {4}}, onnx.AttrInts("pads", 0, 2, 1, 0)),
		withInits("conv_pads_wider_than_kernel", 13, "Conv", img, [][]int{{2, 3, 2, 2}, {2}}, onnx.AttrInts("pads", 3, 2, 4, 3)),
		withInits("conv_same_upper_stride2", 13, "Conv", img, [][]int{{4, 3, 3, 3}, {4}}, onnx.AttrString("auto_pad", "SAME_UPPER"), onnx.AttrInts("strides", 2, 2)),
		withInits("conv_same_lower_even_kernel", 13, "Conv", img, [][]int{{4, 3, 2, 2}, {4}}, onnx.AttrString("auto_pad", "SAME_LOWER")),
		withInits("conv_same_upper_even_kernel", 11, "Conv", img, [][]int{{4, 3, 4, 4}, {4}}, onnx.AttrString("auto_pad", "SAME_UPPER")),
		withInits("conv_valid_autopad", 7, "Conv", img, [][]int{{4, 3, 3, 3}, {4}}, onnx.AttrString("auto_pad", "VALID"), onnx.AttrInts("strides", 2, 1)),
		withInits("conv_dilated", 13, "Conv", img, [][]int{{4, 3, 3, 3}, {4}}, onnx.AttrInts("dilations", 2, 2), onnx.AttrInts("pads", 1, 2, 1, 2)),
		withInits("conv_stride3_5x5", 21, "Conv", []int{1, 3, 16, 17}, [][]int{{5, 3, 5, 5}, {5}}, onnx.AttrInts("strides", 3, 3)),
		withInits("conv_group2", 13, "Conv", []int{2, 4, 7, 7}, [][]int{{6, 2, 3, 3}, {6}}, onnx.AttrInt("group", 2)),
		withInits("conv_depthwise", 13, "Conv", img, [][]int{{3, 1, 3, 3}, {3}}, onnx.AttrInt("group", 3), onnx.AttrInts("pads", 1, 1, 1, 1)),
		withInits("conv_depthwise_multiplier", 17, "Conv", img, [][]int{{6, 1, 3, 3}, {6}}, onnx.AttrInt("group", 3)),
		withInits("conv_1x1", 13, "Conv", img, [][]int{{5, 3, 1, 1}, {5}}),
		withInits("conv_1x1_stride2", 13, "Conv", img, [][]int{{5, 3, 1, 1}, {5}}, onnx.AttrInts("strides", 2, 2)),
	)
	// Pooling.
	add(
		one("maxpool_2x2", 13, "MaxPool", img, onnx.AttrInts("kernel_shape", 2, 2), onnx.AttrInts("strides", 2, 2)),
		one("maxpool_3x3_s3", 7, "MaxPool", []int{1, 2, 28, 28}, onnx.AttrInts("kernel_shape", 3, 3), onnx.AttrInts("strides", 3, 3)),
		one("maxpool_ceil", 13, "MaxPool", img, onnx.AttrInts("kernel_shape", 2, 2), onnx.AttrInts("strides", 2, 2), onnx.AttrInt("ceil_mode", 1)),
		one("maxpool_pads", 13, "MaxPool", img, onnx.AttrInts("kernel_shape", 3, 3), onnx.AttrInts("strides", 2, 2), onnx.AttrInts("pads", 1, 1, 1, 1)),
		one("maxpool_dilations", 12, "MaxPool", img, onnx.AttrInts("kernel_shape", 2, 2), onnx.AttrInts("dilations", 2, 2)),
		one("maxpool_same_upper", 13, "MaxPool", img, onnx.AttrInts("kernel_shape", 3, 3), onnx.AttrInts("strides", 2, 2), onnx.AttrString("auto_pad", "SAME_UPPER")),
		one("maxpool_stride1", 21, "MaxPool", img, onnx.AttrInts("kernel_shape", 2, 3)),
		one("avgpool_2x2", 13, "AveragePool", img, onnx.AttrInts("kernel_shape", 2, 2), onnx.AttrInts("strides", 2, 2)),
		one("avgpool_pads_exclude", 13, "AveragePool", img, onnx.AttrInts("kernel_shape", 3, 3), onnx.AttrInts("pads", 1, 1, 1, 1)),
		one("avgpool_pads_include", 13, "AveragePool", img, onnx.AttrInts("kernel_shape", 3, 3), onnx.AttrInts("pads", 1, 1, 1, 1), onnx.AttrInt("count_include_pad", 1)),
		one("avgpool_ceil", 11, "AveragePool", img, onnx.AttrInts("kernel_shape", 2, 2), onnx.AttrInts("strides", 2, 2), onnx.AttrInt("ceil_mode", 1)),
		one("avgpool_ceil_include_pad", 13, "AveragePool", img, onnx.AttrInts("kernel_shape", 3, 3), onnx.AttrInts("strides", 2, 2), onnx.AttrInts("pads", 1, 1, 1, 1), onnx.AttrInt("ceil_mode", 1), onnx.AttrInt("count_include_pad", 1)),
		one("maxpool_ceil_pads_last_window", 13, "MaxPool", []int{1, 1, 5, 5}, onnx.AttrInts("kernel_shape", 2, 2), onnx.AttrInts("strides", 2, 2), onnx.AttrInts("pads", 1, 1, 1, 1), onnx.AttrInt("ceil_mode", 1)),
		one("avgpool_same_upper", 13, "AveragePool", img, onnx.AttrInts("kernel_shape", 3, 3), onnx.AttrInts("strides", 2, 2), onnx.AttrString("auto_pad", "SAME_UPPER")),
		one("avgpool_dilations", 19, "AveragePool", img, onnx.AttrInts("kernel_shape", 2, 2), onnx.AttrInts("dilations", 2, 2)),
		one("globalavgpool", 13, "GlobalAveragePool", img),
		one("globalmaxpool", 13, "GlobalMaxPool", img),
	)
	// Dense products.
	mat := []int{4, 6}
	add(
		withInits("gemm_plain", 13, "Gemm", mat, [][]int{{6, 5}, {5}}),
		withInits("gemm_transB", 13, "Gemm", mat, [][]int{{5, 6}, {5}}, onnx.AttrInt("transB", 1)),
		withInits("gemm_transA", 11, "Gemm", []int{6, 4}, [][]int{{6, 5}, {4, 5}}, onnx.AttrInt("transA", 1)),
		withInits("gemm_alpha_beta", 13, "Gemm", mat, [][]int{{5, 6}, {1}}, onnx.AttrInt("transB", 1), onnx.AttrFloat("alpha", 0.5), onnx.AttrFloat("beta", -2)),
		withInits("gemm_no_c", 13, "Gemm", mat, [][]int{{6, 5}}),
		withInits("gemm_opset7_c_required", 7, "Gemm", mat, [][]int{{6, 5}, {4, 5}}),
		withInits("matmul_2d", 13, "MatMul", mat, [][]int{{6, 3}}),
		withInits("matmul_batched", 13, "MatMul", []int{2, 3, 4, 6}, [][]int{{6, 5}}),
		withInits("matmul_vector", 9, "MatMul", []int{6}, [][]int{{6, 2}}),
	)
	// Element-wise with broadcasting, activations.
	for _, op := range []string{"Add", "Sub", "Mul", "Div"} {
		add(withInits(strings.ToLower(op)+"_channel_bias", 13, op, img, [][]int{{3, 1, 1}}),
			withInits(strings.ToLower(op)+"_same_shape", 7, op, img, [][]int{img}),
			withInits(strings.ToLower(op)+"_scalar", 14, op, img, [][]int{{}}))
	}
	add(
		one("relu", 13, "Relu", img), one("relu_opset7", 7, "Relu", img),
		one("leakyrelu", 13, "LeakyRelu", img, onnx.AttrFloat("alpha", 0.2)), one("leakyrelu_default", 16, "LeakyRelu", img),
		one("sigmoid", 13, "Sigmoid", img), one("tanh", 13, "Tanh", img),
		one("softmax_opset11_default_axis", 11, "Softmax", img),
		one("softmax_opset11_axis2", 11, "Softmax", img, onnx.AttrInt("axis", 2)),
		one("softmax_opset13_default_axis", 13, "Softmax", img),
		one("softmax_opset13_axis1", 13, "Softmax", img, onnx.AttrInt("axis", 1)),
		one("logsoftmax_opset9", 9, "LogSoftmax", []int{4, 10}),
		one("logsoftmax_opset13_axis_neg2", 13, "LogSoftmax", img, onnx.AttrInt("axis", -2)),
		one("clip_opset7_attrs", 7, "Clip", img, onnx.AttrFloat("min", 0.1), onnx.AttrFloat("max", 0.7)),
	)
	add(confCase{name: "clip_opset13_inputs", opset: 13, ops: []string{"Clip(min,max inputs)"}, inputs: []confInput{{name: "x", shape: img}}, build: func(b *onnx.ModelBuilder) {
		b.Initializer("lo", &core.Tensor{Shape: []int{}, Data: []float32{0.2}})
		b.Initializer("hi", &core.Tensor{Shape: []int{}, Data: []float32{0.6}})
		b.Node("Clip", "n", []string{"x", "lo", "hi"}, []string{"y"})
		b.Output("y", nil)
	}})
	bn := [][]int{{3}, {3}, {3}, {3}}
	add(
		withInits("batchnorm_opset7_spatial", 7, "BatchNormalization", img, bn, onnx.AttrInt("spatial", 1), onnx.AttrFloat("epsilon", 1e-3)),
		withInits("batchnorm_opset9", 9, "BatchNormalization", img, bn),
		withInits("batchnorm_opset15", 15, "BatchNormalization", img, bn, onnx.AttrFloat("epsilon", 0.01), onnx.AttrFloat("momentum", 0.5)),
	)
	// Shape manipulation.
	add(
		one("dropout_opset7", 7, "Dropout", img, onnx.AttrFloat("ratio", 0.3)),
		one("dropout_opset13", 13, "Dropout", img),
		one("identity", 13, "Identity", img),
		one("flatten_default", 13, "Flatten", img),
		one("flatten_axis0", 11, "Flatten", img, onnx.AttrInt("axis", 0)),
		one("flatten_axis_neg1", 13, "Flatten", img, onnx.AttrInt("axis", -1)),
		one("transpose_nchw_to_nhwc", 13, "Transpose", img, onnx.AttrInts("perm", 0, 2, 3, 1)),
		one("transpose_reverse", 13, "Transpose", img),
		one("squeeze_opset11_attr", 11, "Squeeze", []int{2, 1, 3, 1}, onnx.AttrInts("axes", 1)),
		one("squeeze_all", 13, "Squeeze", []int{2, 1, 3, 1}),
		one("unsqueeze_opset11_attr", 11, "Unsqueeze", img, onnx.AttrInts("axes", 0, 5)),
	)
	add(
		confCase{name: "squeeze_unsqueeze_opset13_inputs", opset: 13, ops: []string{"Squeeze(axes input)", "Unsqueeze(axes input)"}, inputs: []confInput{{name: "x", shape: img}}, build: func(b *onnx.ModelBuilder) {
			b.InitializerInts("ax", []int{2}, []int64{1, -1})
			b.Node("Unsqueeze", "u", []string{"x", "ax"}, []string{"u"})
			b.Node("Squeeze", "s", []string{"u", "ax"}, []string{"y"})
			b.Output("y", nil)
		}},
		confCase{name: "reshape_zero_and_minus1", opset: 13, ops: []string{"Reshape"}, inputs: []confInput{{name: "x", shape: img}}, build: func(b *onnx.ModelBuilder) {
			b.InitializerInts("shape", []int{3}, []int64{0, -1, 4})
			b.Node("Reshape", "r", []string{"x", "shape"}, []string{"y"})
			b.Output("y", nil)
		}},
		confCase{name: "reshape_allowzero", opset: 14, ops: []string{"Reshape(allowzero)"}, inputs: []confInput{{name: "x", shape: img}}, build: func(b *onnx.ModelBuilder) {
			b.InitializerInts("shape", []int{2}, []int64{6, -1})
			b.Node("Reshape", "r", []string{"x", "shape"}, []string{"y"}, onnx.AttrInt("allowzero", 1))
			b.Output("y", nil)
		}},
		confCase{name: "concat_runtime_and_const", opset: 13, ops: []string{"Concat"}, inputs: []confInput{{name: "x", shape: img}}, build: func(b *onnx.ModelBuilder) {
			b.Initializer("c", onnx.RandInput(200, 2, 2, 9, 8))
			b.Node("Concat", "c", []string{"x", "c", "x"}, []string{"y"}, onnx.AttrInt("axis", 1))
			b.Output("y", nil)
		}},
		confCase{name: "gather_runtime", opset: 13, ops: []string{"Gather(axis)"}, inputs: []confInput{{name: "x", shape: img}}, build: func(b *onnx.ModelBuilder) {
			b.InitializerInts("idx", []int{2}, []int64{2, -3})
			b.Node("Gather", "g", []string{"x", "idx"}, []string{"y"}, onnx.AttrInt("axis", 1))
			b.Output("y", nil)
		}},
		confCase{name: "shape_start_end", opset: 15, ops: []string{"Shape(start,end)", "Cast", "Reshape"}, inputs: []confInput{{name: "x", shape: img}}, build: func(b *onnx.ModelBuilder) {
			b.Node("Shape", "s", []string{"x"}, []string{"s"}, onnx.AttrInt("start", 2))
			b.Node("Cast", "c", []string{"s"}, []string{"sf"}, onnx.AttrInt("to", onnx.ElemFloat))
			b.Node("Cast", "c2", []string{"sf"}, []string{"si"}, onnx.AttrInt("to", onnx.ElemInt64))
			b.InitializerInts("lead", []int{1}, []int64{-1})
			b.Node("Concat", "cc", []string{"lead", "si"}, []string{"shape"}, onnx.AttrInt("axis", 0))
			b.Node("Reshape", "r", []string{"x", "shape"}, []string{"y"})
			b.Output("y", nil)
		}},
		confCase{name: "constant_forms", opset: 13, ops: []string{"Constant(value,value_float,value_ints)"}, inputs: []confInput{{name: "x", shape: img}}, build: func(b *onnx.ModelBuilder) {
			b.Node("Constant", "k1", nil, []string{"k1"}, onnx.AttrTensor("value", onnx.RandInput(201, 3, 1, 1)))
			b.Node("Constant", "k2", nil, []string{"k2"}, onnx.AttrFloat("value_float", 0.25))
			b.Node("Constant", "k3", nil, []string{"k3"}, onnx.AttrInts("value_ints", 2, -1))
			b.Node("Add", "a", []string{"x", "k1"}, []string{"a"})
			b.Node("Mul", "m", []string{"a", "k2"}, []string{"m"})
			b.Node("Reshape", "r", []string{"m", "k3"}, []string{"y"})
			b.Output("y", nil)
		}},
	)
	add(exporterStyleCases()...)
	add(elementwiseCases()...)
	add(moveCases()...)
	add(resizeCases()...)
	add(poolConvCases()...)
	add(reduceNormCases()...)
	add(dropoutMaskCases()...)
	add(quantCases()...)
	return cs
}

// exporterStyleCases are whole MNIST-style CNNs written the way the common
// exporters write them.
func exporterStyleCases() []confCase {
	return []confCase{
		{name: "pytorch_style_cnn", opset: 11, ops: []string{"PyTorch-style CNN"}, inputs: []confInput{{name: "input", shape: []int{1, 1, 28, 28}}}, build: func(b *onnx.ModelBuilder) {
			b.Initializer("conv1.weight", onnx.RandInput(301, 8, 1, 3, 3))
			b.Initializer("conv1.bias", onnx.RandInput(302, 8))
			b.Initializer("conv2.weight", onnx.RandInput(303, 16, 8, 3, 3))
			b.Initializer("conv2.bias", onnx.RandInput(304, 16))
			b.Initializer("fc.weight", onnx.RandInput(305, 10, 16*7*7))
			b.Initializer("fc.bias", onnx.RandInput(306, 10))
			b.Node("Conv", "Conv_0", []string{"input", "conv1.weight", "conv1.bias"}, []string{"3"}, onnx.AttrInts("dilations", 1, 1), onnx.AttrInt("group", 1), onnx.AttrInts("kernel_shape", 3, 3), onnx.AttrInts("pads", 1, 1, 1, 1), onnx.AttrInts("strides", 1, 1))
			b.Node("Relu", "Relu_1", []string{"3"}, []string{"4"})
			b.Node("MaxPool", "MaxPool_2", []string{"4"}, []string{"5"}, onnx.AttrInt("ceil_mode", 0), onnx.AttrInts("kernel_shape", 2, 2), onnx.AttrInts("pads", 0, 0, 0, 0), onnx.AttrInts("strides", 2, 2))
			b.Node("Conv", "Conv_3", []string{"5", "conv2.weight", "conv2.bias"}, []string{"6"}, onnx.AttrInts("kernel_shape", 3, 3), onnx.AttrInts("pads", 1, 1, 1, 1))
			b.Node("Relu", "Relu_4", []string{"6"}, []string{"7"})
			b.Node("MaxPool", "MaxPool_5", []string{"7"}, []string{"8"}, onnx.AttrInts("kernel_shape", 2, 2), onnx.AttrInts("strides", 2, 2))
			b.Node("Shape", "Shape_6", []string{"8"}, []string{"9"})
			b.Node("Constant", "Constant_7", nil, []string{"10"}, onnx.AttrTensor("value", &core.Tensor{Shape: []int{}, Data: []float32{0}}))
			b.Node("Cast", "Cast_7b", []string{"10"}, []string{"10i"}, onnx.AttrInt("to", onnx.ElemInt64))
			b.Node("Gather", "Gather_8", []string{"9", "10i"}, []string{"11"}, onnx.AttrInt("axis", 0))
			b.Node("Unsqueeze", "Unsqueeze_9", []string{"11"}, []string{"12"}, onnx.AttrInts("axes", 0))
			b.InitializerInts("13", []int{1}, []int64{-1})
			b.Node("Concat", "Concat_10", []string{"12", "13"}, []string{"14"}, onnx.AttrInt("axis", 0))
			b.Node("Reshape", "Reshape_11", []string{"8", "14"}, []string{"15"})
			b.Node("Gemm", "Gemm_12", []string{"15", "fc.weight", "fc.bias"}, []string{"output"}, onnx.AttrFloat("alpha", 1), onnx.AttrFloat("beta", 1), onnx.AttrInt("transB", 1))
			b.Output("output", []int{1, 10})
		}},
		{name: "tf2onnx_style_cnn", opset: 13, ops: []string{"tf2onnx-style CNN (NHWC input)"}, inputs: []confInput{{name: "input_1", shape: []int{2, 28, 28, 1}}}, build: func(b *onnx.ModelBuilder) {
			b.Initializer("conv2d/kernel", onnx.RandInput(311, 6, 1, 5, 5))
			b.Initializer("conv2d/bias", onnx.RandInput(312, 6))
			b.Initializer("dense/kernel", onnx.RandInput(313, 6*14*14, 10))
			b.Initializer("dense/bias", onnx.RandInput(314, 10))
			b.InitializerInts("flat_shape", []int{2}, []int64{-1, 6 * 14 * 14})
			b.Node("Transpose", "model/conv2d/Conv2D__6", []string{"input_1"}, []string{"t0"}, onnx.AttrInts("perm", 0, 3, 1, 2))
			b.Node("Conv", "model/conv2d/Conv2D", []string{"t0", "conv2d/kernel", "conv2d/bias"}, []string{"c0"}, onnx.AttrString("auto_pad", "SAME_UPPER"), onnx.AttrInts("dilations", 1, 1), onnx.AttrInts("strides", 1, 1), onnx.AttrInts("kernel_shape", 5, 5))
			b.Node("Relu", "model/conv2d/Relu", []string{"c0"}, []string{"r0"})
			b.Node("MaxPool", "model/max_pooling2d/MaxPool", []string{"r0"}, []string{"p0"}, onnx.AttrInts("kernel_shape", 2, 2), onnx.AttrInts("strides", 2, 2), onnx.AttrString("auto_pad", "VALID"))
			b.Node("Transpose", "model/max_pooling2d/MaxPool__10", []string{"p0"}, []string{"t1"}, onnx.AttrInts("perm", 0, 2, 3, 1))
			b.Node("Reshape", "model/flatten/Reshape", []string{"t1", "flat_shape"}, []string{"f0"})
			b.Node("MatMul", "model/dense/MatMul", []string{"f0", "dense/kernel"}, []string{"m0"})
			b.Node("Add", "model/dense/BiasAdd", []string{"m0", "dense/bias"}, []string{"a0"})
			b.Node("Softmax", "model/dense/Softmax", []string{"a0"}, []string{"dense"}, onnx.AttrInt("axis", -1))
			b.Output("dense", []int{-1, 10})
		}},
		{name: "rgb_input_cnn", opset: 17, ops: []string{"3-channel CNN with BatchNorm and global pooling"}, inputs: []confInput{{name: "image", shape: []int{1, 3, 32, 32}}}, build: func(b *onnx.ModelBuilder) {
			b.Initializer("w1", onnx.RandInput(321, 8, 3, 3, 3))
			b.Initializer("w2", onnx.RandInput(322, 8, 1, 3, 3))
			for i, n := range []string{"s", "b", "m"} {
				b.Initializer("bn."+n, onnx.RandInput(uint64(323+i), 8))
			}
			v := onnx.RandInput(326, 8)
			for i := range v.Data {
				v.Data[i] += 0.5
			}
			b.Initializer("bn.v", v)
			b.Initializer("fc.w", onnx.RandInput(327, 10, 8))
			b.Initializer("fc.b", onnx.RandInput(328, 10))
			b.Node("Conv", "stem", []string{"image", "w1"}, []string{"c1"}, onnx.AttrInts("strides", 2, 2), onnx.AttrInts("pads", 0, 0, 1, 1))
			b.Node("BatchNormalization", "bn", []string{"c1", "bn.s", "bn.b", "bn.m", "bn.v"}, []string{"n1"})
			b.Node("Clip", "relu6", []string{"n1"}, []string{"r1"})
			b.Node("Conv", "dw", []string{"r1", "w2"}, []string{"c2"}, onnx.AttrInt("group", 8), onnx.AttrInts("pads", 1, 1, 1, 1))
			b.Node("LeakyRelu", "act", []string{"c2"}, []string{"r2"}, onnx.AttrFloat("alpha", 0.1))
			b.Node("GlobalAveragePool", "gap", []string{"r2"}, []string{"g"})
			b.Node("Flatten", "flat", []string{"g"}, []string{"f"})
			b.Node("Gemm", "fc", []string{"f", "fc.w", "fc.b"}, []string{"logits"}, onnx.AttrInt("transB", 1))
			b.Node("LogSoftmax", "lsm", []string{"logits"}, []string{"logp"}, onnx.AttrInt("axis", 1))
			b.Output("logp", nil)
		}},
		netCase("wasmcnn_net_S", nn.ReferenceNetS(7)),
		netCase("wasmcnn_net_M", nn.ReferenceNetM(8)),
	}
}

// netCase exports a network with the writer and runs it on a batch of 2.
func netCase(name string, n *nn.Net) confCase {
	data, err := n.ExportONNX(nn.ExportOptions{})
	if err != nil {
		panic(err)
	}
	return confCase{name: name, opset: 13, ops: []string{"wasmcnn export"}, inputs: []confInput{{name: "input", shape: append([]int{2}, n.In...)}}, raw: data}
}

// inputsFor returns seeded inputs for a case: floats in [−2, 2), or the
// integers of an integer input's type.
func inputsFor(c confCase, seed uint64) []*core.Tensor {
	var out []*core.Tensor
	for ii, in := range c.inputs {
		x := onnx.RandInput(seed+uint64(ii), in.shape...)
		for k := range x.Data {
			switch in.typ {
			case "uint8":
				x.Data[k] = float32(int(x.Data[k] * 256))
			case "int8":
				x.Data[k] = float32(int(x.Data[k]*256) - 128)
			default:
				x.Data[k] = x.Data[k]*4 - 2 // both signs, so activations and pooling see negatives
			}
		}
		out = append(out, x)
	}
	return out
}
