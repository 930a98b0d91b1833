// Package apitest lists calls of the wasmcnn JavaScript API that must fail,
// shared by the tests that make them under Node and in Chromium.
package apitest

import (
	"fmt"
	"strings"
)

// Case is a JavaScript expression that must throw an Error whose message
// contains Want.
type Case struct {
	Src  string
	Want string
}

// Fixtures is JavaScript that defines what the cases use, given MODEL (the
// bytes of a model taking [N, 1, 28, 28]) in scope, and RULED_MODEL (the
// bytes of a model carrying a verdict rule; MODEL when absent): X, a valid
// image tensor; W, valid filters; M, a loaded model; DISPOSED, a disposed
// one; RULED, the model with a rule; and __wasmcnnGo, the Go side's own
// object, which the module keeps to itself once started (wasmcnn._go gives
// it to tests).
const Fixtures = `
globalThis.__wasmcnnGo = globalThis.__wasmcnnGo || wasmcnn._go;
globalThis.X = {data: new Float32Array(25).fill(1), shape: [1, 1, 5, 5]};
globalThis.W = {data: new Float32Array(18).fill(1), shape: [2, 1, 3, 3]};
globalThis.V = {data: new Float32Array(6).fill(1), shape: [2, 3]};
globalThis.D = {data: new Float32Array(12).fill(1), shape: [4, 3]};
globalThis.M = wasmcnn.loadModel(MODEL);
globalThis.DISPOSED = wasmcnn.loadModel(MODEL);
DISPOSED.dispose();
globalThis.RULED = wasmcnn.loadModel(globalThis.RULED_MODEL || MODEL);
`

// Try is JavaScript defining jsTry(f): null if f returns, else the message
// of what it threw (or a note that it threw something other than an Error).
const Try = `globalThis.jsTry = function (f) {
	try { f(); return null; }
	catch (e) { return e instanceof Error ? e.message : "threw a non-Error: " + String(e); }
}`

// badTensors are values that are not valid tensors, with what the error says.
func badTensors(shared bool) []Case {
	cs := []Case{
		{"undefined", "got undefined"},
		{"null", "got null"},
		{"true", "got boolean"},
		{"3", "got number"},
		{"NaN", "got number"},
		{`"x"`, "got string"},
		{`Symbol("s")`, "got symbol"},
		{"10n", "got bigint"},
		{"() => 1", "got function"},
		{"[1, 2]", "got an array"},
		{"new Float32Array(4)", "got Float32Array, want a tensor"},
		{"new ArrayBuffer(16)", "got ArrayBuffer, want a tensor"},
		{"{}", ".shape: got undefined"},
		{"{shape: [4]}", ".data: got undefined"},
		{"{data: [1, 2, 3, 4], shape: [4]}", "got an array, want a Float32Array"},
		{"{data: new Float64Array(4), shape: [4]}", "got Float64Array"},
		{"{data: new Int32Array(4), shape: [4]}", "got Int32Array"},
		{"{data: new Uint8Array(16), shape: [4]}", "got Uint8Array"},
		{"{data: new DataView(new ArrayBuffer(16)), shape: [4]}", "got DataView"},
		{`{data: new Float32Array(4), shape: "4"}`, ".shape: got string"},
		{"{data: new Float32Array(4), shape: [4.5]}", "want an integer"},
		{"{data: new Float32Array(4), shape: [NaN]}", "want an integer"},
		{"{data: new Float32Array(4), shape: [Infinity]}", "want an integer"},
		{"{data: new Float32Array(4), shape: [-4]}", "got -4"},
		{"{data: new Float32Array(0), shape: [0]}", "got 0"},
		{"{data: new Float32Array(4), shape: [1e12]}", "want 1 to"},
		{"{data: new Float32Array(4), shape: [65536, 65536, 65536]}", "too large"},
		{"{data: new Float32Array(4), shape: [1, 1, 1, 1, 1, 1, 1, 1, 4]}", "at most 8"},
		{"{data: new Float32Array(4), shape: [5]}", "needs 5 values, data has 4"},
		{"{data: new Float32Array(4), shape: [2, 1]}", "needs 2 values, data has 4"},
		{"{data: new Float32Array([NaN, 0, 0, 0]), shape: [4]}", "must be finite"},
		{"{data: new Float32Array([0, Infinity, 0, 0]), shape: [4]}", "must be finite"},
		{"{data: new Float32Array([0, 0, -Infinity, 0]), shape: [4]}", "must be finite"},
		{"(() => { const d = new Float32Array(4); structuredClone(d.buffer, {transfer: [d.buffer]}); return {data: d, shape: [4]}; })()", "needs 4 values, data has 0"},
		{`new Proxy({}, {get() { throw new Error("trap"); }})`, "trap"},
	}
	if shared {
		cs = append(cs, Case{"{data: new Float32Array(new SharedArrayBuffer(16)), shape: [4]}", "shared memory"})
	}
	return cs
}

// BadCalls returns the cases; shared adds those that need SharedArrayBuffer,
// which a page has only when cross-origin isolated.
func BadCalls(shared bool) []Case {
	var cs []Case
	// Every tensor argument of every op, with every kind of bad tensor.
	positions := []string{
		"wasmcnn.conv2d(@, W)", "wasmcnn.conv2d(X, @)", "wasmcnn.conv2d(X, W, @)",
		"wasmcnn.maxPool2d(@, {kernel: 2})", "wasmcnn.avgPool2d(@, {kernel: 2})",
		"wasmcnn.dense(@, D)", "wasmcnn.dense(V, @)", "wasmcnn.relu(@)", "wasmcnn.softmax(@)",
	}
	for _, pos := range positions {
		for _, b := range badTensors(shared) {
			if strings.Contains(pos, ", @)") && strings.HasPrefix(pos, "wasmcnn.conv2d(X, W") && (b.Src == "undefined" || b.Src == "null") {
				continue // the bias is optional
			}
			cs = append(cs, Case{strings.Replace(pos, "@", b.Src, 1), b.Want})
		}
	}
	// Every option with bad values.
	type opt struct{ call, name string }
	opts := []opt{
		{"wasmcnn.conv2d(X, W, null, {@})", "strides"}, {"wasmcnn.conv2d(X, W, null, {@})", "dilations"},
		{"wasmcnn.conv2d(X, W, null, {@})", "group"}, {"wasmcnn.maxPool2d(X, {kernel: 2, @})", "strides"},
		{"wasmcnn.avgPool2d(X, {kernel: 2, @})", "dilations"}, {"wasmcnn.maxPool2d(X, {@})", "kernel"},
	}
	for _, o := range opts {
		for _, v := range []Case{{"0", "got 0"}, {"-1", "got -1"}, {"1.5", "want an integer"}, {"NaN", "want an integer"},
			{"Infinity", "want an integer"}, {`"2"`, "got string"}, {"[1, 2, 3]", "has 3 entries, want 2"}, {"[0, 1]", "got 0"},
			{"true", "got boolean"}, {"1e9", "want"}} {
			if o.name == "group" && strings.HasPrefix(v.Src, "[") {
				v.Want = "got an array"
			}
			cs = append(cs, Case{strings.Replace(o.call, "@", o.name+": "+v.Src, 1), v.Want})
		}
	}
	for _, v := range []Case{{"-1", "got -1"}, {"NaN", "want an integer"}, {"[1, 1]", "want a number or [top, left, bottom, right]"},
		{`"same"`, "got string"}, {"[1, 1, 1, -1]", "got -1"}, {"[1, 1, 1, Infinity]", "want an integer"}} {
		cs = append(cs, Case{"wasmcnn.conv2d(X, W, null, {pads: " + v.Src + "})", v.Want})
		cs = append(cs, Case{"wasmcnn.avgPool2d(X, {kernel: 2, pads: " + v.Src + "})", v.Want})
	}
	cs = append(cs,
		Case{`wasmcnn.conv2d(X, W, null, {autoPad: "full"})`, `got "full"`},
		Case{`wasmcnn.conv2d(X, W, null, {autoPad: 1})`, "autoPad: got number"},
		Case{`wasmcnn.conv2d(X, W, null, {stride: 2})`, `unknown option "stride"`},
		Case{`wasmcnn.conv2d(X, W, null, 5)`, "want an options object"},
		Case{`wasmcnn.conv2d(X, W, null, [1])`, "want an options object"},
		Case{`wasmcnn.conv2d(X, W, null, {get strides() { throw new Error("getter boom"); }})`, "getter boom"},
		Case{`wasmcnn.maxPool2d(X, {kernel: 2, ceilMode: "yes"})`, "want a boolean"},
		Case{`wasmcnn.avgPool2d(X, {kernel: 2, countIncludePad: 1})`, "want a boolean"},
		Case{`wasmcnn.maxPool2d(X, {kernel: 9})`, "does not fit"},
		Case{`wasmcnn.maxPool2d(X, {})`, "kernel: missing"},
		Case{`wasmcnn.maxPool2d(X, null)`, "pooling needs {kernel"},
		Case{`wasmcnn.softmax(X, 4)`, "axis: got 4"},
		Case{`wasmcnn.softmax(X, -5)`, "axis: got -5"},
		Case{`wasmcnn.softmax(X, NaN)`, "want an integer"},
		Case{`wasmcnn.softmax(X, "0")`, "got string"},
	)
	// Shapes that decode but do not fit the op.
	cs = append(cs,
		Case{"wasmcnn.conv2d(V, W)", "want rank 4"},
		Case{"wasmcnn.conv2d(X, V)", "want rank 4"},
		Case{"wasmcnn.conv2d(X, {data: new Float32Array(36), shape: [2, 2, 3, 3]})", "reach through 2 channels"},
		Case{"wasmcnn.conv2d(X, {data: new Float32Array(49), shape: [1, 1, 7, 7]})", "does not fit"},
		Case{"wasmcnn.conv2d(X, W, {data: new Float32Array(3), shape: [3]})", "want [2]"},
		Case{"wasmcnn.conv2d(X, W, null, {group: 2})", "multiples of group"},
		Case{"wasmcnn.conv2d({data: new Float32Array(512*4096), shape: [1, 512, 64, 64]}, {data: new Float32Array(512*512*9), shape: [512, 512, 3, 3]}, null, {autoPad: \"same\"})", "more than the limit"},
		Case{"wasmcnn.maxPool2d(V, {kernel: 2})", "want rank 4"},
		Case{"wasmcnn.dense(X, D)", "want [N, 3]"},
		Case{"wasmcnn.dense(V, {data: new Float32Array(8), shape: [2, 4]})", "want [N, 4] or [4]"},
		Case{"wasmcnn.dense(V, {data: new Float32Array(3), shape: [3]})", "want [out, in]"},
		Case{"wasmcnn.dense(V, D, {data: new Float32Array(3), shape: [3]})", "want [4]"},
	)
	// Missing and extra arguments.
	for _, c := range []Case{
		{"wasmcnn.conv2d()", "takes (x, w, bias?, options?)"}, {"wasmcnn.conv2d(X)", "got 1 arguments"},
		{"wasmcnn.conv2d(X, W, null, {}, 5)", "got 5 arguments"}, {"wasmcnn.maxPool2d()", "takes (x, options)"},
		{"wasmcnn.maxPool2d(X)", "got 1 arguments"}, {"wasmcnn.maxPool2d(X, {kernel: 2}, 1)", "got 3 arguments"},
		{"wasmcnn.avgPool2d()", "takes (x, options)"}, {"wasmcnn.dense()", "takes (x, w, bias?)"},
		{"wasmcnn.dense(V)", "got 1 arguments"}, {"wasmcnn.dense(V, D, null, 1)", "got 4 arguments"},
		{"wasmcnn.relu()", "takes (x)"}, {"wasmcnn.relu(X, X)", "got 2 arguments"},
		{"wasmcnn.softmax()", "takes (x, axis?)"}, {"wasmcnn.softmax(X, 1, 2)", "got 3 arguments"},
		{"wasmcnn.loadModel()", "takes (bytes, options?)"}, {"wasmcnn.loadModel(MODEL, {}, 1)", "got 3 arguments"},
	} {
		cs = append(cs, c)
	}
	// Models: bytes, options, inputs, outputs, disposed models.
	cs = append(cs,
		Case{`wasmcnn.loadModel("digits.onnx")`, "want a Uint8Array or an ArrayBuffer"},
		Case{"wasmcnn.loadModel(5)", "got number"},
		Case{"wasmcnn.loadModel(null)", "got null"},
		Case{"wasmcnn.loadModel(new Float32Array(8))", "got Float32Array"},
		Case{"wasmcnn.loadModel(new Uint8Array(0))", "empty model"},
		Case{"wasmcnn.loadModel(new Uint8Array([1, 2, 3]))", "corrupt model"},
		Case{"wasmcnn.loadModel(new TextEncoder().encode('{\"not\": \"onnx\"}'))", "corrupt model"},
		Case{"wasmcnn.loadModel(MODEL.slice(0, MODEL.length >> 1))", "corrupt model"},
		Case{"wasmcnn.loadModel(MODEL.slice(0, 100))", "corrupt model"},
		Case{"wasmcnn.loadModel(MODEL, 1)", "want an options object"},
		Case{"wasmcnn.loadModel(MODEL, {limits: 1})", `unknown option "limits"`},
		Case{"wasmcnn.loadModel(MODEL, {externalData: 5})", "want an object"},
		Case{"wasmcnn.loadModel(MODEL, {externalData: {a: 5}})", "externalData.a: got number"},
		Case{"M.predict()", "takes (input, output?)"},
		Case{"M.predict(new Float32Array(784), undefined, 3)", "takes (input, output?)"},
		Case{"M.predict(new Float32Array(10))", "the model takes"},
		Case{"M.predict(new Float32Array(783))", "783 values"},
		Case{"M.predict(new Float32Array(0))", "0 values"},
		Case{"M.predict([0.5])", "want a Float32Array"},
		Case{"M.predict(new Float64Array(784))", "got Float64Array"},
		Case{"M.predict({data: new Float32Array(784), shape: [1, 1, 28, 28]})", "want a Float32Array"},
		Case{"M.predict(new Float32Array(784).fill(NaN))", "must be finite"},
		Case{"M.predict(new Float32Array(784).fill(Infinity))", "must be finite"},
		Case{"M.predict(new Float32Array(784).fill(-Infinity))", "must be finite"},
		Case{"M.predict(new Float32Array(784), new Float32Array(3))", "want a Float32Array of length 10"},
		Case{"M.predict(new Float32Array(784), [0])", "want a Float32Array of length 10"},
		Case{"M.predict(new Float32Array(784 * 100000))", "the model needs more than"},
		Case{"DISPOSED.predict(new Float32Array(784))", "disposed"},
		Case{"DISPOSED.layerOutputs()", "disposed"},
		Case{"DISPOSED.profile(new Float32Array(784), 1)", "disposed"},
		Case{"M.profile(new Float32Array(784))", "runs: got undefined, want an integer"},
		Case{"M.profile(new Float32Array(784), 0)", "runs: got 0"},
		Case{"M.profile(new Float32Array(784), 1e9)", "want 1 to 1000"},
		Case{"M.profile(new Float32Array(784), 2.5)", "want an integer"},
		Case{"M.profile(new Float32Array(784), '3')", "got string"},
		Case{"M.profile(new Float32Array(783), 1)", "783 values"},
		Case{"M.profile([0.5], 1)", "want a Float32Array"},
		Case{"M.profile(new Float32Array(784).fill(NaN), 1)", "must be finite"},
		Case{"DISPOSED.inputShape", "disposed"},
		// run: several inputs by name.
		Case{"M.run()", "run: inputs: got undefined, want an object"},
		Case{"M.run(5)", "got number, want an object"},
		Case{"M.run([X])", "got an array, want an object"},
		Case{"M.run(new Float32Array(784))", "got Float32Array, want an object"},
		Case{"M.run({})", "is missing"},
		Case{"M.run({nope: X})", `has no input "nope"`},
		Case{"M.run({[M.info.inputs[0].name]: 5})", "got number, want a tensor"},
		Case{"M.run({[M.info.inputs[0].name]: new Float32Array(784)})", "got Float32Array, want a tensor"},
		Case{"M.run({[M.info.inputs[0].name]: {data: new Float32Array(28), shape: [1, 1, 28]}})", "has rank 4"},
		Case{"M.run({[M.info.inputs[0].name]: {data: new Float32Array(784), shape: [1, 1, 28, 29]}})", "needs 812 values"},
		Case{"M.run({[M.info.inputs[0].name]: {data: new Float32Array(784), shape: [1, 1, 14, 56]}})", "has shape"},
		Case{"M.run({[M.info.inputs[0].name]: {data: new Float32Array(784).fill(NaN), shape: [1, 1, 28, 28]}})", "must be finite"},
		Case{"M.run({[M.info.inputs[0].name]: {data: new Float64Array(784), shape: [1, 1, 28, 28]}})", "got Float64Array, want a Float32Array or an integer typed array"},
		Case{"M.run({[M.info.inputs[0].name]: {data: Array(784).fill(0), shape: [1, 1, 28, 28]}})", "got an array"},
		Case{"M.run({[M.info.inputs[0].name]: {data: new Int32Array(784).fill(1 << 25), shape: [1, 1, 28, 28]}})", "beyond 2^24"},
		Case{"M.run({[M.info.inputs[0].name]: {data: new Uint8Array(784), shape: [1, 1, 28, 28.5]}})", "want an integer"},
		Case{"M.run({[M.info.inputs[0].name]: {data: new Float32Array(784), shape: [100000, 1, 28, 28]}})", "needs 78400000 values"},
		Case{"M.run({[M.info.inputs[0].name]: X, extra: X})", `has no input "extra"`},
		Case{"DISPOSED.run({})", "disposed"},
		Case{"(() => { const m = wasmcnn.loadModel(MODEL); m._h = 999; return m.predict(new Float32Array(784)); })()", "disposed"},
		Case{`(() => { const m = wasmcnn.loadModel(MODEL); m._h = "1"; return m.predict(new Float32Array(784)); })()`, "handle: got string"},
		Case{"(() => { const m = wasmcnn.loadModel(MODEL); m._h = -1; return m.predict(new Float32Array(784)); })()", "handle: got -1"},
	)
	// The fast path of predict, called directly with bad arguments: it reads
	// only numbers, and must refuse what it was not prepared for.
	for _, c := range []Case{
		{"prepare()", "missing model handle"}, {"prepare(M._h)", "takes (handle, n)"},
		{"prepare(M._h, -1)", "got -1"}, {`prepare(M._h, "784")`, "got string"}, {"prepare(M._h, 1.5)", "want an integer"},
		{"prepare(M._h, 783)", "783 values"}, {"prepare(999, 784)", "disposed"}, {"prepare(M._h, 784, 1)", "takes (handle, n)"},
		{"run()", "missing model handle"}, {"run(M._h, 784)", "takes (handle, n, generation)"},
		{"run(M._h, 784, 1e6)", "no staging buffer of generation 1000000"}, {"run(M._h, 784, 0)", "got 0"},
		{"run(M._h, 1 << 20, 1)", "for 1048576 values"}, {"run(999, 784, 1)", "disposed"}, {"run(M._h, NaN, 1)", "want an integer"},
	} {
		cs = append(cs, Case{"(() => { const r = __wasmcnnGo." + c.Src + "; if (r instanceof Error) throw r; return r; })()", c.Want})
	}
	// explain: the node, the position, the example; a model that has not run.
	ran := "(M.predict(new Float32Array(784).fill(0.1)), M.explain(@))"
	for _, c := range []Case{
		{"", "takes (node, channel, y, x, example?)"}, {"0, 0, 0", "got 3 arguments"}, {"0, 0, 0, 0, 0, 0", "got 6 arguments"},
		{`"no such node", 0, 0, 0`, `no node "no such node"`}, {"{}, 0, 0, 0", "node: got object, want a node name or an index"},
		{"null, 0, 0, 0", "node: got null"}, {"[0], 0, 0, 0", "node: got an array"}, {"-1, 0, 0, 0", "node: got -1"},
		{"1e6, 0, 0, 0", "node: got 1e+06"}, {"0.5, 0, 0, 0", "node: got 0.5, want an integer"},
		{`M.layerOutputs().findIndex(l => l.op === "Relu"), 0, 0, 0`, "is a Relu; explain covers"},
		{`M.layerOutputs().findIndex(l => l.op === "Softmax"), 0, 0, 0`, "is a Softmax; explain covers"},
		{"0, -1, 0, 0", "channel: got -1"}, {"0, 1e4, 0, 0", "channel 10000, y 0, x 0) is outside node"}, {"0, 0.5, 0, 0", "channel: got 0.5, want an integer"},
		{`0, "0", 0, 0`, "channel: got string"}, {"0, 0, 1e9, 0", "y 1000000000, x 0) is outside node"}, {"0, 0, 2e9, 0", "y: got 2e+09, want 0 to 1073741824"}, {"0, 0, NaN, 0", "y: got NaN"},
		{`0, 0, 0, "1"`, "x: got string"}, {"0, 0, 0, Infinity", "x: got +Inf"}, {"0, 0, 0, 0, 1", "position (example 1, channel 0, y 0, x 0) is outside node"},
		{"0, 0, 0, 0, -1", "example: got -1"}, {"0, {valueOf() { throw new Error('valueOf boom'); }}, 0, 0", "channel: got object"},
		{`new Proxy({}, {get() { throw new Error("trap"); }}), 0, 0, 0`, "trap"},
	} {
		cs = append(cs, Case{strings.Replace(ran, "@", c.Src, 1), c.Want})
	}
	cs = append(cs,
		Case{"wasmcnn.loadModel(MODEL).explain(0, 0, 0, 0)", "has not run yet"},
		Case{"DISPOSED.explain(0, 0, 0, 0)", "disposed"},
		Case{"(() => { const r = __wasmcnnGo.explain(); if (r instanceof Error) throw r; return r; })()", "missing model handle"},
	)
	// verdict: one drawing's probabilities, for a model with a rule.
	for _, c := range []Case{
		{"", "probabilities: got undefined, want a Float32Array"}, {"null", "probabilities: got null"},
		{`"0.5"`, "probabilities: got string"}, {"new Float64Array(10)", "got Float64Array, want a Float32Array"},
		{"new Float32Array(1)", "1 values, want the probabilities of one drawing"},
		{"new Float32Array(200000)", "200000 values, want the probabilities of one drawing"},
		{"new Float32Array(10).fill(NaN)", "probability 0 is NaN, want a number in [0, 1]"},
		{"new Float32Array(10).fill(2)", "probability 0 is 2"}, {"[0.5, -1]", "probability 1 is -1"},
		{`["a", "b"]`, "probability 0 is NaN"}, {"{length: 10}", "got object, want a Float32Array"},
		{"{get length() { throw new Error('length boom'); }}", "want a Float32Array"},
	} {
		cs = append(cs, Case{"RULED.verdict(" + c.Src + ")", c.Want})
	}
	cs = append(cs,
		Case{"DISPOSED.verdict(new Float32Array(10).fill(0.1))", "disposed"},
		Case{"(() => { const r = __wasmcnnGo.verdict(); if (r instanceof Error) throw r; return r; })()", "missing model handle"},
		Case{"(() => { const r = __wasmcnnGo.verdict(RULED._h); if (r instanceof Error) throw r; return r; })()", "takes (probabilities), got 0 arguments"},
		Case{"(() => { const r = __wasmcnnGo.verdict(RULED._h, new Float32Array(10), 1); if (r instanceof Error) throw r; return r; })()", "got 2 arguments"},
		Case{"(() => { const r = __wasmcnnGo.verdict(999, new Float32Array(10)); if (r instanceof Error) throw r; return r; })()", "disposed"},
		Case{`(() => { const r = __wasmcnnGo.verdict("1", new Float32Array(10)); if (r instanceof Error) throw r; return r; })()`, "handle: got string"},
	)
	if shared {
		cs = append(cs, Case{"RULED.verdict(new Float32Array(new SharedArrayBuffer(40)))", "shared memory"})
	}
	// Re-entrant calls: an argument whose getter calls the API again works;
	// one whose getter throws gives that error.
	cs = append(cs,
		Case{"wasmcnn.relu({get data() { wasmcnn.relu(X); return new Float32Array(3); }, shape: [4]})", "needs 4 values, data has 3"},
		Case{"wasmcnn.conv2d(X, W, null, {get strides() { return wasmcnn.softmax(X, 9); }})", "axis: got 9"},
		Case{"M.predict({get length() { throw new Error('length boom'); }})", "want a Float32Array"},
	)
	return cs
}

// Script is JavaScript whose value is an array of what each case threw:
// its message, or null where it did not throw. [Try] and [Fixtures] must
// have run before it.
func Script(cases []Case) string {
	var b strings.Builder
	b.WriteString("[")
	for i, c := range cases {
		if i > 0 {
			b.WriteString(",\n")
		}
		b.WriteString("jsTry(() => " + c.Src + ")")
	}
	b.WriteString("]")
	return b.String()
}

// Mismatches compares what each case threw (nil: nothing) with what it must
// say, and returns one line for each that differs.
func Mismatches(cases []Case, msgs []*string) []string {
	if len(msgs) != len(cases) {
		return []string{fmt.Sprintf("%d answers for %d cases", len(msgs), len(cases))}
	}
	var out []string
	for i, c := range cases {
		switch m := msgs[i]; {
		case m == nil:
			out = append(out, c.Src+": did not throw")
		case !strings.Contains(*m, c.Want):
			out = append(out, fmt.Sprintf("%s: threw %q, want %q", c.Src, *m, c.Want))
		}
	}
	return out
}
