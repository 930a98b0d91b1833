package page

import (
	"strconv"
	"syscall/js"

	"honnef.co/go/js/dom/v2"

	"wasmcnn/core"
)

// answerView shows what the model answering reads: the verdict
// (#prediction with its data-verdict, #confidence, #verdict-why, #took;
// verdict_js.go), a score row per class (#probs li, at most ten: with more
// classes the rows show the most probable) and the image the model sees
// (canvas#input28).
type answerView struct {
	pred, conf, took *dom.BasicHTMLElement
	lead, why        *dom.BasicHTMLElement // the words before the answer, the line saying why
	list             *dom.BasicHTMLElement
	rows             []scoreRow
	rowFuncs         []js.Func // the rows' event handlers, released with them
	seenCanvas       *dom.HTMLCanvasElement
	seen             *dom.CanvasRenderingContext2D
	seenImg          *dom.ImageData // of the model's input size, reused
	pix              []byte         // RGBA scratch
}

// scoreRow is one row of #probs.
type scoreRow struct {
	li, name, fill, pct *dom.BasicHTMLElement
	class               int // the class shown in the row
	last                int // the tenths of a percent drawn, −1 for none
}

func (a *answerView) build() {
	a.pred, a.conf, a.took = byID("prediction"), byID("confidence"), byID("took")
	a.lead, a.why = byID("verdict-lead"), byID("verdict-why")
	a.list = byID("probs")
	a.seenCanvas = canvasByID("input28")
	a.seen = context2D(a.seenCanvas)
}

// fit makes the rows and the input view for src.
func (a *answerView) fit(src *modelSource) {
	a.seenCanvas.SetWidth(src.in.W)
	a.seenCanvas.SetHeight(src.in.H)
	a.seenImg = a.seen.CreateImageData(src.in.W, src.in.H)
	byID("seen-caption").SetTextContent(src.seenCaption())
	for _, f := range a.rowFuncs {
		f.Release()
	}
	a.rowFuncs = a.rowFuncs[:0]
	a.list.SetInnerHTML("")
	a.rows = a.rows[:0]
	for i := 0; i < min(10, src.classes); i++ {
		li, name, bar, fill, pct := create("li"), create("span"), create("span"), create("span"), create("span")
		name.Class().Add("d")
		bar.Class().Add("bar")
		fill.Class().Add("fill")
		pct.Class().Add("p")
		appendChild(bar, fill)
		appendChild(li, name)
		appendChild(li, bar)
		appendChild(li, pct)
		li.SetAttribute("tabindex", "0")
		li.SetAttribute("role", "button")
		a.rows = append(a.rows, scoreRow{li: li, name: name, fill: fill, pct: pct, last: -1})
		a.setRowClass(src, i, i)
		appendChild(a.list, li)
	}
	setClass(a.list, "named", longest(src.labels) > 3)
}

// armRows makes each row open the detail panel on its class's score.
func (a *answerView) armRows(open func(class int)) {
	for i := range a.rows {
		at := i
		li := a.rows[i].li.Value
		a.rowFuncs = append(a.rowFuncs, listen(li, "click", func(js.Value) { open(a.rows[at].class) }))
		a.rowFuncs = append(a.rowFuncs, listen(li, "keydown", func(e js.Value) {
			if ke := keyboardEvent(e); ke != nil && (ke.Key() == "Enter" || ke.Key() == " ") {
				ke.PreventDefault()
				ke.StopPropagation()
				open(a.rows[at].class)
			}
		}))
	}
}

// setRowClass shows class c of src in row i.
func (a *answerView) setRowClass(src *modelSource, i, c int) {
	r := &a.rows[i]
	r.class, r.last = c, -1
	label := src.labels[c]
	r.name.SetTextContent(label)
	r.name.SetAttribute("title", label)
	r.li.SetAttribute("aria-label", "class "+label+": show how its score was made")
}

// show updates the verdict, the rows and the input view for probs, the
// probabilities src shows (calibrated when it has a verdict rule); nil
// means nothing is drawn.
func (a *answerView) show(src *modelSource, probs []float32, took float64) {
	a.drawSeen(src, probs != nil)
	if probs == nil {
		a.showVerdict(nil)
		a.took.SetTextContent("")
		for i := range a.rows {
			a.setBar(i, 0, false)
		}
		return
	}
	best := core.Argmax(probs)
	t := describe(src.labels, probs, src.rule, src.judged, src.noRule)
	a.showVerdict(&t)
	a.took.SetTextContent("The network took " + strconv.FormatFloat(took, 'f', 1, 64) + " ms.")
	if len(probs) > len(a.rows) {
		// More classes than rows: the rows show the most probable, in order.
		for i, c := range topK(probs, len(a.rows)) {
			if a.rows[i].class != c {
				a.setRowClass(src, i, c)
			}
		}
	}
	for i := range a.rows {
		c := a.rows[i].class
		a.setBar(i, probs[c], c == best)
	}
}

func (a *answerView) setBar(i int, p float32, top bool) {
	r := &a.rows[i]
	if t := tenths(p); t != r.last {
		r.fill.Style().SetProperty("width", percent(t), "")
		r.pct.SetTextContent(percent(t))
		r.last = t
	}
	r.li.SetAttribute("data-p", fmtFull(p)) // the exact value, for tests and tools
	setClass(r.li, "best", top)
}

// drawSeen shows the model's input image (before its pixel scale), white
// ink on black.
func (a *answerView) drawSeen(src *modelSource, on bool) {
	n := src.in.W * src.in.H
	if cap(a.pix) < 4*n {
		a.pix = make([]byte, 4*n)
	}
	pix := a.pix[:4*n]
	gray := src.in.Gray()
	for i := 0; i < n; i++ {
		v := uint8(0)
		if on && i < len(gray) {
			v = uint8(255*min(max(gray[i], 0), 1) + 0.5)
		}
		pix[4*i], pix[4*i+1], pix[4*i+2], pix[4*i+3] = v, v, v, 255
	}
	writePixels(a.seen, a.seenImg, pix)
}

// show updates the answer, the maps and the detail panel; probs nil means
// nothing is drawn.
func (p *page) show(probs []float32) {
	src := p.src.current
	p.answer.show(src, probs, float64(p.frames.took.Microseconds())/1000)
	p.maps.show(probs != nil)
	p.detail.refresh()
}
