package page

import (
	"errors"
	"strconv"
	"strings"
	"syscall/js"
	"time"

	"wasmcnn/core/onnx"
	"wasmcnn/internal/fmtlite"
	"wasmcnn/wasm/adapt"
	"wasmcnn/wasm/api"
	"wasmcnn/wasm/bridge"
	"wasmcnn/wasm/jsglue"
)

// ownModel is the Go half of the page's "your own model": it loads a model
// the person dropped on the page, fits it to the drawing, judges its pixel
// scale on the shipped MNIST digits and makes it answer. web/own.js, the
// other half, reads the file, keeps it in IndexedDB and shows the messages
// and buttons; it calls wasmcnnPage.load, setScale and useShipped.
type ownModel struct {
	auto      bool // the dropped model's scale was chosen automatically
	results   []adapt.ScaleResult
	digits    []adapt.Digit
	imagenet  string // ImageNet's class names, one a line, once fetched
	lastYield time.Time
	// labelsNote says why a labels file was not used, for the result.
	labelsNote string
}

// The files fetched when first needed: the MNIST test digits a dropped
// model's pixel scale is judged on, and ImageNet's class names for a
// 1,000-way model without labels (precached by the service worker).
const (
	mnistDigits     = "models/mnist-sample.bin"
	imagenetClasses = "models/imagenet-classes.txt"
)

// loadOptions are load's optional fourth argument: {norm, labels,
// labelsName}, what own.js kept with the model.
type loadOptions struct {
	norm             adapt.Norm
	labels, labelsOf string
}

// readLoadOptions reads load's options, v undefined or an object.
func readLoadOptions(v js.Value) (loadOptions, error) {
	o := loadOptions{norm: adapt.NormModel}
	if v.IsUndefined() || v.IsNull() {
		return o, nil
	}
	if v.Type() != js.TypeObject {
		return o, errors.New("load's options must be an object {norm, labels, labelsName}")
	}
	if n := v.Get("norm"); n.Type() == js.TypeString && adapt.Norm(n.String()).Valid() {
		o.norm = adapt.Norm(n.String())
	}
	if l := v.Get("labels"); l.Type() == js.TypeString && stringLength(l) <= adapt.MaxLabelsFile {
		o.labels = l.String()
		o.labelsOf = "the labels file"
		if n := v.Get("labelsName"); n.Type() == js.TypeString && n.String() != "" {
			o.labelsOf = n.String()
		}
	}
	return o, nil
}

// load loads a model from args (bytes: Uint8Array, name, scale, options)
// and, when it fits the drawing, makes it answer with the scale ("auto":
// judged on the shipped digits), pictures at the options' normalisation,
// classes named by the options' labels file if it fits. On failure the
// model answering keeps answering.
func (p *page) load(args []js.Value) (any, error) {
	if len(args) < 3 || args[1].Type() != js.TypeString || args[2].Type() != js.TypeString {
		return p.ownResult(errors.New("load takes (bytes: Uint8Array, name, scale, options?)"), ""), nil
	}
	opts, err := readLoadOptions(js.Undefined())
	if len(args) > 3 {
		opts, err = readLoadOptions(args[3])
	}
	if err != nil {
		return p.ownResult(err, ""), nil
	}
	b := api.Wrap(args[0])
	if b.TypedArray() != "Uint8Array" || b.ByteLength() == 0 || b.ByteLength() > bridge.MaxModelBytes {
		return p.ownResult(errors.New("cannot be loaded: want 1 byte to 64 MiB of model in a Uint8Array"), ""), nil
	}
	data, err := bridge.Bytes(b, "load: bytes", bridge.MaxModelBytes)
	if err != nil {
		return p.ownResult(failure("cannot be loaded", err), ""), nil
	}
	name, scale := args[1].String(), args[2].String()
	busy("Loading " + name + "…")
	defer idle()
	jsglue.NextFrame()
	m, err := onnx.LoadModel(data, &onnx.LoadOptions{Limits: bridge.ModelLimits(), KeepTensors: true})
	if err != nil {
		return p.ownResult(failure("cannot be loaded", err), ""), nil
	}
	src, err := newSource(sourceDropped, name, m, len(data))
	if err != nil {
		return summarise(p.ownResult(failure("cannot run on your drawing", err), ""), &modelSource{name: name, bytes: len(data), model: m}), nil
	}
	src.setNorm(opts.norm)
	p.chooseLabels(src, opts.labels, opts.labelsOf)
	auto := !adapt.Scale(scale).Valid()
	msg := "Pixel scale " + adapt.Scale(scale).Label() + ", as chosen."
	if auto {
		busy("Judging the pixel scale of " + name + " on MNIST digits…")
		if msg, err = p.chooseScale(src); err != nil {
			return summarise(p.ownResult(failure("failed on the MNIST digits", err), ""), src), nil
		}
	} else {
		src.scale, p.own.results = adapt.Scale(scale), nil
	}
	p.own.auto = auto
	p.use(src)
	return summarise(p.ownResult(nil, msg), src), nil
}

// setScale applies a choice of select#model-scale (args[0]) to the dropped
// model answering.
func (p *page) setScale(args []js.Value) (any, error) {
	if len(args) < 1 || args[0].Type() != js.TypeString {
		return p.ownResult(errors.New("setScale takes (scale)"), ""), nil
	}
	v := args[0].String()
	src, err := p.src.scalable()
	if err != nil {
		return p.ownResult(err, ""), nil
	}
	msg := ""
	switch s := adapt.Scale(v); {
	case v == "auto":
		busy("Judging the pixel scale of " + src.name + " on MNIST digits…")
		m, err := p.chooseScale(src)
		idle()
		if err != nil {
			return p.ownResult(err, ""), nil
		}
		p.own.auto, msg = true, m
	case s.Valid():
		p.own.auto, src.scale, p.own.results = false, s, nil
		msg = "Pixel scale " + s.Label() + ", as you chose."
	default:
		return p.ownResult(errors.New("unknown scale "+strconv.Quote(v)), ""), nil
	}
	p.use(src)
	return p.ownResult(nil, msg), nil
}

// chooseLabels names src's classes (modelSource.chooseLabels), fetching
// ImageNet's names the first time a 1,000-way model has no other; why a
// labels file was not used is kept for the result.
func (p *page) chooseLabels(src *modelSource, text, file string) {
	err := src.chooseLabels(text, file, "")
	if src.labelKey == "" && (src.classes == 1000 || src.classes == 1001) {
		if p.own.imagenet == "" {
			if b, ferr := fetchBytes(imagenetClasses, nil); ferr == nil {
				p.own.imagenet = string(b)
			}
		}
		err = src.chooseLabels(text, file, p.own.imagenet)
	}
	p.own.labelsNote = ""
	if err != nil {
		p.own.labelsNote = err.Error() + "."
	}
}

// setNorm applies a choice of select#picture-norm (args[0]) to the
// dropped model answering, and runs it again on the picture in use.
func (p *page) setNorm(args []js.Value) (any, error) {
	if len(args) < 1 || args[0].Type() != js.TypeString {
		return p.ownResult(errors.New("setNorm takes (norm)"), ""), nil
	}
	n := adapt.Norm(args[0].String())
	if !n.Valid() {
		return p.ownResult(errors.New("unknown normalisation "+strconv.Quote(string(n))), ""), nil
	}
	src, err := p.src.scalable()
	if err != nil {
		return p.ownResult(errNoPictures, ""), nil
	}
	src.setNorm(n)
	p.setInput(p.pic.on, "")
	return p.ownResult(nil, "Pictures are normalised with "+src.norm.Said+"."), nil
}

// setLabels names the classes of the dropped model answering from a
// labels file, args (text, name); an empty text forgets the file.
func (p *page) setLabels(args []js.Value) (any, error) {
	if len(args) < 2 || args[0].Type() != js.TypeString || args[1].Type() != js.TypeString {
		return p.ownResult(errors.New("setLabels takes (text, name)"), ""), nil
	}
	src, err := p.src.scalable()
	if err != nil {
		return p.ownResult(errors.New("No model of yours answers: drop a model first, then its labels."), ""), nil
	}
	if stringLength(args[0]) > adapt.MaxLabelsFile {
		return p.ownResult(errors.New(args[1].String()+" has more than "+strconv.Itoa(adapt.MaxLabelsFile>>20)+" MiB; a labels file is smaller."), ""), nil
	}
	text, file := args[0].String(), args[1].String()
	labels, key, was := src.labels, src.labelKey, src.labelFile
	p.chooseLabels(src, text, file)
	if note := p.own.labelsNote; note != "" {
		// A file that does not fit changes nothing.
		src.labels, src.labelKey, src.labelFile, p.own.labelsNote = labels, key, was, ""
		return p.ownResult(errors.New(note), ""), nil
	}
	p.use(src)
	msg := "The classes are numbered again."
	if text != "" {
		msg = "The classes are named by " + file + "."
	}
	return summarise(p.ownResult(nil, msg), src), nil
}

// chooseScale judges the scale of src's model on the shipped MNIST digits
// and sets it, returning what it found for people.
func (p *page) chooseScale(src *modelSource) (string, error) {
	p.frames.stop() // the model runs digits now
	o := &p.own
	if o.digits == nil {
		data, err := fetchBytes(mnistDigits, nil)
		if err != nil {
			return "", fmtlite.Errorf("the MNIST digits could not be fetched: %w", err)
		}
		if o.digits, err = adapt.ReadDigits(data); err != nil {
			return "", err
		}
	}
	p.choosing = true
	defer func() {
		p.choosing = false
		p.frames.changed() // the model's last run was a digit: run the drawing again
	}()
	o.lastYield = time.Now()
	scale, results, err := adapt.ChooseScale(src.model, src.in, o.digits, func(done, total int) error {
		if time.Since(o.lastYield) > 40*time.Millisecond {
			announce(eventProgress, map[string]any{"done": done, "total": total, "unit": "runs"})
			jsglue.NextFrame() // let the page breathe
			o.lastYield = time.Now()
		}
		return nil
	})
	o.results = results
	src.scale = scale
	if errors.Is(err, adapt.ErrNotDigits) {
		return "It does not read MNIST digits at any pixel scale, so the scale is " + adapt.Unit.Label() + "; choose another one below if it was trained on another.", nil
	}
	if err != nil {
		return "", err
	}
	return "Pixel scale " + scale.Label() + ", chosen on " + strconv.Itoa(len(o.digits)) + " MNIST test digits.", nil
}

// ownResult is what load and setScale answer: {ok, reason} on failure; on
// success {ok, message, scale, auto, results}.
func (p *page) ownResult(err error, msg string) js.Value {
	r := js.Global().Get("Object").New()
	r.Set("ok", err == nil)
	if err != nil {
		r.Set("reason", err.Error())
		return r
	}
	src := p.src.current
	if p.own.labelsNote != "" {
		msg += " " + p.own.labelsNote
		p.own.labelsNote = ""
	}
	r.Set("message", msg)
	r.Set("scale", string(src.scale))
	r.Set("auto", p.own.auto)
	r.Set("norm", string(src.norm.Norm))
	r.Set("normSaid", src.norm.Said)
	r.Set("normFallback", src.normFallback)
	r.Set("pictures", src.takesPictures())
	list := js.Global().Get("Array").New(len(p.own.results))
	for i, s := range p.own.results {
		e := js.Global().Get("Object").New()
		e.Set("scale", string(s.Scale))
		e.Set("label", s.Scale.Label())
		e.Set("right", s.Right)
		e.Set("of", s.Of)
		list.SetIndex(i, e)
	}
	r.Set("results", list)
	return r
}

// summarise adds the model's summary to a result: {info (what the API's
// m.info says), fed (how the page feeds it)}.
func summarise(r js.Value, src *modelSource) js.Value {
	fed := js.Global().Get("Object").New()
	fed.Set("file", src.name)
	fed.Set("bytes", src.bytes)
	if in := src.in; in != nil {
		fed.Set("layout", in.Layout.String())
		fed.Set("c", in.C)
		fed.Set("h", in.H)
		fed.Set("w", in.W)
		fed.Set("shape", jsglue.Numbers(in.Shape))
		fed.Set("classes", src.classes)
		fed.Set("labels", jsglue.Strings(src.labels))
		fed.Set("labelKey", src.labelKey)
		fed.Set("labelFile", src.labelFile)
		fed.Set("norm", src.norm.Said)
		fed.Set("normFrom", src.norm.From)
	}
	r.Set("info", api.ModelInfo(src.model))
	r.Set("fed", fed)
	return r
}

// failure is an error saying what happened ("cannot be loaded") and why,
// without onnx's prefix.
func failure(what string, err error) error {
	return errors.New(what + ": " + strings.TrimPrefix(err.Error(), "onnx: "))
}

// stringLength is the length of JavaScript string s in UTF-16 units,
// read without copying it into Go: js.Value's Get and Length take objects
// only (they panic on a string), so a String object wraps it.
func stringLength(s js.Value) int {
	return js.Global().Get("Object").New(s).Get("length").Int()
}
