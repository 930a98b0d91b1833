// Package api is wasmcnn's JavaScript API in the browser builds: the object
// globalThis.__wasmcnnGo, which web/wasmcnn-runtime.mjs takes as the build
// starts and wraps into the public wasmcnn API (ops on typed arrays, ONNX models, explanations, profiles).
// Its arguments are checked by package bridge, which is portable and tested
// natively; here they are read from JavaScript safely ([Wrap]) and the
// results written back.
//
// A browser build's main calls [Register], then installs anything else it
// carries (the drawing page, wasm/page), then [Serve]. What a build holds
// is chosen by what its main imports: wasm/cmd/lib imports this package
// alone, wasm/cmd/page adds the page, wasm/cmd/train adds fine-tuning
// (wasm/tune) through an [Extension].
package api

import (
	"errors"
	"syscall/js"

	"wasmcnn/core/onnx"
	"wasmcnn/wasm/bridge"
)

// Extension adds functions to the API: add registers f under name, guarded
// as every function of the API is; models is the API's table of loaded
// models.
type Extension func(models *bridge.Models, add func(name string, f func(args []js.Value) (any, error)))

// registered is the API's object, once [Register] made it.
var registered js.Value

// Register prepares the runtime (the soft memory limit, the SIMD kernels)
// and installs the API, with the functions of the extensions, as
// globalThis.__wasmcnnGo.
func Register(extensions ...Extension) {
	setMemoryLimit(minMemoryLimit)
	installSIMD()
	a := new(api)
	registered = a.register(extensions)
	exported = a
	js.Global().Set("__wasmcnnGo", registered)
}

// Serve tells the loader (web/wasmcnn-runtime.mjs, through __wasmcnnReady) that the
// runtime is ready and keeps it alive for later calls: it never returns.
func Serve() {
	if cb := js.Global().Get("__wasmcnnReady"); cb.Type() == js.TypeFunction {
		cb.Invoke(registered)
	}
	select {}
}

// Wrap returns a value a caller handed over as a [bridge.Value], read
// safely whatever it is.
func Wrap(v js.Value) bridge.Value { return wrap(v) }

// ModelOf returns the model behind a model object of web/wasmcnn-runtime.mjs (what
// wasmcnn.loadModel returns) and the size of its ONNX file, so that
// another part of the program can run the model without loading it again.
func ModelOf(v js.Value) (*onnx.Model, int, error) {
	w := wrap(v)
	if w.Kind() != bridge.Object || exported == nil {
		return nil, 0, errors.New("not a model of wasmcnn.loadModel")
	}
	h, err := bridge.Int(w.Get("_h"), "model handle", 1, 1<<30)
	if err != nil {
		return nil, 0, errors.New("not a model of wasmcnn.loadModel")
	}
	m, err := exported.models.Get(h)
	if err != nil {
		return nil, 0, err
	}
	size := 0
	if b := w.Get("_onnx"); b.TypedArray() == "Uint8Array" {
		size = b.Length()
	}
	return m, size, nil
}
