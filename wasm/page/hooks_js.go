package page

import (
	"syscall/js"

	"wasmcnn/wasm/adapt"
	"wasmcnn/wasm/api"
	"wasmcnn/wasm/jsglue"
)

// installHooks defines globalThis.wasmcnnPage, the calls the page's
// JavaScript (and tests, and people at the console) make into Go:
//
//	start()                    → Promise: load the shipped model and arm the page (web/start.js)
//	state()                    → {source, name, scale, answered, digit, input, output, probabilities, labels, verdict}
//	load(bytes, name, scale)   → Promise of {ok, reason} or {ok, message, scale, auto, results, info, fed} (web/own.js)
//	setScale(scale)            → Promise of the same, without info and fed
//	useShipped()               → the shipped model answers again
//	strokes()                  → the drawing: a Float32Array of x, y, … per stroke, in pad pixels (web/teach.js)
//	usePersonal(model, name)   → {ok, reason}: a model of wasmcnn.loadModel answers as the personal one
//	shipped()                  → {url, bytes}: the shipped model's file, which teaching fine-tunes
//	heldOut(labels)            → which examples teaching's measure holds out
//	countRight(outputs, labels) → how many examples a model read right
//	scales()                   → [{scale, label}]: the pixel scales a dropped model may take (web/own.js)
//	colors()                   → {ramp, diverging}: the colour maps, r, g, b bytes (web/panel.js)
//
// Every function is guarded: a bad call returns or rejects with an Error,
// and never ends the program.
func installHooks(p *page) {
	obj := js.Global().Get("Object").New()
	const prefix = "wasmcnnPage: "
	sync := func(name string, f func(args []js.Value) (any, error)) {
		obj.Set(name, jsglue.Func(prefix, name, f))
	}
	async := func(name string, f func(args []js.Value) (any, error)) {
		obj.Set(name, jsglue.Async(prefix, name, f))
	}
	// Until start has loaded the shipped model, only the calls that need
	// no model answer.
	started := func(f func(args []js.Value) (any, error)) func(args []js.Value) (any, error) {
		return func(args []js.Value) (any, error) {
			if p.src.current == nil {
				return nil, errNotStarted
			}
			return f(args)
		}
	}
	async("start", func([]js.Value) (any, error) { return nil, p.start() })
	sync("state", func([]js.Value) (any, error) { return p.state(), nil })
	async("load", started(p.load))
	async("setScale", started(p.setScale))
	sync("useShipped", started(func([]js.Value) (any, error) { p.useShipped(); return nil, nil }))
	sync("strokes", p.strokes)
	sync("usePersonal", started(p.usePersonal))
	sync("shipped", p.shippedModel)
	sync("heldOut", heldOut)
	sync("countRight", countRight)
	sync("scales", func([]js.Value) (any, error) {
		out := make([]any, len(adapt.Scales))
		for i, s := range adapt.Scales {
			out[i] = map[string]any{"scale": string(s), "label": s.Label()}
		}
		return out, nil
	})
	sync("colors", func([]js.Value) (any, error) {
		return map[string]any{"ramp": jsglue.Bytes(flatColors(ramp)), "diverging": jsglue.Bytes(flatColors(diverging))}, nil
	})
	js.Global().Set("wasmcnnPage", obj)
}

// state says what the page fed the model answering now and what it
// answered, for tests and for people looking inside from the console; null
// before the shipped model answers.
func (p *page) state() any {
	s := p.src.current
	if s == nil {
		return nil
	}
	o := js.Global().Get("Object").New()
	o.Set("source", s.kind)
	o.Set("name", s.name)
	o.Set("scale", string(s.scale))
	o.Set("answered", p.frames.answered && s.ran)
	o.Set("digit", jsglue.Floats(p.frames.digit))
	o.Set("input", jsglue.Floats(s.x))
	o.Set("output", jsglue.Floats(s.out))
	o.Set("probabilities", jsglue.Floats(s.probs))
	o.Set("labels", jsglue.Strings(s.labels))
	// The verdict on the drawing answered (api.Verdict: calibrated
	// probabilities beside the model's own above); null for an empty pad
	// or a model without a verdict rule.
	if p.frames.answered && s.ran && s.rule != nil {
		o.Set("verdict", api.Verdict(s.judged))
	} else {
		o.Set("verdict", js.Null())
	}
	return o
}
