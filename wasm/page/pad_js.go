package page

import (
	"math"
	"syscall/js"

	"wasmcnn/core/ink"
	"wasmcnn/wasm/jsglue"
)

// armPad attaches the pad's pointer handlers, its buttons (button#undo,
// button#clear) and its keys: Esc or Delete clears, Z (or Ctrl+Z) or
// Backspace undoes, and 0–9 press the teach buttons
// (button[data-teach="0"] …) while there is a drawing. The page has this
// one handler of the document's keys; keys typed into a field are left
// alone.
func (p *page) armPad() {
	listen(p.pad.Value, "pointerdown", func(e js.Value) {
		pe := pointerEvent(e)
		if pe == nil || pe.Get("button").Int() > 0 {
			return
		}
		x, y := p.padXY(e)
		id := pe.Get("pointerId").Int()
		if !p.drawing.Begin(id, x, y) {
			return
		}
		pe.PreventDefault()
		p.dot(x, y)
		p.frames.changed()
		// Keep receiving moves when the pointer leaves the pad; events
		// made by scripts have no active pointer to capture, which is fine.
		jsglue.Try(func() { p.pad.Call("setPointerCapture", id) })
	})
	listen(p.pad.Value, "pointermove", func(e js.Value) {
		pe := pointerEvent(e)
		if pe == nil {
			return
		}
		id := pe.Get("pointerId").Int()
		// Coalesced events carry the points the browser merged into this
		// one: with them fast strokes stay smooth.
		evs := []js.Value{e}
		if f := pe.Get("getCoalescedEvents"); f.Type() == js.TypeFunction {
			if list := pe.Call("getCoalescedEvents"); list.Length() > 0 {
				evs = evs[:0]
				for i := 0; i < list.Length(); i++ {
					evs = append(evs, list.Index(i))
				}
			}
		}
		moved := false
		for _, ev := range evs {
			x, y := p.padXY(ev)
			if from, ok := p.drawing.Extend(id, x, y); ok {
				p.segment(from[0], from[1], x, y)
				moved = true
			}
		}
		if moved {
			pe.PreventDefault()
			p.frames.changed()
		}
	})
	end := func(e js.Value) {
		if pe := pointerEvent(e); pe != nil && p.drawing.End(pe.Get("pointerId").Int()) {
			p.frames.changed()
			p.frames.keepDrawing = true
		}
	}
	listen(p.pad.Value, "pointerup", end)
	listen(p.pad.Value, "pointercancel", end)
	listen(byID("clear").Value, "click", func(js.Value) { p.clear() })
	listen(byID("undo").Value, "click", func(js.Value) { p.undo() })
	listen(document, "keydown", p.key)
}

// key handles a key pressed anywhere on the page.
func (p *page) key(e js.Value) {
	ke := keyboardEvent(e)
	if ke == nil || ke.CtrlKey() && ke.Key() != "z" || ke.AltKey() || ke.MetaKey() || typing(ke) {
		return
	}
	switch k := ke.Key(); k {
	case "Escape", "Delete":
		p.clear()
	case "z", "Z", "Backspace":
		p.undo()
	case "0", "1", "2", "3", "4", "5", "6", "7", "8", "9":
		teach := queryAll(`button[data-teach="` + k + `"]`)
		if len(teach) == 0 || p.drawing.Empty() {
			return
		}
		teach[0].Click()
	default:
		return
	}
	ke.PreventDefault()
}

// padXY is an event's position in the pad's pixels.
func (p *page) padXY(ev js.Value) (float32, float32) {
	x, y := at(p.pad, ev)
	return float32(x), float32(y)
}

func (p *page) segment(x0, y0, x1, y1 float32) {
	p.ink.BeginPath()
	p.ink.MoveTo(float64(x0), float64(y0))
	p.ink.LineTo(float64(x1), float64(y1))
	p.ink.Stroke()
}

func (p *page) dot(x, y float32) {
	p.ink.BeginPath()
	p.ink.Arc(float64(x), float64(y), ink.PenWidth/2, 0, 2*math.Pi, false)
	p.ink.Fill()
}

// redraw paints every stroke again, after an undo.
func (p *page) redraw() {
	p.ink.ClearRect(0, 0, float64(p.pad.Width()), float64(p.pad.Height()))
	for _, s := range p.drawing.Strokes() {
		if len(s) == 1 {
			p.dot(s[0][0], s[0][1])
			continue
		}
		p.ink.BeginPath()
		p.ink.MoveTo(float64(s[0][0]), float64(s[0][1]))
		for _, pt := range s[1:] {
			p.ink.LineTo(float64(pt[0]), float64(pt[1]))
		}
		p.ink.Stroke()
	}
}

func (p *page) clear() {
	p.drawing.Clear()
	p.redraw()
	p.frames.changed()
	p.frames.keepDrawing = true
}

func (p *page) undo() {
	if !p.drawing.Undo() {
		return
	}
	p.redraw()
	p.frames.changed()
	p.frames.keepDrawing = true
}
