package orttest

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Time runs one of the bench's onnxruntime timers (script, a path from the
// repository root, built on tools/ort_bench.js) on the models in dir:
// it writes manifest to dir/manifest.json, runs the script with dir,
// runtime ("node" for onnxruntime-node, "web" for ONNX Runtime Web's
// WebAssembly build under Node) and args, and returns the times it wrote,
// in milliseconds by case name.
func Time(tb testing.TB, root, script, dir, runtime string, manifest any, args ...string) map[string]float64 {
	tb.Helper()
	data, err := json.Marshal(manifest)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), data, 0o644); err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command("node", append([]string{filepath.Join(root, script), dir, runtime}, args...)...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("%s %s: %v\n%s", script, runtime, err, out)
	}
	data, err = os.ReadFile(filepath.Join(dir, "times-"+runtime+".json"))
	if err != nil {
		tb.Fatal(err)
	}
	var times map[string]float64
	if err := json.Unmarshal(data, &times); err != nil {
		tb.Fatal(err)
	}
	return times
}
