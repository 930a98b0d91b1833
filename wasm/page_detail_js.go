//go:build !apionly

package main

import (
	"strconv"
	"syscall/js"
)

// detailView is the panel that shows how one value of a map was made: for
// a convolution the input window under the kernel (every input map, the
// zero padding hatched), the weights, the products, their sum, the bias and
// the activation after it; for pooling the window and the winner or the
// mean; for a dense layer the largest contributions. Go decides which value
// and asks the model's Explain on the last run; web/panel.js lays out the
// explanation, the same object the API's explain returns.
type detailView struct {
	p             *page
	el            elem
	layer         *mapLayer // nil while closed
	channel, y, x int       // the place; a strip's value is x
}

func newDetailView(p *page) *detailView {
	d := &detailView{p: p, el: elemByID("detail")}
	elemByID("detail-close").on("click", func(js.Value) { d.close() })
	for _, b := range queryAll("#detail [data-move]") {
		move := b.getAttr("data-move")
		b.on("click", func(js.Value) { d.move(move) })
	}
	d.el.on("keydown", func(ev js.Value) {
		if t := ev.Get("target"); t.Get("tagName").String() == "SELECT" && len(ev.Get("key").String()) > 5 && ev.Get("key").String()[:5] == "Arrow" {
			return
		}
		if d.layer != nil && d.key(d.layer, ev) {
			ev.Call("preventDefault")
			ev.Call("stopPropagation")
		}
	})
	return d
}

// open shows the panel for output (c, y, x) of layer l (value x of a
// strip), under the layer's maps.
func (d *detailView) open(l *mapLayer, c, y, x int) {
	if d.layer != nil && d.layer != l {
		d.layer.setCursor(-1, 0, 0)
	}
	d.layer, d.channel, d.y, d.x = l, c, y, x
	if l.dense {
		d.channel, d.y = 0, 0
	}
	l.box.Call("after", d.el.Value)
	d.el.hide(false)
	// A strip has one row: up and down do nothing there.
	what := "map"
	if l.dense {
		what = "value"
	}
	for _, b := range queryAll("#detail [data-move]") {
		switch b.getAttr("data-move") {
		case "up", "down":
			b.hide(l.dense)
		case "prev":
			b.text("◀ " + what)
		case "next":
			b.text(what + " ▶")
		}
	}
	d.refresh()
	d.el.Call("scrollIntoView", map[string]any{"block": "nearest"})
}

// openBrightest opens map c of l at its brightest place.
func (d *detailView) openBrightest(l *mapLayer, c int) {
	y, x := 0, 0
	if d.p.answered {
		y, x = l.brightest(c)
	}
	d.open(l, c, y, x)
}

func (d *detailView) close() {
	if d.layer != nil {
		d.layer.setCursor(-1, 0, 0)
		d.layer.canvas.Call("focus")
	}
	d.layer = nil
	d.el.hide(true)
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
func (d *detailView) key(l *mapLayer, ev js.Value) bool {
	if ev.Get("ctrlKey").Bool() || ev.Get("altKey").Bool() || ev.Get("metaKey").Bool() {
		return false
	}
	k := ev.Get("key").String()
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
// shows it.
func (d *detailView) refresh() {
	l := d.layer
	if l == nil || d.p.choosing {
		return // while the model runs MNIST digits, the next frame refreshes
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
		d.el.attr(kv[0], kv[1])
	}
	panel := js.Global().Get("wasmcnnPanel")
	ctx := js.Global().Get("Object").New()
	ctx.Set("layer", l.node)
	if !d.p.answered {
		ctx.Set("message", "Draw a digit to see how this value is made.")
		panel.Call("detail", nil, ctx)
		return
	}
	src := d.p.src
	e, err := src.model.Explain(l.step, 0, c, y, x)
	if err != nil {
		ctx.Set("message", "This value cannot be explained: "+failure("", err).Error()[2:])
		panel.Call("detail", nil, ctx)
		return
	}
	ctx.Set("units", l.w)
	if l == d.p.denseLayer() {
		ctx.Set("label", src.labels[c])
		if src.ran {
			ctx.Set("prob", src.probs[c])
		}
	}
	panel.Call("detail", explanationToJS(e), ctx)
}
