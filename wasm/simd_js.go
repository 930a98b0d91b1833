package main

import (
	"syscall/js"
	"unsafe"

	"wasmcnn/core"
	"wasmcnn/internal/fmtlite"
	"wasmcnn/internal/wasmsimd"
)

// installSIMD instantiates the SIMD matrix kernel on this instance's own
// memory and installs it in core, relaxed SIMD first where the engine
// validates it, plain SIMD otherwise. It needs the memory, which the loader
// (web/wasmcnn.js) exposes as __wasmcnnMemory; without it, or without SIMD
// support, core keeps its Go kernel. It returns the installed kernel's name.
func installSIMD() (name string) {
	defer func() {
		if r := recover(); r != nil {
			println("wasmcnn: SIMD kernel not installed:", fmtlite.Panic(r))
			core.SetPanelKernel(nil)
			name = ""
		}
	}()
	mem := js.Global().Get("__wasmcnnMemory")
	wa := js.Global().Get("WebAssembly")
	if mem.Type() != js.TypeObject || wa.Type() != js.TypeObject {
		return ""
	}
	for _, relaxed := range []bool{true, false} {
		b := wasmsimd.Prebuilt(relaxed)
		u8 := jsUint8Array.New(len(b))
		js.CopyBytesToJS(u8, b)
		if !wa.Call("validate", u8).Bool() {
			continue
		}
		imports := jsObject.New()
		env := jsObject.New()
		env.Set(wasmsimd.MemoryName, mem)
		imports.Set(wasmsimd.MemoryModule, env)
		inst := wa.Get("Instance").New(wa.Get("Module").New(u8), imports)
		exports := inst.Get("exports")
		tiles := exports.Get(wasmsimd.TilesExport)
		convTiles := exports.Get(wasmsimd.ConvTilesExport)
		relu := exports.Get(wasmsimd.ReLUExport)
		maxPool2 := exports.Get(wasmsimd.MaxPool2Export)
		dots := exports.Get(wasmsimd.DotsExport)
		copyBlocks := exports.Get(wasmsimd.CopyBlocksExport)
		name = "wasm-simd-4x8"
		if relaxed {
			name = "wasm-relaxed-simd-4x8"
		}
		core.SetPanelKernel(&core.PanelKernel{
			Name: name, MR: 4, NR: 8,
			// Below a few thousand multiply-adds the call into JavaScript
			// costs more than the Go kernel.
			MinWork: 2048,
			Tiles: func(pa, pb unsafe.Pointer, bPanel, bRow int, c unsafe.Pointer, ldc, mp, np, kb int, accumulate bool) {
				acc := 0
				if accumulate {
					acc = 1
				}
				// The kernel takes strides in bytes.
				tiles.Invoke(uintptr(pa), uintptr(pb), 4*bPanel, 4*bRow, uintptr(c), 4*ldc, mp, np, kb, acc)
			},
			ConvTiles: func(pa, base, offs, bias, c unsafe.Pointer, ldc, mp, np, kb, rowCols, rowSkip int) {
				convTiles.Invoke(uintptr(pa), uintptr(base), uintptr(offs), uintptr(bias), uintptr(c), 4*ldc, mp, np, kb, rowCols, rowSkip)
			},
			ReLU: func(y, x unsafe.Pointer, n int) {
				relu.Invoke(uintptr(x), uintptr(y), 4*n)
			},
			MaxPool2: func(y, x unsafe.Pointer, rows, w, ow int) {
				maxPool2.Invoke(uintptr(x), uintptr(y), rows, 4*w, 4*ow)
			},
			Dots: func(y, a, b unsafe.Pointer, ldb, n, k int) {
				dots.Invoke(uintptr(y), uintptr(a), uintptr(b), 4*ldb, n, 4*k)
			},
			CopyBlocks: func(dst, src unsafe.Pointer, groups, rows, width, dstRow, srcRow, dstGroup, srcGroup int) {
				copyBlocks.Invoke(uintptr(dst), uintptr(src), groups, rows, 4*width, 4*dstRow, 4*srcRow, 4*dstGroup, 4*srcGroup)
			},
		})
		return name
	}
	return ""
}
