// Command wasm is the browser build of wasmcnn: the JavaScript API that
// web/wasmcnn.js wraps, and the logic of the drawing page.
package main

import (
	"syscall/js"
)

func main() {
	setMemoryLimit(minMemoryLimit)
	installSIMD()
	var a api
	obj := a.register()
	exported = &a
	js.Global().Set("__wasmcnnGo", obj)
	// Tell the loader the runtime is ready.
	if cb := js.Global().Get("__wasmcnnReady"); cb.Type() == js.TypeFunction {
		cb.Invoke(obj)
	}
	startPage(&a)
	select {} // keep the Go runtime alive for later calls
}
