//go:build js && wasm

// Package simdjs installs the WebAssembly SIMD kernels that its parent,
// internal/wasmsimd, emits, in core from a js/wasm Go program (it sits
// beside the emitter, which builds natively too): it instantiates a compiled kernel
// module on the program's own memory and hands core its exports. The page
// compiles the module from the bytes wasmsimd holds ([Compile]); the edge
// worker receives it compiled, since Workers refuse to compile WebAssembly
// at run time but do instantiate a module compiled at deploy time.
package simdjs

import (
	"errors"
	"syscall/js"
	"unsafe"

	"wasmcnn/internal/fmtlite"

	"wasmcnn/core"
	"wasmcnn/internal/wasmsimd"
)

// Name returns the name core reports for the kernel, relaxed SIMD or not.
func Name(relaxed bool) string {
	if relaxed {
		return "wasm-relaxed-simd-4x8"
	}
	return "wasm-simd-4x8"
}

// Compile compiles the prebuilt kernel module, with relaxed SIMD or
// without; ok is false when the engine does not validate it (no SIMD, or no
// relaxed SIMD) or refuses to compile it.
func Compile(relaxed bool) (mod js.Value, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			mod, ok = js.Undefined(), false
		}
	}()
	wa := js.Global().Get("WebAssembly")
	if wa.Type() != js.TypeObject {
		return js.Undefined(), false
	}
	b := wasmsimd.Prebuilt(relaxed)
	u8 := js.Global().Get("Uint8Array").New(len(b))
	js.CopyBytesToJS(u8, b)
	if !wa.Call("validate", u8).Bool() {
		return js.Undefined(), false
	}
	return wa.Get("Module").New(u8), true
}

// Install instantiates mod, a compiled kernel module (relaxed SIMD or not,
// as relaxed says), on mem, this program's own WebAssembly.Memory, and
// installs it in core. It returns the kernel's name; on an error core keeps
// the Go kernel. Call it before planning a model: a plan is made for the
// kernel installed at the time.
func Install(mod, mem js.Value, relaxed bool) (name string, err error) {
	defer func() {
		if r := recover(); r != nil {
			core.SetPanelKernel(nil)
			name, err = "", fmtlite.Errorf("simdjs: instantiating the kernel module: %s", fmtlite.Panic(r))
		}
	}()
	wa := js.Global().Get("WebAssembly")
	if wa.Type() != js.TypeObject || mod.Type() != js.TypeObject || mem.Type() != js.TypeObject {
		return "", errors.New("simdjs: no WebAssembly, kernel module or memory")
	}
	if !mod.InstanceOf(wa.Get("Module")) || !mem.InstanceOf(wa.Get("Memory")) {
		return "", errors.New("simdjs: the kernel is not a WebAssembly.Module or the memory not a WebAssembly.Memory")
	}
	object := js.Global().Get("Object")
	imports, env := object.New(), object.New()
	env.Set(wasmsimd.MemoryName, mem)
	imports.Set(wasmsimd.MemoryModule, env)
	exports := wa.Get("Instance").New(mod, imports).Get("exports")
	fn := func(name string) js.Value {
		f := exports.Get(name)
		if f.Type() != js.TypeFunction {
			panic("the module has no function " + name)
		}
		return f
	}
	tiles := fn(wasmsimd.TilesExport)
	convTiles := fn(wasmsimd.ConvTilesExport)
	relu := fn(wasmsimd.ReLUExport)
	maxPool2 := fn(wasmsimd.MaxPool2Export)
	maxPoolRows := [2]js.Value{fn(wasmsimd.MaxPoolRows1Export), fn(wasmsimd.MaxPoolRows2Export)}
	scaleShift, scaleShiftReLU := fn(wasmsimd.ScaleShiftExport), fn(wasmsimd.ScaleShiftReLUExport)
	dots := fn(wasmsimd.DotsExport)
	copyBlocks := fn(wasmsimd.CopyBlocksExport)
	gemmEp := fn(wasmsimd.GemmEpExport)
	depthwise := fn(wasmsimd.DepthwiseExport)
	gather := fn(wasmsimd.GatherExport)
	quantIn := fn(wasmsimd.QuantInExport)
	requant := fn(wasmsimd.RequantExport)
	name = Name(relaxed)
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
			convTiles.Invoke(uintptr(pa), uintptr(base), uintptr(offs), uintptr(bias), uintptr(c), 4*ldc, mp, np, kb, rowCols, rowSkip,
				wasmsimd.FlagBias, 0, 0, 0, 0)
		},
		ConvTilesEp: func(pa, base, offs, c unsafe.Pointer, ldc, mp, np, kb, rowCols, rowSkip int, ep *core.EpilogueArgs) {
			convTiles.Invoke(uintptr(pa), uintptr(base), uintptr(offs), uintptr(ep.Bias), uintptr(c), 4*ldc, mp, np, kb, rowCols, rowSkip,
				ep.Flags, uintptr(ep.Res), 4*ep.ResLd, int(ep.Act), uintptr(ep.Params))
		},
		ReLU: func(y, x unsafe.Pointer, n int) {
			relu.Invoke(uintptr(x), uintptr(y), 4*n)
		},
		MaxPool2: func(y, x unsafe.Pointer, rows, w, ow int) {
			maxPool2.Invoke(uintptr(x), uintptr(y), rows, 4*w, 4*ow)
		},
		MaxPoolRows: func(y, x unsafe.Pointer, planes, yPlane, xPlane, rows, n, yRow, xRow, w, kh, kw, sw int) {
			maxPoolRows[sw-1].Invoke(uintptr(x), uintptr(y), planes, 4*xPlane, 4*yPlane, rows, 4*n, 4*xRow, 4*yRow, 4*w, kh, 4*kw)
		},
		ScaleShift: func(y, x, a, b unsafe.Pointer, planes, hw int, relu bool) {
			f := scaleShift
			if relu {
				f = scaleShiftReLU
			}
			f.Invoke(uintptr(y), uintptr(x), uintptr(a), uintptr(b), planes, 4*hw)
		},
		Dots: func(y, a, b unsafe.Pointer, ldb, n, k int) {
			dots.Invoke(uintptr(y), uintptr(a), uintptr(b), 4*ldb, n, 4*k)
		},
		CopyBlocks: func(dst, src unsafe.Pointer, groups, rows, width, dstRow, srcRow, dstGroup, srcGroup int) {
			copyBlocks.Invoke(uintptr(dst), uintptr(src), groups, rows, 4*width, 4*dstRow, 4*srcRow, 4*dstGroup, 4*srcGroup)
		},
		GemmEp: func(pa, pb unsafe.Pointer, bPanel, bRow int, c unsafe.Pointer, ldc, mp, np, kb int, ep *core.EpilogueArgs) {
			gemmEp.Invoke(uintptr(pa), uintptr(pb), 4*bPanel, 4*bRow, uintptr(c), 4*ldc, mp, np, kb,
				ep.Flags, uintptr(ep.Bias), uintptr(ep.Res), 4*ep.ResLd, int(ep.Act), uintptr(ep.Params))
		},
		Depthwise: func(a *core.DepthwiseArgs) {
			depthwise.Invoke(uintptr(a.Y), uintptr(a.X), uintptr(a.W), uintptr(a.Bias), uintptr(a.Offs),
				a.Channels, a.Taps, a.OH, a.OW, 4*a.RowStep, a.SW, 4*a.XPlane, 4*a.YPlane, int(a.Act), uintptr(a.Params))
		},
		Gather: func(dst, base, offs unsafe.Pointer, ld, kb, rows, ow, rowStep, sw int) {
			gather.Invoke(uintptr(dst), 4*ld, uintptr(base), uintptr(offs), kb, rows, ow, 4*rowStep, sw)
		},
		QuantIn: func(dst, src unsafe.Pointer, n int, zero int32, signed bool) {
			s := 0
			if signed {
				s = 1
			}
			quantIn.Invoke(uintptr(dst), uintptr(src), n, zero, s)
		},
		Requant: func(dst, src unsafe.Pointer, rows, cols int, a *core.RequantArgs) {
			requant.Invoke(uintptr(dst), uintptr(src), rows, cols, uintptr(a.Bias), uintptr(a.Scale), a.Zero, a.Lo, a.Hi)
		},
	})
	return name, nil
}

// InstallBest compiles and installs the kernel on mem, relaxed SIMD where
// the engine validates it and plain SIMD otherwise. It returns the
// installed kernel's name, or "" with core keeping Go's kernel when the
// engine has no SIMD.
func InstallBest(mem js.Value) (string, error) {
	for _, relaxed := range []bool{true, false} {
		if mod, ok := Compile(relaxed); ok {
			return Install(mod, mem, relaxed)
		}
	}
	return "", nil
}
