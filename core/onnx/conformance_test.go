//go:build !js

package onnx_test

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"testing"

	"wasmcnn/core"
	"wasmcnn/core/onnx"
	"wasmcnn/internal/orttest"
)

// TestConformanceWithOnnxruntime builds every case, runs it in wasmcnn and in
// onnxruntime-node (tools/ort_run.js), and requires agreement. It needs Node
// and the packages of package.json (npm ci); ./build.sh test installs them
// and sets WASMCNN_REQUIRE_ORT=1 so that nothing is skipped there.
func TestConformanceWithOnnxruntime(t *testing.T) {
	root := orttest.Require(t)
	cases := conformanceCases()
	refCases := make([]orttest.Case, len(cases))
	inputs := make([][]*core.Tensor, len(cases))
	for ci, c := range cases {
		refCases[ci] = orttest.Case{Name: c.name, Model: c.model(), Optimize: c.optimize}
		inputs[ci] = inputsFor(c, uint64(1000+ci*10))
		for ii, in := range c.inputs {
			refCases[ci].Inputs = append(refCases[ci].Inputs, orttest.Input{Name: in.name, Shape: in.shape, Data: inputs[ci][ii].Data, Type: in.typ})
		}
	}
	results := orttest.Run(t, root, refCases)
	coverage := map[string][]string{}
	worst, worstCase, worstFrac := 0.0, "", 0.0
	for i, c := range cases {
		r := results[i]
		if r.Err != "" {
			t.Errorf("%s: onnxruntime refused the model: %s", c.name, r.Err)
			continue
		}
		m, err := onnx.LoadModel(refCases[i].Model, nil)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		got, err := m.Run(inputs[i]...)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if len(got) != len(r.Outputs) {
			t.Errorf("%s: %d outputs, onnxruntime has %d", c.name, len(got), len(r.Outputs))
			continue
		}
		for oi, o := range r.Outputs {
			want := o.Data
			if !slices.Equal(got[oi].Shape, o.Shape) {
				t.Errorf("%s: output %d has shape %v, onnxruntime %v", c.name, oi, got[oi].Shape, o.Shape)
				continue
			}
			if c.offBy.steps > 0 {
				checkSteps(t, c, oi, got[oi].Data, want)
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
		// Buffers shared by liveness (convolutions fused) or kept per
		// tensor (the graph as written): the same numbers, to float32
		// rounding.
		kept, err := onnx.LoadModel(refCases[i].Model, &onnx.LoadOptions{KeepTensors: true})
		if err != nil {
			t.Errorf("%s: keeping tensors: %v", c.name, err)
			continue
		}
		again, err := kept.Run(inputs[i]...)
		if err != nil {
			t.Errorf("%s: keeping tensors: %v", c.name, err)
			continue
		}
		for oi := range got {
			if d := onnx.FusedDiff(got[oi].Data, again[oi].Data); d > onnx.FusedTolerance {
				t.Errorf("%s: output %d differs when every tensor keeps its buffer by %.3g of its largest magnitude", c.name, oi, d)
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

// sameBits reports whether two float slices hold the same bits.
func sameBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

// checkSteps holds a quantized output to the bound its case states: no
// value more than offBy.steps from onnxruntime's, and at most a fraction
// offBy.fraction of them different at all.
func checkSteps(t *testing.T, c confCase, oi int, got, want []float32) {
	t.Helper()
	differ := 0
	for i := range got {
		d := math.Abs(float64(got[i] - want[i]))
		if d > c.offBy.steps+1e-5*math.Abs(float64(want[i])) {
			t.Errorf("%s: output %d element %d = %v, onnxruntime %v: more than %v steps apart", c.name, oi, i, got[i], want[i], c.offBy.steps)
			return
		}
		if d > 1e-6*math.Abs(float64(want[i])) {
			differ++
		}
	}
	if frac := float64(differ) / float64(max(len(got), 1)); frac > c.offBy.fraction {
		t.Errorf("%s: output %d: %d of %d values differ from onnxruntime's (%.3g), more than %.3g", c.name, oi, differ, len(got), frac, c.offBy.fraction)
	}
	t.Logf("%s: output %d: %d of %d values within %v steps of onnxruntime's", c.name, oi, differ, len(got), c.offBy.steps)
}
