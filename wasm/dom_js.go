//go:build !apionly

package main

import (
	"syscall/js"

	"honnef.co/go/js/dom/v2"
)

// The page works on honnef.co/go/js/dom/v2's concrete types, built here
// from the JavaScript values, and never through the package's wrappers:
// GetElementByID, CreateElement, Body, Target and the events that
// AddEventListener hands over. Each wrapper picks the Go type of a value
// from a switch over every element or event type the package knows (about
// 130 of them) and returns it as an interface, so all of them reach the
// linker as types converted to interfaces; the linker then keeps, for each
// one, every method (and promoted-method wrapper) whose name and signature
// matches any interface method the program calls anywhere: String through
// fmt, Bool, Float and Length through the API's bridge.Value, Underlying
// through dom's own AppendChild, the page's SetTextContent, Class, Style…
// That was 1.05 MB of dom/v2 code in main.wasm, 2,700 functions, for the
// few dozen methods the page calls.

// document is the page's document.
var document = js.Global().Get("document")

var (
	jsHTMLCanvasElement = js.Global().Get("HTMLCanvasElement")
	jsPointerEvent      = js.Global().Get("PointerEvent")
	jsKeyboardEvent     = js.Global().Get("KeyboardEvent")
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

// canvasByID returns the canvas with the id, or nil when there is none.
func canvasByID(id string) *dom.HTMLCanvasElement {
	v := document.Call("getElementById", id)
	if v.IsNull() || !v.InstanceOf(jsHTMLCanvasElement) {
		return nil
	}
	return &dom.HTMLCanvasElement{BasicHTMLElement: element(v)}
}

// create makes a new element.
func create(tag string) *dom.BasicHTMLElement { return element(document.Call("createElement", tag)) }

// body is the document's body.
func body() *dom.BasicHTMLElement { return element(document.Get("body")) }

// listen calls f with each event of the type the target receives.
func listen(target js.Value, typ string, f func(js.Value)) {
	target.Call("addEventListener", typ, js.FuncOf(func(_ js.Value, args []js.Value) any {
		f(args[0])
		return nil
	}), false)
}

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

// appendChild appends child to parent's children. dom's AppendChild takes
// the child as a dom.Node interface, which makes the linker keep the
// method sets of everything the child's methods mention (dom.Event, and
// through its Timestamp time.Time's formatting, which fmt could call).
func appendChild(parent *dom.BasicHTMLElement, child js.Value) {
	parent.Call("appendChild", child)
}
