package api

import (
	"syscall/js"

	"wasmcnn/internal/wasmsimd/simdjs"
)

// installSIMD instantiates the SIMD kernel module on this instance's own
// memory and installs it in core, relaxed SIMD first where the engine
// validates it, plain SIMD otherwise. It needs the memory, which the loader
// (web/wasmcnn-runtime.mjs) exposes as __wasmcnnMemory; without it, or without SIMD
// support, core keeps its Go kernel. It returns the installed kernel's name.
func installSIMD() string {
	mem := js.Global().Get("__wasmcnnMemory")
	if mem.Type() != js.TypeObject {
		return ""
	}
	for _, relaxed := range []bool{true, false} {
		mod, ok := simdjs.Compile(relaxed)
		if !ok {
			continue
		}
		name, err := simdjs.Install(mod, mem, relaxed)
		if err != nil {
			println("wasmcnn: SIMD kernel not installed:", err.Error())
			return ""
		}
		return name
	}
	return ""
}
