package onnx_test

import (
	"fmt"
	"testing"
	"unsafe"

	"wasmcnn/core"
	"wasmcnn/core/onnx"
	"wasmcnn/internal/floattest"
)

// countingKernel wraps the reference kernel and counts the calls of each
// optional kernel, so that tests see which paths a plan took.
func countingKernel() (*core.PanelKernel, map[string]int) {
	ref := core.ReferencePanelKernel()
	calls := map[string]int{}
	k := *ref
	k.Name = "counting"
	k.ConvTilesEp = func(pa, base, offs, c unsafe.Pointer, ldc, mp, np, kb, rowCols, rowSkip int, ep *core.EpilogueArgs) {
		calls["ConvTilesEp"]++
		if rowSkip > 0 {
			calls["ConvTilesEp compact"]++
		}
		ref.ConvTilesEp(pa, base, offs, c, ldc, mp, np, kb, rowCols, rowSkip, ep)
	}
	k.GemmEp = func(pa, pb unsafe.Pointer, bPanel, bRow int, c unsafe.Pointer, ldc, mp, np, kb int, ep *core.EpilogueArgs) {
		calls["GemmEp"]++
		ref.GemmEp(pa, pb, bPanel, bRow, c, ldc, mp, np, kb, ep)
	}
	k.Depthwise = func(a *core.DepthwiseArgs) { calls["Depthwise"]++; ref.Depthwise(a) }
	k.Gather = func(dst, base, offs unsafe.Pointer, ld, kb, rows, ow, rowStep, sw int) {
		calls["Gather"]++
		ref.Gather(dst, base, offs, ld, kb, rows, ow, rowStep, sw)
	}
	k.Requant = func(dst, src unsafe.Pointer, rows, cols int, a *core.RequantArgs) {
		calls["Requant"]++
		ref.Requant(dst, src, rows, cols, a)
	}
	k.ReLU = func(y, x unsafe.Pointer, n int) { calls["ReLU"]++; ref.ReLU(y, x, n) }
	k.MaxPool2 = func(y, x unsafe.Pointer, rows, w, ow int) { calls["MaxPool2"]++; ref.MaxPool2(y, x, rows, w, ow) }
	k.Dots = func(y, a, b unsafe.Pointer, ldb, n, kk int) { calls["Dots"]++; ref.Dots(y, a, b, ldb, n, kk) }
	k.CopyBlocks = func(dst, src unsafe.Pointer, groups, rows, width, dstRow, srcRow, dstGroup, srcGroup int) {
		calls["CopyBlocks"]++
		ref.CopyBlocks(dst, src, groups, rows, width, dstRow, srcRow, dstGroup, srcGroup)
	}
	k.Tiles = func(pa, pb unsafe.Pointer, bPanel, bRow int, c unsafe.Pointer, ldc, mp, np, kb int, acc bool) {
		calls["Tiles"]++
		ref.Tiles(pa, pb, bPanel, bRow, c, ldc, mp, np, kb, acc)
	}
	return &k, calls
}

// TestPanelKernelPathsMatchGo runs every conformance model with this
// build's own kernels (Go's, and natively the CPU's) and again with the
// reference panel kernel installed, which makes
// the planner take the kernel paths (the convolution plans' fused
// products, implicit, depthwise and gathering kernels, the quantized
// convolution's requantization, ReLU, 2×2 pooling, dot products): the
// outputs must agree, and every path must have been taken somewhere.
func TestPanelKernelPathsMatchGo(t *testing.T) {
	k, calls := countingKernel()
	defer core.SetPanelKernel(nil)
	for ci, c := range conformanceCases() {
		inputs := inputsFor(c, uint64(7000+ci*10))
		var outs [2][][]float32
		for pass := range outs {
			core.SetPanelKernel(nil)
			if pass == 1 {
				core.SetPanelKernel(k)
			}
			m, err := onnx.LoadModel(c.model(), nil)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			got, err := m.Run(inputs...)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			for _, o := range got {
				outs[pass] = append(outs[pass], append([]float32(nil), o.Data...))
			}
		}
		for i := range outs[0] {
			floattest.AssertClose(t, fmt.Sprintf("%s output %d", c.name, i), outs[1][i], outs[0][i], 1e-5)
		}
	}
	for _, name := range []string{"ConvTilesEp", "ConvTilesEp compact", "GemmEp", "Depthwise", "Gather", "Requant", "ReLU", "MaxPool2", "Dots", "CopyBlocks", "Tiles"} {
		if calls[name] == 0 {
			t.Errorf("no model used the kernel's %s", name)
		}
	}
	t.Logf("kernel calls: %v", calls)
}
