//go:build !apionly

package main

import (
	"math"
	"strconv"
	"strings"
	"syscall/js"

	"honnef.co/go/js/dom/v2"

	"wasmcnn/core"
)

// Limits of what one layer's canvas shows, so a large model dropped on the
// page cannot make a canvas of hundreds of megapixels.
const (
	maxMaps      = 64      // maps drawn per layer
	maxMapPixels = 1 << 20 // canvas pixels per layer
)

// mapLayer draws one node's output, after the element-wise nodes that
// follow it (its activation), as a grid of small maps on one canvas, or as
// a strip of values for a node with one value per channel (a dense layer,
// global pooling); it opens the detail panel on a map or a value.
type mapLayer struct {
	step       int // the node's index in the model's Steps
	node, op   string
	dense      bool         // a strip: value x is channel x; w is the number of channels
	out        *core.Tensor // what the maps show
	box        dom.Element
	canvas     *dom.HTMLCanvasElement
	ctx        *dom.CanvasRenderingContext2D
	cursor     dom.HTMLElement
	img        js.Value // ImageData of the whole canvas, reused
	cols, rows int
	w, h       int // size of one map; a dense node's strip is one map of 1×units
	maps       int // maps drawn
	channels   int // maps (units) the node has
}

// buildMaps shows every convolution, pooling and dense node of the model
// in use.
func (p *page) buildMaps() {
	p.maps.SetInnerHTML("")
	p.layers = p.layers[:0]
	m := p.src.model
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
		l := &mapLayer{step: i, node: s.Node.Name, op: s.Node.Op, out: out}
		switch {
		case len(out.Shape) == 4 && out.Shape[2]*out.Shape[3] > 1:
			l.channels, l.h, l.w = out.Shape[1], out.Shape[2], out.Shape[3]
		case len(out.Shape) == 2 || len(out.Shape) == 4:
			l.dense, l.channels, l.h, l.w = true, 1, 1, out.Shape[1]
		default:
			continue
		}
		p.addLayer(l, describeLayer(s.Node.Op, out.Shape, then))
	}
}

// describeLayer says what a layer's maps are.
func describeLayer(op string, shape []int, then []string) string {
	var d string
	switch op {
	case "Conv":
		d = strconv.Itoa(shape[1]) + " filters → " + strconv.Itoa(shape[1]) + " maps of " + strconv.Itoa(shape[2]) + "×" + strconv.Itoa(shape[3])
	case "MaxPool", "AveragePool":
		d = map[string]string{"MaxPool": "max", "AveragePool": "average"}[op] + " pooling → " + strconv.Itoa(shape[1]) + " maps of " + strconv.Itoa(shape[2]) + "×" + strconv.Itoa(shape[3])
	case "GlobalAveragePool", "GlobalMaxPool":
		d = "the " + map[string]string{"GlobalAveragePool": "mean", "GlobalMaxPool": "largest value"}[op] + " of each map → " + strconv.Itoa(shape[1]) + " values"
	default:
		d = "fully connected → " + strconv.Itoa(shape[1]) + " outputs"
	}
	if len(then) > 0 {
		d += ", after " + strings.Join(then, ", ")
	}
	return d
}

// addLayer makes a layer's canvas and its handlers.
func (p *page) addLayer(l *mapLayer, detail string) {
	l.maps = min(l.channels, maxMaps)
	if l.dense {
		l.w = min(l.w, maxMapPixels)
	} else {
		for l.maps > 1 && l.maps*(l.w+1)*(l.h+1) > maxMapPixels {
			l.maps /= 2
		}
		if (l.w+1)*(l.h+1) > maxMapPixels {
			return // one map too large to draw
		}
		l.cols = 8
		for l.cols*2 <= l.maps && (l.maps+l.cols-1)/l.cols > l.cols/2 && l.cols < 16 {
			l.cols *= 2
		}
		l.cols = min(l.cols, l.maps)
		l.rows = (l.maps + l.cols - 1) / l.cols
	}
	if l.dense {
		l.cols, l.rows = 1, 1
	}
	if l.maps < l.channels {
		detail += " (the first " + strconv.Itoa(l.maps) + " shown)"
	}
	box := p.doc.CreateElement("div")
	box.Class().Add("map-layer")
	box.SetAttribute("data-node", l.node)
	h3 := p.doc.CreateElement("h3")
	h3.SetTextContent(l.node + " ")
	span := p.doc.CreateElement("span")
	span.SetTextContent(detail)
	h3.AppendChild(span)
	wrap := p.doc.CreateElement("div")
	wrap.Class().Add("map-wrap")
	cv := p.doc.CreateElement("canvas").(*dom.HTMLCanvasElement)
	if l.dense {
		cv.SetWidth(l.w)
		cv.SetHeight(1)
		cv.Class().Add("strip")
		cv.Style().SetProperty("width", strconv.Itoa(min(l.w*28, 640))+"px", "")
	} else {
		cv.SetWidth(l.cols*(l.w+1) - 1)
		cv.SetHeight(l.rows*(l.h+1) - 1)
		// Every map at 3× but at least 28 px, so the small maps of deep
		// layers stay visible next to the first ones.
		scale := max(3, (28+l.w-1)/l.w)
		cv.Style().SetProperty("width", strconv.Itoa(cv.Width()*scale)+"px", "")
	}
	// The grid's geometry, for tests and tools.
	for _, kv := range [][2]string{{"data-maps", strconv.Itoa(l.maps)}, {"data-cols", strconv.Itoa(l.cols)}, {"data-map-w", strconv.Itoa(l.w)}, {"data-map-h", strconv.Itoa(l.h)}} {
		cv.SetAttribute(kv[0], kv[1])
	}
	cv.SetAttribute("tabindex", "0")
	cv.SetAttribute("role", "button")
	what := "a map"
	if l.dense {
		what = "an output"
	}
	cv.SetAttribute("aria-label", l.node+": "+detail+". Press Enter, or click "+what+", to see how it was made.")
	cursor := p.doc.CreateElement("div").(dom.HTMLElement)
	cursor.Class().Add("map-cursor")
	cursor.SetAttribute("hidden", "")
	wrap.AppendChild(cv)
	wrap.AppendChild(cursor)
	box.AppendChild(h3)
	box.AppendChild(wrap)
	p.maps.AppendChild(box)
	l.box, l.canvas, l.cursor = box, cv, cursor
	l.ctx = cv.GetContext2d()
	l.img = l.ctx.CreateImageData(cv.Width(), cv.Height()).Value
	p.layers = append(p.layers, l)

	cv.AddEventListener("click", false, safe("map-click", func(e dom.Event) {
		c, y, x, ok := l.at(e.Underlying())
		if !ok {
			return
		}
		d := p.detail
		if d.layer == l && d.channel == c && !l.dense {
			d.moveTo(y, x) // a tap inside the open map moves the place
			return
		}
		if l.dense {
			d.open(l, 0, 0, x)
			return
		}
		d.openBrightest(l, c)
	}))
	cv.AddEventListener("pointermove", false, safe("map-move", func(e dom.Event) {
		d := p.detail
		if d.layer != l || l.dense || e.(*dom.PointerEvent).Get("pointerType").String() == "touch" {
			return
		}
		if c, y, x, ok := l.at(e.(*dom.PointerEvent).Value); ok && c == d.channel {
			d.moveTo(y, x)
		}
	}))
	cv.AddEventListener("keydown", false, safe("map-key", func(e dom.Event) {
		if p.detail.key(l, e.(*dom.KeyboardEvent)) {
			e.PreventDefault()
			e.StopPropagation()
		}
	}))
}

// at finds the map and place under a pointer event: ok is false over the
// gaps between maps.
func (l *mapLayer) at(ev js.Value) (c, y, x int, ok bool) {
	r := l.canvas.Call("getBoundingClientRect")
	w, h := r.Get("width").Float(), r.Get("height").Float()
	if w <= 0 || h <= 0 {
		return 0, 0, 0, false
	}
	cx := (ev.Get("clientX").Float() - r.Get("left").Float()) / w * float64(l.canvas.Width())
	cy := (ev.Get("clientY").Float() - r.Get("top").Float()) / h * float64(l.canvas.Height())
	if l.dense {
		x = min(max(int(math.Floor(cx)), 0), l.w-1)
		return 0, 0, x, true
	}
	col, row := int(math.Floor(cx))/(l.w+1), int(math.Floor(cy))/(l.h+1)
	x, y = int(math.Floor(cx))-col*(l.w+1), int(math.Floor(cy))-row*(l.h+1)
	c = row*l.cols + col
	if cx < 0 || cy < 0 || col >= l.cols || x >= l.w || y >= l.h || c >= l.maps {
		return 0, 0, 0, false
	}
	return c, y, x, true
}

// setCursor outlines output (c, y, x) on the canvas, or hides the outline
// for c < 0.
func (l *mapLayer) setCursor(c, y, x int) {
	if c < 0 || c >= l.maps && !l.dense {
		l.cursor.SetAttribute("hidden", "")
		return
	}
	cw, ch := float64(l.canvas.Width()), float64(l.canvas.Height())
	x0, y0 := float64(x), 0.0
	if !l.dense {
		x0 = float64((c%l.cols)*(l.w+1) + x)
		y0 = float64((c/l.cols)*(l.h+1) + y)
	}
	pct := func(v float64) string { return strconv.FormatFloat(100*v, 'f', 3, 64) + "%" }
	st := l.cursor.Style()
	st.SetProperty("left", pct(x0/cw), "")
	st.SetProperty("top", pct(y0/ch), "")
	st.SetProperty("width", pct(1/cw), "")
	st.SetProperty("height", pct(1/ch), "")
	l.cursor.RemoveAttribute("hidden")
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
	plane := l.out.Data[c*l.w*l.h : (c+1)*l.w*l.h]
	best := 0
	for i, v := range plane {
		if v > plane[best] {
			best = i
		}
	}
	return best / l.w, best % l.w
}

func (l *mapLayer) clear() {
	l.ctx.ClearRect(0, 0, float64(l.canvas.Width()), float64(l.canvas.Height()))
}

// drawLayer paints every map of a layer into its grid, each map scaled to
// its own maximum through a colour map; a dense strip through a diverging
// one.
func (p *page) drawLayer(l *mapLayer) {
	cw, ch := l.canvas.Width(), l.canvas.Height()
	p.grow(4 * cw * ch)
	pix := p.pix[:4*cw*ch]
	clear(pix)
	if l.dense {
		data := l.out.Data[:l.w] // batch 1: the first example
		hi := float32(1e-6)
		for _, v := range data {
			hi = max(hi, abs32(v))
		}
		for x, v := range data {
			c := diverging(v / hi)
			pix[4*x], pix[4*x+1], pix[4*x+2], pix[4*x+3] = c[0], c[1], c[2], 255
		}
	} else {
		plane := l.w * l.h
		for m := 0; m < l.maps; m++ {
			data := l.out.Data[m*plane : (m+1)*plane]
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
	}
	js.CopyBytesToJS(l.img.Get("data"), pix)
	l.ctx.Call("putImageData", l.img, 0, 0)
}

// denseLayer returns the last dense layer: the one whose outputs are the
// classes, for the probability rows.
func (p *page) denseLayer() *mapLayer {
	for i := len(p.layers) - 1; i >= 0; i-- {
		if l := p.layers[i]; l.dense && (l.op == "Gemm" || l.op == "MatMul") && l.w == p.src.classes {
			return p.layers[i]
		}
	}
	return nil
}

func abs32(v float32) float32 {
	if v < 0 {
		return -v
	}
	return v
}

// diverging maps t in −1..1 to blue (negative), near black (0) and orange
// (positive).
func diverging(t float32) [3]uint8 {
	t = min(max(t, -1), 1)
	if t < 0 {
		return [3]uint8{uint8(12 - 4*t), uint8(14 - 100*t), uint8(20 - 215*t)}
	}
	return [3]uint8{uint8(12 + 240*t), uint8(14 + 130*t), uint8(20 + 20*t)}
}
