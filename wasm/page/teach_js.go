package page

import (
	"errors"
	"syscall/js"
	"unsafe"

	"wasmcnn/wasm/api"
	"wasmcnn/wasm/bridge"
	"wasmcnn/wasm/jsglue"
)

// The Go half of the page's "teach it your handwriting": web/teach.js keeps
// the examples, fine-tunes with wasmcnn.fineTune in a worker and keeps the
// personal model; Go hands it the drawing and the shipped model, says which
// examples to hold out and how many a model read right, and makes the
// personal model answer.

// strokes returns the drawing on the pad, one Float32Array per stroke of
// its points' x, y, … in the pad's pixels.
func (p *page) strokes([]js.Value) (any, error) {
	strokes := p.drawing.Strokes()
	arr := js.Global().Get("Array").New(len(strokes))
	for i, s := range strokes {
		var pts []float32
		if len(s) > 0 {
			pts = unsafe.Slice(&s[0][0], 2*len(s))
		}
		arr.SetIndex(i, jsglue.Floats(pts))
	}
	return arr, nil
}

// shippedModel returns {url, bytes}: where the shipped model comes from,
// and a copy of its file.
func (p *page) shippedModel([]js.Value) (any, error) {
	if p.shipped.bytes == nil {
		return nil, errors.New("shipped: the shipped model is not loaded yet")
	}
	return map[string]any{"url": p.shipped.url, "bytes": jsglue.Bytes(p.shipped.bytes)}, nil
}

// usePersonal makes a model of wasmcnn.loadModel (args[0], or one that
// wasmcnn.fineTune returned) answer as the person's own, named args[1]:
// the page shares it with the API, so it must not be disposed while it
// answers. → {ok, reason}.
func (p *page) usePersonal(args []js.Value) (any, error) {
	result := func(err error) any {
		if err != nil {
			return map[string]any{"ok": false, "reason": err.Error()}
		}
		return map[string]any{"ok": true}
	}
	if len(args) < 2 || args[1].Type() != js.TypeString {
		return result(errors.New("usePersonal takes (model, name)")), nil
	}
	m, size, err := api.ModelOf(args[0])
	if err != nil {
		return result(err), nil
	}
	src, err := newSource(sourcePersonal, args[1].String(), m, size)
	if err != nil {
		return result(failure("cannot answer your drawing", err)), nil
	}
	p.use(src)
	return result(nil), nil
}

// labelsArg reads an array of labels, one per example, of at most
// MaxExamples.
func labelsArg(v js.Value, what string) ([]int, error) {
	w := api.Wrap(v)
	if !w.IsArray() || w.Length() > MaxExamples {
		return nil, errors.New(what + ": want an array of at most 10000 labels")
	}
	return bridge.Ints(w, what, w.Length(), 0, 1<<30)
}

// heldOut(labels) → an array of booleans: which examples, given by their
// labels in the order they were taught, the measure holds out (HeldOut).
func heldOut(args []js.Value) (any, error) {
	if len(args) != 1 {
		return nil, errors.New("heldOut takes (labels)")
	}
	labels, err := labelsArg(args[0], "heldOut: labels")
	if err != nil {
		return nil, err
	}
	out := make([]any, len(labels))
	for i, h := range HeldOut(labels) {
		out[i] = h
	}
	return out, nil
}

// countRight(outputs, labels) → how many examples a model read right:
// outputs is a Float32Array of one row of scores per label (CountRight).
func countRight(args []js.Value) (any, error) {
	if len(args) != 2 {
		return nil, errors.New("countRight takes (outputs, labels)")
	}
	labels, err := labelsArg(args[1], "countRight: labels")
	if err != nil {
		return nil, err
	}
	outputs, err := bridge.Floats(api.Wrap(args[0]), "countRight: outputs", nil)
	if err != nil {
		return nil, err
	}
	return CountRight(outputs, labels)
}
