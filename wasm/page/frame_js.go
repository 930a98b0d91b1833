package page

import (
	"syscall/js"
	"time"

	"wasmcnn/core/ink"
	"wasmcnn/wasm/jsglue"
)

// frameLoop runs the model answering on the drawing at most once per
// animation frame, after anything changed.
type frameLoop struct {
	p         *page
	fn        js.Func // the animation-frame callback, made once
	requested bool
	dirty     bool
	// keepDrawing asks the next frame to announce the drawing
	// (wasmcnn-drawing): a stroke ended, or the pad was cleared.
	keepDrawing bool
	answered    bool // the last frame ran the model on a drawing
	took        time.Duration
	rgba        []byte
	ink         ink.GrayImage
	pre         ink.Preprocessor
	digit       []float32 // the drawing, MNIST-style, 28×28
}

func (f *frameLoop) build(p *page) {
	f.p = p
	f.digit = make([]float32, ink.FieldSize*ink.FieldSize)
	f.fn = jsglue.Handler("page: frame", func([]js.Value) { f.frame() })
}

// changed asks for a prediction at the next animation frame.
func (f *frameLoop) changed() {
	f.dirty = true
	if !f.requested {
		f.requested = true
		requestFrame(f.fn)
	}
}

// frame reads the pad in one bulk copy, preprocesses it, runs the model
// answering and shows the answer.
func (f *frameLoop) frame() {
	p := f.p
	f.requested = false
	if !f.dirty || p.src.current == nil || p.choosing {
		return
	}
	f.dirty = false
	w, h := p.pad.Width(), p.pad.Height()
	f.rgba = readPixels(p.ink, w, h, f.rgba)
	ok := ink.FromRGBA(&f.ink, f.rgba, w, h) == nil && f.pre.Run(f.digit, &f.ink)
	if f.keepDrawing {
		f.keepDrawing = false
		var digit any // null: the pad is empty
		if ok {
			digit = jsglue.Floats(f.digit)
		}
		announce(eventDrawing, map[string]any{"digit": digit})
	}
	if !ok {
		f.answered = false
		p.show(nil)
		return
	}
	start := time.Now()
	probs, err := p.src.current.run(f.digit)
	if err != nil {
		p.failed(err)
		return
	}
	f.took = time.Since(start)
	f.answered = true
	p.show(probs)
}
