package page

import (
	"syscall/js"
	"time"

	"wasmcnn/core/ink"
	"wasmcnn/wasm/jsglue"
)

// frameLoop runs the model answering on its input — the drawing, or a
// picture — after anything changed, and shows the answer. A run starts in
// an animation frame; the steps that do not fit in that frame's slice
// (run.go) go on in tasks of their own, a slice at a time, the event loop
// turning between them, so that the pointer and scrolling are handled
// while a large model runs. The maps of the answer are then drawn a slice
// per frame (maps_js.go); the next run waits for them.
//
// Work that takes more than one frame — any run after a new model or a
// new picture, and a run that goes past its first slice — is announced:
// wasmcnn-running when it starts, wasmcnn-answered once its answer and
// maps are on screen (start.js takes body[data-ready] away meanwhile).
type frameLoop struct {
	p         *page
	fn        js.Func // the animation-frame callback, made once
	requested bool
	dirty     bool
	// keepDrawing asks the next frame to announce the drawing
	// (wasmcnn-drawing): a stroke ended, or the pad was cleared.
	keepDrawing bool
	answered    bool // the last complete run ran the model on a drawing or a picture
	run         slicedRun
	last        slicedRun // the last complete run: its time and slices
	// running is set while a run goes on in slices between frames; gen
	// counts the runs abandoned (a new model or input), so that a slice
	// of an abandoned run stops.
	running bool
	gen     int
	// drawingMaps is set while the maps of an answer are drawn, a slice
	// a frame.
	drawingMaps bool
	announced   bool // wasmcnn-running was announced, wasmcnn-answered not yet
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
	f.request()
}

// request asks for the next animation frame.
func (f *frameLoop) request() {
	if !f.requested {
		f.requested = true
		requestFrame(f.fn)
	}
}

// stop abandons the run and the drawing of maps going on: their model or
// input is gone, or the model is wanted for other work.
func (f *frameLoop) stop() {
	f.gen++
	f.running, f.drawingMaps = false, false
}

// newInput abandons the work going on and asks for a run of the model
// answering now, announced (a new model, a new picture, another
// normalisation).
func (f *frameLoop) newInput() {
	f.stop()
	f.announce()
	f.changed()
}

// announce says that the page works on an answer for more than a frame.
func (f *frameLoop) announce() {
	if !f.announced {
		f.announced = true
		announce(eventRunning, nil)
	}
}

// settle says, if a run was announced, that its answer is on screen.
func (f *frameLoop) settle() {
	if f.announced {
		f.announced = false
		announce(eventAnswered, map[string]any{"ms": ms(f.last.took), "slices": f.last.slices})
	}
}

// frame draws the maps still to draw, or starts a run when the input
// changed.
func (f *frameLoop) frame() {
	p := f.p
	f.requested = false
	if p.src.current == nil || p.choosing {
		return
	}
	// A cleared pad answers at once: the run or the maps of the drawing it
	// replaced are of no more use, and a person who clears expects the
	// answer gone in the next frame, whatever the model's size.
	if f.dirty && (f.running || f.drawingMaps) && p.drawing.Empty() && !(p.pic.on && p.src.current.takesPictures()) {
		f.stop()
	}
	deadline := time.Now().Add(sliceBudget)
	if f.drawingMaps {
		if !p.maps.drawSome(deadline) {
			f.request()
			return
		}
		f.drawingMaps = false
		f.settle()
		if f.dirty {
			f.request()
		}
		return
	}
	if f.running || !f.dirty {
		return
	}
	f.dirty = false
	src := p.src.current
	if !f.prepare(src) {
		f.answered = false
		p.show(nil, deadline)
		f.settle()
		return
	}
	if err := f.run.start(src.model, src.x, time.Now); err != nil {
		p.failed(err)
		return
	}
	done, err := f.run.slice(firstSlice(src.took, src.model.MACs()))
	if err != nil {
		p.failed(err)
		return
	}
	if done {
		f.done(src, deadline)
		return
	}
	// Longer than a frame: the rest off the pointer's path.
	f.running = true
	f.announce()
	go f.slices(src, f.gen)
}

// slices runs the rest of a run, a slice per turn of the event loop,
// until it is done or abandoned.
func (f *frameLoop) slices(src *modelSource, gen int) {
	for {
		jsglue.NextTask()
		if gen != f.gen {
			return // abandoned: another model or input took over
		}
		done, err := f.run.slice(sliceBudget)
		if err != nil {
			f.running = false
			f.p.failed(err)
			return
		}
		if done {
			f.running = false
			f.done(src, time.Now().Add(sliceBudget))
			return
		}
	}
}

// done shows the answer of a complete run and starts drawing its maps.
func (f *frameLoop) done(src *modelSource, deadline time.Time) {
	probs, err := src.finish()
	if err != nil {
		f.p.failed(err)
		return
	}
	f.last = f.run
	src.took = f.run.took
	f.answered = true
	if f.p.show(probs, deadline) {
		f.settle()
		if f.dirty {
			f.request()
		}
		return
	}
	f.drawingMaps = true
	f.request()
}

// prepare writes the model's input: the picture, when one is in use and
// the model takes it, or the drawing, read from the pad in one bulk copy
// and made MNIST-style. It reports false when there is nothing to run (an
// empty pad).
func (f *frameLoop) prepare(src *modelSource) bool {
	p := f.p
	if p.pic.on && src.takesPictures() {
		err := src.fillPicture(p.pic.Picture)
		if err == nil {
			return true
		}
		p.pic.failed(err) // the drawing answers instead
		p.showInput("")
	}
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
	if ok {
		src.fillDrawing(f.digit)
	}
	return ok
}

// ms is a duration in milliseconds.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
