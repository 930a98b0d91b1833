//go:build !js

package onnx_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"wasmcnn/core"
	"wasmcnn/core/onnx"
	"wasmcnn/internal/floattest"
)

// TestConformanceWithOnnxruntime builds every case, runs it in wasmcnn and in
// onnxruntime-node (tools/ort_run.js), and requires agreement. It needs Node
// and the packages of package.json (npm ci); ./build.sh test installs them
// and sets WASMCNN_REQUIRE_ORT=1 so that nothing is skipped there.
func TestConformanceWithOnnxruntime(t *testing.T) {
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
	dir := t.TempDir()
	type manifestInput struct {
		Name  string `json:"name"`
		Shape []int  `json:"shape"`
		File  string `json:"file"`
	}
	type manifestCase struct {
		Name   string          `json:"name"`
		Model  string          `json:"model"`
		Inputs []manifestInput `json:"inputs"`
	}
	var manifest struct {
		Cases []manifestCase `json:"cases"`
	}
	cases := conformanceCases()
	models := map[string][]byte{}
	inputs := map[string][]*core.Tensor{}
	for ci, c := range cases {
		data := c.model()
		models[c.name] = data
		mc := manifestCase{Name: c.name, Model: c.name + ".onnx"}
		for ii, in := range c.inputs {
			x := onnx.RandInput(uint64(1000+ci*10+ii), in.shape...)
			for k := range x.Data {
				x.Data[k] = x.Data[k]*4 - 2 // both signs, so activations and pooling see negatives
			}
			inputs[c.name] = append(inputs[c.name], x)
			file := fmt.Sprintf("%s.in%d.bin", c.name, ii)
			if err := os.WriteFile(filepath.Join(dir, file), floattest.FloatsToBytes(x.Data), 0o644); err != nil {
				t.Fatal(err)
			}
			mc.Inputs = append(mc.Inputs, manifestInput{in.name, in.shape, file})
		}
		if err := os.WriteFile(filepath.Join(dir, mc.Model), data, 0o644); err != nil {
			t.Fatal(err)
		}
		manifest.Cases = append(manifest.Cases, mc)
	}
	mj, _ := json.Marshal(manifest)
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), mj, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", filepath.Join(root, "tools", "ort_run.js"), dir)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("onnxruntime run failed: %v\n%s", err, out)
	}
	var results []struct {
		Name    string `json:"name"`
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
		t.Fatalf("onnxruntime returned %d results for %d cases", len(results), len(cases))
	}
	coverage := map[string][]string{}
	worst, worstCase, worstFrac := 0.0, "", 0.0
	for i, c := range cases {
		r := results[i]
		if r.Error != "" {
			t.Errorf("%s: onnxruntime refused the model: %s", c.name, r.Error)
			continue
		}
		m, err := onnx.LoadModel(models[c.name], nil)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		got, err := m.Run(inputs[c.name]...)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if len(got) != len(r.Outputs) {
			t.Errorf("%s: %d outputs, onnxruntime has %d", c.name, len(got), len(r.Outputs))
			continue
		}
		for oi, o := range r.Outputs {
			raw, err := os.ReadFile(filepath.Join(dir, o.File))
			if err != nil {
				t.Fatal(err)
			}
			want := floattest.BytesToFloats(raw)
			if !slices.Equal(got[oi].Shape, o.Shape) {
				t.Errorf("%s: output %d has shape %v, onnxruntime %v", c.name, oi, got[oi].Shape, o.Shape)
				continue
			}
			d, frac, at := maxDiff(got[oi].Data, want)
			if d > worst {
				worst, worstCase = d, c.name
			}
			worstFrac = math.Max(worstFrac, frac)
			if at >= 0 {
				t.Errorf("%s: output %d element %d = %v, onnxruntime %v", c.name, oi, at, got[oi].Data[at], want[at])
			}
		}
		for _, op := range c.ops {
			coverage[op] = append(coverage[op], c.name)
		}
	}
	ops := make([]string, 0, len(coverage))
	for op := range coverage {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	var table strings.Builder
	for _, op := range ops {
		fmt.Fprintf(&table, "  %-48s %d case(s)\n", op, len(coverage[op]))
	}
	t.Logf("%d cases agree with onnxruntime; largest absolute difference %.3g (%s); largest difference relative to the tolerance %.3g\ncoverage:\n%s",
		len(cases), worst, worstCase, worstFrac, table.String())
}

// maxDiff returns the largest absolute difference, the largest difference
// as a fraction of the tolerance, and the first index breaking the tolerance
// (or −1).
func maxDiff(got, want []float32) (float64, float64, int) {
	worst, frac, bad := 0.0, 0.0, -1
	for i := range got {
		g, w := float64(got[i]), float64(want[i])
		d := math.Abs(g - w)
		if math.IsNaN(d) {
			if math.IsNaN(g) && math.IsNaN(w) {
				continue
			}
			d = math.Inf(1)
		}
		worst = math.Max(worst, d)
		tol := confAbs + confRel*math.Abs(w)
		frac = math.Max(frac, d/tol)
		if d > tol && bad < 0 {
			bad = i
		}
	}
	return worst, frac, bad
}
