package api

// The fast path of predict is also an export of the module, which
// web/wasmcnn-runtime.mjs calls directly: a call through js.FuncOf goes through Go's
// event handling and costs about 15 µs under Node; a wasmexport call, about
// 0.06 µs (BenchmarkSIMD's batch-1 S takes about 80 µs in all).

import "unsafe"

// exported is the API whose fast path runExport serves, set once it is
// registered.
var exported *api

// runExport is run(handle, n, generation) as an export: it runs the model
// on the staging buffer of prepare and returns the byte address of the
// output, or 0 when the general path must answer (an argument RunPrepared
// refuses, an empty output, a panic), which then says what was wrong.
//
//go:wasmexport wasmcnnRun
func runExport(h, n, gen int32) (addr uint32) {
	a := exported
	if a == nil {
		return 0
	}
	defer func() {
		if recover() != nil {
			addr = 0
		}
	}()
	out, err := a.models.RunPrepared(int(h), int(n), int(gen))
	if err != nil || len(out) == 0 {
		return 0
	}
	return uint32(uintptr(unsafe.Pointer(&out[0])))
}
