//go:build !apionly

package main

import (
	"syscall/js"

	"wasmcnn/internal/fmtlite"
)

// elem is a DOM element reached through syscall/js directly. The page's
// newer parts use it rather than honnef.co/go/js/dom/v2: through dom/v2's
// interfaces every DOM method called keeps its wrapper on about 150 element
// types (some 30 KB of WebAssembly per method name), while a method of a
// concrete type costs only itself.
type elem struct{ js.Value }

// elemByID returns the element with the given id.
func elemByID(id string) elem { return elem{document.Call("getElementById", id)} }

// newElem creates an element.
func newElem(tag string) elem { return elem{document.Call("createElement", tag)} }

// queryAll returns the elements matching a CSS selector.
func queryAll(sel string) []elem {
	list := document.Call("querySelectorAll", sel)
	out := make([]elem, list.Length())
	for i := range out {
		out[i] = elem{list.Index(i)}
	}
	return out
}

func (e elem) text(s string)           { e.Set("textContent", s) }
func (e elem) attr(k, v string)        { e.Call("setAttribute", k, v) }
func (e elem) getAttr(k string) string { return e.Call("getAttribute", k).String() }
func (e elem) hide(h bool)             { e.Set("hidden", h) }
func (e elem) add(child elem)          { e.Call("appendChild", child.Value) }
func (e elem) empty()                  { e.Set("textContent", "") }
func (e elem) style(prop, v string)    { e.Get("style").Call("setProperty", prop, v) }
func (e elem) class(c string, on bool) {
	e.Get("classList").Call("toggle", c, on)
}

// on adds an event listener that nothing it meets can end the program
// with: a panic is logged and the page carries on. It returns the function,
// to release when the element goes.
func (e elem) on(event string, f func(ev js.Value)) js.Func {
	fn := js.FuncOf(func(this js.Value, args []js.Value) any {
		defer func() {
			if r := recover(); r != nil {
				println("wasmcnn: page:", event, "handler failed:", fmtlite.Panic(r))
			}
		}()
		f(args[0])
		return nil
	})
	e.Call("addEventListener", event, fn)
	return fn
}
