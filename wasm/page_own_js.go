//go:build !apionly

package main

import (
	"errors"
	"strconv"
	"syscall/js"
	"time"

	"wasmcnn/core/onnx"
	"wasmcnn/internal/fmtlite"
	"wasmcnn/wasm/adapt"
	"wasmcnn/wasm/bridge"
)

// ownModel is the Go half of the page's "your own model": it loads a model
// the person dropped on the page, fits it to the drawing, judges its pixel
// scale on the shipped MNIST digits and makes it answer. web/own.js, the
// other half, reads the file, keeps it in IndexedDB and shows the messages
// and buttons; it calls wasmcnnPage.load, setScale and useShipped.
type ownModel struct {
	p         *page
	src       *modelSource // the dropped model answering, or nil
	auto      bool         // its scale was chosen automatically
	results   []adapt.ScaleResult
	digits    []adapt.Digit
	lastYield time.Time
}

// installOwnHooks adds load, setScale and useShipped to wasmcnnPage (obj).
// The first two return Promises: loading and judging a scale take a while
// and let the page breathe.
func (o *ownModel) installOwnHooks(obj js.Value) {
	obj.Set("load", promised(func(args []js.Value) js.Value {
		if len(args) < 3 || args[0].Type() != js.TypeObject || args[1].Type() != js.TypeString || args[2].Type() != js.TypeString {
			return o.result(errors.New("load takes (bytes: Uint8Array, name, scale)"), "")
		}
		b := wrap(args[0])
		if b.TypedArray() != "Uint8Array" || b.ByteLength() == 0 || b.ByteLength() > bridge.MaxModelBytes {
			return o.result(errors.New("cannot be loaded: want 1 byte to 64 MiB of model in a Uint8Array"), "")
		}
		data := make([]byte, b.ByteLength())
		js.CopyBytesToGo(data, args[0])
		return o.load(args[1].String(), data, args[2].String())
	}))
	obj.Set("setScale", promised(func(args []js.Value) js.Value {
		if len(args) < 1 || args[0].Type() != js.TypeString {
			return o.result(errors.New("setScale takes (scale)"), "")
		}
		return o.setScale(args[0].String())
	}))
	obj.Set("useShipped", js.FuncOf(func(js.Value, []js.Value) any {
		defer func() { recover() }()
		if o.p.src != o.p.shipped {
			o.p.use(o.p.shipped)
		}
		o.src = nil
		return nil
	}))
}

// promised returns a JavaScript function that runs f in a goroutine (it
// awaits promises) and returns a Promise of its result; a panic rejects it.
// Kept out of line: inlined, its closures were copied at every call.
//
//go:noinline
func promised(f func(args []js.Value) js.Value) js.Func {
	return js.FuncOf(func(_ js.Value, args []js.Value) any {
		args = append([]js.Value(nil), args...)
		var run js.Func
		run = js.FuncOf(func(_ js.Value, res []js.Value) any {
			resolve, reject := res[0], res[1]
			go func() {
				defer run.Release()
				defer func() {
					if r := recover(); r != nil {
						reject.Invoke(jsError.New("wasmcnnPage: " + fmtlite.Panic(r)))
					}
				}()
				resolve.Invoke(f(args))
			}()
			return nil
		})
		return js.Global().Get("Promise").New(run)
	})
}

// result is what load and setScale answer: {ok, reason} on failure; on
// success {ok, message, scale, auto, results}; with the model's summary
// ({info, fed}) when there is a model to describe.
func (o *ownModel) result(err error, msg string) js.Value {
	r := jsObject.New()
	r.Set("ok", err == nil)
	if err != nil {
		r.Set("reason", err.Error())
		return r
	}
	src := o.src
	r.Set("message", msg)
	r.Set("scale", string(src.scale))
	r.Set("auto", o.auto)
	list := jsArray.New(len(o.results))
	for i, s := range o.results {
		e := jsObject.New()
		e.Set("scale", string(s.Scale))
		e.Set("label", s.Scale.Label())
		e.Set("right", s.Right)
		e.Set("of", s.Of)
		list.SetIndex(i, e)
	}
	r.Set("results", list)
	return r
}

// summarise adds the model's summary to a result.
func summarise(r js.Value, src *modelSource) js.Value {
	fed := jsObject.New()
	fed.Set("file", src.name)
	fed.Set("bytes", src.bytes)
	if in := src.in; in != nil {
		fed.Set("layout", in.Layout.String())
		fed.Set("c", in.C)
		fed.Set("h", in.H)
		fed.Set("w", in.W)
		fed.Set("shape", intsToAny(in.Shape))
		fed.Set("classes", src.classes)
		fed.Set("labels", toAny(src.labels))
		fed.Set("labelKey", src.labelKey)
	}
	r.Set("info", modelInfoJS(src.model))
	r.Set("fed", fed)
	return r
}

// failure is a result saying why: what happened ("cannot be loaded") and
// the error, without onnx's prefix.
func failure(what string, err error) error {
	msg := err.Error()
	if len(msg) > 6 && msg[:6] == "onnx: " {
		msg = msg[6:]
	}
	return errors.New(what + ": " + msg)
}

// load loads a model and, when it fits the drawing, makes it answer with
// the given scale ("auto": judged on the shipped digits). On failure the
// model answering keeps answering.
func (o *ownModel) load(name string, data []byte, scale string) js.Value {
	o.p.busy("Loading " + name + "…")
	defer o.p.ready()
	nextFrame()
	m, err := onnx.LoadModel(data, &onnx.LoadOptions{Limits: bridge.ModelLimits(), KeepTensors: true})
	if err != nil {
		return o.result(failure("cannot be loaded", err), "")
	}
	src, err := newSource(sourceDropped, name, m, len(data))
	if err != nil {
		return summarise(o.result(failure("cannot run on your drawing", err), ""), &modelSource{name: name, bytes: len(data), model: m})
	}
	auto := !adapt.Scale(scale).Valid()
	msg := "Pixel scale " + adapt.Scale(scale).Label() + ", as chosen."
	if auto {
		o.p.busy("Judging the pixel scale of " + name + " on MNIST digits…")
		if msg, err = o.choose(src); err != nil {
			return summarise(o.result(failure("failed on the MNIST digits", err), ""), src)
		}
	} else {
		src.scale, o.results = adapt.Scale(scale), nil
	}
	o.src, o.auto = src, auto
	o.p.use(src)
	return summarise(o.result(nil, msg), src)
}

// choose judges the scale of src's model on the shipped MNIST digits and
// sets it, returning what it found for people.
func (o *ownModel) choose(src *modelSource) (string, error) {
	if o.digits == nil {
		b, err := await(js.Global().Get("wasmcnn").Call("fetchBytes", "models/mnist-sample.bin"))
		if err != nil {
			return "", fmtlite.Errorf("the MNIST digits could not be fetched: %w", err)
		}
		data := make([]byte, b.Get("length").Int())
		js.CopyBytesToGo(data, b)
		if o.digits, err = adapt.ReadDigits(data); err != nil {
			return "", err
		}
	}
	o.p.choosing = true
	defer func() {
		o.p.choosing = false
		o.p.changed() // the model's last run was a digit: run the drawing again
	}()
	o.lastYield = time.Now()
	progress := byID("load-bytes")
	scale, results, err := adapt.ChooseScale(src.model, src.in, o.digits, func(done, total int) error {
		if time.Since(o.lastYield) > 40*time.Millisecond {
			progress.SetTextContent(strconv.Itoa(done) + " of " + strconv.Itoa(total) + " runs")
			nextFrame() // let the page breathe
			o.lastYield = time.Now()
		}
		return nil
	})
	o.results = results
	src.scale = scale
	if errors.Is(err, adapt.ErrNotDigits) {
		return "It does not read MNIST digits at any pixel scale, so the scale is 0..1; choose another one below if it was trained on another.", nil
	}
	if err != nil {
		return "", err
	}
	return "Pixel scale " + scale.Label() + ", chosen on " + strconv.Itoa(len(o.digits)) + " MNIST test digits.", nil
}

// setScale applies a choice of select#model-scale to the dropped model
// answering.
func (o *ownModel) setScale(v string) js.Value {
	src := o.src
	if src == nil || o.p.src != src {
		return o.result(errors.New("The shipped model takes pixels 0..1."), "")
	}
	msg := ""
	switch s := adapt.Scale(v); {
	case v == "auto":
		o.p.busy("Judging the pixel scale of " + src.name + " on MNIST digits…")
		m, err := o.choose(src)
		o.p.ready()
		if err != nil {
			return o.result(err, "")
		}
		o.auto, msg = true, m
	case s.Valid():
		o.auto, src.scale, o.results = false, s, nil
		msg = "Pixel scale " + s.Label() + ", as you chose."
	default:
		return o.result(errors.New("unknown scale "+strconv.Quote(v)), "")
	}
	o.p.use(src)
	return o.result(nil, msg)
}

// failed makes the shipped model answer again after the dropped one failed
// while answering.
func (o *ownModel) failed(err error) {
	o.src = nil
	o.p.use(o.p.shipped)
	byID("model-msg").SetTextContent(err.Error() + ". The shipped model answers again.")
}
