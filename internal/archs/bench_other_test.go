//go:build !(js && wasm)

package archs_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"wasmcnn/internal/archs"
)

// installKernel keeps the CPU's kernels natively.
func installKernel() (string, error) { return "", nil }

// BenchmarkArchitecturesORT times the networks of BenchmarkArchitectures,
// the same files, in onnxruntime-node on one thread with every graph
// optimisation (ort_archs.js), reporting each one's median of 10 runs as
// its ns/op. WASMCNN_ORT_RUNTIME=web times ONNX Runtime Web's WebAssembly
// build under Node instead.
func BenchmarkArchitecturesORT(b *testing.B) {
	root, err := filepath.Abs("../..")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "node_modules", "onnxruntime-node")); err != nil {
		b.Skip("onnxruntime is not installed: npm ci")
	}
	runtime := "node"
	if os.Getenv("WASMCNN_ORT_RUNTIME") == "web" {
		runtime = "web"
	}
	dir := b.TempDir()
	type entry struct {
		Name  string `json:"name"`
		Model string `json:"model"`
		Shape []int  `json:"shape"`
	}
	var manifest []entry
	for ai, a := range benchArchs {
		model, err := archs.Build(a, archs.Options{Seed: uint64(ai + 1)})
		if err != nil {
			b.Fatal(err)
		}
		file := string(a) + ".onnx"
		if err := os.WriteFile(filepath.Join(dir, file), model, 0o644); err != nil {
			b.Fatal(err)
		}
		manifest = append(manifest, entry{string(a), file, []int{1, 3, 224, 224}})
	}
	data, err := json.Marshal(manifest)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), data, 0o644); err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command("node", filepath.Join(root, "internal", "archs", "ort_archs.js"), dir, runtime, strconv.Itoa(10))
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("ort_archs.js: %v\n%s", err, out)
	}
	data, err = os.ReadFile(filepath.Join(dir, "times-"+runtime+".json"))
	if err != nil {
		b.Fatal(err)
	}
	var times map[string]float64
	if err := json.Unmarshal(data, &times); err != nil {
		b.Fatal(err)
	}
	for _, a := range benchArchs {
		b.Run(string(a), func(b *testing.B) {
			b.ReportMetric(times[string(a)]*1e6, "ns/op")
		})
	}
}
