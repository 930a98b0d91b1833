package nn

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wasmcnn/core"
	"wasmcnn/core/onnx"
	"wasmcnn/internal/floattest"
)

// shippedModel loads the digit model the page ships.
func shippedModel(t testing.TB) *onnx.Model {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "web", "models", "digits.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := onnx.LoadModel(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// netScores runs net on x ([n, In…]) in inference mode, with a softmax
// after when softmax is set.
func netScores(t testing.TB, net *Net, x *core.Tensor, softmax bool) []float32 {
	t.Helper()
	out, err := net.Forward(x, false)
	if err != nil {
		t.Fatal(err)
	}
	y := append([]float32(nil), out.Data...)
	if softmax {
		core.Softmax(y, out.Data, out.Shape[0], out.Shape[1], 1, false)
	}
	return y
}

func TestImportNetShippedModel(t *testing.T) {
	m := shippedModel(t)
	im, err := ImportNet(m)
	if err != nil {
		t.Fatal(err)
	}
	if !im.Softmax || im.InputName != "input" || im.OutputName != "probabilities" || im.Opset != m.Opset {
		t.Fatalf("imported %+v", im)
	}
	if got, want := int64(im.Net.ParamCount()), m.ParamCount; got != want {
		t.Fatalf("imported net has %d parameters, the model %d", got, want)
	}
	for _, l := range im.Net.Layers {
		if _, ok := l.(*BatchNormLayer); ok {
			t.Fatal("the imported net has batch statistics")
		}
	}
	x := &core.Tensor{Shape: []int{5, 1, 28, 28}, Data: floattest.Seeded(17, 5*1*28*28)}
	want, err := m.Run(x)
	if err != nil {
		t.Fatal(err)
	}
	got := netScores(t, im.Net, x, true)
	if i := floattest.FirstMismatch(got, want[0].Data, 1e-5); i >= 0 {
		t.Fatalf("output %d: imported net %v, model %v", i, got[i], want[0].Data[i])
	}
	// Written back unchanged, the model computes exactly what it did.
	b, err := im.ExportONNX(im.Net, "re-export", nil)
	if err != nil {
		t.Fatal(err)
	}
	back, err := onnx.LoadModel(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	again, err := back.Run(x)
	if err != nil {
		t.Fatal(err)
	}
	for i := range again[0].Data {
		if again[0].Data[i] != want[0].Data[i] {
			t.Fatalf("re-exported model output %d = %v, the original %v", i, again[0].Data[i], want[0].Data[i])
		}
	}
	if back.Inputs[0].Name != "input" || back.Outputs[0].Name != "probabilities" || back.Opset != m.Opset {
		t.Fatalf("re-exported model has input %q, output %q, opset %d", back.Inputs[0].Name, back.Outputs[0].Name, back.Opset)
	}
}

// TestImportNetForeignGraph imports what other tools write and the exporter
// does not: an unfolded BatchNormalization, Gemm with B not transposed and
// alpha, beta ≠ 1, average pooling, automatic padding, no biases.
func TestImportNetForeignGraph(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	b := onnx.NewModelBuilder(11)
	b.Input("x", []int{-1, 2, 9, 9})
	b.Initializer("w1", &core.Tensor{Shape: []int{4, 2, 3, 3}, Data: floattest.RandSlice(r, 72)})
	pos := func(n int) []float32 { // positive variances and scales
		v := floattest.RandSlice(r, n)
		for i := range v {
			v[i] = 0.5 + v[i]*v[i]
		}
		return v
	}
	b.Initializer("bn.s", &core.Tensor{Shape: []int{4}, Data: pos(4)})
	b.Initializer("bn.b", &core.Tensor{Shape: []int{4}, Data: floattest.RandSlice(r, 4)})
	b.Initializer("bn.m", &core.Tensor{Shape: []int{4}, Data: floattest.RandSlice(r, 4)})
	b.Initializer("bn.v", &core.Tensor{Shape: []int{4}, Data: pos(4)})
	b.Initializer("fc.w", &core.Tensor{Shape: []int{36, 3}, Data: floattest.RandSlice(r, 108)})
	b.Initializer("fc.b", &core.Tensor{Shape: []int{1, 3}, Data: floattest.RandSlice(r, 3)})
	b.Node("Conv", "c", []string{"x", "w1"}, []string{"c1"}, onnx.AttrString("auto_pad", "SAME_UPPER"), onnx.AttrInts("strides", 2, 2))
	b.Node("BatchNormalization", "bn", []string{"c1", "bn.s", "bn.b", "bn.m", "bn.v"}, []string{"n1"}, onnx.AttrFloat("epsilon", 1e-3))
	b.Node("Relu", "r", []string{"n1"}, []string{"r1"})
	b.Node("AveragePool", "p", []string{"r1"}, []string{"p1"}, onnx.AttrInts("kernel_shape", 2, 2), onnx.AttrInts("strides", 2, 2), onnx.AttrInts("pads", 0, 0, 1, 1), onnx.AttrInt("count_include_pad", 1))
	b.Node("Flatten", "f", []string{"p1"}, []string{"f1"})
	b.Node("Gemm", "fc", []string{"f1", "fc.w", "fc.b"}, []string{"y"}, onnx.AttrFloat("alpha", 0.5), onnx.AttrFloat("beta", 2))
	b.Output("y", nil)
	m, err := onnx.LoadModel(b.Bytes(), nil)
	if err != nil {
		t.Fatal(err)
	}
	im, err := ImportNet(m)
	if err != nil {
		t.Fatal(err)
	}
	if im.Softmax {
		t.Fatal("no softmax in the model, but the import says so")
	}
	x := &core.Tensor{Shape: []int{3, 2, 9, 9}, Data: floattest.Seeded(5, 3*2*9*9)}
	want, err := m.Run(x)
	if err != nil {
		t.Fatal(err)
	}
	got := netScores(t, im.Net, x, false)
	if i := floattest.FirstMismatch(got, want[0].Data, 1e-5); i >= 0 {
		t.Fatalf("output %d: imported net %v, model %v", i, got[i], want[0].Data[i])
	}
	out, err := im.ExportONNX(im.Net, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	back, err := onnx.LoadModel(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	again, err := back.Run(x)
	if err != nil {
		t.Fatal(err)
	}
	if i := floattest.FirstMismatch(again[0].Data, want[0].Data, 1e-5); i >= 0 {
		t.Fatalf("re-exported output %d: %v, model %v", i, again[0].Data[i], want[0].Data[i])
	}
}

func TestImportNetRefuses(t *testing.T) {
	w := &core.Tensor{Shape: []int{2, 1, 3, 3}, Data: make([]float32, 18)}
	cases := []struct {
		name, want string
		build      func(b *onnx.ModelBuilder)
	}{
		{"unsupported op", "op Sigmoid cannot be imported", func(b *onnx.ModelBuilder) {
			b.Input("x", []int{1, 1, 5, 5})
			b.Node("Sigmoid", "s", []string{"x"}, []string{"y"})
			b.Output("y", nil)
		}},
		{"not a chain", "does not take the output of the node before it", func(b *onnx.ModelBuilder) {
			b.Input("x", []int{1, 1, 5, 5})
			b.Node("Relu", "a", []string{"x"}, []string{"a1"})
			b.Node("Relu", "b", []string{"x"}, []string{"y"})
			b.Output("y", nil)
		}},
		{"two inputs", "2 inputs", func(b *onnx.ModelBuilder) {
			b.Input("x", []int{1, 1, 5, 5})
			b.Input("z", []int{1, 1, 5, 5})
			b.Node("Add", "a", []string{"x", "z"}, []string{"y"})
			b.Output("y", nil)
		}},
		{"weights computed", "is not a constant", func(b *onnx.ModelBuilder) {
			b.Input("x", []int{1, 1, 5, 5})
			b.Node("Relu", "r", []string{"x"}, []string{"r1"})
			b.Node("Conv", "c", []string{"r1", "r1"}, []string{"y"})
			b.Output("y", nil)
		}},
		{"batch norm first", "must follow a Conv or Gemm", func(b *onnx.ModelBuilder) {
			b.Input("x", []int{1, 1, 5, 5})
			for _, n := range []string{"s", "b", "m", "v"} {
				b.Initializer(n, &core.Tensor{Shape: []int{1}, Data: []float32{1}})
			}
			b.Node("BatchNormalization", "bn", []string{"x", "s", "b", "m", "v"}, []string{"y"})
			b.Output("y", nil)
		}},
		{"softmax not last", "comes after the final Softmax", func(b *onnx.ModelBuilder) {
			b.Input("x", []int{1, 1, 5, 5})
			b.Initializer("w", w)
			b.Node("Conv", "c", []string{"x", "w"}, []string{"c1"})
			b.Node("Flatten", "f", []string{"c1"}, []string{"f1"})
			b.Node("Softmax", "s", []string{"f1"}, []string{"s1"}, onnx.AttrInt("axis", 1))
			b.Node("Relu", "r", []string{"s1"}, []string{"y"})
			b.Output("y", nil)
		}},
		{"unknown attribute value", "storage_order 1", func(b *onnx.ModelBuilder) {
			b.Input("x", []int{1, 1, 4, 4})
			b.Node("MaxPool", "p", []string{"x"}, []string{"y"}, onnx.AttrInts("kernel_shape", 2, 2), onnx.AttrInt("storage_order", 1))
			b.Output("y", nil)
		}},
	}
	for _, c := range cases {
		b := onnx.NewModelBuilder(13)
		c.build(b)
		m, err := onnx.LoadModel(b.Bytes(), nil)
		if err != nil {
			if c.name == "unknown attribute value" && strings.Contains(err.Error(), "storage_order") {
				continue // the loader refuses it already
			}
			t.Fatalf("%s: the model does not load: %v", c.name, err)
		}
		_, err = ImportNet(m)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}
