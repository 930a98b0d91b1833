//go:build !apionly

package main

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"syscall/js"

	"honnef.co/go/js/dom/v2"

	"wasmcnn/core/onnx"
)

// detailView is the panel that shows how one value of a map was made: for
// a convolution the input window under the kernel (every input map, the
// zero padding hatched), the weights, the products, their sum, the bias and
// the activation after it; for pooling the window and the winner or the
// mean; for a dense layer the largest contributions. Every number comes
// from the model's Explain on the last run.
type detailView struct {
	p                         *page
	el                        dom.HTMLElement
	title, geom, sum, note    dom.Element
	window, weights, products *dom.HTMLCanvasElement
	wfig, pfig                dom.Element
	inSel                     *dom.HTMLSelectElement
	inLabel, table, top       dom.Element
	layer                     *mapLayer // nil while closed
	channel, y, x             int       // the place; a dense layer's unit is x
	inCh                      int       // the input map whose numbers show
	inChosen                  bool      // chosen by the person rather than the largest contribution
	inListed                  string    // the input maps listed in inSel
	pix                       []byte
}

func newDetailView(p *page) *detailView {
	g := func(id string) dom.Element { return p.doc.GetElementByID(id) }
	d := &detailView{p: p, el: g("detail").(dom.HTMLElement), title: g("detail-title"), geom: g("detail-geom"),
		sum: g("detail-sum"), note: g("detail-note"), window: g("detail-window").(*dom.HTMLCanvasElement),
		weights: g("detail-weights").(*dom.HTMLCanvasElement), products: g("detail-products").(*dom.HTMLCanvasElement),
		wfig: g("detail-wfig"), pfig: g("detail-pfig"), inSel: g("detail-in").(*dom.HTMLSelectElement),
		inLabel: g("detail-in-label"), table: g("detail-table"), top: g("detail-top")}
	g("detail-close").AddEventListener("click", false, safe("detail-close", func(dom.Event) { d.close() }))
	for _, b := range p.doc.QuerySelectorAll("#detail [data-move]") {
		move := b.GetAttribute("data-move")
		b.AddEventListener("click", false, safe("detail-move", func(dom.Event) { d.move(move) }))
	}
	d.inSel.AddEventListener("change", false, safe("detail-in", func(dom.Event) {
		if v, err := strconv.Atoi(d.inSel.Value()); err == nil {
			d.inCh, d.inChosen = v, true
			d.refresh()
		}
	}))
	d.el.AddEventListener("keydown", false, safe("detail-key", func(e dom.Event) {
		ke := e.(*dom.KeyboardEvent)
		if t := ke.Target(); t != nil && t.TagName() == "SELECT" && strings.HasPrefix(ke.Key(), "Arrow") {
			return
		}
		if d.layer != nil && d.key(d.layer, ke) {
			e.PreventDefault()
			e.StopPropagation()
		}
	}))
	return d
}

// open shows the panel for output (c, y, x) of layer l (unit x of a dense
// layer), under the layer's maps.
func (d *detailView) open(l *mapLayer, c, y, x int) {
	if d.layer != nil && d.layer != l {
		d.layer.setCursor(-1, 0, 0)
	}
	if d.layer != l || d.channel != c {
		d.inChosen = false
	}
	d.layer, d.channel, d.y, d.x = l, c, y, x
	if l.dense {
		d.channel, d.y = 0, 0
	}
	if next := l.box.NextSibling(); next != nil {
		l.box.ParentNode().InsertBefore(d.el, next)
	} else {
		l.box.ParentNode().AppendChild(d.el)
	}
	d.el.RemoveAttribute("hidden")
	// A strip has one row: up and down do nothing there.
	what := "map"
	if l.dense {
		what = "value"
	}
	for _, b := range d.p.doc.QuerySelectorAll("#detail [data-move]") {
		switch b.GetAttribute("data-move") {
		case "up", "down":
			hide(b, l.dense)
		case "prev":
			b.SetTextContent("◀ " + what)
		case "next":
			b.SetTextContent(what + " ▶")
		}
	}
	d.refresh()
	d.el.Underlying().Call("scrollIntoView", map[string]any{"block": "nearest"})
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
		d.layer.canvas.Focus()
	}
	d.layer = nil
	d.el.SetAttribute("hidden", "")
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
		if l.dense {
			step := map[string]int{"prev": -1, "next": 1}[how]
			d.moveTo(0, (d.x+step+l.w)%l.w)
			return
		}
		c := d.channel + 1
		if how == "prev" {
			c = d.channel - 1 + l.maps
		}
		d.open(l, c%l.maps, d.y, d.x)
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
// shows it.
func (d *detailView) refresh() {
	l := d.layer
	if l == nil {
		return
	}
	// The place as explain names it: a strip's value x is channel x.
	c, y, x := d.channel, d.y, d.x
	if l.dense {
		c, y, x = d.x, 0, 0
		l.setCursor(0, 0, d.x)
	} else {
		l.setCursor(c, y, x)
	}
	d.el.SetAttribute("data-node", l.node)
	d.el.SetAttribute("data-op", l.op)
	d.el.SetAttribute("data-channel", strconv.Itoa(c))
	d.el.SetAttribute("data-y", strconv.Itoa(y))
	d.el.SetAttribute("data-x", strconv.Itoa(x))
	src := d.p.src
	if d.p.choosing {
		return // the model is running MNIST digits; the next frame refreshes
	}
	if !d.p.answered {
		d.show(false)
		d.title.SetTextContent(l.node)
		d.sum.SetTextContent("Draw a digit to see how this value is made.")
		d.el.RemoveAttribute("data-value")
		return
	}
	e, err := src.model.Explain(l.step, 0, c, y, x)
	if err != nil {
		d.show(false)
		d.sum.SetTextContent("This value cannot be explained: " + strings.TrimPrefix(err.Error(), "onnx: "))
		return
	}
	d.show(true)
	for _, kv := range [][2]string{{"data-sum", fmtFull(e.Sum)}, {"data-bias", fmtFull(e.Bias)}, {"data-value", fmtFull(e.Value)},
		{"data-output", fmtFull(e.Output)}, {"data-map", fmtFull(e.Map)}} {
		d.el.SetAttribute(kv[0], kv[1])
	}
	switch {
	case e.Weights == nil:
		d.showPool(e)
	case l.op == "Gemm" || l.op == "MatMul":
		d.showDense(e)
	default:
		d.showConv(e)
	}
	d.sum.SetTextContent(d.sumLine(e))
}

// show shows or hides the parts that need an explanation.
func (d *detailView) show(on bool) {
	for _, el := range []dom.Element{d.geom, d.window.ParentElement(), d.wfig, d.pfig, d.inLabel, d.table, d.top, d.note} {
		if on {
			el.RemoveAttribute("hidden")
		} else {
			el.SetAttribute("hidden", "")
		}
	}
}

func hide(el dom.Element, hidden bool) {
	if hidden {
		el.SetAttribute("hidden", "")
	} else {
		el.RemoveAttribute("hidden")
	}
}

// place names output place of an explanation for people.
func (d *detailView) place(e *onnx.Explanation) string {
	return "map " + strconv.Itoa(e.Channel) + ", row " + strconv.Itoa(e.Y) + ", column " + strconv.Itoa(e.X)
}

// span writes the range of input rows or columns a window reads.
func span(v []int) string {
	if len(v) == 1 {
		return strconv.Itoa(v[0])
	}
	return strconv.Itoa(v[0]) + "–" + strconv.Itoa(v[len(v)-1])
}

func (d *detailView) geometry(e *onnx.Explanation) string {
	g := e.Geom
	s := strconv.Itoa(g.KH) + "×" + strconv.Itoa(g.KW)
	if g.SH == g.SW {
		s += ", stride " + strconv.Itoa(g.SH)
	} else {
		s += ", strides " + strconv.Itoa(g.SH) + "×" + strconv.Itoa(g.SW)
	}
	if g.DH > 1 || g.DW > 1 {
		s += ", dilation " + strconv.Itoa(g.DH) + "×" + strconv.Itoa(g.DW)
	}
	switch {
	case g.PT|g.PL|g.PB|g.PR == 0:
		s += ", no padding (valid)"
	case g.PT == g.PB && g.PL == g.PR && g.PT == g.PL:
		s += ", padding " + strconv.Itoa(g.PT) + " on every side"
	default:
		s += ", padding " + strconv.Itoa(g.PT) + " top, " + strconv.Itoa(g.PL) + " left, " + strconv.Itoa(g.PB) + " bottom, " + strconv.Itoa(g.PR) + " right"
	}
	return s
}

func (d *detailView) showConv(e *onnx.Explanation) {
	l := d.layer
	in := e.InShape
	d.title.SetTextContent(l.node + " · " + d.place(e))
	d.geom.SetTextContent("Convolution, kernel " + d.geometry(e) + ". Filter " + strconv.Itoa(e.Channel) + " reaches through " +
		strconv.Itoa(len(e.Channels)) + " input map(s) of " + strconv.Itoa(in[2]) + "×" + strconv.Itoa(in[3]) + "; this place reads input rows " +
		span(e.Rows) + " and columns " + span(e.Cols) + " (outside 0–" + strconv.Itoa(in[2]-1) + " is zero padding, hatched).")
	hide(d.wfig, false)
	hide(d.pfig, false)
	// Each input map's part of the sum.
	taps := e.KH * e.KW
	part := make([]float64, len(e.Channels))
	for i, p := range e.Products {
		part[i/taps] += float64(p)
	}
	if !d.inChosen || d.inCh >= len(e.Channels) {
		d.inCh = 0
		for i, v := range part {
			if math.Abs(v) > math.Abs(part[d.inCh]) {
				d.inCh = i
			}
		}
	}
	d.tiles(d.window, e.Window, e, -1, false)
	d.tiles(d.weights, e.Weights, e, -1, true)
	d.tiles(d.products, e.Products, e, -1, true)
	d.listInputs(e.Channels)
	hide(d.inLabel, len(e.Channels) < 2)
	d.numbers(e, d.inCh, true)
	// The input maps that weigh most.
	order := make([]int, len(part))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return math.Abs(part[order[a]]) > math.Abs(part[order[b]]) })
	d.top.SetInnerHTML("")
	if len(part) > 1 {
		for _, i := range order[:min(6, len(order))] {
			li := d.p.doc.CreateElement("li")
			li.SetTextContent("input map " + strconv.Itoa(e.Channels[i]) + ": " + signed(float32(part[i])))
			d.top.AppendChild(li)
		}
		d.note.SetTextContent("Input maps that add the most to the sum:")
	} else {
		d.note.SetTextContent("")
	}
}

func (d *detailView) showPool(e *onnx.Explanation) {
	l := d.layer
	in := e.InShape
	kind := map[string]string{"MaxPool": "Max pooling", "AveragePool": "Average pooling", "GlobalMaxPool": "Global max pooling", "GlobalAveragePool": "Global average pooling"}[e.Op]
	d.title.SetTextContent(l.node + " · " + d.place(e))
	geom := kind + ", window " + d.geometry(e) + ", over input map " + strconv.Itoa(e.Channels[0]) + " of " + strconv.Itoa(in[2]) + "×" + strconv.Itoa(in[3]) +
		": rows " + span(e.Rows) + ", columns " + span(e.Cols) + "."
	if e.Op == "AveragePool" {
		if e.Count == len(e.Window) {
			geom += " Every tap counts, padding included."
		} else {
			geom += " Only taps inside the input count."
		}
	}
	d.geom.SetTextContent(geom)
	hide(d.wfig, true)
	hide(d.pfig, true)
	hide(d.inLabel, true)
	d.inCh = 0
	d.tiles(d.window, e.Window, e, e.Winner, false)
	d.numbers(e, 0, false)
	d.top.SetInnerHTML("")
	d.note.SetTextContent("")
}

func (d *detailView) showDense(e *onnx.Explanation) {
	l := d.layer
	name := "output " + strconv.Itoa(e.Channel)
	if l == d.p.denseLayer() {
		name = d.p.src.labels[e.Channel] + " (output " + strconv.Itoa(e.Channel) + ")"
	}
	d.title.SetTextContent(l.node + " · " + name)
	d.geom.SetTextContent("Fully connected: each of the " + strconv.Itoa(l.w) + " outputs is a weighted sum of all " + strconv.Itoa(len(e.Window)) +
		" inputs (the values before it, flattened) plus a bias. The largest contributions to this one:")
	hide(d.wfig, true)
	hide(d.pfig, true)
	hide(d.inLabel, true)
	d.window.ParentElement().SetAttribute("hidden", "")
	order := make([]int, len(e.Products))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return abs32(e.Products[order[a]]) > abs32(e.Products[order[b]]) })
	shown := min(10, len(order))
	d.table.SetInnerHTML("")
	head := d.p.doc.CreateElement("tr")
	for _, h := range []string{"input", "value", "× weight", "= product"} {
		th := d.p.doc.CreateElement("th")
		th.SetTextContent(h)
		head.AppendChild(th)
	}
	d.table.AppendChild(head)
	var rest float64
	for k, i := range order {
		if k >= shown {
			rest += float64(e.Products[i])
			continue
		}
		tr := d.p.doc.CreateElement("tr")
		for _, s := range []string{strconv.Itoa(i), fmtNum(e.Window[i], 4), fmtNum(e.Weights[i], 4), signed(e.Products[i])} {
			td := d.p.doc.CreateElement("td")
			td.SetTextContent(s)
			tr.AppendChild(td)
		}
		d.table.AppendChild(tr)
	}
	if len(order) > shown {
		tr := d.p.doc.CreateElement("tr")
		td := d.p.doc.CreateElement("td")
		td.SetAttribute("colspan", "3")
		td.SetTextContent("the other " + strconv.Itoa(len(order)-shown) + " inputs together")
		td2 := d.p.doc.CreateElement("td")
		td2.SetTextContent(signed(float32(rest)))
		tr.AppendChild(td)
		tr.AppendChild(td2)
		d.table.AppendChild(tr)
	}
	d.top.SetInnerHTML("")
	d.note.SetTextContent("")
}

// sumLine writes the arithmetic of the value: the sum, the bias, the nodes
// after it and the map's own value.
func (d *detailView) sumLine(e *onnx.Explanation) string {
	var b strings.Builder
	switch e.Op {
	case "MaxPool", "GlobalMaxPool":
		b.WriteString("The largest of the " + strconv.Itoa(inside(e)) + " values in the window")
		if e.Winner >= 0 {
			b.WriteString(" (input row " + strconv.Itoa(e.Rows[e.Winner/e.KW%e.KH]) + ", column " + strconv.Itoa(e.Cols[e.Winner%e.KW]) + ", outlined)")
		}
		b.WriteString(": " + fmtNum(e.Value, 4))
	case "AveragePool", "GlobalAveragePool":
		b.WriteString("Their sum " + fmtNum(e.Sum, 4) + " ÷ " + strconv.Itoa(e.Count) + " = " + fmtNum(e.Value, 4))
	default:
		b.WriteString("Σ of the " + strconv.Itoa(len(e.Products)) + " products = " + fmtNum(e.Sum, 4))
		if e.Scale != 1 {
			b.WriteString(", × " + fmtNum(e.Scale, 4))
		}
		b.WriteString(" + bias " + fmtNum(e.Bias, 4) + " = " + fmtNum(e.Value, 4))
	}
	for _, t := range e.Then {
		op := t.Op
		switch t.Op {
		case "Relu":
			op = "ReLU, max(0, ·)"
		case "Add", "Sub", "Mul", "Div":
			op = map[string]string{"Add": "+ ", "Sub": "− ", "Mul": "× ", "Div": "÷ "}[t.Op] + fmtNum(t.Operand, 4)
		case "LeakyRelu":
			op = "LeakyReLU (α " + fmtNum(t.Operand, 3) + ")"
		case "BatchNormalization":
			op = "batch norm"
		}
		b.WriteString(" → " + op + " → " + fmtNum(t.Value, 4))
	}
	l := d.layer
	if l == d.p.denseLayer() && d.p.src.ran {
		b.WriteString(" → softmax over the " + strconv.Itoa(l.w) + " outputs → " + fmtNum(100*d.p.src.probs[e.Channel], 1) + "%")
		return b.String()
	}
	if math.Abs(float64(e.Output-e.Map)) <= 1e-5*(1+math.Abs(float64(e.Map))) {
		b.WriteString(", the map's value here ✓")
	} else {
		b.WriteString("; the map shows " + fmtNum(e.Map, 6))
	}
	return b.String()
}

// inside counts the taps of a window inside the input.
func inside(e *onnx.Explanation) int {
	n := 0
	for i := range e.Window {
		if !e.IsPadding(i) {
			n++
		}
	}
	return n
}

func signed(v float32) string {
	if v >= 0 {
		return "+" + fmtNum(v, 4)
	}
	return "−" + fmtNum(-v, 4)
}

// listInputs fills the input-map choice.
func (d *detailView) listInputs(chs []int) {
	if key := strconv.Itoa(len(chs)) + "@" + strconv.Itoa(chs[0]); d.inListed != key {
		d.inListed = key
		d.inSel.SetInnerHTML("")
		for i, c := range chs {
			o := d.p.doc.CreateElement("option").(*dom.HTMLOptionElement)
			o.SetValue(strconv.Itoa(i))
			o.SetTextContent("input map " + strconv.Itoa(c))
			d.inSel.AppendChild(o)
		}
	}
	d.inSel.SetValue(strconv.Itoa(d.inCh))
}

// numbers fills the table with the window of input map c: each tap's
// input, and with weights its weight and product.
func (d *detailView) numbers(e *onnx.Explanation, c int, weighted bool) {
	doc := d.p.doc
	d.table.SetInnerHTML("")
	taps := e.KH * e.KW
	if taps > 15*15 {
		d.note.SetTextContent("(The window is too large to list its numbers.)")
		return
	}
	for i := 0; i < e.KH; i++ {
		tr := doc.CreateElement("tr")
		for j := 0; j < e.KW; j++ {
			t := c*taps + i*e.KW + j
			td := doc.CreateElement("td")
			if e.IsPadding(t) {
				td.Class().Add("pad")
				td.SetTextContent("pad")
				td.SetAttribute("title", "zero padding: row "+strconv.Itoa(e.Rows[i])+", column "+strconv.Itoa(e.Cols[j]))
				tr.AppendChild(td)
				continue
			}
			if t == e.Winner {
				td.Class().Add("win")
			}
			lines := []string{fmtNum(e.Window[t], 3)}
			if weighted {
				lines = append(lines, "× "+fmtNum(e.Weights[t], 3), "= "+fmtNum(e.Products[t], 3))
			}
			for k, s := range lines {
				sp := doc.CreateElement("span")
				if k > 0 {
					sp.Class().Add("op")
				}
				sp.SetTextContent(s)
				td.AppendChild(sp)
			}
			tr.AppendChild(td)
		}
		d.table.AppendChild(tr)
	}
}

// tiles draws one value per tap, every input map's window side by side
// (at most 16 a row): diverging colours for signed values, the inferno
// ramp otherwise; padding hatched; tap mark outlined; the input map whose
// numbers show underlined.
func (d *detailView) tiles(cv *dom.HTMLCanvasElement, vals []float32, e *onnx.Explanation, mark int, signedVals bool) {
	nch := max(1, len(e.Channels))
	cs := min(max(4, 54/max(e.KH, e.KW)), 16) // cell size in pixels
	if e.KH*e.KW > 15*15 {
		cs = 2
	}
	const gap = 4
	cols := min(nch, 16)
	rows := (nch + cols - 1) / cols
	tw, th := e.KW*cs, e.KH*cs
	w, h := cols*(tw+gap)-gap, rows*(th+gap+2)-gap
	if cv.Width() != w || cv.Height() != h {
		cv.SetWidth(w)
		cv.SetHeight(h)
	}
	if cap(d.pix) < 4*w*h {
		d.pix = make([]byte, 4*w*h)
	}
	pix := d.pix[:4*w*h]
	clear(pix)
	hi := float32(1e-6)
	for _, v := range vals {
		hi = max(hi, abs32(v))
	}
	set := func(x, y int, c [3]uint8) {
		o := 4 * (y*w + x)
		pix[o], pix[o+1], pix[o+2], pix[o+3] = c[0], c[1], c[2], 255
	}
	taps := e.KH * e.KW
	for t := range vals {
		ch, i, j := t/taps, t/e.KW%e.KH, t%e.KW
		x0, y0 := (ch%cols)*(tw+gap)+j*cs, (ch/cols)*(th+gap+2)+i*cs
		var c [3]uint8
		padded := e.IsPadding(t)
		switch {
		case padded:
		case signedVals || vals[t] < 0:
			c = diverging(vals[t] / hi)
		default:
			c = colormap[int(vals[t]/hi*255+0.5)]
		}
		for y := 0; y < cs; y++ {
			for x := 0; x < cs; x++ {
				cc := c
				if padded {
					cc = [3]uint8{58, 62, 72}
					if (x+y)%4 == 0 {
						cc = [3]uint8{120, 126, 140}
					}
				}
				if cs >= 6 && (x == cs-1 || y == cs-1) {
					cc = [3]uint8{cc[0] / 2, cc[1] / 2, cc[2] / 2} // grid lines
				}
				if t == mark && (x < 2 || y < 2 || x >= cs-2 || y >= cs-2) {
					cc = [3]uint8{255, 255, 255}
				}
				set(x0+x, y0+y, cc)
			}
		}
	}
	if nch > 1 { // underline the input map listed in numbers
		x0, y0 := (d.inCh%cols)*(tw+gap), (d.inCh/cols)*(th+gap+2)+th+1
		for x := 0; x < tw; x++ {
			set(x0+x, y0, [3]uint8{47, 111, 221})
		}
	}
	img := js.Global().Get("ImageData").New(w, h)
	js.CopyBytesToJS(img.Get("data"), pix)
	cv.GetContext2d().Call("putImageData", img, 0, 0)
}
