package onnx_test

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"wasmcnn/core/onnx"
	"wasmcnn/internal/archs"
)

// TestRunStepsInParts runs real architectures (a ResNet and a MobileNetV2
// with its depthwise convolutions, sharing buffers and keeping them) in
// random ranges of steps and holds every output and every step's tensor to
// Predict's, bit for bit; Explain waits for the last step.
func TestRunStepsInParts(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, a := range []archs.Arch{archs.ResNet18Arch, archs.MobileNetV2Arch} {
		b, err := archs.Tiny(a, 3, archs.Float)
		if err != nil {
			t.Fatal(err)
		}
		for _, keep := range []bool{false, true} {
			// The reference keeps its tensors: a model that shares buffers
			// runs fused (BatchNormalization folded into the convolutions,
			// rounding otherwise), while a run in parts goes node by node.
			whole, _ := onnx.LoadModel(b, &onnx.LoadOptions{KeepTensors: true})
			parts, _ := onnx.LoadModel(b, &onnx.LoadOptions{KeepTensors: keep})
			for trial := 0; trial < 3; trial++ {
				x := make([]float32, 3*64*64)
				for i := range x {
					x[i] = rng.Float32()*2 - 1
				}
				want, err := whole.Predict(x)
				if err != nil {
					t.Fatal(err)
				}
				n, err := parts.Feed(x)
				if err != nil {
					t.Fatal(err)
				}
				if n != len(parts.Steps()) {
					t.Fatalf("%s: Feed says %d steps, Steps lists %d", a, n, len(parts.Steps()))
				}
				if _, err := parts.Explain(0, 0, 0, 0, 0); !errors.Is(err, onnx.ErrNotRun) {
					t.Fatalf("%s: Explain before any step: %v, want ErrNotRun", a, err)
				}
				done := false
				for from := 0; from < n; {
					to := min(n, from+1+rng.IntN(8))
					if done, err = parts.RunSteps(from, to); err != nil {
						t.Fatal(err)
					}
					if done != (to == n) {
						t.Fatalf("%s: RunSteps(%d, %d) of %d says done %v", a, from, to, n, done)
					}
					if !done {
						if _, err := parts.Explain(0, 0, 0, 0, 0); !errors.Is(err, onnx.ErrNotRun) {
							t.Fatalf("%s: Explain after step %d of %d: %v, want ErrNotRun", a, to, n, err)
						}
					}
					from = to
				}
				if !slices.Equal(parts.Output(0), want) {
					t.Fatalf("%s keep=%v: the output run in parts differs from Predict's", a, keep)
				}
				if keep {
					ws, ps := whole.Steps(), parts.Steps()
					for i := range ws {
						if !slices.Equal(ws[i].Output.Data, ps[i].Output.Data) {
							t.Fatalf("%s: step %d (%s) differs", a, i, ws[i].Node.Name)
						}
					}
				}
				if _, err := parts.Explain(0, 0, 0, 0, 0); err != nil {
					t.Fatalf("%s: Explain after the run: %v", a, err)
				}
			}
		}
	}
}

// TestRunStepsOrder refuses steps out of order, without an input, and
// after a complete run; Output refuses indexes out of range.
func TestRunStepsOrder(t *testing.T) {
	b, err := archs.Tiny(archs.SqueezeNet11Arch, 1, archs.Float)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := onnx.LoadModel(b, nil)
	if _, err := m.RunSteps(0, 1); err == nil {
		t.Error("RunSteps before Feed ran")
	}
	x := make([]float32, 3*64*64)
	n, err := m.Feed(x)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range [][2]int{{1, 2}, {0, n + 1}, {-1, 0}, {2, 1}} {
		if _, err := m.RunSteps(r[0], r[1]); err == nil {
			t.Errorf("RunSteps(%d, %d) right after Feed ran", r[0], r[1])
		}
	}
	if _, err := m.RunSteps(0, 2); err != nil {
		t.Fatal(err)
	}
	if _, err := m.RunSteps(0, 2); err == nil {
		t.Error("RunSteps ran steps 0..1 twice")
	}
	if done, err := m.RunSteps(2, n); err != nil || !done {
		t.Fatalf("the rest: done %v, %v", done, err)
	}
	if _, err := m.RunSteps(n, n); err == nil {
		t.Error("RunSteps ran again after a complete run without Feed")
	}
	if _, err := m.Feed(x[:5]); err == nil {
		t.Error("Feed took 5 values")
	}
	if m.Output(1) != nil || m.Output(-1) != nil || len(m.Output(0)) != 10 {
		t.Errorf("Output: %d values of output 0", len(m.Output(0)))
	}
}
