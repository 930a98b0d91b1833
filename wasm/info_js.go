package main

import (
	"syscall/js"

	"wasmcnn/core"
	"wasmcnn/core/onnx"
	"wasmcnn/wasm/bridge"
)

// explanationToJS returns an explanation as the object explain gives in
// the API (see README); the drawing page's panel lays out the same object.
func explanationToJS(e *onnx.Explanation) js.Value {
	taps := []int{len(e.Window)}
	if len(e.Channels) > 0 {
		taps = []int{len(e.Channels), e.KH, e.KW}
	}
	tensor := func(v []float32) any {
		if v == nil {
			return nil
		}
		return tensorToJS(&core.Tensor{Shape: taps, Data: v})
	}
	padded := jsUint8Array.New(len(e.Window))
	pad := make([]byte, len(e.Window))
	for i := range pad {
		if e.IsPadding(i) {
			pad[i] = 1
		}
	}
	if len(pad) > 0 {
		js.CopyBytesToJS(padded, pad)
	}
	then := jsArray.New(len(e.Then))
	for i, t := range e.Then {
		o := jsObject.New()
		o.Set("node", t.Node)
		o.Set("op", t.Op)
		o.Set("operand", t.Operand)
		o.Set("value", t.Value)
		then.SetIndex(i, o)
	}
	o := jsObject.New()
	for _, kv := range [...]struct {
		k string
		v any
	}{
		{"node", e.Node}, {"op", e.Op}, {"example", e.Example}, {"channel", e.Channel}, {"y", e.Y}, {"x", e.X},
		{"inputShape", intsToAny(e.InShape)}, {"channels", intsToAny(e.Channels)}, {"rows", intsToAny(e.Rows)}, {"cols", intsToAny(e.Cols)},
		{"window", tensor(e.Window)}, {"padded", padded}, {"weights", tensor(e.Weights)}, {"products", tensor(e.Products)},
		{"sum", e.Sum}, {"scale", e.Scale}, {"bias", e.Bias}, {"value", e.Value}, {"then", then}, {"output", e.Output}, {"map", e.Map},
	} {
		o.Set(kv.k, kv.v)
	}
	if len(e.Channels) > 0 {
		g := e.Geom
		o.Set("kernel", []any{g.KH, g.KW})
		o.Set("strides", []any{g.SH, g.SW})
		o.Set("dilations", []any{g.DH, g.DW})
		o.Set("pads", []any{g.PT, g.PL, g.PB, g.PR})
	}
	if e.Op == "AveragePool" || e.Op == "GlobalAveragePool" {
		o.Set("count", e.Count)
	}
	if e.Winner >= 0 {
		o.Set("winner", e.Winner)
	}
	return o
}

// modelInfoJS returns what m.info says of a model in the API: its inputs
// and outputs, shapes (null where open), operators, parameters, cost,
// producer, opset and metadata. The drawing page's summary of a dropped
// model lays out the same object.
func modelInfoJS(m *onnx.Model) js.Value {
	ops := []any{}
	counts := jsObject.New()
	seen := map[string]int{}
	for _, n := range m.Nodes {
		if seen[n.Op] == 0 {
			ops = append(ops, n.Op)
		}
		seen[n.Op]++
		counts.Set(n.Op, seen[n.Op])
	}
	io := func(vs []onnx.ValueInfo) []any {
		out := []any{}
		for _, v := range vs {
			names := make([]any, len(v.DimNames))
			for i, n := range v.DimNames {
				names[i] = n
			}
			o := jsObject.New()
			o.Set("name", v.Name)
			o.Set("shape", openDims(v.Shape))
			o.Set("dimNames", names)
			o.Set("type", v.Type)
			out = append(out, o)
		}
		return out
	}
	var inShape, outShape any // null for a model without inputs
	if len(m.Inputs) > 0 {
		in := m.Inputs[0].Shape
		inShape = openDims(bridge.DeclaredShape(in, m.InputShape(0), false))
		outShape = openDims(bridge.DeclaredShape(m.Outputs[0].Shape, m.OutputShape(0), len(in) > 0 && in[0] < 0))
	}
	meta := jsObject.New()
	for k, v := range m.Metadata {
		meta.Set(k, v)
	}
	o := jsObject.New()
	for _, kv := range [...]struct {
		k string
		v any
	}{
		{"inputs", io(m.Inputs)}, {"outputs", io(m.Outputs)}, {"inputShape", inShape}, {"outputShape", outShape},
		{"ops", ops}, {"opCounts", counts}, {"nodes", len(m.Nodes)}, {"params", m.ParamCount}, {"macs", m.MACs()},
		{"producer", m.Producer + " " + m.ProducerVersion}, {"irVersion", m.IRVersion}, {"opset", m.Opset},
		{"description", m.Description}, {"metadata", meta},
	} {
		o.Set(kv.k, kv.v)
	}
	return o
}
