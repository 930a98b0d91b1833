package onnx

import (
	"time"

	"wasmcnn/internal/fmtlite"
)

// StepTime is how long one step of a plan took, summed over the runs of
// [Model.Profile].
type StepTime struct {
	Node NodeInfo
	Time time.Duration
}

// Profile runs the model on x (as [Model.Predict] does) runs times and
// returns the time spent in each step, in execution order, to show where a
// prediction's time goes.
func (m *Model) Profile(x []float32, runs int) ([]StepTime, error) {
	if runs < 1 {
		return nil, fmtlite.Errorf("onnx: Profile needs at least one run, got %d", runs)
	}
	if err := m.PlanFor(len(x)); err != nil {
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
			t0 := time.Now()
			s.run()
			out[i].Time += time.Since(t0)
		}
	}
	m.plan.ran = true
	return out, nil
}
