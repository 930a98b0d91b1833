package page

import (
	"strconv"
	"strings"
	"syscall/js"

	"honnef.co/go/js/dom/v2"

	"wasmcnn/wasm/api"
)

// detailView is the panel (#detail) that shows how one value of a map was
// made: for a convolution the input window under the kernel (every input
// map, the zero padding hatched), the weights, the products, their sum,
// the bias and the activation after it; for pooling the window and the
// winner or the mean; for a dense layer the largest contributions. Go
// decides which value, asks the model's Explain on the last run and
// announces it (wasmcnn-detail); web/panel.js lays out the explanation,
// the same object the API's explain returns.
type detailView struct {
	p             *page
	el            *dom.BasicHTMLElement
	moves         []*dom.BasicHTMLElement // the panel's buttons, #detail [data-move]
	layer         *mapLayer               // nil while closed
	channel, y, x int                     // the place; a strip's value is x
}

func newDetailView(p *page) *detailView {
	d := &detailView{p: p, el: byID("detail"), moves: queryAll("#detail [data-move]")}
	listen(byID("detail-close").Value, "click", func(js.Value) { d.close() })
	for _, b := range d.moves {
		move := b.GetAttribute("data-move")
		listen(b.Value, "click", func(js.Value) { d.move(move) })
	}
	listen(d.el.Value, "keydown", func(ev js.Value) {
		ke := keyboardEvent(ev)
		if ke == nil || d.layer == nil {
			return
		}
		// The arrows choose an input map in the panel's select.
		if element(ev.Get("target")).TagName() == "SELECT" && strings.HasPrefix(ke.Key(), "Arrow") {
			return
		}
		if d.key(d.layer, ke) {
			ke.PreventDefault()
			ke.StopPropagation()
		}
	})
	return d
}

// open shows the panel for output (c, y, x) of layer l (value x of a
// strip), under the layer's maps.
func (d *detailView) open(l *mapLayer, c, y, x int) {
	d.p.maps.expand(l)
	if d.layer != nil && d.layer != l {
		d.layer.setCursor(-1, 0, 0)
	}
	d.layer, d.channel, d.y, d.x = l, c, y, x
	if l.dense {
		d.channel, d.y = 0, 0
	}
	l.box.Call("after", d.el.Value)
	setHidden(d.el, false)
	// A strip has one row: up and down do nothing there.
	what := "map"
	if l.dense {
		what = "value"
	}
	for _, b := range d.moves {
		switch b.GetAttribute("data-move") {
		case "up", "down":
			setHidden(b, l.dense)
		case "prev":
			b.SetTextContent("◀ " + what)
		case "next":
			b.SetTextContent(what + " ▶")
		}
	}
	d.refresh()
	d.el.Call("scrollIntoView", map[string]any{"block": "nearest"})
}

// openBrightest opens map c of l at its brightest place.
func (d *detailView) openBrightest(l *mapLayer, c int) {
	y, x := 0, 0
	if d.p.frames.answered {
		y, x = l.brightest(c)
	}
	d.open(l, c, y, x)
}

// openScore opens the panel on the score of class c: the dense layer's
// output for it.
func (d *detailView) openScore(c int) {
	if l := d.p.maps.denseLayer(d.p.src.current.classes); l != nil && c >= 0 {
		d.open(l, 0, 0, c)
	}
}

func (d *detailView) close() {
	if d.layer != nil {
		d.layer.setCursor(-1, 0, 0)
		d.layer.canvas.Focus()
	}
	d.layer = nil
	setHidden(d.el, true)
}

// moveTo moves the place within the open map.
func (d *detailView) moveTo(y, x int) {
	l := d.layer
	if l == nil {
		return
	}
	d.y, d.x = min(max(y, 0), l.h-1), min(max(x, 0), l.w-1)
	d.refresh()
}

// move handles a move button or key: left, right, up, down, prev, next,
// brightest.
func (d *detailView) move(how string) {
	l := d.layer
	if l == nil {
		return
	}
	switch how {
	case "left":
		d.moveTo(d.y, d.x-1)
	case "right":
		d.moveTo(d.y, d.x+1)
	case "up":
		d.moveTo(d.y-1, d.x)
	case "down":
		d.moveTo(d.y+1, d.x)
	case "prev", "next":
		step := 1
		if how == "prev" {
			step = -1
		}
		if l.dense {
			d.moveTo(0, (d.x+step+l.w)%l.w)
			return
		}
		d.open(l, (d.channel+step+l.maps)%l.maps, d.y, d.x)
	case "brightest":
		if l.dense {
			best := 0
			for i := 0; i < l.w; i++ {
				if l.value(0, 0, i) > l.value(0, 0, best) {
					best = i
				}
			}
			d.moveTo(0, best)
			return
		}
		d.openBrightest(l, d.channel)
	}
}

// key handles a key pressed on layer l's canvas or in the panel, and
// reports whether it did.
func (d *detailView) key(l *mapLayer, ke *dom.KeyboardEvent) bool {
	if ke.CtrlKey() || ke.AltKey() || ke.MetaKey() {
		return false
	}
	k := ke.Key()
	if d.layer != l {
		switch k {
		case "Enter", " ", "ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown":
			if l.dense {
				d.open(l, 0, 0, 0)
				d.move("brightest")
			} else {
				d.openBrightest(l, 0)
			}
			return true
		}
		return false
	}
	switch k {
	case "Escape":
		d.close()
	case "ArrowLeft":
		d.move("left")
	case "ArrowRight":
		d.move("right")
	case "ArrowUp":
		d.move("up")
	case "ArrowDown":
		d.move("down")
	case "PageUp", "[", ",":
		d.move("prev")
	case "PageDown", "]", ".":
		d.move("next")
	case "Home":
		d.move("brightest")
	case "Enter", " ":
	default:
		return false
	}
	return true
}

// refresh explains the place again (after a move or a new drawing) and
// announces it for web/panel.js to lay out.
func (d *detailView) refresh() {
	l := d.layer
	if l == nil || d.p.choosing || d.p.frames.running {
		return // while the model runs MNIST digits or in slices, the end of that run refreshes
	}
	// The place as explain names it: a strip's value x is channel x.
	c, y, x := d.channel, d.y, d.x
	if l.dense {
		c, y, x = d.x, 0, 0
		l.setCursor(0, 0, d.x)
	} else {
		l.setCursor(c, y, x)
	}
	for _, kv := range [...][2]string{{"data-node", l.node}, {"data-op", l.op}, {"data-channel", strconv.Itoa(c)}, {"data-y", strconv.Itoa(y)}, {"data-x", strconv.Itoa(x)}} {
		d.el.SetAttribute(kv[0], kv[1])
	}
	detail := map[string]any{"layer": l.node, "explanation": nil}
	if !d.p.frames.answered {
		detail["message"] = "Draw a digit to see how this value is made."
		announce(eventDetail, detail)
		return
	}
	src := d.p.src.current
	e, err := src.model.Explain(l.step, 0, c, y, x)
	if err != nil {
		detail["message"] = "This value cannot be explained: " + strings.TrimPrefix(err.Error(), "onnx: ")
		announce(eventDetail, detail)
		return
	}
	detail["explanation"] = api.Explanation(e)
	detail["units"] = l.w
	if l == d.p.maps.denseLayer(src.classes) {
		detail["label"] = src.labels[c]
		if src.ran {
			detail["prob"] = src.probs[c]
			if src.rule != nil {
				// The score row shows the calibrated probability.
				detail["calibrated"] = src.shown[c]
				detail["temperature"] = src.rule.Temperature
			}
		}
	}
	announce(eventDetail, detail)
}
