package tune

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall/js"
	"testing"

	"wasmcnn/core/onnx"
	"wasmcnn/internal/apitest"
	"wasmcnn/wasm/api"
)

var setupOnce sync.Once

// setup registers the API of the training build and imports web/wasmcnn.mjs
// on top of it, as the worker running it does.
func setup(t *testing.T) {
	t.Helper()
	setupOnce.Do(func() {
		api.Register(FineTune)
		if err := apitest.LoadWasmcnnJS(); err != nil {
			t.Fatal(err)
		}
	})
}

// run evaluates a JavaScript expression.
func run(src string) js.Value { return js.Global().Call("eval", src) }

// setShipped puts the shipped model (MODEL, and M loaded from it, with the
// fixtures of apitest) and the shipped replay file (REPLAY) on the
// JavaScript global object, and returns the model's bytes.
func setShipped(t *testing.T) []byte {
	t.Helper()
	setup(t)
	model, err := os.ReadFile(filepath.Join("..", "..", "web", "models", "digits.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	replay, err := os.ReadFile(filepath.Join("..", "..", "web", "models", "mnist-replay.bin"))
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"MODEL": model, "REPLAY": replay} {
		u8 := js.Global().Get("Uint8Array").New(len(b))
		js.CopyBytesToJS(u8, b)
		js.Global().Set(name, u8)
	}
	run(apitest.Fixtures)
	run(apitest.FineTuneFixtures)
	// FT reaches the Go side of the training build directly, in this runtime.
	run(`globalThis.FT = (x, y, o, p) => wasmcnn._fineTuneHere(M, x, y, o, REPLAY, p)`)
	return model
}

// TestFineTuneBadCallsTrainBuild makes every fine-tuning call of
// apitest.FineTuneBadCalls that reaches the Go side: each must throw an
// Error saying what was wrong, and the module must still fine-tune after.
func TestFineTuneBadCallsTrainBuild(t *testing.T) {
	setShipped(t)
	for _, c := range apitest.FineTuneBadCalls(false) {
		msg := js.Global().Call("jsTry", run("(() => "+c.Src+")"))
		switch {
		case msg.IsNull():
			t.Errorf("%s: did not throw", c.Src)
		case !strings.Contains(msg.String(), c.Want):
			t.Errorf("%s: threw %q, want %q", c.Src, msg.String(), c.Want)
		}
	}
	// The training build's own arguments.
	for _, c := range []apitest.Case{
		{Src: "wasmcnn._fineTuneHere(M, X2, [1, 2], {}, new Uint8Array(10))", Want: "replay: adapt: a digits file of 10 bytes is not whole records of 785"},
		{Src: "wasmcnn._fineTuneHere(M, X2, [1, 2], {}, 5)", Want: "replay: got number, want a Uint8Array"},
		{Src: "wasmcnn._fineTuneHere(M, X2, [1, 2], {}, REPLAY, 5)", Want: "onProgress: got number, want a function"},
		{Src: "wasmcnn._fineTuneHere(M, X2, [1, 2], {steps: 3}, REPLAY, () => { throw new Error('boom'); })", Want: "onProgress threw"},
		{Src: "__wasmcnnGo.fineTune(M._h, X2)", Want: "takes (model, inputs, labels, options?, replay?, onProgress?), got 2 arguments"},
		{Src: "__wasmcnnGo.fineTune(999, X2, [1, 2])", Want: "disposed"},
		{Src: "wasmcnn._fineTuneHere(DISPOSED, X2, [1, 2])", Want: "disposed"},
	} {
		src := c.Src
		if strings.HasPrefix(src, "__wasmcnnGo") {
			src = "(() => { const r = " + src + "; if (r instanceof Error) throw r; return r; })()"
		}
		msg := js.Global().Call("jsTry", run("(() => "+src+")"))
		if msg.IsNull() || !strings.Contains(msg.String(), c.Want) {
			t.Errorf("%s: threw %v, want %q", c.Src, msg, c.Want)
		}
	}
	// onProgress's error is the cause of the one fineTune throws.
	cause := run(`(() => { try { wasmcnn._fineTuneHere(M, X2, [1, 2], {steps: 3}, REPLAY, () => { throw new Error("boom"); }); } catch (e) { return e.cause && e.cause.message; } })()`)
	if cause.Type() != js.TypeString || cause.String() != "boom" {
		t.Errorf("onProgress threw \"boom\"; fineTune's Error has cause %v", cause)
	}
	// Still working.
	res := run(`wasmcnn._fineTuneHere(M, X2, [1, 2], {steps: 2}, REPLAY)`)
	if res.Get("onnx").Get("length").Int() < 1000 {
		t.Error("after the bad calls, fine-tuning gave no model")
	}
}

// TestFineTuneTrainBuild fine-tunes the shipped model through the API of
// the training build: progress once a step, and a model that loads here
// and natively and answers the same in both.
func TestFineTuneTrainBuild(t *testing.T) {
	setShipped(t)
	res := run(`(() => {
		const x = new Float32Array(4 * 784);
		for (let i = 0; i < x.length; i++) x[i] = ((i * 7919) % 101) / 101;
		const steps = [];
		const r = wasmcnn._fineTuneHere(M, x, new Int32Array([0, 1, 7, 7]), {steps: 8, seed: 3}, REPLAY, (s, n, loss) => steps.push(s + "/" + n + ":" + (loss > 0)));
		const m = wasmcnn.loadModel(r.onnx);
		const probe = x.slice(0, 784);
		const out = m.predict(probe);
		return {steps: steps.join(" "), onnx: r.onnx, out, probe, before: r.lossBefore, after: r.lossAfter, examples: r.examples, ms: r.ms,
			bytes: m.toONNX().length === r.onnx.length && m.toONNX().every((v, i) => v === r.onnx[i])};
	})()`)
	if got, want := res.Get("steps").String(), "1/8:true 2/8:true 3/8:true 4/8:true 5/8:true 6/8:true 7/8:true 8/8:true"; got != want {
		t.Errorf("progress %q, want %q", got, want)
	}
	if res.Get("examples").Int() != 4 || !(res.Get("after").Float() < res.Get("before").Float()) || res.Get("ms").Float() <= 0 {
		t.Errorf("examples %v, loss %v → %v, %v ms", res.Get("examples"), res.Get("before"), res.Get("after"), res.Get("ms"))
	}
	if !res.Get("bytes").Bool() {
		t.Error("toONNX is not the bytes the model was loaded from")
	}
	b := make([]byte, res.Get("onnx").Get("length").Int())
	js.CopyBytesToGo(b, res.Get("onnx"))
	m, err := onnx.LoadModel(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float32, 784)
	for i := range x {
		x[i] = float32(res.Get("probe").Index(i).Float())
	}
	want, err := m.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range want {
		if got := float32(res.Get("out").Index(i).Float()); got != w {
			t.Errorf("output %d: %v in the runtime, %v natively", i, got, w)
		}
	}
}
