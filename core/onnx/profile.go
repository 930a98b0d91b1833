package onnx

import "wasmcnn/internal/fmtlite"

// A Clock reads a monotonic clock, in nanoseconds from any fixed origin.
// [Model.Profile] takes one from its caller, so that this package needs no
// clock of its own: package time would cost the browser builds some 12 kB
// gzipped. Natively time.Since of a fixed start serves; in the browser,
// performance.now.
type Clock func() int64

// StepTime is how long one step of a plan took, summed over the runs of
// [Model.Profile].
type StepTime struct {
	Node  NodeInfo
	Nanos int64
}

// Profile runs the model on x (as [Model.Predict] does) runs times and
// returns the time spent in each step, in execution order, as now measures
// it, to show where a prediction's time goes.
func (m *Model) Profile(x []float32, runs int, now Clock) ([]StepTime, error) {
	if runs < 1 {
		return nil, fmtlite.Errorf("onnx: Profile needs at least one run, got %d", runs)
	}
	if now == nil {
		return nil, fmtlite.Errorf("onnx: Profile needs a clock")
	}
	if err := m.PlanFor(len(x)); err != nil {
		return nil, err
	}
	if err := checkInputValues(m.Inputs[0].Name, m.inputElems[0], x); err != nil {
		return nil, err
	}
	out := make([]StepTime, len(m.plan.steps))
	for i, s := range m.plan.steps {
		n := s.node
		out[i].Node = NodeInfo{Name: n.name, Op: n.opType, Inputs: n.inputs, Outputs: n.outputs}
	}
	for r := 0; r < runs; r++ {
		copy(m.plan.inputs[0].f, x)
		for i, s := range m.plan.steps {
			t0 := now()
			s.run()
			out[i].Nanos += now() - t0
		}
	}
	m.plan.ran = true
	return out, nil
}
