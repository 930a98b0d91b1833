package api

import (
	"syscall/js"
	"testing"

	"wasmcnn/core/nn"
	"wasmcnn/core/onnx"
)

// TestJSAPIRunInputs runs a model of two inputs — a float one and a uint8
// one — by name through m.run, fed as a Float32Array and as a Uint8Array,
// and checks both outputs; then m.run on a one-input model must give what
// predict gives.
func TestJSAPIRunInputs(t *testing.T) {
	setup(t)
	b := onnx.NewModelBuilder(13)
	b.Input("a", []int{-1, 3})
	b.InputTyped("q", onnx.TypeUint8, []int{-1, 3})
	b.InitializerTyped("s", onnx.TypeFloat, []int{}, []float64{0.5})
	b.InitializerTyped("z", onnx.TypeUint8, []int{}, []float64{10})
	b.Node("DequantizeLinear", "dq", []string{"q", "s", "z"}, []string{"qf"})
	b.Node("Add", "add", []string{"a", "qf"}, []string{"sum"})
	b.Node("Relu", "relu", []string{"a"}, []string{"pos"})
	b.Output("sum", nil)
	b.Output("pos", nil)
	model := b.Bytes()
	u8 := js.Global().Get("Uint8Array").New(len(model))
	js.CopyBytesToJS(u8, model)
	js.Global().Set("TWOINPUTS", u8)
	res := run(`(() => {
		const m = wasmcnn.loadModel(TWOINPUTS);
		const r = m.run({q: {data: new Uint8Array([10, 12, 255, 0, 20, 11]), shape: [2, 3]}, a: {data: new Float32Array([1, -2, 3, -4, 5, -6]), shape: [2, 3]}});
		const r2 = m.run({a: {data: new Float32Array([1, 1, 1]), shape: [1, 3]}, q: {data: new Float32Array([10, 10, 10]), shape: [1, 3]}});
		m.dispose();
		return JSON.stringify({sum: Array.from(r.sum.data), pos: Array.from(r.pos.data), shape: r.sum.shape, type: r.sum.type, keys: Object.keys(r), again: Array.from(r2.sum.data)});
	})()`).String()
	want := `{"sum":[1,-1,125.5,-9,10,-5.5],"pos":[1,0,3,0,5,0],"shape":[2,3],"type":"FLOAT","keys":["sum","pos"],"again":[1,1,1]}`
	if res != want {
		t.Errorf("run gave %s\nwant %s", res, want)
	}
	setModelGlobal(t, "MODEL4", nn.ReferenceNetS(4))
	same := run(`(() => {
		const m = wasmcnn.loadModel(MODEL4);
		const x = new Float32Array(2 * 784).map((_, i) => (i % 17) / 17);
		const p = m.predict(x);
		const name = m.info.inputs[0].name;
		const r = m.run({[name]: {data: x, shape: [2, 1, 28, 28]}});
		const out = r[m.info.outputs[0].name];
		m.dispose();
		return out.data.length === p.length && out.data.every((v, i) => v === p[i]) && out.shape.join() === "2,10";
	})()`).Bool()
	if !same {
		t.Error("m.run and m.predict differ on a one-input model")
	}
}
