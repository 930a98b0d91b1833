//go:build !apionly

package main

import (
	"math"
	"strconv"
	"syscall/js"
	"time"

	"honnef.co/go/js/dom/v2"

	"wasmcnn/core"
	"wasmcnn/core/ink"
	"wasmcnn/core/onnx"
	"wasmcnn/internal/fmtlite"
	"wasmcnn/wasm/bridge"
)

// page is the draw-a-digit demo: a pad to draw on, the answer of the model
// in use with its probabilities, the image the model sees, the feature maps
// of its convolutions and poolings with a panel showing how any value was
// made, and a model of the person's own dropped on the page. Everything is
// updated at most once per frame.
type page struct {
	body     *dom.BasicHTMLElement
	pad      *dom.HTMLCanvasElement
	ctx      *dom.CanvasRenderingContext2D
	pred     *dom.BasicHTMLElement
	conf     *dom.BasicHTMLElement
	probList *dom.BasicHTMLElement
	probs    []probRow
	rowFuncs []js.Func // the rows' event handlers, released with them
	seenEl   *dom.HTMLCanvasElement
	seen     *dom.CanvasRenderingContext2D
	seenImg  js.Value // ImageData of the model's input size, reused
	maps     elem
	layers   []*mapLayer
	detail   *detailView
	own      *ownModel
	shipped  *modelSource // the model the page ships with
	src      *modelSource // the model answering now
	took     time.Duration
	tookEl   *dom.BasicHTMLElement
	strokes  []ink.Stroke
	drawing  bool
	pointer  int
	dirty    bool
	frameReq bool
	answered bool // the last frame ran the model on a drawing
	// keepDrawing asks the next frame to save the drawing for the lesson
	// page: a stroke ended, or the pad was cleared.
	keepDrawing bool
	// choosing is set while a dropped model's pixel scale is judged on
	// MNIST digits: frames wait, so the model runs one thing at a time.
	choosing bool
	rgba     []byte
	ink      ink.GrayImage
	pre      ink.Preprocessor
	digit    []float32 // the drawing, MNIST-style, 28×28
	pix      []byte    // RGBA scratch for small images
	frameFn  js.Func   // the animation-frame callback, made once
}

type probRow struct {
	li, name, fill, pct *dom.BasicHTMLElement
	class               int // the class shown in the row
	last                int // last width drawn, in tenths of a percent
}

// startPage runs the demo when the document is the drawing page.
func startPage(a *api) {
	pad := canvasByID("pad")
	if pad == nil {
		return // another page using the API only
	}
	p := &page{pad: pad, body: body()}
	go func() {
		if err := p.load(); err != nil {
			p.fail(err)
		}
	}()
}

// load fetches the shipped model with progress, builds the page, restores
// a model the person dropped on an earlier visit, and arms the page.
func (p *page) load() error {
	url := p.body.GetAttribute("data-model")
	if url == "" {
		url = "models/digits.onnx"
	}
	msg := byID("load-msg")
	bar := byID("load-progress")
	bytesEl := byID("load-bytes")
	msg.SetTextContent("Loading the network…")
	progress := js.FuncOf(func(this js.Value, args []js.Value) any {
		loaded, total := args[0].Float(), args[1].Float()
		if total > 0 {
			bar.SetAttribute("max", strconv.FormatFloat(total, 'f', 0, 64))
			bar.SetAttribute("value", strconv.FormatFloat(loaded, 'f', 0, 64))
		}
		bytesEl.SetTextContent(strconv.FormatFloat(loaded/1024, 'f', 0, 64) + " KB")
		return nil
	})
	defer progress.Release()
	b, err := await(js.Global().Get("wasmcnn").Call("fetchBytes", url, progress))
	if err != nil {
		return err
	}
	data := make([]byte, b.Get("length").Int())
	js.CopyBytesToGo(data, b)
	m, err := onnx.LoadModel(data, &onnx.LoadOptions{Limits: bridge.ModelLimits(), KeepTensors: true})
	if err != nil {
		return fmtlite.Errorf("%s: %w", url, err)
	}
	name := url[lastSlash(url)+1:]
	src, err := newSource(sourceShipped, name, m, len(data))
	if err != nil {
		return fmtlite.Errorf("%s: %w", url, err)
	}
	p.shipped = src
	p.build()
	p.arm()
	p.use(src)
	// web/own.js restores a model kept from an earlier visit, if any,
	// before the page says it is ready.
	if own := js.Global().Get("wasmcnnOwn"); own.Type() == js.TypeObject {
		if _, err := await(own.Call("start")); err != nil {
			println("wasmcnn: page: restoring the kept model:", err.Error())
		}
	}
	// web/teach.js restores the examples and the personal model kept.
	if teach := js.Global().Get("wasmcnnTeach"); teach.Type() == js.TypeObject {
		if _, err := await(teach.Call("start")); err != nil {
			println("wasmcnn: page: restoring what was taught:", err.Error())
		}
	}
	p.ready()
	return nil
}

// ready marks the page as answering (body[data-ready]) and hides the
// loading panel.
func (p *page) ready() {
	p.body.Class().Remove("busy")
	p.body.SetAttribute("data-ready", "")
}

// busy shows the loading panel with msg and removes body[data-ready] until
// [page.ready].
func (p *page) busy(msg string) {
	p.body.Call("removeAttribute", "data-ready")
	p.body.Class().Add("busy")
	byID("load-msg").SetTextContent(msg)
	byID("load-bytes").SetTextContent("")
	byID("load-progress").Call("removeAttribute", "value")
}

func lastSlash(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '/' {
			return i
		}
	}
	return -1
}

// fail shows an error on the loading panel.
func (p *page) fail(err error) {
	p.body.Class().Add("failed")
	byID("load-msg").SetTextContent("The network could not be loaded: " + err.Error())
	byID("load-progress").SetAttribute("hidden", "")
}

// build finds the page's elements and sets up the pad, once.
func (p *page) build() {
	p.ctx = p.pad.GetContext2d()
	p.ctx.SetLineCap("round")
	p.ctx.SetLineJoin("round")
	p.ctx.SetLineWidth(ink.PenWidth)
	p.ctx.SetStrokeStyle("#111")
	p.ctx.SetFillStyle("#111")
	p.pred = byID("prediction")
	p.conf = byID("confidence")
	p.tookEl = byID("took")
	p.probList = byID("probs")
	p.seenEl = canvasByID("input28")
	p.seen = p.seenEl.GetContext2d()
	p.digit = make([]float32, ink.FieldSize*ink.FieldSize)
	p.maps = elemByID("maps")
	p.detail = newDetailView(p)
	p.own = &ownModel{p: p}
	hook := installPageHook(p)
	p.own.installOwnHooks(hook)
	p.installTeachHooks(hook)
}

// use makes src the model that answers: its probability rows, its input
// view, its feature maps, its name; then it answers the drawing.
func (p *page) use(src *modelSource) {
	p.detail.close()
	p.src = src
	p.body.SetAttribute("data-model-source", src.kind)
	p.buildProbs()
	w, h := src.in.W, src.in.H
	p.seenEl.SetWidth(w)
	p.seenEl.SetHeight(h)
	p.seenImg = p.seen.CreateImageData(w, h).Value
	byID("seen-caption").SetTextContent(src.seenCaption())
	p.buildMaps()
	byID("about").SetTextContent(src.about())
	// web/own.js shows which model answers.
	document.Call("dispatchEvent", js.Global().Get("Event").New("wasmcnn-model"))
	tuneMemoryLimit()
	p.changed()
}

// buildProbs makes one row per class (at most ten: with more classes the
// rows show the ten most probable).
func (p *page) buildProbs() {
	for _, f := range p.rowFuncs {
		f.Release()
	}
	p.rowFuncs = p.rowFuncs[:0]
	p.probList.SetInnerHTML("")
	p.probs = p.probs[:0]
	n := min(10, p.src.classes)
	for i := 0; i < n; i++ {
		li := create("li")
		name := create("span")
		name.Class().Add("d")
		bar := create("span")
		bar.Class().Add("bar")
		fill := create("span")
		fill.Class().Add("fill")
		appendChild(bar, fill.Value)
		pct := create("span")
		pct.Class().Add("p")
		appendChild(li, name.Value)
		appendChild(li, bar.Value)
		appendChild(li, pct.Value)
		li.SetAttribute("tabindex", "0")
		li.SetAttribute("role", "button")
		row := probRow{li: li, name: name, fill: fill, pct: pct, class: i, last: -1}
		p.setRowClass(&row, i)
		at := i
		open := func() {
			if l := p.denseLayer(); l != nil && p.probs[at].class >= 0 {
				p.detail.open(l, 0, 0, p.probs[at].class)
			}
		}
		target := elem{li.Value}
		p.rowFuncs = append(p.rowFuncs, target.on("click", func(js.Value) { open() }))
		p.rowFuncs = append(p.rowFuncs, target.on("keydown", func(e js.Value) {
			if k := e.Get("key").String(); k == "Enter" || k == " " {
				e.Call("preventDefault")
				e.Call("stopPropagation")
				open()
			}
		}))
		appendChild(p.probList, li.Value)
		p.probs = append(p.probs, row)
	}
	if len(p.src.labels) > 0 && longest(p.src.labels) > 3 {
		p.probList.Class().Add("named")
	} else {
		p.probList.Class().Remove("named")
	}
}

func longest(ls []string) int {
	n := 0
	for _, l := range ls {
		n = max(n, len([]rune(l)))
	}
	return n
}

// setRowClass shows class c in row r.
func (p *page) setRowClass(r *probRow, c int) {
	r.class = c
	label := p.src.labels[c]
	r.name.SetTextContent(label)
	r.name.SetAttribute("title", label)
	r.li.SetAttribute("aria-label", "class "+label+": show how its score was made")
}

// safe wraps an event handler so that nothing it meets can end the Go
// program: a panic (a JavaScript call that threw, say) is logged and the
// page carries on.
func safe(name string, f func(js.Value)) func(js.Value) {
	return func(e js.Value) {
		defer func() {
			if r := recover(); r != nil {
				println("wasmcnn: page:", name, "handler failed:", fmtlite.Panic(r))
			}
		}()
		f(e)
	}
}

// arm attaches the pointer, button and keyboard handlers.
func (p *page) arm() {
	p.frameFn = js.FuncOf(func(js.Value, []js.Value) any {
		defer func() {
			if r := recover(); r != nil {
				println("wasmcnn: page: frame failed:", fmtlite.Panic(r))
			}
		}()
		p.frame()
		return nil
	})
	listen(p.pad.Value, "pointerdown", safe("pointerdown", func(e js.Value) {
		pe := pointerEvent(e)
		if pe == nil || p.drawing || pe.Get("button").Int() > 0 {
			return
		}
		pe.PreventDefault()
		p.drawing = true
		p.pointer = pe.Get("pointerId").Int()
		x, y := p.canvasXY(pe.Value)
		p.strokes = append(p.strokes, ink.Stroke{{x, y}})
		p.dot(x, y)
		p.changed()
		// Keep receiving moves when the pointer leaves the pad; events made by
		// scripts have no active pointer to capture, which is fine.
		func() {
			defer func() { recover() }()
			p.pad.Call("setPointerCapture", p.pointer)
		}()
	}))
	listen(p.pad.Value, "pointermove", safe("pointermove", func(e js.Value) {
		pe := pointerEvent(e)
		if pe == nil || !p.drawing || pe.Get("pointerId").Int() != p.pointer {
			return
		}
		pe.PreventDefault()
		// Coalesced events carry the points the browser merged into this one:
		// with them fast strokes stay smooth.
		evs := []js.Value{pe.Value}
		if f := pe.Get("getCoalescedEvents"); f.Type() == js.TypeFunction {
			if list := pe.Call("getCoalescedEvents"); list.Length() > 0 {
				evs = evs[:0]
				for i := 0; i < list.Length(); i++ {
					evs = append(evs, list.Index(i))
				}
			}
		}
		s := &p.strokes[len(p.strokes)-1]
		for _, ev := range evs {
			x, y := p.canvasXY(ev)
			last := (*s)[len(*s)-1]
			if x == last[0] && y == last[1] {
				continue
			}
			p.segment(last[0], last[1], x, y)
			*s = append(*s, [2]float32{x, y})
		}
		p.changed()
	}))
	end := safe("pointerup", func(e js.Value) {
		if pe := pointerEvent(e); pe != nil && p.drawing && pe.Get("pointerId").Int() == p.pointer {
			p.drawing = false
			p.changed()
			p.keepDrawing = true
		}
	})
	listen(p.pad.Value, "pointerup", end)
	listen(p.pad.Value, "pointercancel", end)
	listen(byID("clear").Value, "click", safe("clear", func(js.Value) { p.clear() }))
	listen(byID("undo").Value, "click", safe("undo", func(js.Value) { p.undo() }))
	listen(document, "keydown", safe("keydown", func(e js.Value) {
		ke := keyboardEvent(e)
		if ke == nil || ke.CtrlKey() && ke.Key() != "z" || ke.AltKey() || ke.MetaKey() {
			return
		}
		if t := e.Get("target"); !t.IsNull() && !t.IsUndefined() {
			if tag := element(t).TagName(); tag == "INPUT" || tag == "TEXTAREA" || tag == "SELECT" {
				return
			}
		}
		switch ke.Key() {
		case "Escape", "Delete":
			p.clear()
		case "z", "Z", "Backspace":
			p.undo()
		default:
			return
		}
		ke.PreventDefault()
	}))
}

// canvasXY converts an event's position to canvas pixels: the canvas may be
// shown at another size than its 280×280 pixels (phones).
func (p *page) canvasXY(ev js.Value) (float32, float32) {
	r := p.pad.Call("getBoundingClientRect")
	sx := float64(p.pad.Width()) / math.Max(1, r.Get("width").Float())
	sy := float64(p.pad.Height()) / math.Max(1, r.Get("height").Float())
	return float32((ev.Get("clientX").Float() - r.Get("left").Float()) * sx),
		float32((ev.Get("clientY").Float() - r.Get("top").Float()) * sy)
}

func (p *page) segment(x0, y0, x1, y1 float32) {
	p.ctx.BeginPath()
	p.ctx.MoveTo(float64(x0), float64(y0))
	p.ctx.LineTo(float64(x1), float64(y1))
	p.ctx.Stroke()
}

func (p *page) dot(x, y float32) {
	p.ctx.BeginPath()
	p.ctx.Arc(float64(x), float64(y), ink.PenWidth/2, 0, 2*math.Pi, false)
	p.ctx.Fill()
}

// redraw paints every stroke again, after an undo.
func (p *page) redraw() {
	p.ctx.ClearRect(0, 0, float64(p.pad.Width()), float64(p.pad.Height()))
	for _, s := range p.strokes {
		if len(s) == 1 {
			p.dot(s[0][0], s[0][1])
			continue
		}
		p.ctx.BeginPath()
		p.ctx.MoveTo(float64(s[0][0]), float64(s[0][1]))
		for _, pt := range s[1:] {
			p.ctx.LineTo(float64(pt[0]), float64(pt[1]))
		}
		p.ctx.Stroke()
	}
}

func (p *page) clear() {
	p.strokes = p.strokes[:0]
	p.drawing = false
	p.redraw()
	p.changed()
	p.keepDrawing = true
}

func (p *page) undo() {
	if len(p.strokes) == 0 {
		return
	}
	p.strokes = p.strokes[:len(p.strokes)-1]
	p.drawing = false
	p.redraw()
	p.changed()
	p.keepDrawing = true
}

// changed asks for a prediction at the next animation frame (at most one per frame).
func (p *page) changed() {
	p.dirty = true
	if !p.frameReq {
		p.frameReq = true
		js.Global().Call("requestAnimationFrame", p.frameFn)
	}
}

// frame reads the canvas in one bulk copy, preprocesses it, runs the model
// in use and shows the answer.
func (p *page) frame() {
	p.frameReq = false
	if !p.dirty || p.src == nil || p.choosing {
		return
	}
	p.dirty = false
	w, h := p.pad.Width(), p.pad.Height()
	img := p.ctx.GetImageData(0, 0, w, h)
	if cap(p.rgba) < 4*w*h {
		p.rgba = make([]byte, 4*w*h)
	}
	p.rgba = p.rgba[:4*w*h]
	js.CopyBytesToGo(p.rgba, img.Data())
	ok := ink.FromRGBA(&p.ink, p.rgba, w, h) == nil && p.pre.Run(p.digit, &p.ink)
	if p.keepDrawing {
		p.keepDrawing = false
		saveDrawing(p.digit, ok)
	}
	if !ok {
		p.answered = false
		p.show(nil)
		return
	}
	start := time.Now()
	probs, err := p.src.run(p.digit)
	if err != nil {
		if p.src != p.shipped {
			p.own.failed(fmtlite.Errorf("%s stopped answering: %w", p.src.name, err))
			return
		}
		p.fail(err)
		return
	}
	p.took = time.Since(start)
	p.answered = true
	p.show(probs)
}

// show updates the verdict, the bars, the input view, the maps and the
// detail panel; probs nil means nothing is drawn.
func (p *page) show(probs []float32) {
	p.drawSeen(probs != nil)
	if probs == nil {
		p.pred.SetTextContent("")
		p.conf.SetTextContent("")
		p.tookEl.SetTextContent("")
		for i := range p.probs {
			p.setBar(i, 0, false)
		}
		for _, l := range p.layers {
			l.clear()
		}
		p.maps.class("empty", true)
		p.detail.refresh()
		return
	}
	best := core.Argmax(probs)
	p.pred.SetTextContent(p.src.labels[best])
	if len([]rune(p.src.labels[best])) > 3 {
		p.pred.Class().Add("long")
	} else {
		p.pred.Class().Remove("long")
	}
	p.conf.SetTextContent(strconv.FormatFloat(float64(100*probs[best]), 'f', 0, 32) + "% sure")
	p.tookEl.SetTextContent("The network took " + strconv.FormatFloat(float64(p.took.Microseconds())/1000, 'f', 1, 64) + " ms.")
	if len(probs) > len(p.probs) {
		// More classes than rows: the rows show the most probable, in order.
		top := topK(probs, len(p.probs))
		for i := range p.probs {
			if p.probs[i].class != top[i] {
				p.setRowClass(&p.probs[i], top[i])
				p.probs[i].last = -1
			}
		}
	}
	for i := range p.probs {
		c := p.probs[i].class
		p.setBar(i, probs[c], c == best)
	}
	p.maps.class("empty", false)
	for _, l := range p.layers {
		p.drawLayer(l)
	}
	p.detail.refresh()
}

// topK returns the indexes of the k largest values, largest first.
func topK(v []float32, k int) []int {
	out := make([]int, 0, k+1)
	for i, x := range v {
		at := len(out)
		for at > 0 && v[out[at-1]] < x {
			at--
		}
		if at >= k {
			continue
		}
		out = append(out, 0)
		copy(out[at+1:], out[at:])
		out[at] = i
		if len(out) > k {
			out = out[:k]
		}
	}
	return out
}

func (p *page) setBar(i int, v float32, top bool) {
	r := &p.probs[i]
	t := int(1000*v + 0.5)
	if t != r.last {
		r.fill.Style().SetProperty("width", strconv.FormatFloat(float64(t)/10, 'f', 1, 64)+"%", "")
		r.pct.SetTextContent(strconv.FormatFloat(float64(t)/10, 'f', 1, 64) + "%")
		r.last = t
	}
	r.li.SetAttribute("data-p", fmtFull(v)) // the exact value, for tests and tools
	if top {
		r.li.Class().Add("best")
	} else {
		r.li.Class().Remove("best")
	}
}

// drawSeen shows the model's input image (before its pixel scale), white
// ink on black.
func (p *page) drawSeen(on bool) {
	in := p.src.in
	n := in.W * in.H
	p.grow(4 * n)
	gray := in.Gray()
	for i := 0; i < n; i++ {
		v := uint8(0)
		if on && i < len(gray) {
			v = uint8(255*min(max(gray[i], 0), 1) + 0.5)
		}
		p.pix[4*i], p.pix[4*i+1], p.pix[4*i+2], p.pix[4*i+3] = v, v, v, 255
	}
	js.CopyBytesToJS(p.seenImg.Get("data"), p.pix[:4*n])
	p.seen.Call("putImageData", p.seenImg, 0, 0)
}

// grow makes the pixel scratch at least n bytes.
func (p *page) grow(n int) {
	if cap(p.pix) < n {
		p.pix = make([]byte, n)
	}
	p.pix = p.pix[:n]
}

// saveDrawing keeps the last drawing (28×28, MNIST-style) in localStorage
// for the lesson page, which can take a downsampled copy of it: 784 grey
// levels as hexadecimal. An empty pad removes it.
func saveDrawing(digit []float32, ok bool) {
	defer func() { recover() }() // storage may be unavailable or full
	store := js.Global().Get("localStorage")
	if store.IsUndefined() || store.IsNull() {
		return
	}
	if !ok {
		store.Call("removeItem", drawingKey)
		return
	}
	const hex = "0123456789abcdef"
	b := make([]byte, 2*len(digit))
	for i, v := range digit {
		q := uint8(255*min(max(v, 0), 1) + 0.5)
		b[2*i], b[2*i+1] = hex[q>>4], hex[q&15]
	}
	store.Call("setItem", drawingKey, string(b))
}

// drawingKey is the localStorage key of the last drawing (read by learn.js).
const drawingKey = "wasmcnn-drawing"

// colormap runs from near black through blue and magenta to warm yellow
// (an inferno-like ramp), 256 entries.
var colormap = func() (c [256][3]uint8) {
	stops := [][4]float64{{0, 8, 8, 16}, {0.25, 40, 30, 110}, {0.5, 150, 40, 130}, {0.75, 235, 100, 60}, {1, 252, 240, 150}}
	for i := range c {
		t := float64(i) / 255
		k := 0
		for k < len(stops)-2 && t > stops[k+1][0] {
			k++
		}
		a, b := stops[k], stops[k+1]
		f := (t - a[0]) / (b[0] - a[0])
		for j := 0; j < 3; j++ {
			c[i][j] = uint8(a[j+1] + f*(b[j+1]-a[j+1]) + 0.5)
		}
	}
	return
}()

// await blocks the calling goroutine until the promise settles.
func await(promise js.Value) (js.Value, error) {
	done := make(chan struct{})
	var val js.Value
	var err error
	ok := js.FuncOf(func(this js.Value, args []js.Value) any {
		if len(args) > 0 {
			val = args[0]
		}
		close(done)
		return nil
	})
	bad := js.FuncOf(func(this js.Value, args []js.Value) any {
		msg := "rejected"
		if len(args) > 0 && !args[0].IsUndefined() && !args[0].IsNull() {
			if m := args[0].Get("message"); m.Type() == js.TypeString {
				msg = m.String()
			} else {
				msg = args[0].Call("toString").String()
			}
		}
		err = fmtlite.Errorf("%s", msg)
		close(done)
		return nil
	})
	defer ok.Release()
	defer bad.Release()
	promise.Call("then", ok, bad)
	<-done
	return val, err
}

// nextFrame waits for the browser to paint, so a message shows before long
// work starts.
func nextFrame() {
	f := js.FuncOf(func(this js.Value, args []js.Value) any {
		js.Global().Call("requestAnimationFrame", args[0])
		js.Global().Call("setTimeout", args[0], 100) // hidden tabs run no frames
		return nil
	})
	defer f.Release()
	await(js.Global().Get("Promise").New(f))
}

// fmtFull writes v exactly, for the panel's data attributes.
func fmtFull(v float32) string { return strconv.FormatFloat(float64(v), 'g', -1, 32) }
