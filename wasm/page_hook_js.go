//go:build !apionly

package main

import (
	"syscall/js"

	"wasmcnn/internal/fmtlite"
)

// installPageHook defines globalThis.wasmcnnPage, whose state() says what
// the page fed the model answering now and what it answered, for tests
// and for people looking inside from the console: {source, name, scale,
// answered, digit (the drawing, 28×28), input (the model's input), output
// (its raw outputs for the drawing), probabilities, labels}. It returns
// the object, to which the page's own-model half adds load, setScale and
// useShipped.
func installPageHook(p *page) js.Value {
	obj := js.Global().Get("Object").New()
	obj.Set("state", js.FuncOf(func(js.Value, []js.Value) (res any) {
		defer func() {
			if r := recover(); r != nil {
				res = js.Global().Get("Error").New("wasmcnnPage.state: " + fmtlite.Panic(r))
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
		o := jsObject.New()
		o.Set("source", s.kind)
		o.Set("name", s.name)
		o.Set("scale", string(s.scale))
		o.Set("answered", p.answered && s.ran)
		o.Set("digit", floatsToJS(p.digit))
		o.Set("input", floatsToJS(s.x))
		o.Set("output", floatsToJS(s.out))
		o.Set("probabilities", floatsToJS(s.probs))
		o.Set("labels", labels)
		return o
	}))
	js.Global().Set("wasmcnnPage", obj)
	return obj
}
