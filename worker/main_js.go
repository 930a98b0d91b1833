//go:build js && wasm

package main

import (
	"syscall/js"

	"github.com/syumai/workers"

	"wasmcnn/internal/wasmsimd/simdjs"
)

// main serves the handler through github.com/syumai/workers. The worker's
// entry module (internal/workerd/entry.mjs) starts one instance per isolate and
// passes, in the runtime context, "wasmcnn": {memory, kernel, relaxed}: the
// instance's memory and the SIMD kernel module, compiled at deploy time
// (undefined in a bundle built without it).
// The kernel is installed and the model decoded and planned before Go
// reports ready, once; the instance then serves every request of the
// isolate and must outlive workers.Serve, which returns after the first
// response. Under the per-request entry of github.com/syumai/workers
// (kept for comparison) there is no such context: Go's kernel answers.
func main() {
	h := newHandler()
	edge := js.Global().Get("context").Get("wasmcnn")
	if edge.Type() == js.TypeObject && edge.Get("kernel").Truthy() {
		if _, err := simdjs.Install(edge.Get("kernel"), edge.Get("memory"), edge.Get("relaxed").Truthy()); err != nil {
			println("wasmcnn worker: Go's kernel answers:", err.Error())
		}
	}
	if err := h.warm(); err != nil {
		println("wasmcnn worker: the model does not load:", err.Error())
	}
	workers.Serve(h)
	if edge.Type() == js.TypeObject {
		select {}
	}
}
