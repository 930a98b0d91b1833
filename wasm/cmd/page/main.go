//go:build js && wasm

// Command page is the drawing page's WebAssembly build, main.wasm: the
// JavaScript API (wasm/api) and the page's logic (wasm/page).
package main

import (
	"wasmcnn/wasm/api"
	"wasmcnn/wasm/page"
)

func main() {
	api.Register()
	page.Install()
	api.Serve()
}
