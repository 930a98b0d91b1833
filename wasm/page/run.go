package page

import "time"

// sliceBudget is how long the page runs a model's steps, or draws maps,
// before it lets the browser handle the pointer and paint: a few
// milliseconds, so that drawing and scrolling stay smooth while a model of
// hundreds of milliseconds runs. One step (a large convolution) may take
// longer: steps are not cut.
const sliceBudget = 6 * time.Millisecond

// firstSlice is the budget of a run's first slice, given the time its
// model's last run took (0 before its first) and its multiply-accumulates
// per run: a model small enough to run in well under a slice (the digit
// models), or known to, runs whole in the animation frame that found its
// input changed, so that its answer is on screen in that frame even when
// a pause of the collector, a first run's setting up or a busy machine
// stretches one run; any other starts with one slice.
func firstSlice(lastRun time.Duration, macs int64) time.Duration {
	if macs <= smallMACs || lastRun > 0 && lastRun <= sliceBudget/2 {
		return wholeRun
	}
	return sliceBudget
}

// smallMACs is the size below which a model is taken to run within a
// frame: the shipped digit model has about 12 M.
const smallMACs = 50_000_000

// wholeRun is the budget of a run that is not to be cut.
const wholeRun = time.Duration(1<<63 - 1)

// stepper is what a run in slices needs of a model (onnx.Model's run in
// parts).
type stepper interface {
	Feed(x []float32) (int, error)
	RunSteps(from, to int) (bool, error)
}

// slicedRun is one run of a model on one input, a slice of steps at a
// time: the drawing page runs the first slice in the animation frame that
// found the input changed and, if the run is not done, the others in tasks
// of their own with the event loop turning between them (frame_js.go). It
// measures the time spent running, the waits between slices left out.
type slicedRun struct {
	m           stepper
	steps, next int
	took        time.Duration // running the steps
	slices      int
	longest     time.Duration // the longest slice
	// slowest is the step that took longest, slowestTook its time: a
	// slice is never shorter than its longest step.
	slowest     int
	slowestTook time.Duration
	now         func() time.Time
}

// start feeds x to m: the steps run with slice.
func (r *slicedRun) start(m stepper, x []float32, now func() time.Time) error {
	n, err := m.Feed(x)
	if err != nil {
		return err
	}
	*r = slicedRun{m: m, steps: n, now: now}
	return nil
}

// slice runs steps, one at least, until budget is spent or the run is
// done, and reports whether it is.
func (r *slicedRun) slice(budget time.Duration) (bool, error) {
	t0 := r.now()
	last := t0
	for {
		to := min(r.next+1, r.steps) // a model of no steps is done at once
		done, err := r.m.RunSteps(r.next, to)
		if err != nil {
			return false, err
		}
		t := r.now()
		if step := t.Sub(last); step > r.slowestTook {
			r.slowest, r.slowestTook = r.next, step
		}
		last = t
		r.next = to
		spent := t.Sub(t0)
		if done || spent >= budget {
			r.took += spent
			r.slices++
			r.longest = max(r.longest, spent)
			return done, nil
		}
	}
}
