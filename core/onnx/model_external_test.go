package onnx

import (
	"strconv"
	"strings"
	"testing"

	"wasmcnn/core"
	"wasmcnn/internal/floattest"
)

// externalModel returns a model computing y = x + c where c ([4]) is stored
// in an external file at location, offset bytes in.
func externalModel(location string, offset int) []byte {
	b := NewModelBuilder(13)
	b.Input("x", []int{1, 4})
	t := &pbWriter{}
	t.packedInt64s(1, []int64{4})
	t.varint(2, onnxFloat)
	t.str(8, "c")
	for _, kv := range [][2]string{{"location", location}, {"offset", strconv.Itoa(offset)}, {"length", "16"}} {
		e := &pbWriter{}
		e.str(1, kv[0])
		e.str(2, kv[1])
		t.message(13, e)
	}
	t.varint(14, 1)
	b.inits = append(b.inits, t)
	b.Node("Add", "add", []string{"x", "c"}, []string{"y"})
	b.Output("y", nil)
	return b.Bytes()
}

// externalCase returns the external data of externalModel("model.onnx.data", 8),
// an input and the output it must give.
func externalCase() (data []byte, x *core.Tensor, want []float32) {
	data = append(make([]byte, 8), floattest.FloatsToBytes([]float32{1, 2, 3, 4})...)
	return data, &core.Tensor{Shape: []int{1, 4}, Data: []float32{10, 20, 30, 40}}, []float32{11, 22, 33, 44}
}

func TestExternalData(t *testing.T) {
	data, x, want := externalCase()
	// From bytes, as the browser does (from a directory: TestExternalDataFromFile).
	m, err := LoadModel(externalModel("model.onnx.data", 8), &LoadOptions{ExternalData: func(loc string) ([]byte, error) {
		if loc != "model.onnx.data" {
			t.Fatalf("asked for %q", loc)
		}
		return data, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := m.Run(x)
	floattest.AssertClose(t, "from bytes", got[0].Data, want, 0)

	for _, c := range []struct {
		desc string
		data []byte
		want string
	}{
		{"no external data given", externalModel("model.onnx.data", 8), "load the model with its external data"},
		{"path climbing out", externalModel("../secret", 0), "leaves the model's directory"},
		{"absolute path", externalModel("/etc/passwd", 0), "must be a relative path"},
		{"offset past the end", externalModel("model.onnx.data", 1<<40), "needs 16 at offset"},
	} {
		var opts *LoadOptions
		if c.desc != "no external data given" {
			opts = &LoadOptions{ExternalData: func(string) ([]byte, error) { return data, nil }}
		}
		if _, err := LoadModel(c.data, opts); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.desc, err, c.want)
		}
	}
}
