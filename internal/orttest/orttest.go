// Package orttest runs ONNX models in onnxruntime-node, through
// tools/ort_run.js: the independent reference that wasmcnn's tests hold its
// outputs to. Only tests import it; it needs Node and the packages of
// package.json (npm ci), which ./build.sh test installs.
package orttest

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"wasmcnn/internal/floattest"
)

// Input is one input of a case, its values as float32; Type names the
// tensor type onnxruntime is fed ("uint8", "int8", "int64"…; "" is
// float32), converted from those values.
type Input struct {
	Name  string
	Shape []int
	Data  []float32
	Type  string
}

// Case is a model and the inputs to run it on. Optimize runs it with all
// of onnxruntime's graph optimisations, as a session does by default (for
// quantized models, whose QDQ nodes onnxruntime fuses into integer
// kernels); otherwise optimisations are off.
type Case struct {
	Name     string
	Model    []byte
	Inputs   []Input
	Optimize bool
}

// Output is one output of a run, its values as float32 whatever its type.
type Output struct {
	Shape []int
	Data  []float32
}

// Result is what onnxruntime made of a case: its outputs, or why it
// refused the model.
type Result struct {
	Outputs []Output
	Err     string
}

// Require returns the repository root, found from the test's directory. It
// skips t when onnxruntime-node is not installed, or fails it when the
// environment asks that nothing be skipped (WASMCNN_REQUIRE_ORT, or
// WASMCNN_REQUIRE_BROWSER for the browser tests that use it).
func Require(t testing.TB) string {
	t.Helper()
	root, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(root)
		if parent == root {
			t.Fatal("orttest: no go.mod above the test's directory")
		}
		root = parent
	}
	if _, err := os.Stat(filepath.Join(root, "node_modules", "onnxruntime-node")); err != nil {
		if os.Getenv("WASMCNN_REQUIRE_ORT") != "" || os.Getenv("WASMCNN_REQUIRE_BROWSER") != "" {
			t.Fatalf("onnxruntime-node is not installed (npm ci): %v", err)
		}
		t.Skip("onnxruntime-node not installed; run npm ci (./build.sh test does)")
	}
	return root
}

// Run runs every case in one onnxruntime-node process (one thread; graph
// optimisations as the case says) and returns the results in the order of
// cases.
func Run(t testing.TB, root string, cases []Case) []Result {
	t.Helper()
	type manifestInput struct {
		Name  string `json:"name"`
		Shape []int  `json:"shape"`
		File  string `json:"file"`
		Type  string `json:"type,omitempty"`
	}
	type manifestCase struct {
		Name     string          `json:"name"`
		Model    string          `json:"model"`
		Inputs   []manifestInput `json:"inputs"`
		Optimize bool            `json:"optimize,omitempty"`
	}
	var manifest struct {
		Cases []manifestCase `json:"cases"`
	}
	dir := t.TempDir()
	write := func(name string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for ci, c := range cases {
		// Files are named by index: case names need not be file names.
		mc := manifestCase{Name: "c" + strconv.Itoa(ci), Model: "c" + strconv.Itoa(ci) + ".onnx", Optimize: c.Optimize}
		write(mc.Model, c.Model)
		for ii, in := range c.Inputs {
			file := mc.Name + ".in" + strconv.Itoa(ii) + ".bin"
			write(file, floattest.FloatsToBytes(in.Data))
			mc.Inputs = append(mc.Inputs, manifestInput{in.Name, in.Shape, file, in.Type})
		}
		manifest.Cases = append(manifest.Cases, mc)
	}
	mj, err := json.Marshal(manifest)
	if err != nil {
		t.Fatal(err)
	}
	write("manifest.json", mj)
	cmd := exec.Command("node", filepath.Join(root, "tools", "ort_run.js"), dir)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("orttest: onnxruntime run failed: %v\n%s", err, out)
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
	if len(results) != len(cases) {
		t.Fatalf("orttest: onnxruntime returned %d results for %d cases", len(results), len(cases))
	}
	out := make([]Result, len(results))
	for i, r := range results {
		out[i].Err = r.Error
		for _, o := range r.Outputs {
			raw, err := os.ReadFile(filepath.Join(dir, o.File))
			if err != nil {
				t.Fatal(err)
			}
			out[i].Outputs = append(out[i].Outputs, Output{Shape: o.Shape, Data: floattest.BytesToFloats(raw)})
		}
	}
	return out
}
