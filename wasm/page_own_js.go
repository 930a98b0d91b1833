//go:build !apionly

package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"syscall/js"
	"time"

	"wasmcnn/core/onnx"
	"wasmcnn/wasm/adapt"
	"wasmcnn/wasm/bridge"
)

// ownModel is the page's "your own model": an .onnx file dropped on the
// page or picked with input#model-file is read here (never uploaded),
// summarised, and, when its input is one image, answers the drawing with
// its own maps and scores. It is kept in IndexedDB (web/store.js) for the
// next visit until the person removes it.
type ownModel struct {
	p                        *page
	file, scaleSel           elem
	name, note, msg, summary elem
	shippedBtn, restoreBtn   elem
	removeBtn                elem
	drop                     elem
	src                      *modelSource // the dropped model, once one answers
	stored                   string       // name of the model kept in IndexedDB, "" if none
	storedActive             bool         // it answered when the page was left
	auto                     bool         // the scale is chosen automatically
	results                  []adapt.ScaleResult
	digits                   []adapt.Digit
	busy                     bool // a model is loading or its scale being judged
	dragDepth                int
	lastYield                time.Time
}

// storeKey is the IndexedDB key of the dropped model's record
// {name, bytes: Uint8Array, scale, active}.
const storeKey = "dropped-model"

func newOwnModel(p *page) *ownModel {
	o := &ownModel{p: p, file: elemByID("model-file"), scaleSel: elemByID("model-scale"),
		name: elemByID("model-name"), note: elemByID("model-scale-note"), msg: elemByID("model-msg"), summary: elemByID("model-summary"),
		shippedBtn: elemByID("model-shipped"), restoreBtn: elemByID("model-restore"), removeBtn: elemByID("model-remove"), drop: elemByID("drop")}
	o.file.on("change", func(js.Value) {
		files := o.file.Get("files")
		if files.Length() == 0 {
			return
		}
		f := files.Index(0)
		o.file.Set("value", "") // picking the same file again loads it again
		o.spawn(func() { o.loadFile(f) })
	})
	o.scaleSel.on("change", func(js.Value) {
		v := o.scaleSel.Get("value").String()
		o.spawn(func() { o.setScale(v) })
	})
	o.shippedBtn.on("click", func(js.Value) { o.spawn(o.backToShipped) })
	o.restoreBtn.on("click", func(js.Value) { o.spawn(func() { o.restoreStored(true) }) })
	o.removeBtn.on("click", func(js.Value) { o.spawn(o.remove) })
	// Dropping a file anywhere on the page.
	hasFiles := func(ev js.Value) bool {
		dt := ev.Get("dataTransfer")
		if dt.IsUndefined() || dt.IsNull() {
			return false
		}
		types := dt.Get("types")
		for i := 0; i < types.Length(); i++ {
			if types.Index(i).String() == "Files" {
				return true
			}
		}
		return false
	}
	doc := elem{document}
	doc.on("dragenter", func(ev js.Value) {
		if hasFiles(ev) {
			ev.Call("preventDefault")
			o.dragDepth++
			o.drop.hide(false)
		}
	})
	doc.on("dragover", func(ev js.Value) {
		if hasFiles(ev) {
			ev.Call("preventDefault") // allows the drop
			ev.Get("dataTransfer").Set("dropEffect", "copy")
		}
	})
	doc.on("dragleave", func(ev js.Value) {
		if hasFiles(ev) {
			if o.dragDepth--; o.dragDepth <= 0 {
				o.dragDepth = 0
				o.drop.hide(true)
			}
		}
	})
	doc.on("drop", func(ev js.Value) {
		o.dragDepth = 0
		o.drop.hide(true)
		dt := ev.Get("dataTransfer")
		if dt.IsUndefined() || dt.IsNull() {
			return
		}
		files := dt.Get("files")
		if files.IsUndefined() || files.Length() == 0 {
			return
		}
		ev.Call("preventDefault")
		f := files.Index(0)
		if files.Length() > 1 {
			o.say("One model at a time: reading " + cleanName(f.Get("name")) + " only.")
		}
		o.spawn(func() { o.loadFile(f) })
	})
	o.showSource()
	return o
}

// spawn runs f in a goroutine (it awaits promises), one at a time; nothing
// it meets can end the program.
func (o *ownModel) spawn(f func()) {
	if o.busy {
		o.say("Please wait: a model is still loading.")
		return
	}
	o.busy = true
	go func() {
		defer func() {
			o.busy = false
			if r := recover(); r != nil {
				println("wasmcnn: page: own model:", fmt.Sprint(r))
				o.say("Something went wrong: " + fmt.Sprint(r))
				o.p.ready()
			}
		}()
		f()
	}()
}

// say shows a message about the person's model.
func (o *ownModel) say(s string) { o.msg.text(s) }

// cleanName returns a file name fit to show: printable, at most 80 characters.
func cleanName(v js.Value) string {
	if v.Type() != js.TypeString {
		return "model.onnx"
	}
	var b strings.Builder
	n := 0
	for _, r := range v.String() {
		if r < ' ' || r == 0x7f || r >= 0x80 && r < 0xa0 || r == 0x2028 || r == 0x2029 || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 {
			continue // control and bidirectional-override characters
		}
		if n++; n > 80 {
			b.WriteString("…")
			break
		}
		b.WriteRune(r)
	}
	if b.Len() == 0 {
		return "model.onnx"
	}
	return b.String()
}

// loadFile reads a File the person chose, after checking its size, and
// loads it.
func (o *ownModel) loadFile(f js.Value) {
	name := cleanName(f.Get("name"))
	size := f.Get("size").Float()
	switch {
	case size > bridge.MaxModelBytes:
		o.say(name + " has " + strconv.FormatFloat(size/(1<<20), 'f', 1, 64) + " MB; the page reads models of up to " +
			strconv.Itoa(bridge.MaxModelBytes>>20) + " MB. It was not read; the shipped model still answers.")
		return
	case size == 0:
		o.say(name + " is empty.")
		return
	}
	o.p.busy("Reading " + name + "…")
	defer o.p.ready()
	nextFrame()
	buf, err := await(f.Call("arrayBuffer"))
	if err != nil {
		o.say(name + " could not be read: " + err.Error())
		return
	}
	u8 := js.Global().Get("Uint8Array").New(buf)
	if u8.Length() != int(size) || u8.Length() > bridge.MaxModelBytes {
		o.say(name + " changed while it was read; try again.")
		return
	}
	data := make([]byte, u8.Length())
	js.CopyBytesToGo(data, u8)
	if o.loadBytes(name, data, "auto") {
		o.keep(name, data, "auto", true)
	}
}

// loadBytes loads a model and, when it fits the drawing, makes it answer
// with the given scale ("auto": chosen on the shipped digits). It reports
// whether the model answers. On failure the shipped model keeps answering
// and the message says why.
func (o *ownModel) loadBytes(name string, data []byte, scale string) bool {
	o.p.busy("Loading " + name + "…")
	defer o.p.ready()
	nextFrame()
	m, err := onnx.LoadModel(data, &onnx.LoadOptions{Limits: bridge.ModelLimits()})
	if err != nil {
		o.showSummary(nil)
		o.say(name + " cannot be loaded: " + strings.TrimPrefix(err.Error(), "onnx: ") + ". The shipped model still answers.")
		return false
	}
	src, err := newSource(sourceDropped, name, m, len(data))
	if err != nil {
		o.showSummary(&modelSource{kind: sourceDropped, name: name, bytes: len(data), model: m})
		o.say(name + " cannot run on your drawing: " + strings.TrimPrefix(err.Error(), "onnx: ") + ". The shipped model still answers.")
		return false
	}
	o.auto = !adapt.Scale(scale).Valid()
	o.results = nil
	msg := ""
	if o.auto {
		o.p.busy("Judging the pixel scale of " + name + " on MNIST digits…")
		if msg, err = o.choose(src); err != nil {
			o.showSummary(src)
			o.say(name + " failed on the MNIST digits: " + strings.TrimPrefix(err.Error(), "onnx: ") + ". The shipped model still answers.")
			return false
		}
	} else {
		src.scale = adapt.Scale(scale)
	}
	o.src = src
	o.showSummary(src)
	o.p.use(src)
	o.say(name + " answers your drawing. " + msg)
	return true
}

// choose judges the scale of src's model on the shipped MNIST digits and
// sets it, returning what it found for people.
func (o *ownModel) choose(src *modelSource) (string, error) {
	if o.digits == nil {
		b, err := await(js.Global().Get("wasmcnn").Call("fetchBytes", "models/mnist-sample.bin"))
		if err != nil {
			return "", fmt.Errorf("the MNIST digits could not be fetched: %w", err)
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
	scale, results, err := adapt.ChooseScale(src.model, src.in, o.digits, func(done, total int) error {
		if time.Since(o.lastYield) > 40*time.Millisecond {
			elemByID("load-bytes").text(strconv.Itoa(done) + " of " + strconv.Itoa(total) + " runs")
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

// setScale applies the choice of select#model-scale.
func (o *ownModel) setScale(v string) {
	src := o.src
	if src == nil || o.p.src != src {
		o.showSource()
		return
	}
	if v == "auto" {
		o.p.busy("Judging the pixel scale of " + src.name + " on MNIST digits…")
		msg, err := o.choose(src)
		o.p.ready()
		if err != nil {
			o.say(err.Error())
			return
		}
		o.auto = true
		o.say(msg)
	} else if s := adapt.Scale(v); s.Valid() {
		o.auto, src.scale = false, s
		o.say("Pixel scale " + s.Label() + ", as you chose.")
	} else {
		return
	}
	o.p.use(src)
	o.updateStored(func(rec js.Value) { rec.Set("scale", v) })
}

// backToShipped makes the shipped model answer; the dropped one stays kept.
func (o *ownModel) backToShipped() {
	if o.p.src == o.p.shipped {
		return
	}
	o.p.use(o.p.shipped)
	o.say("The shipped model answers again.")
	o.updateStored(func(rec js.Value) { rec.Set("active", false) })
}

// remove forgets the kept model; the shipped model answers.
func (o *ownModel) remove() {
	if _, err := await(js.Global().Get("wasmcnnStore").Call("delete", storeKey)); err != nil {
		o.say("Your model could not be removed from this browser: " + err.Error())
		return
	}
	name := o.stored
	o.stored, o.storedActive, o.src = "", false, nil
	if o.p.src != o.p.shipped {
		o.p.use(o.p.shipped)
	}
	o.showSummary(nil)
	o.showSource()
	o.say(name + " is removed from this browser. The shipped model answers.")
}

// keep stores the model for the next visit.
func (o *ownModel) keep(name string, data []byte, scale string, active bool) {
	store := js.Global().Get("wasmcnnStore")
	if store.Type() != js.TypeObject {
		return
	}
	u8 := js.Global().Get("Uint8Array").New(len(data))
	js.CopyBytesToJS(u8, data)
	rec := js.Global().Get("Object").New()
	rec.Set("name", name)
	rec.Set("bytes", u8)
	rec.Set("scale", scale)
	rec.Set("active", active)
	if _, err := await(store.Call("put", storeKey, rec)); err != nil {
		o.say(o.msg.getText() + " It could not be kept for your next visit: " + err.Error())
		return
	}
	o.stored, o.storedActive = name, active
	o.showSource()
}

// updateStored changes the kept record.
func (o *ownModel) updateStored(change func(rec js.Value)) {
	store := js.Global().Get("wasmcnnStore")
	if o.stored == "" || store.Type() != js.TypeObject {
		return
	}
	rec, err := await(store.Call("get", storeKey))
	if err != nil || rec.Type() != js.TypeObject {
		return
	}
	change(rec)
	if _, err := await(store.Call("put", storeKey, rec)); err == nil {
		o.storedActive = rec.Get("active").Truthy()
	}
	o.showSource()
}

// restore runs at start: a model kept from an earlier visit answers again
// if it answered when the page was left; otherwise "Use … again" offers it.
func (o *ownModel) restore() {
	defer func() {
		if r := recover(); r != nil {
			println("wasmcnn: page: restoring the kept model:", fmt.Sprint(r))
		}
	}()
	o.restoreStored(false)
	o.showSource()
}

// restoreStored reads the kept record and, if it answered when the page
// was left (or now is true), loads it. A record that cannot be read is
// deleted with a message.
func (o *ownModel) restoreStored(now bool) {
	store := js.Global().Get("wasmcnnStore")
	if store.Type() != js.TypeObject {
		return
	}
	rec, err := await(store.Call("get", storeKey))
	if err != nil || rec.IsUndefined() || rec.IsNull() {
		return
	}
	bad := func(why string) {
		await(store.Call("delete", storeKey))
		o.stored, o.storedActive = "", false
		o.say("A model kept from an earlier visit " + why + ", so it was removed.")
		o.showSource()
	}
	if rec.Type() != js.TypeObject {
		bad("was unreadable")
		return
	}
	b := wrap(rec.Get("bytes"))
	if b.TypedArray() != "Uint8Array" || b.ByteLength() == 0 || b.ByteLength() > bridge.MaxModelBytes || rec.Get("name").Type() != js.TypeString {
		bad("was unreadable")
		return
	}
	name := cleanName(rec.Get("name"))
	o.stored, o.storedActive = name, rec.Get("active").Truthy()
	if !now && !o.storedActive {
		return
	}
	data := make([]byte, b.ByteLength())
	js.CopyBytesToGo(data, rec.Get("bytes"))
	scale := "auto"
	if s := rec.Get("scale"); s.Type() == js.TypeString {
		scale = s.String()
	}
	if !o.loadBytes(name, data, scale) {
		bad("no longer loads (" + o.msg.getText() + ")")
		return
	}
	if now {
		o.updateStored(func(rec js.Value) { rec.Set("active", true) })
	}
}

// failed makes the shipped model answer again after the dropped one failed
// while answering.
func (o *ownModel) failed(err error) {
	o.p.use(o.p.shipped)
	o.say(err.Error() + ". The shipped model answers again.")
}

// showSource updates the buttons, the name and the scale choice for the
// model answering now.
func (o *ownModel) showSource() {
	src := o.p.src
	dropped := src != nil && src.kind != sourceShipped
	label := ""
	if src != nil {
		label = src.name + " (shipped)"
		if dropped {
			label = src.name + " (your model)"
		}
	}
	o.name.text(label)
	o.shippedBtn.hide(!dropped)
	o.removeBtn.hide(o.stored == "")
	o.restoreBtn.hide(o.stored == "" || dropped && o.src != nil && o.src.name == o.stored)
	o.restoreBtn.text("Use " + o.stored + " again")
	o.scaleSel.Set("disabled", !dropped)
	note := ""
	if src != nil {
		o.scaleSel.attr("data-chosen", string(src.scale))
		switch {
		case !dropped:
			o.scaleSel.Set("value", string(src.scale))
			note = "The shipped model takes pixels 0..1."
		case o.auto:
			o.scaleSel.Set("value", "auto")
			note = "auto: " + src.scale.Label() + "."
			if len(o.results) > 0 {
				var parts []string
				for _, r := range o.results {
					parts = append(parts, strconv.Itoa(r.Right)+"/"+strconv.Itoa(r.Of)+" at "+r.Scale.Label())
				}
				note += " MNIST test digits read right: " + strings.Join(parts, ", ") + "."
			}
		default:
			o.scaleSel.Set("value", string(src.scale))
		}
	}
	o.note.text(note)
}

// showSummary lists what a model is (web/panel.js lays it out from the
// object m.info gives in the API); nil hides the list.
func (o *ownModel) showSummary(src *modelSource) {
	if src == nil {
		o.summary.empty()
		o.summary.hide(true)
		return
	}
	fed := js.Global().Get("Object").New()
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
	js.Global().Get("wasmcnnPanel").Call("summary", o.summary.Value, modelInfoJS(src.model), fed)
	o.summary.hide(false)
}
