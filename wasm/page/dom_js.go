package page

import (
	"math"
	"syscall/js"

	"honnef.co/go/js/dom/v2"

	"wasmcnn/wasm/jsglue"
)

// This file is the page's one DOM layer: nothing else in the page finds,
// makes or listens to elements, or asks a canvas for its context. It works
// on honnef.co/go/js/dom/v2's concrete types, built here from the
// JavaScript values, and never through the package's wrappers:
// GetElementByID, CreateElement, Body, Target and the events that
// AddEventListener hands over. Each wrapper picks the Go type of a value
// from a switch over every element or event type the package knows (about
// 130 of them) and returns it as an interface, so all of them reach the
// linker as types converted to interfaces; the linker then keeps, for each
// one, every method (and promoted-method wrapper) whose name and signature
// matches any interface method the program calls anywhere. That was
// 1.05 MB of dom/v2 code in main.wasm, 2,700 functions, for the few dozen
// methods the page calls; a test (webtest's TestPageDOMSize) holds it to
// about 10 kB gzipped. For the same reason no dom/v2 value is ever
// converted to an interface here.

// document is the page's document.
var document = js.Global().Get("document")

var (
	jsHTMLCanvasElement = js.Global().Get("HTMLCanvasElement")
	jsPointerEvent      = js.Global().Get("PointerEvent")
	jsKeyboardEvent     = js.Global().Get("KeyboardEvent")
	jsCustomEvent       = js.Global().Get("CustomEvent")
)

// element is v as an HTML element.
func element(v js.Value) *dom.BasicHTMLElement {
	return &dom.BasicHTMLElement{BasicElement: &dom.BasicElement{BasicNode: &dom.BasicNode{Value: v}}}
}

// byID returns the element with the id, or nil when there is none.
func byID(id string) *dom.BasicHTMLElement {
	v := document.Call("getElementById", id)
	if v.IsNull() {
		return nil
	}
	return element(v)
}

// canvas is v as a canvas element, or nil when it is none.
func canvas(v js.Value) *dom.HTMLCanvasElement {
	if v.IsNull() || v.IsUndefined() || !v.InstanceOf(jsHTMLCanvasElement) {
		return nil
	}
	return &dom.HTMLCanvasElement{BasicHTMLElement: element(v)}
}

// canvasByID returns the canvas with the id, or nil when there is none.
func canvasByID(id string) *dom.HTMLCanvasElement {
	return canvas(document.Call("getElementById", id))
}

// create makes a new element.
func create(tag string) *dom.BasicHTMLElement { return element(document.Call("createElement", tag)) }

// createCanvas makes a new canvas.
func createCanvas() *dom.HTMLCanvasElement { return canvas(document.Call("createElement", "canvas")) }

// queryAll returns the elements matching a CSS selector.
func queryAll(sel string) []*dom.BasicHTMLElement {
	list := document.Call("querySelectorAll", sel)
	out := make([]*dom.BasicHTMLElement, list.Length())
	for i := range out {
		out[i] = element(list.Index(i))
	}
	return out
}

// body is the document's body.
func body() *dom.BasicHTMLElement { return element(document.Get("body")) }

// context2D returns a canvas's 2-D context.
func context2D(c *dom.HTMLCanvasElement) *dom.CanvasRenderingContext2D {
	return &dom.CanvasRenderingContext2D{Value: c.Call("getContext", "2d")}
}

// appendChild appends child to parent's children. dom's AppendChild takes
// the child as a dom.Node interface, which makes the linker keep the
// method sets of everything the child's methods mention.
func appendChild(parent, child *dom.BasicHTMLElement) { parent.Call("appendChild", child.Value) }

// setHidden sets an element's hidden attribute.
func setHidden(e *dom.BasicHTMLElement, hidden bool) { e.Set("hidden", hidden) }

// setClass adds class c to an element, or removes it.
func setClass(e *dom.BasicHTMLElement, c string, on bool) {
	if on {
		e.Class().Add(c)
	} else {
		e.Class().Remove(c)
	}
}

// listen calls f with each event of type typ that target receives, guarded
// so that nothing f meets ends the program (the page's one event guard),
// and returns the listener, to release when target goes.
func listen(target js.Value, typ string, f func(ev js.Value)) js.Func {
	fn := jsglue.Handler("page: "+typ+" handler", func(args []js.Value) {
		if len(args) > 0 {
			f(args[0])
		}
	})
	target.Call("addEventListener", typ, fn)
	return fn
}

// announce tells the page's JavaScript that something changed: a
// CustomEvent of the name, with detail, dispatched on the document (the
// events are listed in the package's documentation).
func announce(name string, detail map[string]any) {
	init := js.Global().Get("Object").New()
	if detail != nil {
		init.Set("detail", detail)
	}
	document.Call("dispatchEvent", jsCustomEvent.New(name, init))
}

// requestFrame runs f at the next animation frame.
func requestFrame(f js.Func) { js.Global().Call("requestAnimationFrame", f) }

// pointerEvent is v as a pointer event, or nil when it is none.
func pointerEvent(v js.Value) *dom.PointerEvent {
	if !v.InstanceOf(jsPointerEvent) {
		return nil
	}
	return &dom.PointerEvent{MouseEvent: &dom.MouseEvent{UIEvent: &dom.UIEvent{BasicEvent: &dom.BasicEvent{Value: v}}}}
}

// keyboardEvent is v as a keyboard event, or nil when it is none.
func keyboardEvent(v js.Value) *dom.KeyboardEvent {
	if !v.InstanceOf(jsKeyboardEvent) {
		return nil
	}
	return &dom.KeyboardEvent{BasicEvent: &dom.BasicEvent{Value: v}}
}

// typing reports whether a key event's target takes text: keys pressed
// there are the person's typing, not the page's shortcuts.
func typing(ev *dom.KeyboardEvent) bool {
	t := ev.Get("target")
	if t.Type() != js.TypeObject || !t.Get("tagName").Truthy() {
		return false
	}
	e := element(t)
	switch e.TagName() {
	case "INPUT", "TEXTAREA", "SELECT":
		return true
	}
	return e.IsContentEditable()
}

// at converts an event's position to the pixels of a canvas, which may be
// shown at another size than its own (phones).
func at(c *dom.HTMLCanvasElement, ev js.Value) (x, y float64) {
	r := dom.Rect{Value: c.Call("getBoundingClientRect")}
	sx := float64(c.Width()) / math.Max(1, r.Width())
	sy := float64(c.Height()) / math.Max(1, r.Height())
	return (ev.Get("clientX").Float() - r.Left()) * sx, (ev.Get("clientY").Float() - r.Top()) * sy
}

// readPixels copies a canvas's RGBA pixels into dst, grown to fit, in one
// bulk transfer.
func readPixels(ctx *dom.CanvasRenderingContext2D, w, h int, dst []byte) []byte {
	if cap(dst) < 4*w*h {
		dst = make([]byte, 4*w*h)
	}
	dst = dst[:4*w*h]
	js.CopyBytesToGo(dst, ctx.GetImageData(0, 0, w, h).Data())
	return dst
}

// writePixels paints RGBA pixels through img, an ImageData of the same
// size, at the canvas's top left.
func writePixels(ctx *dom.CanvasRenderingContext2D, img *dom.ImageData, pix []byte) {
	js.CopyBytesToJS(img.Data(), pix)
	ctx.PutImageData(img, 0, 0)
}
