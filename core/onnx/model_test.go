package onnx

import (
	"slices"
	"strings"
	"testing"

	"wasmcnn/core"
	"wasmcnn/internal/floattest"
)

// randInput returns a tensor of the shape filled from a fixed seed.
func randInput(seed uint64, shape ...int) *core.Tensor {
	return &core.Tensor{Shape: shape, Data: floattest.Seeded(seed, core.Product(shape))}
}

// builderCase builds a model by hand and states what it must compute.
type builderCase struct {
	desc  string
	opset int64
	build func(b *ModelBuilder)
	in    *core.Tensor
	want  func(x *core.Tensor) []float32
}

// TestExporterQuirks runs the graph patterns real exporters emit.
func TestExporterQuirks(t *testing.T) {
	x4 := randInput(5, 2, 3, 4, 4)
	cases := []builderCase{
		{
			desc: "PyTorch flatten: Shape, Gather, Unsqueeze, Concat, Reshape (opset 11)", opset: 11,
			build: func(b *ModelBuilder) {
				b.Input("x", []int{-1, 3, 4, 4})
				b.Node("Shape", "", []string{"x"}, []string{"s"})
				b.Node("Constant", "", nil, []string{"zero"}, AttrTensor("value", &core.Tensor{Shape: []int{}, Data: []float32{0}}))
				b.InitializerInts("idx0", []int{}, []int64{0})
				b.Node("Gather", "", []string{"s", "idx0"}, []string{"n"}, AttrInt("axis", 0))
				b.Node("Unsqueeze", "", []string{"n"}, []string{"n1"}, AttrInts("axes", 0))
				b.InitializerInts("minus1", []int{1}, []int64{-1})
				b.Node("Concat", "", []string{"n1", "minus1"}, []string{"shape"}, AttrInt("axis", 0))
				b.Node("Reshape", "", []string{"x", "shape"}, []string{"y"})
				b.Output("y", nil)
			},
			in:   x4,
			want: func(x *core.Tensor) []float32 { return x.Data },
		},
		{
			desc: "Keras NHWC input followed by Transpose to NCHW", opset: 13,
			build: func(b *ModelBuilder) {
				b.Input("x", []int{1, 4, 4, 3})
				b.Node("Transpose", "", []string{"x"}, []string{"y"}, AttrInts("perm", 0, 3, 1, 2))
				b.Output("y", nil)
			},
			in: randInput(6, 1, 4, 4, 3),
			want: func(x *core.Tensor) []float32 {
				y := make([]float32, x.Len())
				core.TransposeRef(y, x.Data, x.Shape, []int{0, 3, 1, 2})
				return y
			},
		},
		{
			desc: "Softmax before opset 13 flattens at axis 1", opset: 11,
			build: func(b *ModelBuilder) {
				b.Input("x", []int{2, 3, 4, 4})
				b.Node("Softmax", "", []string{"x"}, []string{"y"})
				b.Output("y", nil)
			},
			in: x4,
			want: func(x *core.Tensor) []float32 {
				y := make([]float32, x.Len())
				core.Softmax(y, x.Data, 2, 48, 1, false)
				return y
			},
		},
		{
			desc: "Softmax from opset 13 runs along the last axis", opset: 13,
			build: func(b *ModelBuilder) {
				b.Input("x", []int{2, 3, 4, 4})
				b.Node("Softmax", "", []string{"x"}, []string{"y"})
				b.Output("y", nil)
			},
			in: x4,
			want: func(x *core.Tensor) []float32 {
				y := make([]float32, x.Len())
				core.Softmax(y, x.Data, 24, 4, 1, false)
				return y
			},
		},
		{
			desc: "Squeeze and Unsqueeze with axes as inputs (opset 13), Dropout, Identity", opset: 13,
			build: func(b *ModelBuilder) {
				b.Input("x", []int{2, 3, 4, 4})
				b.InitializerInts("ax", []int{1}, []int64{0})
				b.Node("Unsqueeze", "", []string{"x", "ax"}, []string{"u"})
				b.Node("Dropout", "", []string{"u"}, []string{"d"})
				b.Node("Squeeze", "", []string{"d", "ax"}, []string{"s"})
				b.Node("Identity", "", []string{"s"}, []string{"y"})
				b.Output("y", nil)
			},
			in:   x4,
			want: func(x *core.Tensor) []float32 { return x.Data },
		},
		{
			desc: "Clip with bounds as attributes (opset 7) and Relu", opset: 7,
			build: func(b *ModelBuilder) {
				b.Input("x", []int{2, 3, 4, 4})
				b.Node("Clip", "", []string{"x"}, []string{"c"}, AttrFloat("min", 0.2), AttrFloat("max", 0.6))
				b.Output("c", nil)
			},
			in: x4,
			want: func(x *core.Tensor) []float32 {
				y := make([]float32, x.Len())
				core.Clip(y, x.Data, 0.2, 0.6)
				return y
			},
		},
		{
			desc: "Clip with bounds as inputs (opset 12), one left out", opset: 12,
			build: func(b *ModelBuilder) {
				b.Input("x", []int{2, 3, 4, 4})
				b.Initializer("hi", &core.Tensor{Shape: []int{}, Data: []float32{0.5}})
				b.Node("Clip", "", []string{"x", "", "hi"}, []string{"c"})
				b.Output("c", nil)
			},
			in: x4,
			want: func(x *core.Tensor) []float32 {
				y := make([]float32, x.Len())
				core.Clip(y, x.Data, -3.4e38, 0.5)
				return y
			},
		},
		{
			desc: "Cast of a constant shape, Gemm with transA and a broadcast C", opset: 13,
			build: func(b *ModelBuilder) {
				b.Input("x", []int{2, 3, 4, 4})
				b.Initializer("shapef", &core.Tensor{Shape: []int{2}, Data: []float32{8, 12}})
				b.Node("Cast", "", []string{"shapef"}, []string{"shape"}, AttrInt("to", onnxInt64))
				b.Node("Reshape", "", []string{"x", "shape"}, []string{"r"})
				b.Initializer("w", randInput(7, 8, 5))
				b.Initializer("c", &core.Tensor{Shape: []int{5}, Data: []float32{1, 2, 3, 4, 5}})
				b.Node("Gemm", "", []string{"r", "w", "c"}, []string{"y"}, AttrInt("transA", 1), AttrFloat("alpha", 0.5), AttrFloat("beta", 2))
				b.Output("y", nil)
			},
			in: x4,
			want: func(x *core.Tensor) []float32 {
				w := randInput(7, 8, 5)
				y := make([]float32, 12*5)
				for i := range y {
					y[i] = 2 * float32(i%5+1)
				}
				core.GemmRef(true, false, 12, 5, 8, 0.5, x.Data, 12, w.Data, 5, 1, y, 5)
				return y
			},
		},
	}
	for _, c := range cases {
		b := NewModelBuilder(c.opset)
		c.build(b)
		m, err := LoadModel(b.Bytes(), nil)
		if err != nil {
			t.Fatalf("%s: %v", c.desc, err)
		}
		got, err := m.Run(c.in)
		if err != nil {
			t.Fatalf("%s: %v", c.desc, err)
		}
		floattest.AssertClose(t, c.desc, got[0].Data, c.want(c.in), 1e-5)
	}
}

// TestPlanFoldsShapeWork checks that shape computations leave no run-time
// steps and that Predict allocates nothing once planned.
func TestPlanFoldsShapeWork(t *testing.T) {
	b := NewModelBuilder(13)
	b.Input("x", []int{-1, 1, 4, 4})
	b.Node("Shape", "", []string{"x"}, []string{"s"})
	b.InitializerInts("i0", []int{1}, []int64{0})
	b.Node("Gather", "", []string{"s", "i0"}, []string{"n"})
	b.InitializerInts("m1", []int{1}, []int64{-1})
	b.Node("Concat", "", []string{"n", "m1"}, []string{"shape"}, AttrInt("axis", 0))
	b.Node("Reshape", "", []string{"x", "shape"}, []string{"r"})
	b.Node("Relu", "", []string{"r"}, []string{"y"})
	b.Output("y", nil)
	m, err := LoadModel(b.Bytes(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if steps := m.Steps(); len(steps) != 1 || steps[0].Node.Op != "Relu" {
		t.Fatalf("steps %v, want only the Relu", steps)
	}
	x := make([]float32, 3*16)
	if _, err := m.Predict(x); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m.OutputShape(0), []int{3, 16}) {
		t.Fatalf("output shape %v after a batch of 3", m.OutputShape(0))
	}
	if allocs := testing.AllocsPerRun(100, func() { _, _ = m.Predict(x) }); allocs != 0 {
		t.Errorf("Predict allocates %v times per call", allocs)
	}
	if _, err := m.Predict(make([]float32, 17)); err == nil {
		t.Error("17 values accepted for examples of 16")
	}
}

// TestPredictScalarInput checks that a model whose input has no dimensions
// (declared so, or without a shape) takes its one value, and that any other
// number of values is refused with an error rather than a panic.
func TestPredictScalarInput(t *testing.T) {
	b := NewModelBuilder(13)
	b.Input("x", []int{})
	b.Node("Relu", "", []string{"x"}, []string{"y"})
	b.Output("y", nil)
	m, err := LoadModel(b.Bytes(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if y, err := m.Predict([]float32{-3}); err != nil || len(y) != 1 || y[0] != 0 {
		t.Errorf("one value: %v, %v; want [0]", y, err)
	}
	for _, n := range []int{0, 2, 784} {
		if _, err := m.Predict(make([]float32, n)); err == nil || !strings.Contains(err.Error(), "no batch dimension") {
			t.Errorf("%d values: error %v, want one saying the input has no batch dimension", n, err)
		}
	}
}
