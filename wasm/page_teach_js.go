//go:build !apionly

package main

import (
	"errors"
	"syscall/js"
	"unsafe"

	"wasmcnn/internal/fmtlite"
	"wasmcnn/wasm/bridge"
)

// installTeachHooks adds strokes and usePersonal to wasmcnnPage (obj): the
// Go half of the page's "teach it your handwriting". web/teach.js keeps the
// examples, fine-tunes with wasmcnn.fineTune in a worker and keeps the
// personal model; the Go side hands it the drawing and makes the model
// answer as sourcePersonal.
func (p *page) installTeachHooks(obj js.Value) {
	// strokes() → the drawing on the pad, one Float32Array per stroke of its
	// points' x, y, … in the pad's 280×280 pixels.
	obj.Set("strokes", js.FuncOf(func(js.Value, []js.Value) (res any) {
		defer func() {
			if r := recover(); r != nil {
				res = jsError.New("wasmcnnPage.strokes: " + fmtlite.Panic(r))
			}
		}()
		arr := jsArray.New(len(p.strokes))
		for i, s := range p.strokes {
			var pts []float32
			if len(s) > 0 {
				pts = unsafe.Slice(&s[0][0], 2*len(s))
			}
			arr.SetIndex(i, floatsToJS(pts))
		}
		return arr
	}))
	// usePersonal(model, name) makes a model loaded with wasmcnn.loadModel
	// (or returned by wasmcnn.fineTune) answer as the person's own: the page
	// shares it with the API, so it must not be disposed while it answers.
	// → {ok, reason}.
	obj.Set("usePersonal", js.FuncOf(func(_ js.Value, args []js.Value) (res any) {
		defer func() {
			if r := recover(); r != nil {
				res = map[string]any{"ok": false, "reason": "internal error: " + fmtlite.Panic(r)}
			}
		}()
		if err := p.usePersonal(args); err != nil {
			return map[string]any{"ok": false, "reason": err.Error()}
		}
		return map[string]any{"ok": true}
	}))
}

// usePersonal makes the model of a wasmcnn model object (args[0]) answer,
// named args[1]. The object's handle names the model in the API's table,
// so the model is not loaded a second time.
func (p *page) usePersonal(args []js.Value) error {
	if len(args) < 2 || args[0].Type() != js.TypeObject || args[1].Type() != js.TypeString {
		return errors.New("usePersonal takes (model, name)")
	}
	h, err := bridge.Int(wrap(args[0]).Get("_h"), "usePersonal: model handle", 1, 1<<30)
	if err != nil || exported == nil {
		return errors.New("not a model of wasmcnn.loadModel")
	}
	m, err := exported.models.Get(h)
	if err != nil {
		return err
	}
	size := 0
	if b := wrap(args[0]).Get("_onnx"); b.TypedArray() == "Uint8Array" {
		size = b.Length()
	}
	src, err := newSource(sourcePersonal, args[1].String(), m, size)
	if err != nil {
		return failure("cannot answer your drawing", err)
	}
	p.use(src)
	return nil
}
