//go:build js && wasm

package convbench

import (
	"syscall/js"

	"wasmcnn/internal/wasmsimd/simdjs"
)

// installKernel installs the SIMD kernel module on this instance's memory,
// which tools/go_js_wasm_exec exposes as the page's loader does.
func installKernel() (string, error) {
	return simdjs.InstallBest(js.Global().Get("__wasmcnnMemory"))
}
