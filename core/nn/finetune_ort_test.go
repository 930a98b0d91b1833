//go:build !js

package nn

import (
	"context"
	"math"
	"slices"
	"testing"

	"wasmcnn/core"
	"wasmcnn/core/onnx"
	"wasmcnn/internal/floattest"
	"wasmcnn/internal/orttest"
)

// TestFineTunedModelInOnnxruntime fine-tunes the shipped model, exports it
// and requires onnxruntime-node to give the probabilities wasmcnn gives for
// real pen digits (the page's personal model is that export, loaded back).
func TestFineTunedModelInOnnxruntime(t *testing.T) {
	root := orttest.Require(t)
	im, err := ImportNet(shippedModel(t))
	if err != nil {
		t.Fatal(err)
	}
	ex := penExamples(t, 29)
	o := quickOptions()
	o.TrainLayers = 2
	res, err := FineTune(context.Background(), im.Net, ex.X, ex.Y, o, nil)
	if err != nil {
		t.Fatal(err)
	}
	model, err := im.ExportONNX(res.Net, "personal", nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := onnx.LoadModel(model, nil)
	if err != nil {
		t.Fatal(err)
	}
	x := &core.Tensor{Shape: []int{ex.Len(), 1, 28, 28}, Data: ex.X}
	got, err := m.Run(x)
	if err != nil {
		t.Fatal(err)
	}
	r := orttest.Run(t, root, []orttest.Case{{Name: "personal", Model: model, Inputs: []orttest.Input{{Name: "input", Shape: x.Shape, Data: ex.X}}}})[0]
	if r.Err != "" || len(r.Outputs) != 1 {
		t.Fatalf("onnxruntime: %q, %d outputs", r.Err, len(r.Outputs))
	}
	want := r.Outputs[0].Data
	if !slices.Equal(r.Outputs[0].Shape, got[0].Shape) {
		t.Fatalf("onnxruntime output shape %v, wasmcnn %v", r.Outputs[0].Shape, got[0].Shape)
	}
	if at := floattest.FirstMismatch(got[0].Data, want, 1e-5); at >= 0 {
		t.Fatalf("probability %d: wasmcnn %v, onnxruntime %v", at, got[0].Data[at], want[at])
	}
	var d float64
	for i := range want {
		d = max(d, math.Abs(float64(got[0].Data[i]-want[i])))
	}
	t.Logf("%d digits: largest difference from onnxruntime %.3g", ex.Len(), d)
}
