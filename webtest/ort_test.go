package webtest

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"wasmcnn/internal/floattest"
)

// ortRun runs model on x (of shape shape, input "input") in
// onnxruntime-node through tools/ort_run.js and returns its first output.
func ortRun(t *testing.T, model []byte, x []float32, shape []int) []float32 {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "node_modules", "onnxruntime-node")); err != nil {
		if os.Getenv("WASMCNN_REQUIRE_ORT") != "" || os.Getenv("WASMCNN_REQUIRE_BROWSER") != "" {
			t.Fatalf("onnxruntime-node is not installed (npm ci): %v", err)
		}
		t.Skip("onnxruntime-node not installed; run npm ci (./build.sh test does)")
	}
	dir := t.TempDir()
	manifest := map[string]any{"cases": []map[string]any{{
		"name": "m", "model": "m.onnx",
		"inputs": []map[string]any{{"name": "input", "shape": shape, "file": "m.in0.bin"}},
	}}}
	mj, _ := json.Marshal(manifest)
	for name, b := range map[string][]byte{"manifest.json": mj, "m.onnx": model, "m.in0.bin": floattest.FloatsToBytes(x)} {
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
			File string `json:"file"`
		} `json:"outputs"`
	}
	rj, err := os.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(rj, &results); err != nil {
		t.Fatal(err)
	}
	if len(results) != 1 || results[0].Error != "" || len(results[0].Outputs) < 1 {
		t.Fatalf("onnxruntime: %s", rj)
	}
	raw, err := os.ReadFile(filepath.Join(dir, results[0].Outputs[0].File))
	if err != nil {
		t.Fatal(err)
	}
	return floattest.BytesToFloats(raw)
}
