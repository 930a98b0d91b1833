// Command wasm is the browser build of wasmcnn: it exposes the engine to
// JavaScript as globalThis.wasmcnn.
package main

import "syscall/js"

func main() {
	api := js.Global().Get("Object").New()
	api.Set("version", "0.1.0")
	js.Global().Set("wasmcnn", api)
	select {} // keep the Go runtime alive for later calls
}
