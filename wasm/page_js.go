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
)

// page is the draw-a-digit demo: a pad to draw on, the network's answer
// with the ten probabilities, the 28×28 image it sees, and the feature maps
// of its convolutions and poolings, all updated at most once per frame.
type page struct {
	pad      *dom.HTMLCanvasElement
	ctx      *dom.CanvasRenderingContext2D
	pred     *dom.BasicHTMLElement
	conf     *dom.BasicHTMLElement
	probs    []probRow
	seen     *dom.CanvasRenderingContext2D
	seenImg  js.Value // ImageData 28×28, reused
	maps     *dom.BasicHTMLElement
	layers   []*mapLayer
	model    *onnx.Model
	took     time.Duration // the last prediction's time in the network
	tookEl   *dom.BasicHTMLElement
	strokes  []ink.Stroke
	drawing  bool
	pointer  int
	dirty    bool
	frameReq bool
	rgba     []byte
	ink      ink.GrayImage
	pre      ink.Preprocessor
	input    []float32
	pix      []byte  // RGBA scratch for small images
	frameFn  js.Func // the animation-frame callback, made once
}

type probRow struct {
	li, fill, pct *dom.BasicHTMLElement
	last          int // last width drawn, in tenths of a percent
}

// mapLayer draws one node's output as a grid of small maps on one canvas.
type mapLayer struct {
	out        *core.Tensor
	canvas     *dom.HTMLCanvasElement
	ctx        *dom.CanvasRenderingContext2D
	img        js.Value // ImageData of the whole grid, reused
	cols, rows int
	w, h       int // size of one map
}

// startPage runs the demo when the document is the drawing page.
func startPage(a *api) {
	pad := canvasByID("pad")
	if pad == nil {
		return // another page using the API only
	}
	p := &page{pad: pad}
	go func() {
		if err := p.load(); err != nil {
			p.fail(err)
		}
	}()
}

// load fetches the model with progress, builds the page and arms it.
func (p *page) load() error {
	url := body().GetAttribute("data-model")
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
		bytesEl.SetTextContent(fmtlite.Sprintf("%.0f KB", loaded/1024))
		return nil
	})
	defer progress.Release()
	b, err := await(js.Global().Get("wasmcnn").Call("fetchBytes", url, progress))
	if err != nil {
		return err
	}
	data := make([]byte, b.Get("length").Int())
	js.CopyBytesToGo(data, b)
	m, err := onnx.LoadModel(data, nil)
	if err != nil {
		return fmtlite.Errorf("%s: %w", url, err)
	}
	if len(m.Inputs) != 1 || len(m.InputShape(0)) != 4 || m.InputShape(0)[2] != ink.FieldSize || m.InputShape(0)[3] != ink.FieldSize {
		return fmtlite.Errorf("%s takes %v; the page needs a model of 28×28 images", url, m.InputShape(0))
	}
	p.model = m
	tuneMemoryLimit()
	p.build()
	p.arm()
	about := byID("about")
	kernel := "Go's own matrix kernel (this browser has no WebAssembly SIMD)"
	if k := core.ActivePanelKernel(); k != "" {
		kernel = "SIMD kernels " + k
	}
	about.SetTextContent(fmtlite.Sprintf("Model %s: %d parameters, %.1f M multiply-accumulates per digit, ONNX opset %d. Engine wasmcnn %s, pure Go compiled to WebAssembly, %s.",
		url, m.ParamCount, float64(m.MACs())/1e6, m.Opset, core.Version, kernel))
	body().SetAttribute("data-ready", "")
	return nil
}

// fail shows an error on the loading panel.
func (p *page) fail(err error) {
	body().Class().Add("failed")
	byID("load-msg").SetTextContent("The network could not be loaded: " + err.Error())
	byID("load-progress").SetAttribute("hidden", "")
}

// build creates the probability rows, the view of the input and the
// feature-map canvases, once per model.
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
	list := byID("probs")
	for d := 0; d < 10; d++ {
		li := create("li")
		digit := create("span")
		digit.Class().Add("d")
		digit.SetTextContent(strconv.Itoa(d))
		bar := create("span")
		bar.Class().Add("bar")
		fill := create("span")
		fill.Class().Add("fill")
		appendChild(bar, fill.Value)
		pct := create("span")
		pct.Class().Add("p")
		appendChild(li, digit.Value)
		appendChild(li, bar.Value)
		appendChild(li, pct.Value)
		li.SetAttribute("aria-label", "digit "+strconv.Itoa(d))
		appendChild(list, li.Value)
		p.probs = append(p.probs, probRow{li: li, fill: fill, pct: pct, last: -1})
	}
	p.seen = canvasByID("input28").GetContext2d()
	p.seenImg = p.seen.CreateImageData(ink.FieldSize, ink.FieldSize).Value
	p.input = make([]float32, ink.FieldSize*ink.FieldSize)
	p.maps = byID("maps")
	p.buildMaps()
	p.maps.Class().Add("empty")
}

// buildMaps picks the nodes worth showing: each convolution (after its
// ReLU when one follows) and each pooling.
func (p *page) buildMaps() {
	steps := p.model.Steps()
	for i, s := range steps {
		op := s.Node.Op
		if op != "Conv" && op != "MaxPool" && op != "AveragePool" {
			continue
		}
		out, title := s.Output, s.Node.Name
		if op == "Conv" && i+1 < len(steps) && steps[i+1].Node.Op == "Relu" && steps[i+1].Node.Inputs[0] == s.Node.Outputs[0] {
			out = steps[i+1].Output
		}
		if len(out.Shape) != 4 {
			continue
		}
		c, h, w := out.Shape[1], out.Shape[2], out.Shape[3]
		var detail string
		if op == "Conv" {
			detail = fmtlite.Sprintf("%d filters → %d maps of %d×%d", c, c, h, w)
		} else {
			detail = fmtlite.Sprintf("%s pooling → %d maps of %d×%d", map[string]string{"MaxPool": "max", "AveragePool": "average"}[op], c, h, w)
		}
		cols := 8
		for cols*2 <= c && (c+cols-1)/cols > cols/2 && cols < 16 {
			cols *= 2
		}
		rows := (c + cols - 1) / cols
		box := create("div")
		box.Class().Add("map-layer")
		h3 := create("h3")
		h3.SetInnerHTML(htmlEscape(title) + " <span>" + htmlEscape(detail) + "</span>")
		cv := createCanvas()
		cv.SetWidth(cols*(w+1) - 1)
		cv.SetHeight(rows*(h+1) - 1)
		cv.SetAttribute("aria-label", title+": "+detail)
		// Show every map at 3× but at least 28 px, so the small maps of deep
		// layers stay visible next to the first ones.
		scale := max(3, (28+w-1)/w)
		cv.Style().SetProperty("width", strconv.Itoa(cv.Width()*scale)+"px", "")
		appendChild(box, h3.Value)
		appendChild(box, cv.Value)
		appendChild(p.maps, box.Value)
		ctx := cv.GetContext2d()
		l := &mapLayer{out: out, canvas: cv, ctx: ctx, cols: cols, rows: rows, w: w, h: h}
		l.img = ctx.CreateImageData(cv.Width(), cv.Height()).Value
		p.layers = append(p.layers, l)
	}
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
			if tag := element(t).TagName(); tag == "INPUT" || tag == "TEXTAREA" {
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
}

func (p *page) undo() {
	if len(p.strokes) == 0 {
		return
	}
	p.strokes = p.strokes[:len(p.strokes)-1]
	p.drawing = false
	p.redraw()
	p.changed()
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
// and shows the answer.
func (p *page) frame() {
	p.frameReq = false
	if !p.dirty {
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
	if err := ink.FromRGBA(&p.ink, p.rgba, w, h); err != nil || !p.pre.Run(p.input, &p.ink) {
		p.show(nil)
		return
	}
	start := time.Now()
	out, err := p.model.Predict(p.input)
	if err != nil {
		p.fail(err)
		return
	}
	p.took = time.Since(start)
	p.show(out)
}

// show updates the verdict, the bars, the 28×28 view and the maps; probs
// nil means nothing is drawn.
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
			l.ctx.ClearRect(0, 0, float64(l.canvas.Width()), float64(l.canvas.Height()))
		}
		p.maps.Class().Add("empty")
		return
	}
	probs = softmaxIfNeeded(probs[:10])
	best := 0
	for i, v := range probs {
		if v > probs[best] {
			best = i
		}
	}
	p.pred.SetTextContent(strconv.Itoa(best))
	p.conf.SetTextContent(fmtlite.Sprintf("%.0f%% sure", 100*probs[best]))
	p.tookEl.SetTextContent(fmtlite.Sprintf("The network took %.1f ms.", float64(p.took.Microseconds())/1000))
	for i, v := range probs {
		p.setBar(i, v, i == best)
	}
	p.maps.Class().Remove("empty")
	for _, l := range p.layers {
		p.drawLayer(l)
	}
}

func (p *page) setBar(i int, v float32, top bool) {
	r := &p.probs[i]
	t := int(1000*v + 0.5)
	if t != r.last {
		r.fill.Style().SetProperty("width", strconv.FormatFloat(float64(t)/10, 'f', 1, 64)+"%", "")
		r.pct.SetTextContent(strconv.FormatFloat(float64(t)/10, 'f', 1, 64) + "%")
		r.last = t
	}
	if top {
		r.li.Class().Add("best")
	} else {
		r.li.Class().Remove("best")
	}
}

// drawSeen shows the network's input, white ink on black.
func (p *page) drawSeen(on bool) {
	const n = ink.FieldSize * ink.FieldSize
	p.grow(4 * n)
	for i := 0; i < n; i++ {
		v := uint8(0)
		if on {
			v = uint8(255*min(max(p.input[i], 0), 1) + 0.5)
		}
		p.pix[4*i], p.pix[4*i+1], p.pix[4*i+2], p.pix[4*i+3] = v, v, v, 255
	}
	js.CopyBytesToJS(p.seenImg.Get("data"), p.pix[:4*n])
	p.seen.Call("putImageData", p.seenImg, 0, 0)
}

// drawLayer paints every map of a layer into its grid, each map scaled to
// its own maximum through a colour map.
func (p *page) drawLayer(l *mapLayer) {
	cw, ch := l.canvas.Width(), l.canvas.Height()
	p.grow(4 * cw * ch)
	pix := p.pix[:4*cw*ch]
	clear(pix)
	c := l.out.Shape[1]
	plane := l.w * l.h
	for m := 0; m < c; m++ {
		data := l.out.Data[m*plane : (m+1)*plane] // batch 1: the first image
		hi := float32(1e-6)
		for _, v := range data {
			hi = max(hi, v)
		}
		x0, y0 := (m%l.cols)*(l.w+1), (m/l.cols)*(l.h+1)
		for y := 0; y < l.h; y++ {
			for x := 0; x < l.w; x++ {
				t := max(data[y*l.w+x], 0) / hi
				col := colormap[int(t*255+0.5)]
				o := 4 * ((y0+y)*cw + x0 + x)
				pix[o], pix[o+1], pix[o+2], pix[o+3] = col[0], col[1], col[2], 255
			}
		}
	}
	js.CopyBytesToJS(l.img.Get("data"), pix)
	l.ctx.Call("putImageData", l.img, 0, 0)
}

// grow makes the pixel scratch at least n bytes.
func (p *page) grow(n int) {
	if cap(p.pix) < n {
		p.pix = make([]byte, n)
	}
	p.pix = p.pix[:n]
}

// softmaxIfNeeded returns probabilities: the values themselves when they
// already sum to 1, their softmax otherwise (a model ending in logits).
func softmaxIfNeeded(v []float32) []float32 {
	var s float32
	for _, x := range v {
		if x < 0 {
			s = -1
			break
		}
		s += x
	}
	if s > 0.99 && s < 1.01 {
		return v
	}
	out := make([]float32, len(v))
	core.Softmax(out, v, 1, len(v), 1, false)
	return out
}

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
		val = args[0]
		close(done)
		return nil
	})
	bad := js.FuncOf(func(this js.Value, args []js.Value) any {
		msg := args[0].Call("toString").String()
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

// htmlEscape escapes text for innerHTML.
func htmlEscape(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '<':
			out = append(out, "&lt;"...)
		case '>':
			out = append(out, "&gt;"...)
		case '&':
			out = append(out, "&amp;"...)
		case '"':
			out = append(out, "&quot;"...)
		default:
			out = append(out, c)
		}
	}
	return string(out)
}
