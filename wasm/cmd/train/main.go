//go:build js && wasm

// Command train is the training build, lib/wasmcnn-train.wasm: the
// JavaScript API with fineTune (wasm/tune), which web/wasmcnn.mjs runs in a
// Web Worker. Only this build imports the training code (core/nn).
package main

import (
	"wasmcnn/wasm/api"
	"wasmcnn/wasm/tune"
)

func main() {
	api.Register(tune.FineTune)
	api.Serve()
}
