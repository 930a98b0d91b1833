package archs_test

import (
	"math"
	"strings"
	"testing"

	"wasmcnn/core"
	"wasmcnn/core/onnx"
	"wasmcnn/internal/archs"
	"wasmcnn/internal/floattest"
)

// TestFusedArchitecturesExplain runs every architecture small in float
// with shared buffers, checks that its convolutions ran fused (the
// profile's steps merge batch norms and activations) and agree with the
// graph as written within onnx.FusionTolerance (natively on the CPU's
// kernels, under js/wasm on the SIMD module), then looks inside
// as the page does: Steps lists the graph's nodes as written with that
// run's values, and Explain recomputes a place of every convolution to
// the value in its buffer.
func TestFusedArchitecturesExplain(t *testing.T) {
	for ai, a := range archs.All {
		model, err := archs.Tiny(a, uint64(ai+1), archs.Float)
		if err != nil {
			t.Fatalf("%s: %v", a, err)
		}
		m, err := onnx.LoadModel(model, nil)
		if err != nil {
			t.Fatalf("%s: %v", a, err)
		}
		x := &core.Tensor{Shape: []int{1, 3, 64, 64}, Data: floattest.Seeded(uint64(200+ai), 3*64*64)}
		prof, err := m.ProfileInputs([]*core.Tensor{x}, 1, func() int64 { return 0 })
		if err != nil {
			t.Fatalf("%s: %v", a, err)
		}
		out, err := m.Run(x)
		if err != nil {
			t.Fatalf("%s: %v", a, err)
		}
		fusedOut := append([]float32(nil), out[0].Data...)
		kept, err := onnx.LoadModel(model, &onnx.LoadOptions{KeepTensors: true})
		if err != nil {
			t.Fatalf("%s: %v", a, err)
		}
		asWritten, err := kept.Run(x)
		if err != nil {
			t.Fatalf("%s: %v", a, err)
		}
		largest, worst := 0.0, 0.0
		for i, v := range asWritten[0].Data {
			largest = math.Max(largest, math.Abs(float64(v)))
			worst = math.Max(worst, math.Abs(float64(v)-float64(fusedOut[i])))
		}
		if !(worst <= onnx.FusionTolerance*largest) {
			t.Errorf("%s: fused and as written differ by %.3g, the output's largest magnitude %.3g", a, worst, largest)
		}
		fused := 0
		for _, s := range prof {
			if strings.HasPrefix(s.Node.Op, "Conv+") {
				fused++
			}
		}
		if fused == 0 || m.KeepsTensors() {
			t.Errorf("%s: %d of %d steps are fused convolutions", a, fused, len(prof))
		}
		steps := m.Steps()
		ops := make([]onnx.NodeInfo, len(steps))
		for i, s := range steps {
			ops[i] = s.Node
		}
		if !m.KeepsTensors() || countOp(ops, "Conv") != countOp(m.Nodes, "Conv") || countOp(ops, "Relu") != countOp(m.Nodes, "Relu") {
			t.Errorf("%s: Steps lists %d convolutions and %d ReLUs, the file %d and %d", a, countOp(ops, "Conv"), countOp(ops, "Relu"), countOp(m.Nodes, "Conv"), countOp(m.Nodes, "Relu"))
		}
		convs := 0
		for i, s := range steps {
			if s.Node.Op != "Conv" || !m.Explainable(i) {
				continue
			}
			convs++
			sh := s.Output.Shape
			c, y, xx := (i*7)%sh[1], (i*3)%sh[2], (i*5)%sh[3]
			e, err := m.Explain(i, 0, c, y, xx)
			if err != nil {
				t.Fatalf("%s: step %d: %v", a, i, err)
			}
			at := s.Output.Data[((c*sh[2])+y)*sh[3]+xx]
			near := func(a, b float32) bool { return math.Abs(float64(a-b)) <= 1e-4*(1+math.Abs(float64(b))) }
			if !near(e.Value, at) || !near(e.Output, e.Map) {
				t.Errorf("%s: step %d (%s) at (%d, %d, %d): explained %v then %v, buffer %v then %v", a, i, s.Node.Name, c, y, xx, e.Value, e.Output, at, e.Map)
			}
		}
		if convs == 0 {
			t.Errorf("%s: no convolution explained", a)
		}
	}
}

func countOp(nodes []onnx.NodeInfo, op string) int {
	n := 0
	for _, x := range nodes {
		if x.Op == op {
			n++
		}
	}
	return n
}
