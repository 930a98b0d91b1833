package bridge

import (
	"unsafe"

	"wasmcnn/core"
	"wasmcnn/core/onnx"
	"wasmcnn/internal/fmtlite"
)

// MaxModelBytes bounds a model the drawing page takes from a person (64 MiB).
const MaxModelBytes = 64 << 20

// MaxAPIModelBytes bounds a model handed to the API's loadModel (128 MiB):
// room for ResNet-50 in float32 (98 MiB), the largest network of the bench.
const MaxAPIModelBytes = 128 << 20

// Models holds the models loaded from JavaScript, by handle. A handle stays
// valid until Dispose; calls on a disposed handle are errors, not crashes.
type Models struct {
	next int
	m    map[int]*entry
	// stages holds every staging buffer Prepare has handed out, the last
	// one current. None is ever dropped, so an address JavaScript kept
	// stays Go-owned memory whatever the caller does; a run names the
	// generation it wrote into, and only the current one is read.
	stages [][]float32
}

type entry struct {
	model  *onnx.Model
	source Value     // the copy of the model's bytes it reads again, or nil
	in     []float32 // the input, reused from call to call
	shape  []int     // the output shape of the current plan
}

// Limits applied to models from JavaScript: tighter than core's defaults,
// since a browser tab has less memory than a server, yet wide enough for
// the networks people deploy: ResNet-50 has 25.6 M parameters and runs
// 4.1 G multiply-accumulates per image, 33 G at batch 8.
var jsLimits = onnx.Limits{MaxModelBytes: MaxAPIModelBytes, MaxParams: 32 << 20, MaxActivations: 32 << 20, MaxMACs: 1 << 35}

// ModelLimits returns the limits applied to models in the browser, for the
// page's own loading of models.
func ModelLimits() onnx.Limits { return jsLimits }

// BytesKeeper is a [Value] whose bytes (a Uint8Array or an ArrayBuffer)
// can be copied where they cost Go no memory, JavaScript's in the browser,
// and read again in parts: a model loaded from the copy then holds its
// weights once ([onnx.LoadOptions].Reread). KeepBytes returns the copy and
// its reader, or an error for a value that is not such an array.
type BytesKeeper interface {
	KeepBytes() (Value, func(off int64, dst []byte) error, error)
}

// Load loads a model from bytes (Uint8Array or ArrayBuffer) with options
// {externalData: {name: Uint8Array, …}} and returns its handle.
func (ms *Models) Load(args []Value) (int, *onnx.Model, error) {
	if len(args) < 1 || len(args) > 2 {
		return 0, nil, argErrorf("loadModel", "takes (bytes, options?), got %d arguments", len(args))
	}
	src := args[0]
	var reread func(int64, []byte) error
	if k, ok := src.(BytesKeeper); ok && src.Kind() == Object && src.ByteLength() <= MaxAPIModelBytes {
		// The model reads its weights again from a copy outside Go's
		// memory rather than holding them beside their packed form; Go's
		// copy, parsed, is the same bytes.
		kept, read, err := k.KeepBytes()
		if err == nil {
			src, reread = kept, read
		}
	}
	b, err := Bytes(src, "loadModel: bytes", MaxAPIModelBytes)
	if err != nil {
		return 0, nil, err
	}
	opts := &onnx.LoadOptions{Limits: jsLimits, Reread: reread}
	if len(args) == 2 {
		present, err := options(args[1], "loadModel: options", "externalData")
		if err != nil {
			return 0, nil, err
		}
		if present {
			ext := args[1].Get("externalData")
			if ext.Kind() != Undefined && ext.Kind() != Null {
				if ext.Kind() != Object || ext.IsArray() || ext.TypedArray() != "" {
					return 0, nil, argErrorf("loadModel: options.externalData", "got %s, want an object {fileName: Uint8Array}", describe(ext))
				}
				files := map[string][]byte{}
				for _, k := range ext.Keys() {
					fb, err := Bytes(ext.Get(k), "loadModel: options.externalData."+k, MaxAPIModelBytes)
					if err != nil {
						return 0, nil, err
					}
					files[k] = fb
				}
				opts.ExternalData = func(loc string) ([]byte, error) {
					if b, ok := files[loc]; ok {
						return b, nil
					}
					return nil, fmtlite.Errorf("not given in options.externalData")
				}
			}
		}
	}
	m, err := onnx.LoadModel(b, opts)
	if err != nil {
		return 0, nil, fmtlite.Errorf("loadModel: %w", err)
	}
	if ms.m == nil {
		ms.m = map[int]*entry{}
	}
	ms.next++
	ms.m[ms.next] = &entry{model: m}
	if reread != nil {
		ms.m[ms.next].source = src
	}
	return ms.next, m, nil
}

// Get returns the model of a handle.
func (ms *Models) Get(h int) (*onnx.Model, error) {
	e, ok := ms.m[h]
	if !ok {
		return nil, fmtlite.Errorf("the model has been disposed")
	}
	return e.model, nil
}

// Source returns the copy of a model's bytes that it reads its weights
// from again ([BytesKeeper]), or nil: the API's toONNX returns copies of
// it rather than keeping one more.
func (ms *Models) Source(h int) Value {
	if e, ok := ms.m[h]; ok {
		return e.source
	}
	return nil
}

// Dispose releases a model; disposing twice is harmless.
func (ms *Models) Dispose(h int) { delete(ms.m, h) }

// Len returns how many models are loaded.
func (ms *Models) Len() int { return len(ms.m) }

// Predict runs model h on x (a Float32Array holding one example or a batch)
// and returns the first output as little-endian float32 bytes, in a buffer
// reused by the next call: after the first call for a batch size it
// allocates nothing.
func (ms *Models) Predict(h int, x Value) ([]byte, []int, error) {
	e, in, err := ms.input(h, x, "predict", "predict: input")
	if err != nil {
		return nil, nil, err
	}
	out, err := e.model.Predict(in)
	if err != nil {
		return nil, nil, fmtlite.Errorf("predict: %w", err)
	}
	if e.shape == nil || core.Product(e.shape) != len(out) {
		e.shape = e.model.OutputShape(0)
	}
	if len(out) == 0 {
		return nil, e.shape, nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&out[0])), 4*len(out)), e.shape, nil
}

// MaxProfileRuns bounds the runs of one Profile call (each run is also
// bounded, by the model's limits).
const MaxProfileRuns = 1000

// Profile runs model h on x (as Predict reads it) runs times and returns
// the time of each step on now, in execution order, summed over the runs.
func (ms *Models) Profile(h int, x Value, runs int, now onnx.Clock) ([]onnx.StepTime, error) {
	e, in, err := ms.input(h, x, "profile", "profile: input")
	if err != nil {
		return nil, err
	}
	steps, err := e.model.Profile(in, runs, now)
	if err != nil {
		return nil, fmtlite.Errorf("profile: %w", err)
	}
	return steps, nil
}

// input reads x, the argument arg ("predict: input") of op ("predict") for
// model h, into the model's reused input buffer, and checks that its values
// are finite. Both names are constants: nothing is built when all is well.
func (ms *Models) input(h int, x Value, op, arg string) (*entry, []float32, error) {
	e, ok := ms.m[h]
	if !ok {
		return nil, nil, fmtlite.Errorf("%s: the model has been disposed", op)
	}
	in, err := Floats(x, arg, e.in)
	if err != nil {
		return nil, nil, err
	}
	e.in = in
	if err := checkFinite(in, arg); err != nil {
		return nil, nil, err
	}
	return e, in, nil
}

// checkFinite refuses an input (argument arg) holding NaN or ±Inf.
func checkFinite(in []float32, arg string) error {
	if i := core.FirstNonFinite(in); i >= 0 {
		return argErrorf(arg, "value %d is %v; inputs must be finite", i, in[i])
	}
	return nil
}

// Prepare readies model h for inputs of n values written straight into Go
// memory, the fast path of predict that reads no JavaScript value. It
// returns the staging buffer to fill, its generation (to pass to
// RunPrepared) and the length of the output. It plans the model for the
// batch size, checking n as Predict does, and runs nothing.
func (ms *Models) Prepare(h, n int) (stage []float32, gen, outLen int, err error) {
	e, ok := ms.m[h]
	if !ok {
		return nil, 0, 0, fmtlite.Errorf("predict: the model has been disposed")
	}
	if n < 1 || n > core.MaxElements {
		return nil, 0, 0, argErrorf("predict: input", "has %d values; want between 1 and %d", n, core.MaxElements)
	}
	if err := e.model.PlanFor(n); err != nil {
		return nil, 0, 0, fmtlite.Errorf("predict: %w", err)
	}
	outLen = core.Product(e.model.OutputShape(0))
	if len(ms.stages) == 0 || len(ms.stages[len(ms.stages)-1]) < n {
		size := n
		if len(ms.stages) > 0 {
			size = max(n, 2*len(ms.stages[len(ms.stages)-1]))
		}
		ms.stages = append(ms.stages, make([]float32, size))
	}
	return ms.stages[len(ms.stages)-1][:n], len(ms.stages), outLen, nil
}

// RunPrepared runs model h on the first n values of the staging buffer of
// generation gen, which the caller filled, and returns the first output
// (valid until the next run of the model).
func (ms *Models) RunPrepared(h, n, gen int) ([]float32, error) {
	e, ok := ms.m[h]
	if !ok {
		return nil, fmtlite.Errorf("predict: the model has been disposed")
	}
	if gen != len(ms.stages) || gen == 0 || n < 1 || n > len(ms.stages[gen-1]) {
		return nil, fmtlite.Errorf("predict: no staging buffer of generation %d for %d values", gen, n)
	}
	in := ms.stages[gen-1][:n]
	if err := checkFinite(in, "predict: input"); err != nil {
		return nil, err
	}
	out, err := e.model.Predict(in)
	if err != nil {
		return nil, fmtlite.Errorf("predict: %w", err)
	}
	return out, nil
}

// DeclaredShape returns the shape to report for a model's input or output:
// planned (the shape of the current plan) with −1 wherever the model
// declares the dimension open (a symbolic batch size). An output declared
// without a shape has an open first dimension when batchOpen, the model's
// input batch being open.
func DeclaredShape(declared, planned []int, batchOpen bool) []int {
	out := append([]int(nil), planned...)
	switch {
	case len(declared) == len(planned):
		for i, d := range declared {
			if d < 0 {
				out[i] = -1
			}
		}
	case len(declared) == 0 && batchOpen && len(out) > 0:
		out[0] = -1
	}
	return out
}
