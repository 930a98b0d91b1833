package page

import (
	"strconv"
	"syscall/js"
	"time"

	"honnef.co/go/js/dom/v2"

	"wasmcnn/core"
)

// answerView shows what the model answering reads: the verdict
// (#prediction with its data-verdict, #confidence, #verdict-why, #took:
// the time of the prediction; verdict_js.go), a score row per class
// (#probs li, at most ten: with more classes the rows show the most
// probable), the five most probable classes (ol#top5, the list shown for
// models of more than ten classes, #probs then hidden) and the image the
// model sees (canvas#input28).
type answerView struct {
	pred, conf, took *dom.BasicHTMLElement
	lead, why        *dom.BasicHTMLElement // the words before the answer, the line saying why
	list, top        *dom.BasicHTMLElement
	rows             []scoreRow
	tops             []scoreRow
	rowFuncs         []js.Func // the rows' event handlers, released with them
	seenCanvas       *dom.HTMLCanvasElement
	seen             *dom.CanvasRenderingContext2D
	seenImg          *dom.ImageData // of the model's input size, reused
	pix              []byte         // RGBA scratch
}

// topAnswers is how many answers ol#top5 lists.
const topAnswers = 5

// scoreRow is one row of #probs.
type scoreRow struct {
	li, name, fill, pct *dom.BasicHTMLElement
	class               int // the class shown in the row
	last                int // the tenths of a percent drawn, −1 for none
}

func (a *answerView) build() {
	a.pred, a.conf, a.took = byID("prediction"), byID("confidence"), byID("took")
	a.lead, a.why = byID("verdict-lead"), byID("verdict-why")
	a.list, a.top = byID("probs"), byID("top5")
	a.seenCanvas = canvasByID("input28")
	a.seen = context2D(a.seenCanvas)
}

// fit makes the rows and the input view for src.
func (a *answerView) fit(src *modelSource) {
	a.seenCanvas.SetWidth(src.in.W)
	a.seenCanvas.SetHeight(src.in.H)
	a.seenImg = a.seen.CreateImageData(src.in.W, src.in.H)
	setClass(a.seenCanvas.BasicHTMLElement, "large", src.in.W > 28 || src.in.H > 28)
	for _, f := range a.rowFuncs {
		f.Release()
	}
	a.rowFuncs = a.rowFuncs[:0]
	a.list.SetInnerHTML("")
	a.rows = a.rows[:0]
	a.top.SetInnerHTML("")
	a.tops = a.tops[:0]
	many := src.classes > 10
	setHidden(a.list, many)
	setHidden(a.top, !many)
	for i := 0; i < min(topAnswers, src.classes); i++ {
		li, name, pct := create("li"), create("span"), create("span")
		name.Class().Add("d")
		pct.Class().Add("p")
		appendChild(li, name)
		appendChild(li, pct)
		li.SetAttribute("tabindex", "0")
		li.SetAttribute("role", "button")
		a.tops = append(a.tops, scoreRow{li: li, name: name, pct: pct, class: -1, last: -1})
		appendChild(a.top, li)
	}
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

// armRows makes each row of #probs and ol#top5 open the detail panel on
// its class's score.
func (a *answerView) armRows(open func(class int)) {
	for _, rows := range [][]scoreRow{a.rows, a.tops} {
		for i := range rows {
			r := &rows[i]
			li := r.li.Value
			a.rowFuncs = append(a.rowFuncs, listen(li, "click", func(js.Value) { open(r.class) }))
			a.rowFuncs = append(a.rowFuncs, listen(li, "keydown", func(e js.Value) {
				if ke := keyboardEvent(e); ke != nil && (ke.Key() == "Enter" || ke.Key() == " ") {
					ke.PreventDefault()
					ke.StopPropagation()
					open(r.class)
				}
			}))
		}
	}
}

// caption explains the input view: how the drawing, or the picture in
// use, became what the model sees.
func (a *answerView) caption(src *modelSource, pic *pictureInput) {
	c := src.seenCaption()
	if pic.on {
		c = src.pictureCaption(pic.name, pic.W, pic.H)
	}
	byID("seen-caption").SetTextContent(c)
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
// probabilities src shows (calibrated when it has a verdict rule),
// computed by run; nil means nothing is drawn.
func (a *answerView) show(src *modelSource, probs []float32, run slicedRun) {
	a.drawSeen(src, probs != nil)
	if probs == nil {
		a.showVerdict(nil)
		a.took.SetTextContent("")
		for i := range a.rows {
			a.setBar(i, 0, false)
		}
		for i := range a.tops {
			r := &a.tops[i]
			r.name.SetTextContent("")
			r.pct.SetTextContent("")
			r.li.RemoveAttribute("data-index")
			r.li.RemoveAttribute("data-p")
			r.class = -1
		}
		return
	}
	best := core.Argmax(probs)
	t := describe(src.labels, probs, src.rule, src.judged, src.noRule)
	a.showVerdict(&t)
	a.took.SetTextContent(tookText(run))
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
	for i, c := range topK(probs, len(a.tops)) {
		r := &a.tops[i]
		if r.class != c {
			r.class = c
			r.name.SetTextContent(src.labels[c])
			r.name.SetAttribute("title", src.labels[c])
			r.li.SetAttribute("aria-label", src.labels[c]+": show how its score was made")
			r.li.SetAttribute("data-index", strconv.Itoa(c))
			r.last = -1
		}
		if t := tenths(probs[c]); t != r.last {
			r.pct.SetTextContent(percent(t))
			r.last = t
		}
		r.li.SetAttribute("data-p", fmtFull(probs[c]))
	}
}

// tookText says how long one prediction took: the time running the
// model's steps, and for a run in slices how many and the longest.
func tookText(r slicedRun) string {
	t := "The network took " + strconv.FormatFloat(ms(r.took), 'f', 1, 64) + " ms"
	if r.slices > 1 {
		t += ", in " + strconv.Itoa(r.slices) + " slices of at most " + strconv.FormatFloat(ms(r.longest), 'f', 1, 64) +
			" ms with the page answering between them"
	}
	return t + "."
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

// drawSeen shows the model's input image before its pixel scale or
// normalisation: a drawing white ink on black, a picture in its colours
// (or grey, for a grey model).
func (a *answerView) drawSeen(src *modelSource, on bool) {
	n := src.in.W * src.in.H
	if cap(a.pix) < 4*n {
		a.pix = make([]byte, 4*n)
	}
	pix := a.pix[:4*n]
	planes, ch := src.in.Seen()
	byte8 := func(v float32) uint8 { return uint8(255*min(max(v, 0), 1) + 0.5) }
	for i := 0; i < n; i++ {
		var r, g, b uint8
		switch {
		case !on || len(planes) < ch*n:
		case ch == 3:
			r, g, b = byte8(planes[i]), byte8(planes[n+i]), byte8(planes[2*n+i])
		default:
			r = byte8(planes[i])
			g, b = r, r
		}
		pix[4*i], pix[4*i+1], pix[4*i+2], pix[4*i+3] = r, g, b, 255
	}
	writePixels(a.seen, a.seenImg, pix)
}

// show updates the answer, the detail panel and the maps; probs nil means
// nothing is drawn. It reports whether the maps are all drawn by
// deadline; the frames draw the rest.
func (p *page) show(probs []float32, deadline time.Time) bool {
	src := p.src.current
	p.answer.show(src, probs, p.frames.last)
	p.detail.refresh()
	return p.maps.show(probs != nil, deadline)
}
