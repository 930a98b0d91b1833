//go:build !apionly

package main

import (
	"fmt"
	"syscall/js"
	"unsafe"
)

// installPageHook defines globalThis.wasmcnnPage.state(): what the page
// fed the model answering now and what it answered, for tests and for
// people looking inside from the console. It returns {source, name,
// scale, answered, digit (the drawing, 28×28), input (the model's input),
// output (its raw outputs for the drawing), probabilities, labels}.
func installPageHook(p *page) {
	obj := js.Global().Get("Object").New()
	obj.Set("state", js.FuncOf(func(js.Value, []js.Value) (res any) {
		defer func() {
			if r := recover(); r != nil {
				res = js.Global().Get("Error").New("wasmcnnPage.state: " + fmt.Sprint(r))
			}
		}()
		s := p.src
		if s == nil {
			return nil
		}
		labels := make([]any, len(s.labels))
		for i, l := range s.labels {
			labels[i] = l
		}
		return map[string]any{
			"source": s.kind, "name": s.name, "scale": string(s.scale), "answered": p.answered && s.ran,
			"digit": floatsToJS(p.digit), "input": floatsToJS(s.x), "output": floatsToJS(s.out),
			"probabilities": floatsToJS(s.probs), "labels": labels,
		}
	}))
	js.Global().Set("wasmcnnPage", obj)
}

// floatsToJS copies v into a new Float32Array.
func floatsToJS(v []float32) js.Value {
	a := jsFloat32.New(len(v))
	if len(v) > 0 {
		copyToJS(a, unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), 4*len(v)))
	}
	return a
}
