package webtest

import (
	"testing"

	"wasmcnn/internal/orttest"
)

// ortRun runs model on x (of shape shape, input "input") in
// onnxruntime-node and returns its first output.
func ortRun(t *testing.T, model []byte, x []float32, shape []int) []float32 {
	t.Helper()
	root := orttest.Require(t)
	r := orttest.Run(t, root, []orttest.Case{{Name: "model", Model: model, Inputs: []orttest.Input{{Name: "input", Shape: shape, Data: x}}}})[0]
	if r.Err != "" || len(r.Outputs) == 0 {
		t.Fatalf("onnxruntime: %s", r.Err)
	}
	return r.Outputs[0].Data
}
