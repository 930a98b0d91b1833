package archs_test

import (
	"math"
	"reflect"
	"runtime"
	"slices"
	"testing"

	"wasmcnn/core/onnx"
	"wasmcnn/internal/archs"
	"wasmcnn/internal/floattest"
)

// rereadFrom returns LoadOptions.Reread over a private copy of model, as
// the browser's API keeps one in JavaScript, and counts the bytes read.
func rereadFrom(model []byte, read *int64) func(int64, []byte) error {
	src := slices.Clone(model)
	return func(off int64, dst []byte) error {
		*read += int64(len(dst))
		copy(dst, src[off:])
		return nil
	}
}

// TestRereadSameResults loads every architecture small (float, and int8
// in both forms) with and without LoadOptions.Reread and holds the two to
// the same bits: the first run, a run at another batch size (a new plan,
// which shares the packed filters and reads nothing), the weights
// Initializer returns and, after switching to kept tensors (a plan that
// reads again the weights the first one dropped), every step's output and
// Explain of every convolution. The bytes given to LoadModel are overwritten after
// loading: a model that reads its weights again must not keep them.
func TestRereadSameResults(t *testing.T) {
	for ai, a := range archs.All {
		for _, q := range []archs.Quant{archs.Float, archs.QDQ, archs.QOperator} {
			model, err := archs.Tiny(a, uint64(ai+1), q)
			if err != nil {
				t.Fatalf("%s: %v", a, err)
			}
			name := string(a) + []string{"/float", "/qdq", "/qoperator"}[q]
			plain, err := onnx.LoadModel(model, nil)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			var read int64
			given := slices.Clone(model)
			rr, err := onnx.LoadModel(given, &onnx.LoadOptions{Reread: rereadFrom(model, &read)})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for i := range given {
				given[i] = 0xff // NaNs, were any weight still there
			}
			loaded := read
			if q == archs.Float && loaded < int64(4*plain.ParamCount) {
				t.Errorf("%s: loading read %d bytes again, want the %d of the weights", name, loaded, 4*plain.ParamCount)
			}
			for _, n := range []int{1, 2} {
				x := floattest.Seeded(uint64(300+ai), n*3*64*64)
				want, err := plain.Predict(x)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				want = slices.Clone(want)
				got, err := rr.Predict(x)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if !slices.Equal(floatBits(got), floatBits(want)) {
					t.Errorf("%s: batch %d: the outputs differ with Reread", name, n)
				}
			}
			if read != loaded {
				t.Errorf("%s: the plan for batch 2 read %d bytes again, want none: it shares the packed filters of the plan before", name, read-loaded)
			}
			for _, nd := range plain.Nodes {
				if nd.Op != "Conv" || !plain.IsInitializer(nd.Inputs[1]) {
					continue
				}
				w1, ok1 := plain.Initializer(nd.Inputs[1])
				w2, ok2 := rr.Initializer(nd.Inputs[1])
				if ok1 != ok2 || ok1 && !slices.Equal(floatBits(w1.Data), floatBits(w2.Data)) {
					t.Errorf("%s: Initializer(%s) differs with Reread", name, nd.Inputs[1])
				}
			}
			replanned := read
			s1, s2 := plain.Steps(), rr.Steps()
			if len(s1) != len(s2) {
				t.Fatalf("%s: %d steps against %d", name, len(s2), len(s1))
			}
			if q == archs.Float && read == replanned {
				t.Errorf("%s: the plan keeping its tensors read nothing again: the first plan dropped no weights", name)
			}
			for i, s := range s1 {
				if !slices.Equal(floatBits(s.Output.Data), floatBits(s2[i].Output.Data)) {
					t.Errorf("%s: step %d (%s) differs with Reread", name, i, s.Node.Name)
				}
				if s.Node.Op != "Conv" {
					continue
				}
				e1, err1 := plain.Explain(i, 1, 0, 0, 0)
				e2, err2 := rr.Explain(i, 1, 0, 0, 0)
				if (err1 == nil) != (err2 == nil) || err1 == nil && !reflect.DeepEqual(e1, e2) {
					t.Errorf("%s: Explain(step %d, %s) differs with Reread: %v, %v", name, i, s.Node.Name, err1, err2)
				}
			}
		}
	}
}

func floatBits(f []float32) []uint32 {
	out := make([]uint32, len(f))
	for i, v := range f {
		out[i] = math.Float32bits(v)
	}
	return out
}

// TestRereadHoldsWeightsOnce loads ResNet-50 at half width (6.9 M
// parameters, 26 MiB) with LoadOptions.Reread and bounds the Go heap the
// model holds once loaded: its weights, packed into its convolutions' plans
// (at most 16/9 of a 3×3 layer's for Winograd's transformed filters), its
// dense layer's, which a step reads as it runs, and its activations' peak,
// against 4 bytes a parameter and a value. Measured: 1.03× natively. Without
// Reread the decoded initializers stay beside their packed copies: 1.9×.
func TestRereadHoldsWeightsOnce(t *testing.T) {
	model, err := archs.Build(archs.ResNet50Arch, archs.Options{Seed: 7, Width: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	var read int64
	reread := rereadFrom(model, &read)
	before := liveHeap()
	m, err := onnx.LoadModel(model, &onnx.LoadOptions{Reread: reread})
	if err != nil {
		t.Fatal(err)
	}
	size := int64(len(model))
	model = nil // the caller lets go of its bytes, as the browser's API does
	held := liveHeap() - before + size
	need := 4 * (m.ParamCount + m.Activations())
	ratio := float64(held) / float64(need)
	t.Logf("held %.1f MiB for %.1f MiB of weights and activations: %.2f×", float64(held)/(1<<20), float64(need)/(1<<20), ratio)
	if ratio > 1.25 {
		t.Errorf("the model holds %.2f× its weights and activations, want at most 1.25×", ratio)
	}
	runtime.KeepAlive(m)
}

// liveHeap collects garbage and returns the bytes of live objects.
func liveHeap() int64 {
	runtime.GC()
	var s runtime.MemStats
	runtime.ReadMemStats(&s)
	return int64(s.HeapAlloc)
}

// TestRereadFailedPlan plans a model loaded with Reread for a batch past
// its activation limit, which fails once the new plan has dropped the
// weights it packed: the model keeps answering as before, on its previous
// plan, with the same bits.
func TestRereadFailedPlan(t *testing.T) {
	model, err := archs.Tiny(archs.ResNet18Arch, 3, archs.Float)
	if err != nil {
		t.Fatal(err)
	}
	var read int64
	opts := &onnx.LoadOptions{Reread: rereadFrom(model, &read), Limits: onnx.Limits{MaxActivations: 1 << 20}}
	m, err := onnx.LoadModel(model, opts)
	if err != nil {
		t.Fatal(err)
	}
	x := floattest.Seeded(9, 3*64*64)
	want, err := m.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	want = slices.Clone(want)
	if err := m.PlanFor(64 * 3 * 64 * 64); err == nil {
		t.Fatal("a batch of 64 fitted the activation limit; the test needs one it does not")
	}
	got, err := m.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(floatBits(got), floatBits(want)) {
		t.Error("the outputs changed after a plan that failed")
	}
	if _, err := m.Predict(slices.Repeat(x, 2)); err != nil {
		t.Errorf("a batch of 2 after a plan that failed: %v", err)
	}
}
