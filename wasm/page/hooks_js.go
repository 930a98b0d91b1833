package page

import (
	"strconv"
	"syscall/js"

	"wasmcnn/wasm/adapt"
	"wasmcnn/wasm/api"
	"wasmcnn/wasm/jsglue"
)

// installHooks defines globalThis.wasmcnnPage, the calls the page's
// JavaScript (and tests, and people at the console) make into Go:
//
//	start()                    → Promise: load the shipped model and arm the page (web/start.js)
//	state()                    → {source, name, scale, answered, digit, input, output, probabilities, labels, verdict,
//	                              fed, norm, normSaid, picture, took, slices, longestSlice, slowestStep}
//	load(bytes, name, scale, options?) → Promise of {ok, reason} or {ok, message, scale, auto, results,
//	                              norm, normSaid, normFallback, pictures, info, fed} (web/own.js); options {norm, labels, labelsName}
//	setScale(scale)            → Promise of the same, without info and fed
//	setNorm(norm)              → the same: how pictures are normalised for the dropped model (web/own.js)
//	setLabels(text, name)      → the same with info and fed: the dropped model's classes named by a labels file
//	setPicture(rgba, w, h, name) → {ok, reason} or {ok, message}: a picture answers instead of the drawing (web/picture.js)
//	useDrawing()               → the drawing answers again
//	picture()                  → {name, width, height, rgba} of the picture in use, or null
//	norms()                    → [{norm, label}]: the normalisations a picture may take (web/own.js)
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
	sync("setNorm", started(p.setNorm))
	async("setLabels", started(p.setLabels))
	sync("setPicture", started(p.setPicture))
	sync("useDrawing", started(p.useDrawing))
	sync("picture", started(p.pictureData))
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
	sync("norms", func([]js.Value) (any, error) {
		out := make([]any, len(adapt.Norms))
		for i, n := range adapt.Norms {
			out[i] = map[string]any{"norm": string(n), "label": n.Label()}
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
	fed := "drawing"
	var pic any // null: the drawing answers
	if p.pic.on {
		fed = "picture"
		pic = map[string]any{"name": p.pic.name, "width": p.pic.W, "height": p.pic.H}
	}
	o.Set("fed", fed)
	o.Set("picture", pic)
	o.Set("norm", string(s.norm.Norm))
	o.Set("normSaid", s.norm.Said)
	run := p.frames.last
	o.Set("took", ms(run.took))
	o.Set("slices", run.slices)
	o.Set("longestSlice", ms(run.longest))
	slowest := ""
	if steps := s.model.Steps(); run.slices > 0 && run.slowest < len(steps) {
		slowest = steps[run.slowest].Node.Op + " " + steps[run.slowest].Node.Name + ", " + strconv.FormatFloat(ms(run.slowestTook), 'f', 1, 64) + " ms"
	}
	o.Set("slowestStep", slowest)
	return o
}
