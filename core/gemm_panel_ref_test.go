package core

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// countingKernel wraps the reference kernel and counts the calls of each
// optional kernel, so that tests see which paths a plan took.
func countingKernel() (*PanelKernel, map[string]int) {
	ref := ReferencePanelKernel()
	calls := map[string]int{}
	k := *ref
	k.Name = "counting"
	k.ConvTiles = func(pa, base, offs, bias, c unsafe.Pointer, ldc, mp, np, kb, rowCols, rowSkip int) {
		calls["ConvTiles"]++
		if rowSkip > 0 {
			calls["ConvTiles compact"]++
		}
		ref.ConvTiles(pa, base, offs, bias, c, ldc, mp, np, kb, rowCols, rowSkip)
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
// the planner take the kernel paths (implicit convolution, ReLU, 2×2
// pooling, dot products): the outputs must agree, and every path must have
// been taken somewhere.
func TestPanelKernelPathsMatchGo(t *testing.T) {
	k, calls := countingKernel()
	defer SetPanelKernel(nil)
	for ci, c := range conformanceCases() {
		var inputs []*Tensor
		for ii, in := range c.inputs {
			x := randInput(uint64(7000+ci*10+ii), in.shape...)
			for i := range x.Data {
				x.Data[i] = x.Data[i]*4 - 2
			}
			inputs = append(inputs, x)
		}
		var outs [2][][]float32
		for pass := range outs {
			SetPanelKernel(nil)
			if pass == 1 {
				SetPanelKernel(k)
			}
			m, err := LoadModel(c.model(), nil)
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
			assertClose(t, fmt.Sprintf("%s output %d", c.name, i), outs[1][i], outs[0][i], 1e-5)
		}
	}
	for _, name := range []string{"ConvTiles", "ConvTiles compact", "ReLU", "MaxPool2", "Dots", "CopyBlocks", "Tiles"} {
		if calls[name] == 0 {
			t.Errorf("no model used the kernel's %s", name)
		}
	}
	t.Logf("kernel calls: %v", calls)
}

// TestImplicitConvMatchesReference checks the implicit convolution on random
// stride-1 geometries (padding wider than the window, dilation, filter
// counts that are not multiples of 4, batches) against conv2dRef, with
// guard values around the output.
func TestImplicitConvMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	k := ReferencePanelKernel()
	compact := map[bool]int{}
	for iter := 0; iter < 300; iter++ {
		win := Window{StrideH: 1, StrideW: 1, DilationH: 1 + r.IntN(2), DilationW: 1 + r.IntN(2),
			PadTop: r.IntN(4), PadLeft: r.IntN(4), PadBottom: r.IntN(4), PadRight: r.IntN(4)}
		xs := []int{1 + r.IntN(3), 1 + r.IntN(5), 1 + r.IntN(12), 1 + r.IntN(12)}
		ws := []int{1 + r.IntN(10), xs[1], 1 + r.IntN(4), 1 + r.IntN(4)}
		if iter%3 == 0 {
			// An output width of 8 or 16: the compact rows.
			xs[3] = 8*(1+r.IntN(2)) + (ws[3]-1)*win.DilationW - win.PadLeft - win.PadRight
			if xs[3] < 1 {
				continue
			}
		}
		g, err := NewConvGeom(xs, ws, win, 1)
		if err != nil {
			continue // a window larger than the padded input
		}
		x, w, b := randSlice(r, product(xs)), randSlice(r, product(ws)), randSlice(r, ws[0])
		if r.IntN(4) == 0 {
			b = nil
		}
		alloc := func(_ string, n int) ([]float32, error) { return make([]float32, n), nil }
		ic, err := newImplicitConv(k, &g, w, b, alloc)
		if err != nil || ic == nil {
			t.Fatalf("%+v: not planned: %v", g, err)
		}
		want := make([]float32, product(g.OutShape()))
		conv2dRef(want, x, w, b, &g)
		got, check := guarded(len(want))
		ic.run(k, got, x)
		check(t, fmt.Sprintf("%+v", g))
		assertClose(t, fmt.Sprintf("%+v", g), got, want, 1e-5)
		if ic.compact {
			compact[g.K%4 == 0]++
		}
	}
	if compact[true] == 0 || compact[false] == 0 {
		t.Errorf("compact rows tried with filters a multiple of 4 %d times, otherwise %d times", compact[true], compact[false])
	}
}
