//go:build js && wasm

package archs_test

import (
	"fmt"
	"os"
	"syscall/js"
	"testing"

	"wasmcnn/core"
	"wasmcnn/internal/wasmsimd/simdjs"
)

// installKernel installs the SIMD kernel module on this instance's memory
// (tools/go_js_wasm_exec exposes it as the page's loader does), relaxed
// SIMD where the engine has it; Compile and Install exist in every
// version of simdjs, so that the benchmark times older engines too.
func installKernel() (string, error) {
	if core.CurrentPanelKernel() != nil {
		return core.CurrentPanelKernel().Name, nil
	}
	mem := js.Global().Get("__wasmcnnMemory")
	for _, relaxed := range []bool{true, false} {
		if mod, ok := simdjs.Compile(relaxed); ok {
			return simdjs.Install(mod, mem, relaxed)
		}
	}
	return "", nil
}

// TestMain runs the package's tests on the SIMD kernel module, as the
// browser does, so that the fused plans are held to the graph as written
// on its kernels too.
func TestMain(m *testing.M) {
	if _, err := installKernel(); err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}
