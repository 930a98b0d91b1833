package page

import (
	"strconv"
	"syscall/js"
	"time"

	"honnef.co/go/js/dom/v2"

	"wasmcnn/core"
	"wasmcnn/core/onnx"
)

// mapsView shows, in #maps, every convolution, pooling and dense node of
// the model answering: one mapLayer each. Layers are open while the maps
// shown above them number fewer than openMaps (grid.go), the others listed
// closed; an open layer draws its first maps and more on demand. After a
// run the open layers are drawn a slice of time per frame (drawSome), so
// that a model of dozens of layers keeps the pointer answered.
type mapsView struct {
	p      *page
	el     *dom.BasicHTMLElement
	layers []*mapLayer
	pix    []byte // RGBA scratch
}

// mapLayer draws one node's output, after the element-wise nodes that
// follow it (its activation), on one canvas laid out by its grid; it opens
// the detail panel on a map or a value.
type mapLayer struct {
	grid
	step     int // the node's index in the model's Steps
	node, op string
	out      *core.Tensor // what the maps show
	detail   string       // what the layer does, for its header
	open     bool
	dirty    bool // open, and not drawn since the last run
	box      *dom.BasicHTMLElement
	toggle   *dom.BasicHTMLElement // the header's button, opening and closing the layer
	desc     *dom.BasicHTMLElement // in the header, what the layer does
	more     *dom.BasicHTMLElement // shows every map
	canvas   *dom.HTMLCanvasElement
	ctx      *dom.CanvasRenderingContext2D
	cursor   *dom.BasicHTMLElement
	img      *dom.ImageData // of the whole canvas, made when first drawn
	funcs    []js.Func      // its event handlers, released with it
}

func (v *mapsView) build(p *page) { v.p, v.el = p, byID("maps") }

// fit makes the layers of model m.
func (v *mapsView) fit(p *page, m *onnx.Model) {
	for _, l := range v.layers {
		for _, f := range l.funcs {
			f.Release()
		}
	}
	v.el.SetTextContent("")
	v.layers = v.layers[:0]
	steps := m.Steps()
	shown := 0
	for i, s := range steps {
		if !m.Explainable(i) {
			continue
		}
		out := s.Output
		var then []string
		for _, f := range m.Followers(i) {
			out = steps[f].Output
			then = append(then, steps[f].Node.Op)
		}
		g, ok := newGrid(out.Shape, 0)
		if !ok {
			continue
		}
		l := &mapLayer{grid: g, step: i, node: s.Node.Name, op: s.Node.Op, out: out, open: shown < openMaps}
		l.detail = describeLayer(s.Node.Op, out.Shape, then)
		shown += l.maps
		v.add(p, l)
	}
}

// add makes a layer's elements and its handlers.
func (v *mapsView) add(p *page, l *mapLayer) {
	box, h3, toggle, span, wrap, more := create("div"), create("h3"), create("button"), create("span"), create("div"), create("button")
	box.Class().Add("map-layer")
	box.SetAttribute("data-node", l.node)
	toggle.SetAttribute("type", "button")
	toggle.Class().Add("layer-toggle")
	toggle.SetTextContent(l.node + " ")
	appendChild(toggle, span)
	appendChild(h3, toggle)
	wrap.Class().Add("map-wrap")
	more.SetAttribute("type", "button")
	more.Class().Add("more-maps")
	cv := createCanvas()
	if l.dense {
		cv.Class().Add("strip")
	}
	cv.SetAttribute("tabindex", "0")
	cv.SetAttribute("role", "button")
	cursor := create("div")
	cursor.Class().Add("map-cursor")
	setHidden(cursor, true)
	appendChild(wrap, cv.BasicHTMLElement)
	appendChild(wrap, cursor)
	appendChild(box, h3)
	appendChild(box, wrap)
	appendChild(box, more)
	appendChild(v.el, box)
	l.box, l.toggle, l.desc, l.more, l.canvas, l.cursor = box, toggle, span, more, cv, cursor
	l.ctx = context2D(cv)
	v.layers = append(v.layers, l)
	l.layout()
	l.setOpen(l.open)

	d := p.detail
	l.funcs = append(l.funcs, listen(toggle.Value, "click", func(js.Value) {
		if l.open && d.layer == l {
			d.close()
		}
		v.setOpen(l, !l.open)
	}))
	l.funcs = append(l.funcs, listen(more.Value, "click", func(js.Value) {
		if g, ok := newGrid(l.out.Shape, l.channels); ok {
			l.grid = g
			l.layout()
			v.redraw(l)
			if d.layer == l {
				d.refresh()
			}
		}
	}))
	l.funcs = append(l.funcs, listen(cv.Value, "click", func(ev js.Value) {
		c, y, x, ok := l.under(ev)
		switch {
		case !ok:
		case l.dense:
			d.open(l, 0, 0, x)
		case d.layer == l && d.channel == c:
			d.moveTo(y, x) // a tap inside the open map moves the place
		default:
			d.openBrightest(l, c)
		}
	}))
	l.funcs = append(l.funcs, listen(cv.Value, "pointermove", func(ev js.Value) {
		if d.layer != l || l.dense || ev.Get("pointerType").String() == "touch" {
			return
		}
		if c, y, x, ok := l.under(ev); ok && c == d.channel {
			d.moveTo(y, x)
		}
	}))
	l.funcs = append(l.funcs, listen(cv.Value, "keydown", func(ev js.Value) {
		if ke := keyboardEvent(ev); ke != nil && d.key(l, ke) {
			ke.PreventDefault()
			ke.StopPropagation()
		}
	}))
}

// layout sizes the layer's canvas to its grid and says what it shows.
func (l *mapLayer) layout() {
	cv := l.canvas
	cv.Style().SetProperty("width", strconv.Itoa(l.cssWidth())+"px", "")
	cv.SetWidth(l.cw)
	cv.SetHeight(l.ch)
	l.img = nil
	// The grid's geometry, for tests and tools.
	for _, kv := range [...][2]string{{"data-maps", strconv.Itoa(l.maps)}, {"data-cols", strconv.Itoa(l.cols)}, {"data-map-w", strconv.Itoa(l.w)}, {"data-map-h", strconv.Itoa(l.h)}} {
		cv.SetAttribute(kv[0], kv[1])
	}
	detail := l.detail
	if l.maps < l.channels {
		detail += " (the first " + strconv.Itoa(l.maps) + " shown)"
	}
	l.desc.SetTextContent(detail)
	what := "a map"
	if l.dense {
		what = "a value"
	}
	cv.SetAttribute("aria-label", l.node+": "+detail+". Press Enter, or click "+what+", to see how it was made.")
	l.more.SetTextContent("Show all " + strconv.Itoa(l.channels) + " maps")
	setHidden(l.more, !l.grid.more())
}

// setOpen shows the layer's maps or only its header.
func (l *mapLayer) setOpen(open bool) {
	l.open = open
	setClass(l.box, "closed", !open)
	l.toggle.SetAttribute("aria-expanded", strconv.FormatBool(open))
	l.toggle.SetAttribute("title", map[bool]string{true: "Hide these maps", false: "Show these maps"}[open])
}

// setOpen opens or closes layer l, drawing it when it opens.
func (v *mapsView) setOpen(l *mapLayer, open bool) {
	l.setOpen(open)
	if open {
		v.redraw(l)
	}
}

// expand opens layer l if it is closed (the detail panel is opening on it).
func (v *mapsView) expand(l *mapLayer) {
	if !l.open {
		v.setOpen(l, true)
	}
}

// redraw draws layer l again at the next frames, when the model's tensors
// hold an answer (after a run in slices, its end draws every open layer).
func (v *mapsView) redraw(l *mapLayer) {
	f := &v.p.frames
	if !l.open || !f.answered || f.running {
		return
	}
	l.dirty = true
	f.drawingMaps = true
	f.request()
}

// under finds the map and place under a pointer event.
func (l *mapLayer) under(ev js.Value) (c, y, x int, ok bool) {
	cx, cy := at(l.canvas, ev)
	return l.at(cx, cy)
}

// setCursor outlines output (c, y, x) on the canvas, or hides the outline
// for c < 0.
func (l *mapLayer) setCursor(c, y, x int) {
	if c < 0 || c >= l.maps && !l.dense {
		setHidden(l.cursor, true)
		return
	}
	box := l.grid.cursor(c, y, x)
	style := l.cursor.Style()
	for i, prop := range [...]string{"left", "top", "width", "height"} {
		style.SetProperty(prop, box[i], "")
	}
	setHidden(l.cursor, false)
}

// value returns the shown value of output (c, y, x) of the first example.
func (l *mapLayer) value(c, y, x int) float32 {
	if l.dense {
		return l.out.Data[x]
	}
	return l.out.Data[(c*l.h+y)*l.w+x]
}

// brightest returns the place of the largest value of map c.
func (l *mapLayer) brightest(c int) (y, x int) {
	best := core.Argmax(l.out.Data[c*l.w*l.h : (c+1)*l.w*l.h])
	return best / l.w, best % l.w
}

// show draws the open layers, or clears them when nothing is drawn; it
// reports whether every open layer was drawn by deadline (drawSome draws
// the rest).
func (v *mapsView) show(drawn bool, deadline time.Time) bool {
	setClass(v.el, "empty", !drawn)
	for _, l := range v.layers {
		l.dirty = drawn && l.open
		if !drawn && l.img != nil {
			l.ctx.ClearRect(0, 0, float64(l.cw), float64(l.ch))
		}
	}
	return !drawn || v.drawSome(deadline)
}

// drawSome draws the open layers not drawn since the last run, in page
// order, until deadline (one layer at least), and reports whether all are.
func (v *mapsView) drawSome(deadline time.Time) bool {
	for i, l := range v.layers {
		if !l.dirty {
			continue
		}
		v.draw(l)
		l.dirty = false
		if time.Now().After(deadline) {
			for _, rest := range v.layers[i+1:] {
				if rest.dirty {
					return false
				}
			}
			return true
		}
	}
	return true
}

// draw paints every map of a layer into its grid, each map scaled to its
// own maximum through the ramp; a strip through the diverging colours.
func (v *mapsView) draw(l *mapLayer) {
	n := 4 * l.cw * l.ch
	if cap(v.pix) < n {
		v.pix = make([]byte, n)
	}
	pix := v.pix[:n]
	clear(pix)
	if l.dense {
		data := l.out.Data[:l.w] // batch 1: the first example
		hi := float32(1e-6)
		for _, x := range data {
			hi = max(hi, x, -x)
		}
		for x, val := range data {
			c := divergingColor(val / hi)
			pix[4*x], pix[4*x+1], pix[4*x+2], pix[4*x+3] = c[0], c[1], c[2], 255
		}
	} else {
		plane := l.w * l.h
		for m := 0; m < l.maps; m++ {
			data := l.out.Data[m*plane : (m+1)*plane]
			hi := float32(1e-6)
			for _, x := range data {
				hi = max(hi, x)
			}
			x0, y0 := l.origin(m, 0, 0)
			for y := 0; y < l.h; y++ {
				for x := 0; x < l.w; x++ {
					c := rampColor(data[y*l.w+x] / hi)
					o := 4 * ((y0+y)*l.cw + x0 + x)
					pix[o], pix[o+1], pix[o+2], pix[o+3] = c[0], c[1], c[2], 255
				}
			}
		}
	}
	if l.img == nil {
		l.img = l.ctx.CreateImageData(l.cw, l.ch)
	}
	writePixels(l.ctx, l.img, pix)
}

// denseLayer returns the last dense layer whose outputs are the classes:
// the layer a score row explains.
func (v *mapsView) denseLayer(classes int) *mapLayer {
	for i := len(v.layers) - 1; i >= 0; i-- {
		if l := v.layers[i]; l.dense && (l.op == "Gemm" || l.op == "MatMul") && l.w == classes {
			return l
		}
	}
	return nil
}
