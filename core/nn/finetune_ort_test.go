//go:build !js

package nn

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"wasmcnn/core"
	"wasmcnn/core/onnx"
	"wasmcnn/internal/floattest"
)

// TestFineTunedModelInOnnxruntime fine-tunes the shipped model, exports it
// and requires onnxruntime-node to give the probabilities wasmcnn gives for
// real pen digits (the page's personal model is that export, loaded back).
func TestFineTunedModelInOnnxruntime(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "node_modules", "onnxruntime-node")); err != nil {
		if os.Getenv("WASMCNN_REQUIRE_ORT") != "" {
			t.Fatalf("onnxruntime-node is not installed (npm ci): %v", err)
		}
		t.Skip("onnxruntime-node not installed; run npm ci (./build.sh test does)")
	}
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
	dir := t.TempDir()
	manifest := map[string]any{"cases": []map[string]any{{
		"name": "personal", "model": "personal.onnx",
		"inputs": []map[string]any{{"name": "input", "shape": x.Shape, "file": "personal.in0.bin"}},
	}}}
	mj, _ := json.Marshal(manifest)
	for name, b := range map[string][]byte{"manifest.json": mj, "personal.onnx": model, "personal.in0.bin": floattest.FloatsToBytes(ex.X)} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("node", filepath.Join(root, "tools", "ort_run.js"), dir)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("onnxruntime run failed: %v\n%s", err, out)
	}
	var results []struct {
		Error   string `json:"error"`
		Outputs []struct {
			Shape []int  `json:"shape"`
			File  string `json:"file"`
		} `json:"outputs"`
	}
	rj, err := os.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(rj, &results); err != nil {
		t.Fatal(err)
	}
	if len(results) != 1 || results[0].Error != "" || len(results[0].Outputs) != 1 {
		t.Fatalf("onnxruntime: %s", rj)
	}
	raw, err := os.ReadFile(filepath.Join(dir, results[0].Outputs[0].File))
	if err != nil {
		t.Fatal(err)
	}
	want := floattest.BytesToFloats(raw)
	if !slices.Equal(results[0].Outputs[0].Shape, got[0].Shape) {
		t.Fatalf("onnxruntime output shape %v, wasmcnn %v", results[0].Outputs[0].Shape, got[0].Shape)
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
