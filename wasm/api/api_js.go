package api

import (
	"syscall/js"
	"unsafe"

	"wasmcnn/core"
	"wasmcnn/core/onnx"
	"wasmcnn/internal/fmtlite"
	"wasmcnn/wasm/bridge"
	"wasmcnn/wasm/jsglue"
)

// api is the object web/wasmcnn-runtime.mjs wraps into the public wasmcnn API. Its
// functions never throw and never panic: they return a JavaScript Error,
// which the wrapper throws.
type api struct {
	models bridge.Models
	funcs  []js.Func
}

// register makes the API's object, with the functions of the extensions:
// every function is guarded (jsglue.Func), so that a bad argument or a
// panic becomes an Error value instead of ending the Go program.
func (a *api) register(extensions []Extension) js.Value {
	obj := jsObject.New()
	add := func(name string, f func(args []js.Value) (any, error)) {
		fn := jsglue.Func("wasmcnn: ", name, f)
		a.funcs = append(a.funcs, fn)
		obj.Set(name, fn)
	}
	op := func(name string, f func([]bridge.Value) (*core.Tensor, error)) {
		add(name, func(args []js.Value) (any, error) {
			t, err := f(wrapArgs(args))
			if err != nil {
				return nil, err
			}
			return tensorToJS(t), nil
		})
	}
	op("conv2d", bridge.Conv2D)
	op("maxPool2d", func(v []bridge.Value) (*core.Tensor, error) { return bridge.Pool2D(true, v) })
	op("avgPool2d", func(v []bridge.Value) (*core.Tensor, error) { return bridge.Pool2D(false, v) })
	op("dense", bridge.Dense)
	op("relu", bridge.ReLU)
	op("softmax", bridge.Softmax)
	add("loadModel", a.loadModel)
	add("predict", a.predict)
	add("prepare", a.prepare)
	add("run", a.run)
	add("runInputs", a.runInputs)
	add("layerOutputs", a.layerOutputs)
	add("explain", a.explain)
	add("profile", a.profile)
	add("modelInfo", a.modelInfo)
	add("modelBytes", a.modelBytes)
	add("dispose", a.dispose)
	add("verdict", a.verdict)
	for _, ext := range extensions {
		ext(&a.models, add)
	}
	add("stats", func([]js.Value) (any, error) {
		var ms runtimeStats
		ms.read() // after a collection, so the figures are what is live
		return map[string]any{"models": a.models.Len(), "funcs": len(a.funcs), "heapBytes": ms.heap,
			"sysBytes": ms.sys, "heapSysBytes": ms.heapSys, "stackSysBytes": ms.stackSys, "gcCycles": ms.gcs}, nil
	})
	obj.Set("version", core.Version)
	obj.Set("kernel", js.ValueOf(func() string {
		if k := core.ActivePanelKernel(); k != "" {
			return k
		}
		return "go"
	}()))
	obj.Set("ops", js.ValueOf(jsglue.Strings(onnx.SupportedOps())))
	return obj
}

// handle reads a model handle argument.
func handle(args []js.Value, name string) (int, error) {
	if len(args) < 1 {
		return 0, fmtlite.Errorf("%s: missing model handle", name)
	}
	return bridge.Int(wrap(args[0]), name+": handle", 1, 1<<30)
}

func (a *api) loadModel(args []js.Value) (any, error) {
	h, _, err := a.models.Load(wrapArgs(args))
	if err != nil {
		return nil, err
	}
	TuneMemoryLimit()
	return h, nil
}

// predict(handle, x: Float32Array, out?: Float32Array) → Float32Array.
// With out of the right length the result is written there and no
// JavaScript memory is allocated either.
func (a *api) predict(args []js.Value) (any, error) {
	h, err := handle(args, "predict")
	if err != nil {
		return nil, err
	}
	if len(args) < 2 || len(args) > 3 {
		return nil, fmtlite.Errorf("predict: takes (input, output?), got %d arguments", len(args)-1)
	}
	b, _, err := a.models.Predict(h, wrap(args[1]))
	if err != nil {
		return nil, err
	}
	n := len(b) / 4
	var out js.Value // undefined until given or made
	if len(args) == 3 {
		if o := wrap(args[2]); o.Kind() != bridge.Undefined && o.Kind() != bridge.Null {
			if o.TypedArray() != "Float32Array" || o.Length() != n {
				return nil, fmtlite.Errorf("predict: output: got %s of length %d, want a Float32Array of length %d", o.TypedArray(), o.Length(), n)
			}
			out = args[2]
		}
	}
	if out.IsUndefined() {
		out = jsFloat32.New(n)
	}
	copyToJS(out, b)
	return out, nil
}

// fastPathArgs reads the model handle and the input length n that start
// the arguments of prepare and run, which take want arguments in all.
func fastPathArgs(args []js.Value, usage string, want int) (h, n int, err error) {
	if h, err = handle(args, "predict"); err != nil {
		return 0, 0, err
	}
	if len(args) != want {
		return 0, 0, fmtlite.Errorf("%s, got %d arguments", usage, len(args))
	}
	n, err = bridge.Int(wrap(args[1]), "predict: input length", 1, core.MaxElements)
	return h, n, err
}

// prepare(handle, n) → {input, generation, outputLength}: the byte address
// in the module's memory of a staging buffer of n floats that
// web/wasmcnn-runtime.mjs fills before run, the fast path of predict for ordinary
// Float32Arrays. Everything else goes through predict, which reads and
// checks the JavaScript values.
func (a *api) prepare(args []js.Value) (any, error) {
	h, n, err := fastPathArgs(args, "prepare: takes (handle, n)", 2)
	if err != nil {
		return nil, err
	}
	in, gen, outLen, err := a.models.Prepare(h, n)
	if err != nil {
		return nil, err
	}
	raiseMemoryLimit()
	return map[string]any{"input": int(uintptr(unsafe.Pointer(&in[0]))), "generation": gen, "outputLength": outLen}, nil
}

// run(handle, n, generation) runs the model on the n floats written into the
// staging buffer of prepare and returns the byte address of its output
// (outputLength floats, valid until the next call), as a number: nothing is
// allocated.
func (a *api) run(args []js.Value) (any, error) {
	h, n, err := fastPathArgs(args, "run: takes (handle, n, generation)", 3)
	if err != nil {
		return nil, err
	}
	gen, err := bridge.Int(wrap(args[2]), "predict: generation", 1, 1<<30)
	if err != nil {
		return nil, err
	}
	out, err := a.models.RunPrepared(h, n, gen)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return 0, nil
	}
	return int(uintptr(unsafe.Pointer(&out[0]))), nil
}

// layerOutputs(handle) → [{name, op, shape, data}] for every node that ran
// in the last predict, such as each convolution's feature maps.
func (a *api) layerOutputs(args []js.Value) (any, error) {
	h, err := handle(args, "layerOutputs")
	if err != nil {
		return nil, err
	}
	m, err := a.models.Get(h)
	if err != nil {
		return nil, fmtlite.Errorf("layerOutputs: %w", err)
	}
	// Buffers are shared between tensors until a model keeps them all: this
	// switches it, running the last input again.
	if err := m.KeepAllTensors(); err != nil {
		return nil, fmtlite.Errorf("layerOutputs: %w", err)
	}
	steps := m.Steps()
	arr := jsArray.New(len(steps))
	for i, s := range steps {
		o := tensorToJS(s.Output)
		o.Set("name", s.Node.Name)
		o.Set("op", s.Node.Op)
		arr.SetIndex(i, o)
	}
	return arr, nil
}

// explain(handle, node, channel, y, x, example?) → how that value of the
// node's output was computed in the last predict (see docs/api.md): the window
// of inputs, the weights, the products, their sum, the bias, the
// element-wise nodes after it, and the value the feature map shows.
func (a *api) explain(args []js.Value) (any, error) {
	h, err := handle(args, "explain")
	if err != nil {
		return nil, err
	}
	e, err := a.models.Explain(h, wrapArgs(args[1:]))
	if err != nil {
		return nil, err
	}
	return Explanation(e), nil
}

// performanceNow reads the page's monotonic clock, performance.now, in
// nanoseconds: the clock Go's own runtime reads in the browser.
func performanceNow() int64 {
	return int64(jsPerformance.Call("now").Float() * 1e6)
}

var jsPerformance = js.Global().Get("performance")

// profile(handle, input, runs) → [{name, op, ms}]: where a prediction's
// time goes in this browser, each node's milliseconds per run over runs
// runs (1 to bridge.MaxProfileRuns) of input.
func (a *api) profile(args []js.Value) (any, error) {
	h, err := handle(args, "profile")
	if err != nil {
		return nil, err
	}
	if len(args) != 3 {
		return nil, fmtlite.Errorf("profile: takes (input, runs), got %d arguments", len(args)-1)
	}
	runs, err := bridge.Int(wrap(args[2]), "profile: runs", 1, bridge.MaxProfileRuns)
	if err != nil {
		return nil, err
	}
	steps, err := a.models.Profile(h, wrap(args[1]), runs, performanceNow)
	if err != nil {
		return nil, err
	}
	arr := jsArray.New(len(steps))
	for i, s := range steps {
		arr.SetIndex(i, map[string]any{"name": s.Node.Name, "op": s.Node.Op, "ms": float64(s.Nanos) / 1e6 / float64(runs)})
	}
	return arr, nil
}

// modelInfo(handle) → {inputs, outputs, inputShape, outputShape, ops, opCounts, nodes,
// params, macs, producer, irVersion, opset, description, metadata}. Shapes hold null where
// the model leaves a dimension open (a symbolic batch size).
func (a *api) modelInfo(args []js.Value) (any, error) {
	h, err := handle(args, "modelInfo")
	if err != nil {
		return nil, err
	}
	m, err := a.models.Get(h)
	if err != nil {
		return nil, fmtlite.Errorf("modelInfo: %w", err)
	}
	return ModelInfo(m), nil
}

// modelBytes(handle) → the Uint8Array the model reads its weights from
// again (KeepBytes), or undefined: the module keeps it for toONNX instead
// of a copy of its own, and never changes it.
func (a *api) modelBytes(args []js.Value) (any, error) {
	h, err := handle(args, "modelBytes")
	if err != nil {
		return nil, err
	}
	if _, err := a.models.Get(h); err != nil {
		return nil, fmtlite.Errorf("modelBytes: %w", err)
	}
	if src, ok := a.models.Source(h).(*jsValue); ok {
		return src.v, nil
	}
	return js.Undefined(), nil
}

func (a *api) dispose(args []js.Value) (any, error) {
	h, err := handle(args, "dispose")
	if err != nil {
		return nil, err
	}
	a.models.Dispose(h)
	return nil, nil
}

// tensorToJS returns {data: Float32Array, shape: number[]}.
func tensorToJS(t *core.Tensor) js.Value {
	data := jsFloat32.New(len(t.Data))
	if len(t.Data) > 0 {
		copyToJS(data, unsafe.Slice((*byte)(unsafe.Pointer(&t.Data[0])), 4*len(t.Data)))
	}
	o := jsObject.New()
	o.Set("data", data)
	o.Set("shape", js.ValueOf(jsglue.Numbers(t.Shape)))
	return o
}

// copyToJS copies bytes into a Float32Array through a Uint8Array view:
// js.CopyBytesToJS accepts nothing else. dst may be the caller's array, so
// its properties are read safely.
func copyToJS(dst js.Value, b []byte) {
	if len(b) == 0 {
		return
	}
	view := views.of(wrap(dst))
	js.CopyBytesToJS(view, b)
}

// openDims is a shape for JavaScript: a dimension the model leaves open
// (−1), such as a symbolic batch size, is null, as TensorFlow.js writes it.
func openDims(v []int) []any {
	out := make([]any, len(v))
	for i, x := range v {
		if x >= 0 {
			out[i] = x
		}
	}
	return out
}
