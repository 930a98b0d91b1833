package core

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// randInput returns a tensor of the shape filled from a fixed seed.
func randInput(seed uint64, shape ...int) *Tensor {
	r := rand.New(rand.NewPCG(seed, seed))
	t := NewTensor(shape...)
	for i := range t.Data {
		t.Data[i] = r.Float32()
	}
	return t
}

// TestExportRoundTrip exports networks to ONNX, loads them back and checks
// that the model computes what the network computes, at several batch sizes.
func TestExportRoundTrip(t *testing.T) {
	bnNet, err := NewNet([]int{2, 7, 7},
		NewConvLayer("conv", 2, 4, 3, 3, true), NewBatchNormLayer("bn", 4), &ReLULayer{},
		NewAvgPool("avg", 2, 2), &FlattenLayer{}, NewDenseLayer("fc", 4*3*3, 5), NewBatchNormLayer("bn2", 5), &SoftmaxLayer{})
	if err != nil {
		t.Fatal(err)
	}
	bnNet.Init(rand.New(rand.NewPCG(1, 1)))
	// Give the batch norms non-trivial statistics by one training pass.
	if _, err := bnNet.Forward(randInput(9, 8, 2, 7, 7), true); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		desc string
		net  *Net
	}{{"S", ReferenceNetS(3)}, {"M", ReferenceNetM(4)}, {"conv+bn+avgpool+dense+bn", bnNet}} {
		data, err := c.net.ExportONNX(ExportOptions{})
		if err != nil {
			t.Fatalf("%s: %v", c.desc, err)
		}
		m, err := LoadModel(data, nil)
		if err != nil {
			t.Fatalf("%s: %v", c.desc, err)
		}
		for _, batch := range []int{1, 3} {
			x := randInput(uint64(batch), append([]int{batch}, c.net.In...)...)
			want, err := c.net.Forward(x, false)
			if err != nil {
				t.Fatal(err)
			}
			got, err := m.Run(x)
			if err != nil {
				t.Fatalf("%s batch %d: %v", c.desc, batch, err)
			}
			if !sameShape(got[0].Shape, want.Shape) {
				t.Fatalf("%s: output %v, want %v", c.desc, got[0].Shape, want.Shape)
			}
			assertClose(t, c.desc, got[0].Data, want.Data, 1e-5)
		}
	}
}

// builderCase builds a model by hand and states what it must compute.
type builderCase struct {
	desc  string
	opset int64
	build func(b *ModelBuilder)
	in    *Tensor
	want  func(x *Tensor) []float32
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
				b.Node("Constant", "", nil, []string{"zero"}, AttrTensor("value", &Tensor{Shape: []int{}, Data: []float32{0}}))
				b.InitializerInts("idx0", []int{}, []int64{0})
				b.Node("Gather", "", []string{"s", "idx0"}, []string{"n"}, AttrInt("axis", 0))
				b.Node("Unsqueeze", "", []string{"n"}, []string{"n1"}, AttrInts("axes", 0))
				b.InitializerInts("minus1", []int{1}, []int64{-1})
				b.Node("Concat", "", []string{"n1", "minus1"}, []string{"shape"}, AttrInt("axis", 0))
				b.Node("Reshape", "", []string{"x", "shape"}, []string{"y"})
				b.Output("y", nil)
			},
			in:   x4,
			want: func(x *Tensor) []float32 { return x.Data },
		},
		{
			desc: "Keras NHWC input followed by Transpose to NCHW", opset: 13,
			build: func(b *ModelBuilder) {
				b.Input("x", []int{1, 4, 4, 3})
				b.Node("Transpose", "", []string{"x"}, []string{"y"}, AttrInts("perm", 0, 3, 1, 2))
				b.Output("y", nil)
			},
			in: randInput(6, 1, 4, 4, 3),
			want: func(x *Tensor) []float32 {
				y := make([]float32, x.Len())
				transposeRef(y, x.Data, x.Shape, []int{0, 3, 1, 2})
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
			want: func(x *Tensor) []float32 {
				y := make([]float32, x.Len())
				Softmax(y, x.Data, 2, 48, 1, false)
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
			want: func(x *Tensor) []float32 {
				y := make([]float32, x.Len())
				Softmax(y, x.Data, 24, 4, 1, false)
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
			want: func(x *Tensor) []float32 { return x.Data },
		},
		{
			desc: "Clip with bounds as attributes (opset 7) and Relu", opset: 7,
			build: func(b *ModelBuilder) {
				b.Input("x", []int{2, 3, 4, 4})
				b.Node("Clip", "", []string{"x"}, []string{"c"}, AttrFloat("min", 0.2), AttrFloat("max", 0.6))
				b.Output("c", nil)
			},
			in: x4,
			want: func(x *Tensor) []float32 {
				y := make([]float32, x.Len())
				Clip(y, x.Data, 0.2, 0.6)
				return y
			},
		},
		{
			desc: "Clip with bounds as inputs (opset 12), one left out", opset: 12,
			build: func(b *ModelBuilder) {
				b.Input("x", []int{2, 3, 4, 4})
				b.Initializer("hi", &Tensor{Shape: []int{}, Data: []float32{0.5}})
				b.Node("Clip", "", []string{"x", "", "hi"}, []string{"c"})
				b.Output("c", nil)
			},
			in: x4,
			want: func(x *Tensor) []float32 {
				y := make([]float32, x.Len())
				Clip(y, x.Data, -3.4e38, 0.5)
				return y
			},
		},
		{
			desc: "Cast of a constant shape, Gemm with transA and a broadcast C", opset: 13,
			build: func(b *ModelBuilder) {
				b.Input("x", []int{2, 3, 4, 4})
				b.Initializer("shapef", &Tensor{Shape: []int{2}, Data: []float32{8, 12}})
				b.Node("Cast", "", []string{"shapef"}, []string{"shape"}, AttrInt("to", onnxInt64))
				b.Node("Reshape", "", []string{"x", "shape"}, []string{"r"})
				b.Initializer("w", randInput(7, 8, 5))
				b.Initializer("c", &Tensor{Shape: []int{5}, Data: []float32{1, 2, 3, 4, 5}})
				b.Node("Gemm", "", []string{"r", "w", "c"}, []string{"y"}, AttrInt("transA", 1), AttrFloat("alpha", 0.5), AttrFloat("beta", 2))
				b.Output("y", nil)
			},
			in: x4,
			want: func(x *Tensor) []float32 {
				w := randInput(7, 8, 5)
				y := make([]float32, 12*5)
				for i := range y {
					y[i] = 2 * float32(i%5+1)
				}
				gemmRef(true, false, 12, 5, 8, 0.5, x.Data, 12, w.Data, 5, 1, y, 5)
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
		assertClose(t, c.desc, got[0].Data, c.want(c.in), 1e-5)
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
	if !sameShape(m.OutputShape(0), []int{3, 16}) {
		t.Fatalf("output shape %v after a batch of 3", m.OutputShape(0))
	}
	if allocs := testing.AllocsPerRun(100, func() { _, _ = m.Predict(x) }); allocs != 0 {
		t.Errorf("Predict allocates %v times per call", allocs)
	}
	if _, err := m.Predict(make([]float32, 17)); err == nil {
		t.Error("17 values accepted for examples of 16")
	}
}

// TestLoadErrors checks that bad models are refused with messages naming the problem.
func TestLoadErrors(t *testing.T) {
	good := func(op string, attrs ...Attr) []byte {
		b := NewModelBuilder(13)
		b.Input("x", []int{1, 1, 4, 4})
		b.Node(op, "the_node", []string{"x"}, []string{"y"}, attrs...)
		b.Output("y", nil)
		return b.Bytes()
	}
	valid, err := ReferenceNetS(1).ExportONNX(ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		desc string
		data []byte
		want string
	}{
		{"unsupported op names op, node and opset", good("Einsum"), `node "the_node": op Einsum (opset 13) is not supported`},
		{"unknown attribute", good("Relu", AttrInt("fancy", 1)), `attribute "fancy" is not supported`},
		{"attribute from another opset", good("Squeeze", AttrInts("axes", 0)), `attribute "axes" is not supported`},
		{"pool without kernel", good("MaxPool"), "kernel_shape is required"},
		{"empty file", nil, "empty model"},
		{"truncated file", valid[:len(valid)/2], "corrupt model"},
		{"garbage", []byte("this is not a model at all, just text"), "corrupt model"},
		{"opset too new", func() []byte { b := NewModelBuilder(99); b.Input("x", []int{1}); b.Output("x", nil); return b.Bytes() }(), "opset 99 is not supported"},
	}
	for _, c := range cases {
		_, err := LoadModel(c.data, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.desc, err, c.want)
		}
	}
	if _, err := LoadModel(valid, &LoadOptions{Limits: Limits{MaxParams: 100}}); err == nil || !strings.Contains(err.Error(), "MaxParams") {
		t.Errorf("parameter limit: %v", err)
	}
	if _, err := LoadModel(valid, &LoadOptions{Limits: Limits{MaxActivations: 1000}}); err == nil || !strings.Contains(err.Error(), "MaxActivations") {
		t.Errorf("activation limit: %v", err)
	}
	var cm *CorruptModelError
	if _, err := LoadModel(valid[:len(valid)-3], nil); !errors.As(err, &cm) {
		t.Errorf("truncated model gives %T %v, want *CorruptModelError", err, err)
	}
}

// TestProfile checks that Profile times every step of the plan, runs the
// model as Predict does, and refuses nonsense.
func TestProfile(t *testing.T) {
	data, err := ReferenceNetS(3).ExportONNX(ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := LoadModel(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	x := randInput(9, 1, 1, 28, 28).Data
	steps, err := m.Profile(x, 4)
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != len(m.Steps()) || steps[0].Node.Op != "Conv" || steps[len(steps)-1].Node.Op != "Softmax" {
		t.Fatalf("profile steps %+v", steps)
	}
	var total time.Duration
	for _, s := range steps {
		total += s.Time
	}
	if total <= 0 {
		t.Fatalf("no time measured: %+v", steps)
	}
	got := append([]float32(nil), m.plan.outputs[0].f...)
	want, _ := m.Predict(x)
	assertClose(t, "output after Profile", got, want, 0)
	if _, err := m.Profile(x, 0); err == nil {
		t.Error("Profile with 0 runs did not fail")
	}
	if _, err := m.Profile(x[:5], 1); err == nil {
		t.Error("Profile with a bad input did not fail")
	}
}
