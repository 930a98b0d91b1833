package onnx_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"wasmcnn/core/nn"

	"wasmcnn/core/onnx"
	"wasmcnn/internal/floattest"
)

// TestLoadErrors checks that bad models are refused with messages naming the problem.
func TestLoadErrors(t *testing.T) {
	good := func(op string, attrs ...onnx.Attr) []byte {
		b := onnx.NewModelBuilder(13)
		b.Input("x", []int{1, 1, 4, 4})
		b.Node(op, "the_node", []string{"x"}, []string{"y"}, attrs...)
		b.Output("y", nil)
		return b.Bytes()
	}
	valid, err := nn.ReferenceNetS(1).ExportONNX(nn.ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		desc string
		data []byte
		want string
	}{
		{"unsupported op names op, node and opset", good("Einsum"), `node "the_node": op Einsum (opset 13) is not supported`},
		{"unknown attribute", good("Relu", onnx.AttrInt("fancy", 1)), `attribute "fancy" is not supported`},
		{"attribute from another opset", good("Squeeze", onnx.AttrInts("axes", 0)), `attribute "axes" is not supported`},
		{"pool without kernel", good("MaxPool"), "kernel_shape is required"},
		{"empty file", nil, "empty model"},
		{"truncated file", valid[:len(valid)/2], "corrupt model"},
		{"garbage", []byte("this is not a model at all, just text"), "corrupt model"},
		{"opset too new", func() []byte {
			b := onnx.NewModelBuilder(99)
			b.Input("x", []int{1})
			b.Output("x", nil)
			return b.Bytes()
		}(), "opset 99 is not supported"},
	}
	for _, c := range cases {
		_, err := onnx.LoadModel(c.data, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.desc, err, c.want)
		}
	}
	if _, err := onnx.LoadModel(valid, &onnx.LoadOptions{Limits: onnx.Limits{MaxParams: 100}}); err == nil || !strings.Contains(err.Error(), "MaxParams") {
		t.Errorf("parameter limit: %v", err)
	}
	if _, err := onnx.LoadModel(valid, &onnx.LoadOptions{Limits: onnx.Limits{MaxActivations: 1000}}); err == nil || !strings.Contains(err.Error(), "MaxActivations") {
		t.Errorf("activation limit: %v", err)
	}
	var cm *onnx.CorruptModelError
	if _, err := onnx.LoadModel(valid[:len(valid)-3], nil); !errors.As(err, &cm) {
		t.Errorf("truncated model gives %T %v, want *CorruptModelError", err, err)
	}
}

// TestProfile checks that Profile times every step of the plan, runs the
// model as Predict does, and refuses nonsense.
func TestProfile(t *testing.T) {
	data, err := nn.ReferenceNetS(3).ExportONNX(nn.ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := onnx.LoadModel(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	x := onnx.RandInput(9, 1, 1, 28, 28).Data
	// A clock that moves 1 µs a reading: every step is timed once a run.
	var tick int64
	fake := func() int64 { tick += 1000; return tick }
	steps, err := m.Profile(x, 4, fake)
	if err != nil {
		t.Fatal(err)
	}
	// The steps that run: each convolution fused with its ReLU.
	if len(steps) != 6 || steps[0].Node.Op != "Conv+Relu" || steps[0].Node.Outputs[0] != "relu1" || steps[len(steps)-1].Node.Op != "Softmax" {
		t.Fatalf("profile steps %+v", steps)
	}
	for _, s := range steps {
		if s.Nanos != 4*1000 {
			t.Fatalf("step %s timed %d ns on a clock moving 1000 ns a reading over 4 runs, want 4000", s.Node.Name, s.Nanos)
		}
	}
	start := time.Now()
	steps, err = m.Profile(x, 4, func() int64 { return int64(time.Since(start)) })
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, s := range steps {
		total += s.Nanos
	}
	if total <= 0 {
		t.Fatalf("no time measured: %+v", steps)
	}
	got := append([]float32(nil), onnx.LastOutput(m)...)
	want, _ := m.Predict(x)
	floattest.AssertClose(t, "output after Profile", got, want, 0)
	if _, err := m.Profile(x, 0, fake); err == nil {
		t.Error("Profile with 0 runs did not fail")
	}
	if _, err := m.Profile(x[:5], 1, fake); err == nil {
		t.Error("Profile with a bad input did not fail")
	}
	if _, err := m.Profile(x, 1, nil); err == nil {
		t.Error("Profile without a clock did not fail")
	}
}
