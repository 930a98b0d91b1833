package api

import (
	"syscall/js"

	"wasmcnn/core/onnx"
	"wasmcnn/wasm/bridge"
	"wasmcnn/wasm/jsglue"
)

// Explanation returns an explanation compactly: {node, op, i (an
// Int32Array: example, channel, y, x, count, winner, then the kernel,
// strides, dilations and pads), f (a Float32Array: sum, scale, bias,
// value, output, map), inputShape, channels, rows, cols (Int32Arrays),
// window, weights, products (Float32Arrays, or null), padded (a
// Uint8Array: 1 where a tap is padding), then}. web/wasmcnn-runtime.mjs spells it
// out into the object explain gives in the API (see docs/api.md), and the
// drawing page's panel lays out that object: built from a few typed arrays
// here, the conversion costs a fraction of the WebAssembly code.
func Explanation(e *onnx.Explanation) js.Value {
	g := e.Geom
	pad := make([]byte, len(e.Window))
	for i := range pad {
		if e.IsPadding(i) {
			pad[i] = 1
		}
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
	o.Set("node", e.Node)
	o.Set("op", e.Op)
	o.Set("i", jsglue.Ints([]int{e.Example, e.Channel, e.Y, e.X, e.Count, e.Winner, g.KH, g.KW, g.SH, g.SW, g.DH, g.DW, g.PT, g.PL, g.PB, g.PR}))
	o.Set("f", jsglue.Floats([]float32{e.Sum, e.Scale, e.Bias, e.Value, e.Output, e.Map}))
	o.Set("inputShape", jsglue.Ints(e.InShape))
	o.Set("channels", jsglue.Ints(e.Channels))
	o.Set("rows", jsglue.Ints(e.Rows))
	o.Set("cols", jsglue.Ints(e.Cols))
	o.Set("window", jsglue.Floats(e.Window))
	o.Set("weights", jsglue.FloatsOrNull(e.Weights))
	o.Set("products", jsglue.FloatsOrNull(e.Products))
	o.Set("padded", jsglue.Bytes(pad))
	o.Set("then", then)
	return o
}

// ModelInfo returns what m.info says of a model in the API: its inputs
// and outputs, shapes (null where open), operators, parameters, cost,
// producer, opset and metadata. The drawing page's summary of a dropped
// model lays out the same object.
func ModelInfo(m *onnx.Model) js.Value {
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
