//go:build !(js && wasm)

package archs_test

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"wasmcnn/internal/archs"
	"wasmcnn/internal/orttest"
)

// installKernel keeps the CPU's kernels natively.
func installKernel() (string, error) { return "", nil }

// BenchmarkArchitecturesORT times the networks of BenchmarkArchitectures,
// the same files, in onnxruntime-node on one thread with every graph
// optimisation (ort_archs.js), reporting each one's median of 10 runs as
// its ns/op. WASMCNN_ORT_RUNTIME=web times ONNX Runtime Web's WebAssembly
// build under Node instead.
func BenchmarkArchitecturesORT(b *testing.B) {
	root := orttest.Require(b)
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
	times := orttest.Time(b, root, "internal/archs/ort_archs.js", dir, runtime, manifest, strconv.Itoa(10))
	for _, a := range benchArchs {
		b.Run(string(a), func(b *testing.B) {
			b.ReportMetric(times[string(a)]*1e6, "ns/op")
		})
	}
}
