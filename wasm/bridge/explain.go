package bridge

import (
	"wasmcnn/core/onnx"
	"wasmcnn/internal/fmtlite"
)

// Explain reads explain's arguments (node, channel, y, x, example?) for
// model h and explains that value of the node's output in the model's last
// run ([onnx.Model.Explain]). The node is its name or its index in
// layerOutputs; example defaults to 0.
func (ms *Models) Explain(h int, args []Value) (*onnx.Explanation, error) {
	e, ok := ms.m[h]
	if !ok {
		return nil, fmtlite.Errorf("explain: the model has been disposed")
	}
	if len(args) < 4 || len(args) > 5 {
		return nil, argErrorf("explain", "takes (node, channel, y, x, example?), got %d arguments", len(args))
	}
	m := e.model
	steps := m.Steps()
	var step int
	switch node := args[0]; node.Kind() {
	case String:
		step = -1
		name := node.Str()
		for i, s := range steps {
			if s.Node.Name == name {
				step = i
				break
			}
		}
		if step < 0 {
			if len(name) > 64 {
				name = name[:64] + "…"
			}
			return nil, argErrorf("explain: node", "no node %q runs in this model (layerOutputs() lists those that do)", name)
		}
	case Number:
		var err error
		if step, err = Int(node, "explain: node", 0, len(steps)-1); err != nil {
			return nil, err
		}
	default:
		return nil, argErrorf("explain: node", "got %s, want a node name or an index into layerOutputs()", describe(node))
	}
	if !m.Explainable(step) {
		return nil, argErrorf("explain: node", "%q is a %s; explain covers Conv, MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool, Gemm and MatMul by a constant matrix", steps[step].Node.Name, steps[step].Node.Op)
	}
	// channel, y, x, then example (0 by default): integers, which Explain
	// holds to the node's output.
	var pos [4]int
	for i, name := range [4]string{"explain: channel", "explain: y", "explain: x", "explain: example"} {
		if i == 3 && (len(args) < 5 || args[4].Kind() == Undefined) {
			break
		}
		v, err := Int(args[i+1], name, 0, 1<<30)
		if err != nil {
			return nil, err
		}
		pos[i] = v
	}
	ex, err := m.Explain(step, pos[3], pos[0], pos[1], pos[2])
	if err != nil {
		return nil, fmtlite.Errorf("explain: %w", err)
	}
	return ex, nil
}
