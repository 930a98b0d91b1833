//go:build js && wasm

// Command lib is the library build, lib/wasmcnn.wasm: the JavaScript API
// (wasm/api) alone, for pages other than the drawing page. It does not
// import the page, so the DOM and the page's code stay out of it: a
// smaller download that starts faster.
package main

import "wasmcnn/wasm/api"

func main() {
	api.Register()
	api.Serve()
}
