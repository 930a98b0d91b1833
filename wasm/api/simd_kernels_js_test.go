package api

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"

	"wasmcnn/core"
)

// guardedBuf returns n floats inside a buffer of NaN-free guard values, and
// a check that the guards are untouched.
func guardedBuf(n int) ([]float32, func(t *testing.T, what string)) {
	const pad = 16
	buf := make([]float32, n+2*pad)
	for i := range buf {
		buf[i] = 1234.5
	}
	return buf[pad : pad+n], func(t *testing.T, what string) {
		t.Helper()
		for i := 0; i < pad; i++ {
			if buf[i] != 1234.5 || buf[pad+n+i] != 1234.5 {
				t.Fatalf("%s: wrote outside the output", what)
			}
		}
	}
}

// closeTo fails unless got and want agree within tol·(1 + |want|), NaN
// matching NaN.
func closeTo(t *testing.T, what string, got, want []float32, tol float64) {
	t.Helper()
	for i := range want {
		g, w := float64(got[i]), float64(want[i])
		if math.IsNaN(w) && math.IsNaN(g) {
			continue
		}
		if !(math.Abs(g-w) <= tol*(1+math.Abs(w))) {
			t.Fatalf("%s: element %d: got %v, want %v", what, i, g, w)
		}
	}
}

func ptr(x []float32) unsafe.Pointer { return unsafe.Pointer(&x[0]) }

// TestSIMDConvTiles checks the implicit-convolution kernel against its Go
// twin on random sizes and offset tables.
func TestSIMDConvTiles(t *testing.T) {
	withSIMD(t)
	defer core.SetPanelKernel(nil)
	simd, ref := core.CurrentPanelKernel(), core.ReferencePanelKernel()
	r := rand.New(rand.NewPCG(21, 22))
	for iter := 0; iter < 200; iter++ {
		mp, np, kb := 4*(1+r.IntN(5)), 8*(1+r.IntN(6)), 1+r.IntN(80)
		ldc := np + r.IntN(3)
		base := randF(r, 200+2*np) // room for the skips
		offs := make([]int32, kb)
		for i := range offs {
			offs[i] = int32(r.IntN(200))
		}
		pa, bias := randF(r, mp*kb), randF(r, mp)
		want := make([]float32, (mp-1)*ldc+np)
		got, check := guardedBuf(len(want))
		// Wide rows (no skip) or compact ones: a row of 8 or 16 columns, then a skip.
		rowCols, rowSkip := np, 0
		if r.IntN(2) == 0 {
			rowCols, rowSkip = 8*(1+r.IntN(2)), 1+r.IntN(5)
		}
		ref.ConvTiles(ptr(pa), ptr(base), unsafe.Pointer(&offs[0]), ptr(bias), ptr(want), ldc, mp, np, kb, rowCols, rowSkip)
		simd.ConvTiles(ptr(pa), ptr(base), unsafe.Pointer(&offs[0]), ptr(bias), ptr(got), ldc, mp, np, kb, rowCols, rowSkip)
		what := fmt.Sprintf("mp=%d np=%d kb=%d ldc=%d rowCols=%d rowSkip=%d", mp, np, kb, ldc, rowCols, rowSkip)
		check(t, what)
		for i := 0; i < mp; i++ {
			closeTo(t, what, got[i*ldc:i*ldc+np], want[i*ldc:i*ldc+np], 1e-5*math.Sqrt(float64(kb)))
		}
	}
}

// TestSIMDReLUPoolDots checks the element-wise, pooling, dot-product and
// block-copy kernels against their Go twins, with NaN, −0 and ties in the inputs.
func TestSIMDReLUPoolDots(t *testing.T) {
	withSIMD(t)
	defer core.SetPanelKernel(nil)
	simd, ref := core.CurrentPanelKernel(), core.ReferencePanelKernel()
	r := rand.New(rand.NewPCG(23, 24))
	special := func(x []float32) {
		for i := range x {
			switch r.IntN(12) {
			case 0:
				x[i] = float32(math.NaN())
			case 1:
				x[i] = float32(math.Copysign(0, -1))
			case 2:
				x[i] = 0.5 // ties
			}
		}
	}
	for iter := 0; iter < 200; iter++ {
		n := 4 * (1 + r.IntN(100))
		x := randF(r, n)
		special(x)
		want := make([]float32, n)
		got, check := guardedBuf(n)
		ref.ReLU(ptr(want), ptr(x), n)
		simd.ReLU(ptr(got), ptr(x), n)
		check(t, "ReLU")
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) && !(math.IsNaN(float64(got[i])) && math.IsNaN(float64(want[i]))) {
				t.Fatalf("ReLU(%v) = %v, want %v", x[i], got[i], want[i])
			}
		}

		rows, ow := 1+r.IntN(6), 4+r.IntN(13)
		w := 2*ow + r.IntN(3)
		in := randF(r, 2*rows*w)
		special(in)
		wantP := make([]float32, rows*ow)
		gotP, checkP := guardedBuf(rows * ow)
		ref.MaxPool2(ptr(wantP), ptr(in), rows, w, ow)
		simd.MaxPool2(ptr(gotP), ptr(in), rows, w, ow)
		checkP(t, fmt.Sprintf("MaxPool2 rows=%d w=%d ow=%d", rows, w, ow))
		for i := range wantP {
			if math.Float32bits(gotP[i]) != math.Float32bits(wantP[i]) {
				t.Fatalf("MaxPool2 rows=%d w=%d ow=%d: output %d = %v, want %v", rows, w, ow, i, gotP[i], wantP[i])
			}
		}

		nd, k := 1+r.IntN(11), 4*(1+r.IntN(40))
		ldb := k + r.IntN(5)
		a, b := randF(r, k), randF(r, (nd-1)*ldb+k)
		y0 := randF(r, nd)
		wantD := append([]float32(nil), y0...)
		gotD, checkD := guardedBuf(nd)
		copy(gotD, y0)
		ref.Dots(ptr(wantD), ptr(a), ptr(b), ldb, nd, k)
		simd.Dots(ptr(gotD), ptr(a), ptr(b), ldb, nd, k)
		checkD(t, "Dots")
		closeTo(t, fmt.Sprintf("Dots n=%d k=%d", nd, k), gotD, wantD, 1e-5*math.Sqrt(float64(k)))

		groups, crows, width := 1+r.IntN(4), 1+r.IntN(5), 1+r.IntN(20)
		srcRow, dstRow := width+r.IntN(4), width+r.IntN(4)
		srcGroup, dstGroup := crows*srcRow+r.IntN(3), crows*dstRow+r.IntN(3)
		src := randF(r, groups*srcGroup)
		wantC := randF(r, groups*dstGroup)
		gotC, checkC := guardedBuf(len(wantC))
		copy(gotC, wantC)
		ref.CopyBlocks(ptr(wantC), ptr(src), groups, crows, width, dstRow, srcRow, dstGroup, srcGroup)
		simd.CopyBlocks(ptr(gotC), ptr(src), groups, crows, width, dstRow, srcRow, dstGroup, srcGroup)
		checkC(t, "CopyBlocks")
		closeTo(t, "CopyBlocks", gotC, wantC, 0)
	}
}
