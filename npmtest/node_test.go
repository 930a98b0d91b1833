package npmtest

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"wasmcnn/core"
	"wasmcnn/core/onnx"
	"wasmcnn/internal/apitest"
	"wasmcnn/wasm/adapt"
)

// answer is what every consumer reports: the samples' labels and the
// model's outputs on them, with the kernel that computed them.
type answer struct {
	Kernel string    `json:"kernel"`
	Labels []int     `json:"labels"`
	Out    []float32 `json:"out"`
}

// native returns the native engine's outputs and the labels for the
// digit model and the MNIST samples as installed in the package.
func native(t *testing.T) ([]float32, []int) {
	t.Helper()
	model, err := os.ReadFile(filepath.Join(pkgDir, "models", "digits.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	samples, err := os.ReadFile(filepath.Join(pkgDir, "models", "mnist-sample.bin"))
	if err != nil {
		t.Fatal(err)
	}
	digits, err := adapt.ReadDigits(samples)
	if err != nil {
		t.Fatal(err)
	}
	m, err := onnx.LoadModel(model, nil)
	if err != nil {
		t.Fatal(err)
	}
	var x []float32
	labels := make([]int, len(digits))
	for i, d := range digits {
		x = append(x, d.Pix...)
		labels[i] = d.Label
	}
	want, err := m.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	return want, labels
}

// sameAnswer checks that got holds the native engine's labels and outputs:
// within 1e-5 (the kernels sum in another order) and the same digit read.
func sameAnswer(t *testing.T, where string, got answer) {
	t.Helper()
	want, labels := native(t)
	if !slices.Equal(got.Labels, labels) {
		t.Fatalf("%s: labels %v, want %v", where, got.Labels, labels)
	}
	if len(got.Out) != len(want) {
		t.Fatalf("%s: %d outputs, want %d", where, len(got.Out), len(want))
	}
	worst := 0.0
	for i := range want {
		worst = max(worst, math.Abs(float64(got.Out[i]-want[i])))
	}
	if worst > 1e-5 {
		t.Errorf("%s: outputs differ from the native engine's by up to %g", where, worst)
	}
	classes := len(want) / len(labels)
	for i := range labels {
		g, w := core.Argmax(got.Out[i*classes:(i+1)*classes]), core.Argmax(want[i*classes:(i+1)*classes])
		if g != w {
			t.Errorf("%s: sample %d read as %d, the native engine reads %d", where, i, g, w)
		}
	}
	t.Logf("%s (kernel %s): %d samples, outputs within %.2g of the native engine's", where, got.Kernel, len(labels), worst)
}

// TestNode imports {start, loadModel} from "wasmcnn" under Node: the digit
// model shipped in the package predicts the package's MNIST samples as
// the native engine does, and of globalThis the module added only what
// Go's wasm_exec.js defines for its runtime.
func TestNode(t *testing.T) {
	need(t)
	out, err := command(project, "node", "node-predict.mjs")
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		answer
		Version string   `json:"version"`
		Globals []string `json:"globals"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if got.Version != core.Version {
		t.Errorf("version %q, want %q", got.Version, core.Version)
	}
	sameAnswer(t, "Node "+nodeVersion(t), got.answer)

	base, err := command(project, "node", "--input-type=module", "-e", "console.log(JSON.stringify(Object.getOwnPropertyNames(globalThis)))")
	if err != nil {
		t.Fatal(err)
	}
	var before []string
	if err := json.Unmarshal(base, &before); err != nil {
		t.Fatal(err)
	}
	goRuntime := []string{"Go", "fs", "path", "process"} // what wasm_exec.js defines where missing
	for _, g := range got.Globals {
		if !slices.Contains(before, g) && !slices.Contains(goRuntime, g) {
			t.Errorf("importing and starting wasmcnn left globalThis.%s behind; only Go's runtime may add globals (%v)", g, goRuntime)
		}
	}
}

func nodeVersion(t *testing.T) string {
	out, err := command(project, "node", "--version")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// TestNodeBadCalls makes every call of apitest.BadCalls through the
// package's named exports under Node: each throws an Error saying what was
// wrong, as the classic script's do, and afterwards the model still answers.
func TestNodeBadCalls(t *testing.T) {
	need(t)
	cases := apitest.BadCalls(true) // Node has SharedArrayBuffer
	spec, _ := json.Marshal(map[string]any{"try": apitest.Try, "fixtures": apitest.Fixtures, "script": apitest.Script(cases)})
	file := filepath.Join(t.TempDir(), "cases.json")
	if err := os.WriteFile(file, spec, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := command(project, "node", "node-badcalls.mjs", file)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Messages []*string `json:"messages"`
		After    []float32 `json:"after"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	checkMessages(t, "Node", cases, got.Messages)
	if len(got.After) != 10 {
		t.Fatalf("after the bad calls predict gave %d values", len(got.After))
	}
	sum := float32(0)
	for _, p := range got.After {
		sum += p
	}
	if math.Abs(float64(sum-1)) > 1e-3 {
		t.Errorf("after the bad calls predict's probabilities sum to %v", sum)
	}
}

// checkMessages compares what each bad call threw with what it must say.
func checkMessages(t *testing.T, where string, cases []apitest.Case, msgs []*string) {
	t.Helper()
	bad := apitest.Mismatches(cases, msgs)
	for _, m := range bad {
		t.Errorf("%s: %s", where, m)
	}
	t.Logf("%s: %d bad calls through the module's named exports, %d threw the expected Error", where, len(cases), len(cases)-len(bad))
}
