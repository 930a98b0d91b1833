package onnx

import "wasmcnn/internal/fmtlite"

// A run in parts: [Model.Feed] copies the input in, [Model.RunSteps] runs
// the plan's steps a range at a time, [Model.Output] reads the result. A
// page that must keep answering its pointer runs a large model this way, a
// few milliseconds of steps at a time with the event loop turning between
// them, and every tensor stays in the model for its feature maps and
// [Model.Explain]. Running every step in order is [Model.Predict], to the
// bit.

// Feed plans a single-input model for x as [Model.Predict] does (a whole
// number of examples), copies x into its input and returns the number of
// steps to run; it runs none. Until the last step has run, the model counts
// as not run ([ErrNotRun] from Explain).
func (m *Model) Feed(x []float32) (int, error) {
	if err := m.PlanFor(len(x)); err != nil {
		return 0, err
	}
	if err := checkInputValues(m.Inputs[0].Name, m.inputElems[0], x); err != nil {
		return 0, err
	}
	// A fused plan has no step per node: Steps would plan again, node by
	// node, under a run in parts. Its steps are the nodes from the start.
	if m.plan.fused && !m.plan.keep {
		if err := m.KeepAllTensors(); err != nil {
			return 0, err
		}
	}
	copy(m.plan.inputs[0].f, x)
	m.plan.ran = false
	m.plan.next = 0
	return len(m.plan.steps), nil
}

// RunSteps runs steps from..to−1 of the input [Model.Feed] gave. Steps
// run in order: from must be where the last call ended (0 after Feed). It
// reports whether the run is complete, the outputs then being ready.
func (m *Model) RunSteps(from, to int) (bool, error) {
	p := m.plan
	if p.next < 0 {
		return false, fmtlite.Errorf("onnx: RunSteps: no input fed since the last complete run; call Feed first")
	}
	if from != p.next || to < from || to > len(p.steps) {
		return false, fmtlite.Errorf("onnx: RunSteps(%d, %d): the next step to run is %d of %d", from, to, p.next, len(p.steps))
	}
	for _, s := range p.steps[from:to] {
		s.run()
	}
	p.next = to
	if to == len(p.steps) {
		p.ran = true
		p.next = -1
	}
	return p.ran, nil
}

// Output returns output i of the last complete run (aliasing the model's
// buffer until the next run), nil when i is out of range.
func (m *Model) Output(i int) []float32 {
	if i < 0 || i >= len(m.plan.outputs) {
		return nil
	}
	return m.plan.outputs[i].f
}
