package main

import (
	"os"
	"strings"
	"sync"
	"syscall/js"
	"testing"

	"wasmcnn/core"
)

var setupOnce sync.Once

// setup registers the Go side and loads web/wasmcnn.js on top of it, as a
// page does, so the tests call the public JavaScript API.
func setup(t *testing.T) {
	t.Helper()
	setupOnce.Do(func() {
		var a api
		js.Global().Set("__wasmcnnGo", a.register())
		src, err := os.ReadFile("../web/wasmcnn.js")
		if err != nil {
			t.Fatal(err)
		}
		js.Global().Call("eval", string(src))
		// jsTry runs a function and returns null or the message of what it threw.
		js.Global().Call("eval", `globalThis.jsTry = function (f) {
			try { f(); return null; } catch (e) { return e instanceof Error ? e.message : "threw a non-Error: " + String(e); }
		}`)
	})
}

// run evaluates a JavaScript expression.
func run(src string) js.Value { return js.Global().Call("eval", src) }

// jsBadCalls are calls of the public API that must throw an Error whose
// message contains want.
var jsBadCalls = []struct{ src, want string }{
	{`wasmcnn.conv2d()`, "takes (x, w, bias?, options?)"},
	{`wasmcnn.conv2d(1, 2)`, "conv2d: x: got number"},
	{`wasmcnn.conv2d(new Float32Array(25), W)`, "got Float32Array, want a tensor"},
	{`wasmcnn.conv2d({data: [1,2,3], shape: [3]}, W)`, "got an array, want a Float32Array"},
	{`wasmcnn.conv2d({data: new Float64Array(25), shape: [1,1,5,5]}, W)`, "got Float64Array"},
	{`wasmcnn.conv2d({data: X.data, shape: [1,1,5,"5"]}, W)`, "x.shape[3]: got string"},
	{`wasmcnn.conv2d({data: X.data, shape: [1,1,5,NaN]}, W)`, "want an integer"},
	{`wasmcnn.conv2d({data: X.data, shape: [1,1,5,Infinity]}, W)`, "want an integer"},
	{`wasmcnn.conv2d({data: X.data, shape: [1,1,-5,5]}, W)`, "got -5"},
	{`wasmcnn.conv2d({data: X.data, shape: [1,1,5,4]}, W)`, "needs 20 values, data has 25"},
	{`wasmcnn.conv2d({data: X.data, shape: [1,1,1e6,1e6]}, W)`, "too large"},
	{`wasmcnn.conv2d({data: new Float32Array(new SharedArrayBuffer(100)), shape: [25]}, W)`, "want rank 4"},
	{`(() => { const d = new Float32Array(25); structuredClone(d.buffer, {transfer: [d.buffer]}); return wasmcnn.conv2d({data: d, shape: [1,1,5,5]}, W); })()`, "data has 0"},
	{`wasmcnn.conv2d(X, W, null, {strides: 0})`, "strides: got 0"},
	{`wasmcnn.conv2d(X, W, null, {stride: 2})`, `unknown option "stride"`},
	{`wasmcnn.conv2d(X, W, null, {pads: [1, 1]})`, "want a number or [top, left, bottom, right]"},
	{`wasmcnn.conv2d(X, W, null, {autoPad: "full"})`, `got "full"`},
	{`wasmcnn.conv2d(X, W, {data: new Float32Array(3), shape: [3]})`, "want [2]"},
	{`wasmcnn.conv2d(X, {data: new Float32Array(49), shape: [1,1,7,7]})`, "does not fit"},
	{`wasmcnn.maxPool2d(X)`, "takes (x, options)"},
	{`wasmcnn.maxPool2d(X, {})`, "kernel: missing"},
	{`wasmcnn.maxPool2d(X, {kernel: 9})`, "does not fit"},
	{`wasmcnn.avgPool2d(X, {kernel: 2, countIncludePad: 1})`, "want a boolean"},
	{`wasmcnn.dense(X)`, "takes (x, w, bias?)"},
	{`wasmcnn.dense({data: new Float32Array(4), shape: [2,2]}, {data: new Float32Array(6), shape: [2,3]})`, "want [N, 3]"},
	{`wasmcnn.relu()`, "takes (x)"},
	{`wasmcnn.relu(Symbol("x"))`, "got symbol"},
	{`wasmcnn.relu(10n)`, "got bigint"},
	{`wasmcnn.softmax(X, 9)`, "axis: got 9"},
	{`wasmcnn.loadModel("digits.onnx")`, "want a Uint8Array or an ArrayBuffer"},
	{`wasmcnn.loadModel(new Uint8Array([1, 2, 3]))`, "corrupt model"},
	{`wasmcnn.loadModel(MODEL, {externalData: 5})`, "want an object"},
	{`M.predict(new Float32Array(10))`, "the model takes"},
	{`M.predict([1, 2, 3])`, "want a Float32Array"},
	{`M.predict(new Float32Array(784).fill(NaN))`, "must be finite"},
	{`M.predict(new Float32Array(784), new Float32Array(3))`, "want a Float32Array of length 10"},
	{`DISPOSED.predict(new Float32Array(784))`, "disposed"},
	{`DISPOSED.layerOutputs()`, "disposed"},
	{`(() => { const m = wasmcnn.loadModel(MODEL); m._h = 99; return m.predict(new Float32Array(784)); })()`, "disposed"},
	{`(() => { const m = wasmcnn.loadModel(MODEL); m._h = "x"; return m.predict(new Float32Array(784)); })()`, "handle: got string"},
}

func TestJSAPIBadCalls(t *testing.T) {
	setup(t)
	model, err := core.ReferenceNetS(1).ExportONNX(core.ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	u8 := js.Global().Get("Uint8Array").New(len(model))
	js.CopyBytesToJS(u8, model)
	js.Global().Set("MODEL", u8)
	run(`globalThis.X = {data: new Float32Array(25).fill(1), shape: [1,1,5,5]};
	     globalThis.W = {data: new Float32Array(18).fill(1), shape: [2,1,3,3]};
	     globalThis.M = wasmcnn.loadModel(MODEL);
	     globalThis.DISPOSED = wasmcnn.loadModel(MODEL); DISPOSED.dispose();`)
	for _, c := range jsBadCalls {
		msg := js.Global().Call("jsTry", run("(() => "+c.src+")"))
		if msg.IsNull() {
			t.Errorf("%s: did not throw", c.src)
			continue
		}
		if !strings.Contains(msg.String(), c.want) {
			t.Errorf("%s: threw %q, want %q", c.src, msg.String(), c.want)
		}
	}
	// After every bad call the module still works and still gives the right answer.
	got := run(`M.predict(new Float32Array(784).fill(0.5))`)
	m, _ := core.LoadModel(model, nil)
	x := make([]float32, 784)
	for i := range x {
		x[i] = 0.5
	}
	want, _ := m.Predict(x)
	for i := 0; i < 10; i++ {
		if d := float32(got.Index(i).Float()) - want[i]; d > 1e-6 || d < -1e-6 {
			t.Fatalf("after the bad calls, predict[%d] = %v, want %v", i, got.Index(i).Float(), want[i])
		}
	}
}

func TestJSAPIOps(t *testing.T) {
	setup(t)
	// The seed walkthrough: 5×5 image, 3×3 X filter, no padding.
	y := run(`wasmcnn.conv2d(
		{data: new Float32Array([1,1,1,0,0, 0,1,1,1,0, 0,0,1,1,1, 0,0,1,1,0, 0,1,1,0,0]), shape: [1,1,5,5]},
		{data: new Float32Array([1,0,1, 0,1,0, 1,0,1]), shape: [1,1,3,3]})`)
	want := []float64{4, 3, 4, 2, 4, 3, 2, 3, 4}
	if y.Get("shape").Length() != 4 || y.Get("shape").Index(2).Int() != 3 {
		t.Fatalf("conv2d shape %v", y.Get("shape").Call("join").String())
	}
	for i, w := range want {
		if got := y.Get("data").Index(i).Float(); got != w {
			t.Fatalf("conv2d[%d] = %v, want %v", i, got, w)
		}
	}
	p := run(`wasmcnn.maxPool2d({data: new Float32Array([1,1,2,4, 5,6,7,8, 3,2,1,0, 1,2,3,4]), shape: [1,1,4,4]}, {kernel: 2})`)
	for i, w := range []float64{6, 8, 3, 4} {
		if got := p.Get("data").Index(i).Float(); got != w {
			t.Fatalf("maxPool2d[%d] = %v, want %v", i, got, w)
		}
	}
	s := run(`wasmcnn.softmax(wasmcnn.relu(wasmcnn.dense({data: new Float32Array([1, -2]), shape: [2]}, {data: new Float32Array([1,0, 0,1]), shape: [2,2]})))`)
	if a, b := s.Get("data").Index(0).Float(), s.Get("data").Index(1).Float(); a < 0.73 || a > 0.74 || b < 0.26 || b > 0.27 {
		t.Errorf("softmax(relu(dense)) = %v %v, want e/(1+e) and 1/(1+e)", a, b)
	}
}

func TestJSAPIModel(t *testing.T) {
	setup(t)
	model, _ := core.ReferenceNetS(2).ExportONNX(core.ExportOptions{})
	u8 := js.Global().Get("Uint8Array").New(len(model))
	js.CopyBytesToJS(u8, model)
	js.Global().Set("MODEL2", u8)
	res := run(`(() => {
		const m = wasmcnn.loadModel(MODEL2.buffer);
		const out = new Float32Array(10);
		const r = m.predict(new Float32Array(784).fill(0.25), out);
		const layers = m.layerOutputs();
		const batch = m.predict(new Float32Array(3 * 784));
		const info = {same: r === out, sum: out.reduce((a, b) => a + b, 0), layers: layers.map(l => l.op + ":" + l.shape.join("x")).join(" "),
			inputShape: m.inputShape.join("x"), outputShape: m.outputShape.join("x"), ops: m.ops.join(","), batch: batch.length};
		m.dispose();
		m.dispose();
		return info;
	})()`)
	if !res.Get("same").Bool() {
		t.Error("predict with an output array did not return it")
	}
	if s := res.Get("sum").Float(); s < 0.999 || s > 1.001 {
		t.Errorf("probabilities sum to %v", s)
	}
	if l := res.Get("layers").String(); !strings.HasPrefix(l, "Conv:1x8x28x28 Relu:1x8x28x28 MaxPool:1x8x14x14") {
		t.Errorf("layerOutputs: %s", l)
	}
	if b := res.Get("batch").Int(); b != 30 {
		t.Errorf("batch of 3 gave %d outputs", b)
	}
	if s := res.Get("inputShape").String(); s != "1x1x28x28" {
		t.Errorf("inputShape %s", s)
	}
	t.Logf("ops: %s", res.Get("ops").String())
}
