package onnx

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"wasmcnn/core"
)

// checkPlacement fails t if two buffers alive at the same step overlap in
// memory, or if the peak is below the largest total of buffers alive at
// one step (no placement can do better) or above the arena.
func checkPlacement(t *testing.T, desc string, bufs []*val, peak int64) {
	t.Helper()
	lo, hi := 0, 0
	for _, b := range bufs {
		lo, hi = min(lo, b.def), max(hi, b.last)
	}
	var bound int64
	for s := lo; s <= hi; s++ {
		var live int64
		for _, b := range bufs {
			if b.def <= s && s <= b.last {
				live += int64(b.size)
			}
		}
		bound = max(bound, live)
	}
	if peak < bound {
		t.Errorf("%s: peak %d below the %d values alive at one step", desc, peak, bound)
	}
	for i, a := range bufs {
		if int64(a.off+a.size) > peak || a.off%bufferAlign != 0 {
			t.Errorf("%s: buffer %d at %d+%d outside the arena of %d or not aligned", desc, i, a.off, a.size, peak)
		}
		for _, b := range bufs[i+1:] {
			if a.def <= b.last && b.def <= a.last && a.off < b.off+b.size && b.off < a.off+a.size {
				t.Errorf("%s: buffers alive together overlap: [%d,%d]@%d+%d and [%d,%d]@%d+%d", desc, a.def, a.last, a.off, a.size, b.def, b.last, b.off, b.size)
			}
		}
	}
}

// TestPlaceArenaRandom places random lifetimes with each strategy (and
// the better of first and best fit) and checks every placement, and that reuse pays: the arena stays well below
// the sum when few buffers live at once.
func TestPlaceArenaRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 200; trial++ {
		n := 1 + r.IntN(60)
		var sum int64
		bufs := make([]*val, n)
		for i := range bufs {
			def := r.IntN(40) - 1
			bufs[i] = &val{size: r.IntN(5000), def: def, last: def + r.IntN(4)}
			sum += int64(bufs[i].size)
		}
		for k, how := range [][2]bool{{true, false}, {true, true}, {false, false}} {
			peak := placeArena(bufs, how[0], how[1])
			if k == 0 {
				if best := placeBest(bufs); best > peak {
					t.Errorf("trial %d: the better of two placements needs %d values, first fit %d", trial, best, peak)
				} else {
					checkPlacement(t, fmt.Sprintf("trial %d, the better placement", trial), bufs, best)
				}
				peak = placeArena(bufs, how[0], how[1])
			}
			checkPlacement(t, fmt.Sprintf("trial %d greedy %v best fit %v", trial, how[0], how[1]), bufs, peak)
			if n == 60 && peak > sum/2 {
				t.Errorf("trial %d: peak %d of a sum of %d: little reuse", trial, peak, sum)
			}
		}
	}
}

// chainModel is x → n ReLUs → y: each tensor is read only by the next node.
func chainModel(n int) []byte {
	b := NewModelBuilder(13)
	b.Input("x", []int{1, 1000})
	prev := "x"
	for i := 0; i < n; i++ {
		out := fmt.Sprintf("t%d", i)
		b.Node("Relu", "", []string{prev}, []string{out})
		prev = out
	}
	b.Node("Identity", "", []string{prev}, []string{"y"})
	b.Output("y", nil)
	return b.Bytes()
}

// TestPlanPeakOfChain: a chain needs the input and two buffers, not one per
// node; keeping the tensors needs them all; both compute the same.
func TestPlanPeakOfChain(t *testing.T) {
	shared, err := LoadModel(chainModel(10), nil)
	if err != nil {
		t.Fatal(err)
	}
	kept, err := LoadModel(chainModel(10), &LoadOptions{KeepTensors: true})
	if err != nil {
		t.Fatal(err)
	}
	aligned := int64((1000 + bufferAlign - 1) / bufferAlign * bufferAlign)
	if got, want := shared.Activations(), 2*aligned+1000; got != want {
		t.Errorf("shared plan holds %d values, want %d (input and two buffers)", got, want)
	}
	if got := shared.ActivationsSum(); got != 11*1000 {
		t.Errorf("sum of the tensors %d, want %d", got, 11*1000)
	}
	if got := kept.Activations(); got < 11*1000 {
		t.Errorf("kept plan holds %d values, want at least %d", got, 11*1000)
	}
	x := randInput(3, 1, 1000)
	for i := range x.Data {
		x.Data[i] -= 0.5
	}
	a, err := shared.Run(x)
	if err != nil {
		t.Fatal(err)
	}
	b, err := kept.Run(x)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a[0].Data, b[0].Data) {
		t.Error("shared and kept plans differ")
	}
	// A limit between the peak and the sum: the shared plan fits, keeping does not.
	lim := &LoadOptions{Limits: Limits{MaxActivations: 5000}}
	if _, err := LoadModel(chainModel(10), lim); err != nil {
		t.Errorf("the chain's peak fits 5000 values: %v", err)
	}
	lim.KeepTensors = true
	if _, err := LoadModel(chainModel(10), lim); err == nil {
		t.Error("keeping 11000 values under a limit of 5000 was not refused")
	}
}

// TestKeepAllTensorsRerun: switching a model that has run to keeping its
// tensors runs the last input again, so every step's output is that run's.
func TestKeepAllTensorsRerun(t *testing.T) {
	m, err := LoadModel(chainModel(4), nil)
	if err != nil {
		t.Fatal(err)
	}
	x := randInput(4, 1, 1000)
	if _, err := m.Run(x); err != nil {
		t.Fatal(err)
	}
	if m.KeepsTensors() {
		t.Fatal("a model loaded without KeepTensors keeps them")
	}
	// Steps itself switches the model, running the last input again.
	want := make([]float32, 1000)
	core.ReLU(want, x.Data)
	for _, s := range m.Steps() {
		if !slices.Equal(s.Output.Data, want) {
			t.Fatalf("step %s does not hold the last run's output", s.Node.Name)
		}
	}
	if !m.KeepsTensors() {
		t.Error("Steps did not switch the model to keeping its tensors")
	}
	// A model whose tensors do not fit the limit when kept: the steps
	// that are not graph outputs come without data.
	small, err := LoadModel(chainModel(10), &LoadOptions{Limits: Limits{MaxActivations: 5000}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := small.Run(x); err != nil {
		t.Fatal(err)
	}
	steps := small.Steps()
	if steps[0].Output.Data != nil || steps[len(steps)-1].Output.Data == nil {
		t.Error("over the limit, Steps gave data for a hidden step or none for the output")
	}
}

// TestSharedPlansMatchKept runs the hand-built models of the package's
// tests with shared buffers (convolutions fused) and with kept buffers
// (the graph as written): the outputs must agree to float32 rounding.
func TestSharedPlansMatchKept(t *testing.T) {
	for _, c := range explainModels() {
		b := NewModelBuilder(c.opset)
		c.build(b)
		var outs [2][]float32
		for i, keep := range []bool{false, true} {
			m, err := LoadModel(b.Bytes(), &LoadOptions{KeepTensors: keep})
			if err != nil {
				t.Fatalf("%s: %v", c.desc, err)
			}
			got, err := m.Run(c.in)
			if err != nil {
				t.Fatalf("%s: %v", c.desc, err)
			}
			outs[i] = append([]float32(nil), got[0].Data...)
		}
		if d := fusedDiff(outs[0], outs[1]); d > fusedTolerance {
			t.Errorf("%s: shared and kept buffers give outputs %.3g apart (of the largest magnitude)", c.desc, d)
		}
	}
}
