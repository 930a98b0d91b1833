package onnx

import (
	"wasmcnn/core"
	"wasmcnn/internal/fmtlite"
)

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
	if err := checkProfile(runs, now); err != nil {
		return nil, err
	}
	if err := m.PlanFor(len(x)); err != nil {
		return nil, err
	}
	if err := checkInputValues(m.Inputs[0].Name, m.inputElems[0], x); err != nil {
		return nil, err
	}
	return m.timeSteps([][]float32{x}, runs, now), nil
}

// ProfileInputs is [Model.Profile] for a model of any number of inputs,
// given as [Model.Run] takes them.
func (m *Model) ProfileInputs(inputs []*core.Tensor, runs int, now Clock) ([]StepTime, error) {
	if err := checkProfile(runs, now); err != nil {
		return nil, err
	}
	if _, err := m.Run(inputs...); err != nil { // plans and checks
		return nil, err
	}
	data := make([][]float32, len(inputs))
	for i, t := range inputs {
		data[i] = t.Data
	}
	return m.timeSteps(data, runs, now), nil
}

func checkProfile(runs int, now Clock) error {
	if runs < 1 {
		return fmtlite.Errorf("onnx: Profile needs at least one run, got %d", runs)
	}
	if now == nil {
		return fmtlite.Errorf("onnx: Profile needs a clock")
	}
	return nil
}

// timeSteps runs the current plan on inputs runs times, timing each step.
func (m *Model) timeSteps(inputs [][]float32, runs int, now Clock) []StepTime {
	out := make([]StepTime, len(m.plan.steps))
	for i, s := range m.plan.steps {
		n := s.node
		out[i].Node = n.info()
	}
	for r := 0; r < runs; r++ {
		for i, x := range inputs {
			copy(m.plan.inputs[i].f, x)
		}
		for i, s := range m.plan.steps {
			t0 := now()
			s.run()
			out[i].Nanos += now() - t0
		}
	}
	m.plan.ran = true
	return out
}
