//go:build !apionly

package main

import (
	"math"
	"strconv"
	"syscall/js"

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
	box        elem
	canvas     elem
	ctx        js.Value // the canvas's 2-D context
	cursor     elem
	img        js.Value  // ImageData of the whole canvas, reused
	cw, ch     int       // the canvas's size
	funcs      []js.Func // its event handlers, released with it
	cols, rows int
	w, h       int // size of one map; a dense node's strip is one map of 1×units
	maps       int // maps drawn
	channels   int // maps (units) the node has
}

// buildMaps shows every convolution, pooling and dense node of the model
// in use.
func (p *page) buildMaps() {
	for _, l := range p.layers {
		for _, f := range l.funcs {
			f.Release()
		}
	}
	p.maps.empty()
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
	maps := " maps of " + strconv.Itoa(shape[len(shape)-2]) + "×" + strconv.Itoa(shape[len(shape)-1])
	switch op {
	case "Conv":
		d = strconv.Itoa(shape[1]) + " filters → " + strconv.Itoa(shape[1]) + maps
	case "MaxPool":
		d = "max pooling → " + strconv.Itoa(shape[1]) + maps
	case "AveragePool":
		d = "average pooling → " + strconv.Itoa(shape[1]) + maps
	case "GlobalAveragePool":
		d = "the mean of each map → " + strconv.Itoa(shape[1]) + " values"
	case "GlobalMaxPool":
		d = "the largest value of each map → " + strconv.Itoa(shape[1]) + " values"
	default:
		d = "fully connected → " + strconv.Itoa(shape[1]) + " outputs"
	}
	for i, op := range then {
		if i == 0 {
			d += ", after " + op
		} else {
			d += ", " + op
		}
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
	box := newElem("div")
	box.class("map-layer", true)
	box.attr("data-node", l.node)
	h3 := newElem("h3")
	h3.text(l.node + " ")
	span := newElem("span")
	span.text(detail)
	h3.add(span)
	wrap := newElem("div")
	wrap.class("map-wrap", true)
	cv := newElem("canvas")
	if l.dense {
		l.cw, l.ch = l.w, 1
		cv.class("strip", true)
		cv.style("width", strconv.Itoa(min(l.w*28, 640))+"px")
	} else {
		l.cw, l.ch = l.cols*(l.w+1)-1, l.rows*(l.h+1)-1
		// Every map at 3× but at least 28 px, so the small maps of deep
		// layers stay visible next to the first ones.
		scale := max(3, (28+l.w-1)/l.w)
		cv.style("width", strconv.Itoa(l.cw*scale)+"px")
	}
	cv.Set("width", l.cw)
	cv.Set("height", l.ch)
	// The grid's geometry, for tests and tools.
	for _, kv := range [...][2]string{{"data-maps", strconv.Itoa(l.maps)}, {"data-cols", strconv.Itoa(l.cols)}, {"data-map-w", strconv.Itoa(l.w)}, {"data-map-h", strconv.Itoa(l.h)}} {
		cv.attr(kv[0], kv[1])
	}
	cv.attr("tabindex", "0")
	cv.attr("role", "button")
	what := "a map"
	if l.dense {
		what = "a value"
	}
	cv.attr("aria-label", l.node+": "+detail+". Press Enter, or click "+what+", to see how it was made.")
	cursor := newElem("div")
	cursor.class("map-cursor", true)
	cursor.hide(true)
	wrap.add(cv)
	wrap.add(cursor)
	box.add(h3)
	box.add(wrap)
	p.maps.add(box)
	l.box, l.canvas, l.cursor = box, cv, cursor
	l.ctx = cv.Call("getContext", "2d")
	l.img = l.ctx.Call("createImageData", l.cw, l.ch)
	p.layers = append(p.layers, l)

	l.funcs = append(l.funcs, cv.on("click", func(ev js.Value) {
		c, y, x, ok := l.at(ev)
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
	l.funcs = append(l.funcs, cv.on("pointermove", func(ev js.Value) {
		d := p.detail
		if d.layer != l || l.dense || ev.Get("pointerType").String() == "touch" {
			return
		}
		if c, y, x, ok := l.at(ev); ok && c == d.channel {
			d.moveTo(y, x)
		}
	}))
	l.funcs = append(l.funcs, cv.on("keydown", func(ev js.Value) {
		if p.detail.key(l, ev) {
			ev.Call("preventDefault")
			ev.Call("stopPropagation")
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
	cx := (ev.Get("clientX").Float() - r.Get("left").Float()) / w * float64(l.cw)
	cy := (ev.Get("clientY").Float() - r.Get("top").Float()) / h * float64(l.ch)
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
		l.cursor.hide(true)
		return
	}
	cw, ch := float64(l.cw), float64(l.ch)
	x0, y0 := float64(x), 0.0
	if !l.dense {
		x0 = float64((c%l.cols)*(l.w+1) + x)
		y0 = float64((c/l.cols)*(l.h+1) + y)
	}
	pct := func(v float64) string { return strconv.FormatFloat(100*v, 'f', 3, 64) + "%" }
	l.cursor.style("left", pct(x0/cw))
	l.cursor.style("top", pct(y0/ch))
	l.cursor.style("width", pct(1/cw))
	l.cursor.style("height", pct(1/ch))
	l.cursor.hide(false)
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

func (l *mapLayer) clear() {
	l.ctx.Call("clearRect", 0, 0, l.cw, l.ch)
}

// drawLayer paints every map of a layer into its grid, each map scaled to
// its own maximum through a colour map; a dense strip through a diverging
// one.
func (p *page) drawLayer(l *mapLayer) {
	cw, ch := l.cw, l.ch
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
