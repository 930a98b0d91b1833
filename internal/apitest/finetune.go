package apitest

import "strings"

// FineTuneFixtures is JavaScript that defines, besides [Fixtures], what the
// fine-tuning cases use: X2, two valid 28×28 examples; XNAN and XINF, two
// examples with a NaN and an infinity in the second.
const FineTuneFixtures = `
globalThis.X2 = new Float32Array(2 * 784).fill(0.25);
globalThis.XNAN = X2.slice(); XNAN[784 + 17] = NaN;
globalThis.XINF = X2.slice(); XINF[3] = -Infinity;
`

// FineTuneCase is a fine-tuning call that must fail: Src is an expression
// whose value (a Promise, or a value from a function that throws) must
// reject or throw with an Error whose message contains Want. Src calls
// FT(inputs, labels, options?, onProgress?) on the fixtures' model M,
// which the harness defines to reach the Go side (wasmcnn.fineTune in a
// page, the training build's own fineTune in its tests); JSOnly cases call
// wasmcnn.fineTune directly, for what its JavaScript half refuses.
type FineTuneCase struct {
	Src    string
	Want   string
	JSOnly bool
}

// FineTuneBadCalls lists fine-tuning calls that must fail; jsOnly adds
// those of wasmcnn.fineTune's JavaScript half (which need a page with
// workers and the site's files).
func FineTuneBadCalls(jsOnly bool) []FineTuneCase {
	cs := []FineTuneCase{
		// Examples.
		{Src: "FT(new Float32Array(0), [])", Want: "no examples: teach at least one example of each of two different classes"},
		{Src: "FT(X2, [3, 3])", Want: "every example has the same class"},
		{Src: "FT(X2.slice(0, 784), [5])", Want: "every example has the same class"},
		{Src: "FT(new Float32Array(785), [1, 2])", Want: "785 values, not a whole number of examples of 784 values"},
		{Src: "FT(new Float32Array(783), [1])", Want: "not a whole number of examples"},
		{Src: "FT(X2, [1])", Want: "has 1 entries for 2 examples"},
		{Src: "FT(X2, [1, 2, 3])", Want: "has 3 entries for 2 examples"},
		{Src: "FT(X2, [1, 10])", Want: "entry 1 is 10, out of range: the model has classes 0 to 9"},
		{Src: "FT(X2, [-1, 2])", Want: "entry 0 is -1, out of range"},
		{Src: "FT(X2, [1, 2.5])", Want: "entry 1 is 2.5, want an integer from 0 to 9"},
		{Src: "FT(X2, [1, NaN])", Want: "entry 1 is NaN, want an integer"},
		{Src: "FT(X2, [Infinity, 1])", Want: "entry 0 is +Inf, out of range"},
		{Src: `FT(X2, [1, "2"])`, Want: "entry 1 is string, want an integer"},
		{Src: "FT(X2, new Uint8Array([1, 12]))", Want: "entry 1 is 12, out of range"},
		{Src: "FT(X2, new Int32Array([-3, 1]))", Want: "entry 0 is -3, out of range"},
		{Src: `FT(X2, "12")`, Want: "labels: got string, want an array of integers"},
		{Src: "FT(X2, new Float32Array([1, 2]))", Want: "labels: got Float32Array"},
		{Src: "FT(X2, undefined)", Want: "labels: got undefined"},
		{Src: "FT(XNAN, [1, 2])", Want: "example 1 has NaN at value 17; inputs must be finite"},
		{Src: "FT(XINF, [1, 2])", Want: "example 0 has -Inf at value 3"},
		{Src: "FT([0.5, 0.5], [1, 2])", Want: "inputs: got an array, want a Float32Array"},
		{Src: "FT(new Float64Array(1568), [1, 2])", Want: "inputs: got Float64Array"},
		{Src: "FT(null, [1, 2])", Want: "inputs: got null"},
		{Src: "FT(new Float32Array(784 * 10001), Array.from({length: 10001}, (_, i) => i % 10))", Want: "holds 10001 examples, at most 10000"},
		// Options.
		{Src: "FT(X2, [1, 2], 5)", Want: "options: got number, want an options object"},
		{Src: "FT(X2, [1, 2], [60])", Want: "want an options object"},
		{Src: "FT(X2, [1, 2], {stpes: 3})", Want: `unknown option "stpes"`},
		{Src: "FT(X2, [1, 2], {steps: 0})", Want: "options.steps: got 0, want an integer from 1 to 10000"},
		{Src: "FT(X2, [1, 2], {steps: 1e9})", Want: "options.steps: got 1e+09"},
		{Src: "FT(X2, [1, 2], {steps: 2.5})", Want: "options.steps: got 2.5, want an integer"},
		{Src: `FT(X2, [1, 2], {steps: "60"})`, Want: "options.steps: got string, want a number"},
		{Src: "FT(X2, [1, 2], {lr: 0})", Want: "options.lr: got 0, want a number in (0, 1]"},
		{Src: "FT(X2, [1, 2], {lr: 2})", Want: "options.lr: got 2"},
		{Src: "FT(X2, [1, 2], {lr: NaN})", Want: "options.lr: got NaN, want a finite number"},
		{Src: "FT(X2, [1, 2], {copies: 100})", Want: "options.copies: got 100, want an integer from 1 to 64"},
		{Src: "FT(X2, [1, 2], {batchSize: 0})", Want: "options.batchSize: got 0"},
		{Src: "FT(X2, [1, 2], {augment: -1})", Want: "options.augment: got -1, want a number in [0, 4]"},
		{Src: "FT(X2, [1, 2], {labelSmoothing: 1})", Want: "options.labelSmoothing: got 1, want a number in [0, 1)"},
		{Src: "FT(X2, [1, 2], {seed: -1})", Want: "options.seed: got -1"},
		{Src: "FT(X2, [1, 2], {trainLayers: 0})", Want: "options.trainLayers: got 0"},
		{Src: "FT(X2, [1, 2], {replayBatch: -1})", Want: "options.replayBatch: got -1"},
		{Src: "FT(X2, [1, 2], {anchor: -0.5})", Want: "options.anchor: got -0.5"},
	}
	if !jsOnly {
		return cs
	}
	ft := func(args string) string { return "wasmcnn.fineTune(" + args + ")" }
	for _, c := range []FineTuneCase{
		{Src: ft("5, X2, [1, 2]"), Want: "model: got number, want a model of wasmcnn.loadModel or the bytes of an ONNX file"},
		{Src: ft("{}, X2, [1, 2]"), Want: "model: got object"},
		{Src: ft("DISPOSED, X2, [1, 2]"), Want: "disposed"},
		{Src: ft("new Uint8Array([1, 2, 3]), X2, [1, 2]"), Want: "corrupt model"},
		{Src: ft("M, X2, [1, 2], {}, 5"), Want: "onProgress: got number, want a function"},
		{Src: ft("M, X2, [1, 2], {signal: 5}"), Want: "options.signal: want an AbortSignal"},
		{Src: ft("M, X2, [1, 2], {replay: 5}"), Want: "options.replay: want a URL, a Uint8Array or null"},
		{Src: ft("M, X2, [1, 2], {replay: new Uint8Array([1, 2, 3])}"), Want: "replay: adapt: a digits file of 3 bytes is not whole records of 785"},
		{Src: ft(`M, X2, [1, 2], {replay: "models/no-such-file.bin"}`), Want: "HTTP 404"},
		{Src: ft("M, X2, [1, 2], {wasmURL: 5}"), Want: "options.wasmURL: want a string"},
		{Src: ft(`M, X2, [1, 2], {wasmURL: "lib/no-such.wasm"}`), Want: "HTTP 404"},
		{Src: ft(`M, X2, [1, 2], {signal: AbortSignal.abort(new Error("stopped early"))}`), Want: "stopped early"},
		{Src: ft(`M, X2, [1, 2], {steps: 500}, () => { throw new Error("progress boom"); }`), Want: "progress boom"},
		{Src: ft(`M, X2, [1, 2], {steps: () => 5}`), Want: "options.steps: got function, want a number"},
		{Src: ft(`M, X2, new Float32Array([1, 2])`), Want: "labels: got Float32Array"},
		{Src: ft(`M, X2, [1, 2], {evaluate: 5}`), Want: "options.evaluate: got number, want a Float32Array of examples"},
		{Src: ft(`M, X2, [1, 2], {evaluate: [0.5]}`), Want: "options.evaluate: got an array"},
		{Src: ft(`M, X2, [1, 2], {steps: 2, evaluate: new Float32Array(785)}`), Want: "options.evaluate: predict: onnx: input has 785 values"},
		{Src: ft(`M, new Float32Array(new SharedArrayBuffer(8)), [1, 2]`), Want: "shared memory"},
	} {
		c.JSOnly = true
		if strings.Contains(c.Src, "SharedArrayBuffer") {
			c.Src = `(typeof SharedArrayBuffer === "function" ? ` + c.Src + ` : Promise.reject(new Error("shared memory: no SharedArrayBuffer here")))`
		}
		cs = append(cs, c)
	}
	return cs
}
