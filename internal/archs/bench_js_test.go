//go:build js && wasm

package archs_test

import (
	"syscall/js"

	"wasmcnn/internal/wasmsimd/simdjs"
)

// installKernel installs the SIMD kernel module on this instance's memory
// (tools/go_js_wasm_exec exposes it as the page's loader does), relaxed
// SIMD where the engine has it; Compile and Install exist in every
// version of simdjs, so that the benchmark times older engines too.
func installKernel() (string, error) {
	mem := js.Global().Get("__wasmcnnMemory")
	for _, relaxed := range []bool{true, false} {
		if mod, ok := simdjs.Compile(relaxed); ok {
			return simdjs.Install(mod, mem, relaxed)
		}
	}
	return "", nil
}
