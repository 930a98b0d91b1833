package api

import (
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"syscall/js"
	"testing"

	"wasmcnn/core/nn"
	"wasmcnn/core/onnx"
	"wasmcnn/internal/apitest"
)

var setupOnce sync.Once

// setup registers the Go side and imports web/wasmcnn.mjs on top of it, as a
// page does, so the tests call the public JavaScript API.
func setup(t *testing.T) {
	t.Helper()
	setupOnce.Do(func() {
		a := new(api)
		js.Global().Set("__wasmcnnGo", a.register(nil))
		exported = a // predict's export, which web/wasmcnn-runtime.mjs calls
		if err := apitest.LoadWasmcnnJS(); err != nil {
			t.Fatal(err)
		}
	})
}

// setModelGlobal exports net as ONNX into a Uint8Array named name on the
// JavaScript global object, and returns the bytes.
func setModelGlobal(t *testing.T, name string, net *nn.Net) []byte {
	t.Helper()
	model, err := net.ExportONNX(nn.ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	u8 := js.Global().Get("Uint8Array").New(len(model))
	js.CopyBytesToJS(u8, model)
	js.Global().Set(name, u8)
	return model
}

// run evaluates a JavaScript expression.
func run(src string) js.Value { return js.Global().Call("eval", src) }

// TestJSAPIBadCalls makes every call of apitest.BadCalls through the public
// API: each must throw an Error saying what was wrong, and afterwards a
// prediction must still return the right answer.
func TestJSAPIBadCalls(t *testing.T) {
	setup(t)
	model := setModelGlobal(t, "MODEL", nn.ReferenceNetS(1))
	setRuledModel(t)
	run(apitest.Fixtures)
	cases := apitest.BadCalls(true) // Node has SharedArrayBuffer
	bad := 0
	for _, c := range cases {
		msg := js.Global().Call("jsTry", run("(() => "+c.Src+")"))
		switch {
		case msg.IsNull():
			t.Errorf("%s: did not throw", c.Src)
		case !strings.Contains(msg.String(), c.Want):
			t.Errorf("%s: threw %q, want %q", c.Src, msg.String(), c.Want)
		default:
			continue
		}
		bad++
	}
	t.Logf("%d bad calls, %d threw the expected Error", len(cases), len(cases)-bad)
	// After every bad call the module still works and still gives the right answer.
	got := run(`M.predict(new Float32Array(784).fill(0.5))`)
	m, _ := onnx.LoadModel(model, nil)
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

// TestJSAPINotReady calls the API of a new instance of the module, imported
// while no Go side is attached: its calls and getters say it is not ready,
// and its named exports are undefined.
func TestJSAPINotReady(t *testing.T) {
	setup(t)
	dir, err := apitest.ModuleDir()
	if err != nil {
		t.Fatal(err)
	}
	g := js.Global().Get("__wasmcnnGo")
	js.Global().Delete("__wasmcnnGo")
	mod, err := apitest.ImportModule(dir)
	js.Global().Set("__wasmcnnGo", g)
	if err != nil {
		t.Fatal(err)
	}
	js.Global().Set("__early", mod)
	defer js.Global().Delete("__early")
	for _, src := range []string{"__early.default.relu({data: new Float32Array(1), shape: [1]})", "__early.relu({data: new Float32Array(1), shape: [1]})", "__early.default.version", "__early.loadModel(new Uint8Array(8))"} {
		msg := run(`jsTry(() => ` + src + `)`)
		if msg.IsNull() || !strings.Contains(msg.String(), "not ready yet") {
			t.Errorf("%s before the runtime is ready gave %v, want \"not ready yet\"", src, msg)
		}
	}
	if v := run(`__early.version`); !v.IsUndefined() {
		t.Errorf("the named export version before the runtime is ready is %v, want undefined", v)
	}
	if v := run(`wasmcnn.version`); v.Type() != js.TypeString || v.String() == "" {
		t.Errorf("the attached module's version is %v", v)
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
	setModelGlobal(t, "MODEL2", nn.ReferenceNetS(2))
	res := run(`(() => {
		const m = wasmcnn.loadModel(MODEL2.buffer);
		const out = new Float32Array(10);
		const r = m.predict(new Float32Array(784).fill(0.25), out);
		const layers = m.layerOutputs();
		const prof = m.profile(new Float32Array(784).fill(0.5), 20);
		const batch = m.predict(new Float32Array(3 * 784));
		const info = {same: r === out, sum: out.reduce((a, b) => a + b, 0), layers: layers.map(l => l.op + ":" + l.shape.join("x")).join(" "),
			profile: prof.map(p => p.op + ":" + p.name).join(" "), profileMs: prof.reduce((a, p) => a + p.ms, 0),
			profileOK: prof.every(p => typeof p.ms === "number" && p.ms >= 0),
			inputShape: JSON.stringify(m.inputShape).slice(1, -1), outputShape: JSON.stringify(m.outputShape).slice(1, -1), ops: m.ops.join(","), batch: batch.length};
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
	// The profile names the nodes that ran, in order, and their times (at
	// least some of them measurable: a prediction takes well over a µs).
	if p := res.Get("profile").String(); !strings.HasPrefix(p, "Conv:conv1 Relu:relu1 MaxPool:pool1 Conv:conv2") || !strings.HasSuffix(p, "Softmax:softmax") {
		t.Errorf("profile: %s", p)
	}
	if ms := res.Get("profileMs").Float(); !res.Get("profileOK").Bool() || ms <= 0 || ms > 1000 {
		t.Errorf("profile: %v ms per run in all, or a bad time", ms)
	}
	if b := res.Get("batch").Int(); b != 30 {
		t.Errorf("batch of 3 gave %d outputs", b)
	}
	// The batch is symbolic: null, as TensorFlow.js writes an open dimension.
	if s := res.Get("inputShape").String(); s != "null,1,28,28" {
		t.Errorf("inputShape %s, want null,1,28,28", s)
	}
	if s := res.Get("outputShape").String(); s != "null,10" {
		t.Errorf("outputShape %s, want null,10", s)
	}
	t.Logf("ops: %s", res.Get("ops").String())
}

// TestPredictExport checks predict's fast path through the module's export
// wasmcnnRun: predict takes it, its answers equal the general path's, the
// export refuses what it was not prepared for with 0 (predict then answers
// the long way), and it keeps working when the collector runs during its
// calls.
func TestPredictExport(t *testing.T) {
	setup(t)
	setModelGlobal(t, "MODEL3", nn.ReferenceNetS(3))
	res := run(`(() => {
		const exp = globalThis.__wasmcnnExports;
		const real = exp.wasmcnnRun;
		let calls = 0;
		globalThis.__wasmcnnExports = { ...exp, wasmcnnRun: (...a) => { calls++; return real(...a); } };
		try {
			const m = wasmcnn.loadModel(MODEL3);
			const x = new Float32Array(2 * 784).map((_, i) => (i % 97) / 97);
			const fast = m.predict(x), again = m.predict(x);
			const slow = __wasmcnnGo.predict(m._h, x);
			const p = m._prepared;
			const refused = [real(999, 2 * 784, p.generation), real(m._h, 2 * 784 + 1, p.generation), real(m._h, 2 * 784, p.generation + 1),
				real(m._h, 2 * 784, 0), real(-1, 2 * 784, p.generation), real(m._h, -5, p.generation), real(m._h, 1 << 30, p.generation)];
			globalThis.__pe = {m, x, real, gen: p.generation};
			return {calls, same: fast.every((v, i) => v === slow[i] && v === again[i]), n: fast.length, refused: refused.join(",")};
		} finally {
			globalThis.__wasmcnnExports = exp;
		}
	})()`)
	if c := res.Get("calls").Int(); c != 2 {
		t.Errorf("predict called the export %d times for 2 predictions", c)
	}
	if !res.Get("same").Bool() || res.Get("n").Int() != 20 {
		t.Errorf("the export's answers (%d values) differ from the general path's", res.Get("n").Int())
	}
	if r := res.Get("refused").String(); r != "0,0,0,0,0,0,0" {
		t.Errorf("bad export calls returned %s, want 0 each", r)
	}
	// Refusals allocate their errors: enough of them run the collector
	// during export calls, after which the export must still answer right.
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	gcPercent := debug.SetGCPercent(1) // a collection every few allocations
	run(`(() => { const {m, real, gen} = __pe; for (let i = 0; i < 30000; i++) real(m._h, 2 * 784 + 1 + (i & 7), gen); })()`)
	debug.SetGCPercent(gcPercent)
	runtime.ReadMemStats(&after)
	if after.NumGC == before.NumGC {
		t.Error("no collection ran during the export calls; the test meant to run some")
	}
	t.Logf("%d collections during the export calls", after.NumGC-before.NumGC)
	res = run(`(() => {
		const {m, x, real, gen} = __pe;
		const ok = real(m._h, 2 * 784, gen) >>> 0;
		const a = m.predict(x), b = __wasmcnnGo.predict(m._h, x);
		m.dispose();
		delete globalThis.__pe;
		return {ok, same: a.every((v, i) => v === b[i])};
	})()`)
	if res.Get("ok").Float() == 0 || !res.Get("same").Bool() {
		t.Error("after the collections the export failed or answered differently")
	}
}

// TestJSAPIExplain explains values of every convolution, pooling and dense
// node through the public API, at random positions and the corners where
// padding counts: each must equal the layer's output in layerOutputs()
// within 1e-5, and its products must be window times weights.
func TestJSAPIExplain(t *testing.T) {
	setup(t)
	setModelGlobal(t, "MODEL4", nn.ReferenceNetS(4))
	res := run(`(() => {
		const m = wasmcnn.loadModel(MODEL4);
		const before = jsTry(() => m.explain(0, 0, 0, 0));
		m.predict(new Float32Array(784).map((_, i) => ((i * 7919) % 101) / 101));
		const layers = m.layerOutputs();
		let checked = 0, worst = 0, bad = [];
		let seed = 1;
		const rnd = (n) => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed >>> 8) % n; };
		layers.forEach((l, i) => {
			if (!["Conv", "MaxPool", "AveragePool", "Gemm", "MatMul"].includes(l.op)) {
				const msg = jsTry(() => m.explain(i, 0, 0, 0));
				if (msg === null || !msg.includes("explain covers")) bad.push(l.name + ": " + msg);
				return;
			}
			const [, c, h, w] = l.shape.length === 4 ? l.shape : [1, l.shape[1], 1, 1];
			// The map a node is shown as: after its activation.
			let shown = l;
			for (let j = i + 1; j < layers.length && layers[j].op === "Relu"; j++) { shown = layers[j]; break; }
			const spots = [[0, 0], [h - 1, w - 1], [0, w - 1], [h - 1, 0]];
			for (let k = 0; k < 12; k++) spots.push([rnd(h), rnd(w)]);
			for (const [y, x] of spots) {
				const ch = rnd(c);
				const ex = m.explain(l.op === "Conv" || l.op.endsWith("Pool") ? l.name : i, ch, y, x);
				const at = (ch * h + y) * w + x;
				const d = Math.max(Math.abs(ex.value - l.data[at]), Math.abs(ex.output - shown.data[at]));
				worst = Math.max(worst, d);
				if (!(d <= 1e-5) || ex.map !== shown.data[at]) bad.push(l.name + " " + [ch, y, x] + ": " + ex.value + " vs " + l.data[at]);
				if (ex.products) {
					for (let t = 0; t < ex.window.data.length; t++) {
						if (Math.abs(ex.products.data[t] - ex.window.data[t] * ex.weights.data[t]) > 1e-6) bad.push(l.name + " product " + t);
						if (ex.padded[t] && ex.window.data[t] !== 0) bad.push(l.name + " padded tap " + t);
					}
				}
				checked++;
			}
		});
		m.dispose();
		return {before, checked, worst, bad: bad.slice(0, 5).join("; ")};
	})()`)
	if b := res.Get("before"); b.IsNull() || !strings.Contains(b.String(), "not run yet") {
		t.Errorf("explain before predict: %v, want \"not run yet\"", b)
	}
	if bad := res.Get("bad").String(); bad != "" {
		t.Error(bad)
	}
	if n := res.Get("checked").Int(); n < 60 {
		t.Errorf("only %d positions explained", n)
	}
	t.Logf("%d positions explained, largest difference %.2g", res.Get("checked").Int(), res.Get("worst").Float())
}
