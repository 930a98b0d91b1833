package page

import (
	"strconv"
	"syscall/js"

	"honnef.co/go/js/dom/v2"

	"wasmcnn/core"
	"wasmcnn/core/onnx"
)

// mapsView shows, in #maps, every convolution, pooling and dense node of
// the model answering: one mapLayer each.
type mapsView struct {
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
	box      *dom.BasicHTMLElement
	canvas   *dom.HTMLCanvasElement
	ctx      *dom.CanvasRenderingContext2D
	cursor   *dom.BasicHTMLElement
	img      *dom.ImageData // of the whole canvas, reused
	funcs    []js.Func      // its event handlers, released with it
}

func (v *mapsView) build() { v.el = byID("maps") }

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
		g, ok := newGrid(out.Shape)
		if !ok {
			continue
		}
		l := &mapLayer{grid: g, step: i, node: s.Node.Name, op: s.Node.Op, out: out}
		detail := describeLayer(s.Node.Op, out.Shape, then)
		if l.maps < l.channels {
			detail += " (the first " + strconv.Itoa(l.maps) + " shown)"
		}
		v.add(p, l, detail)
	}
}

// add makes a layer's elements and its handlers.
func (v *mapsView) add(p *page, l *mapLayer, detail string) {
	box, h3, span, wrap := create("div"), create("h3"), create("span"), create("div")
	box.Class().Add("map-layer")
	box.SetAttribute("data-node", l.node)
	h3.SetTextContent(l.node + " ")
	span.SetTextContent(detail)
	appendChild(h3, span)
	wrap.Class().Add("map-wrap")
	cv := createCanvas()
	if l.dense {
		cv.Class().Add("strip")
	}
	cv.Style().SetProperty("width", strconv.Itoa(l.cssWidth())+"px", "")
	cv.SetWidth(l.cw)
	cv.SetHeight(l.ch)
	// The grid's geometry, for tests and tools.
	for _, kv := range [...][2]string{{"data-maps", strconv.Itoa(l.maps)}, {"data-cols", strconv.Itoa(l.cols)}, {"data-map-w", strconv.Itoa(l.w)}, {"data-map-h", strconv.Itoa(l.h)}} {
		cv.SetAttribute(kv[0], kv[1])
	}
	cv.SetAttribute("tabindex", "0")
	cv.SetAttribute("role", "button")
	what := "a map"
	if l.dense {
		what = "a value"
	}
	cv.SetAttribute("aria-label", l.node+": "+detail+". Press Enter, or click "+what+", to see how it was made.")
	cursor := create("div")
	cursor.Class().Add("map-cursor")
	setHidden(cursor, true)
	appendChild(wrap, cv.BasicHTMLElement)
	appendChild(wrap, cursor)
	appendChild(box, h3)
	appendChild(box, wrap)
	appendChild(v.el, box)
	l.box, l.canvas, l.cursor = box, cv, cursor
	l.ctx = context2D(cv)
	l.img = l.ctx.CreateImageData(l.cw, l.ch)
	v.layers = append(v.layers, l)

	d := p.detail
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

// show draws every layer, or clears them when nothing is drawn.
func (v *mapsView) show(drawn bool) {
	setClass(v.el, "empty", !drawn)
	for _, l := range v.layers {
		if drawn {
			v.draw(l)
		} else {
			l.ctx.ClearRect(0, 0, float64(l.cw), float64(l.ch))
		}
	}
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
