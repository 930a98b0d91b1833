package page

import (
	"slices"
	"testing"
	"time"

	"wasmcnn/core/onnx"
	"wasmcnn/internal/archs"
)

// clockedModel is a model whose steps each take one millisecond on a
// clock of the test's own.
type clockedModel struct {
	*onnx.Model
	t time.Time
}

func (c *clockedModel) RunSteps(from, to int) (bool, error) {
	c.t = c.t.Add(time.Duration(to-from) * time.Millisecond)
	return c.Model.RunSteps(from, to)
}

// TestSlicedRun runs a MobileNetV2 in slices of a budget on a clock where
// every step takes 1 ms: each slice runs as many steps as the budget
// holds, the time counted is the steps', and the outputs are Predict's.
func TestSlicedRun(t *testing.T) {
	b, err := archs.Tiny(archs.MobileNetV2Arch, 5, archs.Float)
	if err != nil {
		t.Fatal(err)
	}
	// Both keep their tensors, as the page's models do: a model sharing
	// buffers runs fused, with other rounding.
	whole, _ := onnx.LoadModel(b, &onnx.LoadOptions{KeepTensors: true})
	m, _ := onnx.LoadModel(b, &onnx.LoadOptions{KeepTensors: true})
	x := make([]float32, 3*64*64)
	for i := range x {
		x[i] = float32(i%97) / 97
	}
	want, err := whole.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	c := &clockedModel{Model: m}
	for _, budget := range []time.Duration{sliceBudget, time.Millisecond, 0, time.Hour} {
		var r slicedRun
		if err := r.start(c, x, func() time.Time { return c.t }); err != nil {
			t.Fatal(err)
		}
		per := max(1, int(budget/time.Millisecond))
		for i := 0; ; i++ {
			done, err := r.slice(budget)
			if err != nil {
				t.Fatal(err)
			}
			if r.next != min(r.steps, (i+1)*per) {
				t.Fatalf("budget %v: after slice %d, %d of %d steps ran, want %d", budget, i+1, r.next, r.steps, min(r.steps, (i+1)*per))
			}
			if done {
				break
			}
			c.t = c.t.Add(time.Second) // the event loop turns: not counted
		}
		wantSlices := (r.steps + per - 1) / per
		if r.slices != wantSlices || r.took != time.Duration(r.steps)*time.Millisecond || r.longest != time.Duration(min(per, r.steps))*time.Millisecond {
			t.Errorf("budget %v: %d slices (want %d), %v running (want %d ms), longest %v", budget, r.slices, wantSlices, r.took, r.steps, r.longest)
		}
		if r.slowestTook != time.Millisecond || r.slowest != 0 {
			t.Errorf("budget %v: the slowest step is %d at %v, want the first at 1 ms", budget, r.slowest, r.slowestTook)
		}
		if !slices.Equal(m.Output(0), want) {
			t.Errorf("budget %v: the run in slices differs from Predict", budget)
		}
	}
}

// TestFirstSlice: a small model, or one known to run in well under a
// slice, runs whole in its frame; a larger one not yet run, or known to be
// slower, starts with one slice.
func TestFirstSlice(t *testing.T) {
	for _, c := range []struct {
		last time.Duration
		macs int64
		want time.Duration
	}{
		{0, 12_000_000, wholeRun},
		{0, smallMACs + 1, sliceBudget},
		{time.Millisecond, 4_000_000_000, wholeRun},
		{sliceBudget / 2, 0, wholeRun},
		{sliceBudget/2 + 1, 12_000_000, wholeRun},
		{sliceBudget/2 + 1, smallMACs + 1, sliceBudget},
		{time.Second, smallMACs * 2, sliceBudget},
	} {
		if got := firstSlice(c.last, c.macs); got != c.want {
			t.Errorf("firstSlice(%v, %d) = %v, want %v", c.last, c.macs, got, c.want)
		}
	}
}
