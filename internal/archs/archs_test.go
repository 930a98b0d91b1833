//go:build !js

package archs_test

import (
	"fmt"
	"math"
	"testing"

	"wasmcnn/core"
	"wasmcnn/core/onnx"
	"wasmcnn/internal/archs"
	"wasmcnn/internal/floattest"
	"wasmcnn/internal/orttest"
)

// TestArchitecturesMatchOnnxruntime builds every architecture small, in
// float and in both int8 forms, and runs it in wasmcnn and in
// onnxruntime-node (quantized models with onnxruntime's default
// optimisations, which fuse QDQ groups into integer kernels). Float
// outputs must agree within 1e-4 of the output's largest magnitude; int8
// outputs exactly, but for the steps explained where they are allowed.
// Each runs fused (shared buffers) and as written (kept buffers), which
// must agree within onnx.FusionTolerance (int8: exactly).
func TestArchitecturesMatchOnnxruntime(t *testing.T) {
	root := orttest.Require(t)
	type built struct {
		name  string
		model []byte
		quant archs.Quant
		x     *core.Tensor
	}
	var cases []built
	var refs []orttest.Case
	for ai, a := range archs.All {
		for _, q := range []archs.Quant{archs.Float, archs.QDQ, archs.QOperator} {
			model, err := archs.Tiny(a, uint64(ai+1), q)
			if err != nil {
				t.Fatalf("%s: %v", a, err)
			}
			x := &core.Tensor{Shape: []int{2, 3, 64, 64}, Data: floattest.Seeded(uint64(100+ai), 2*3*64*64)}
			name := fmt.Sprintf("%s/%s", a, []string{"float", "qdq", "qoperator"}[q])
			cases = append(cases, built{name, model, q, x})
			refs = append(refs, orttest.Case{Name: name, Model: model, Optimize: q != archs.Float,
				Inputs: []orttest.Input{{Name: "input", Shape: x.Shape, Data: x.Data}}})
		}
	}
	results := orttest.Run(t, root, refs)
	for i, c := range cases {
		r := results[i]
		if r.Err != "" {
			t.Errorf("%s: onnxruntime: %s", c.name, r.Err)
			continue
		}
		var outs [2][]float32
		for k, keep := range []bool{false, true} {
			m, err := onnx.LoadModel(c.model, &onnx.LoadOptions{KeepTensors: keep})
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
				break
			}
			got, err := m.Run(c.x)
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
				break
			}
			outs[k] = append([]float32(nil), got[0].Data...)
			if !keep {
				t.Logf("%s: %d nodes, %d activation values at the peak, %d if every tensor kept its buffer", c.name, len(m.Nodes), m.Activations(), m.ActivationsSum())
			}
		}
		if outs[1] == nil {
			continue
		}
		// Shared buffers run the convolutions fused, kept ones the graph
		// as written: float models agree to rounding, int8 ones exactly.
		keptLargest, keptWorst := 0.0, 0.0
		for k := range outs[0] {
			keptLargest = math.Max(keptLargest, math.Abs(float64(outs[1][k])))
			keptWorst = math.Max(keptWorst, math.Abs(float64(outs[0][k])-float64(outs[1][k])))
		}
		if c.quant == archs.Float && !(keptWorst <= onnx.FusionTolerance*keptLargest) || c.quant != archs.Float && keptWorst != 0 {
			t.Errorf("%s: fused and as written differ by %.3g, the output's largest magnitude %.3g", c.name, keptWorst, keptLargest)
		}
		want := r.Outputs[0].Data
		if len(want) != len(outs[0]) {
			t.Errorf("%s: %d outputs, onnxruntime %d", c.name, len(outs[0]), len(want))
			continue
		}
		largest := 0.0
		for _, v := range want {
			largest = math.Max(largest, math.Abs(float64(v)))
		}
		worst, differ := 0.0, 0
		for k, v := range outs[0] {
			d := math.Abs(float64(v - want[k]))
			worst = math.Max(worst, d)
			if d > 0 {
				differ++
			}
		}
		switch c.quant {
		case archs.Float:
			if worst > 1e-4*largest {
				t.Errorf("%s: largest difference %.3g, %.3g of the largest output %.3g", c.name, worst, worst/largest, largest)
			}
			t.Logf("%s: largest difference %.2g of the largest output", c.name, worst/largest)
		default:
			if differ > 0 {
				t.Errorf("%s: %d of %d outputs differ from onnxruntime's (largest by %.3g, the output's scale)", c.name, differ, len(want), worst)
			}
		}
	}
}
