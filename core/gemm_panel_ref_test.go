package core

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"wasmcnn/internal/floattest"
)

// TestImplicitConvMatchesReference checks the implicit convolution on random
// stride-1 geometries (padding wider than the window, dilation, filter
// counts that are not multiples of 4, batches) against Conv2DRef, with
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
		x, w, b := floattest.RandSlice(r, Product(xs)), floattest.RandSlice(r, Product(ws)), floattest.RandSlice(r, ws[0])
		if r.IntN(4) == 0 {
			b = nil
		}
		alloc := func(_ string, n int) ([]float32, error) { return make([]float32, n), nil }
		ic, err := NewImplicitConv(k, &g, w, b, alloc)
		if err != nil || ic == nil {
			t.Fatalf("%+v: not planned: %v", g, err)
		}
		want := make([]float32, Product(g.OutShape()))
		Conv2DRef(want, x, w, b, &g)
		got, check := floattest.Guarded(len(want))
		ic.Run(k, got, x)
		check(t, fmt.Sprintf("%+v", g))
		floattest.AssertClose(t, fmt.Sprintf("%+v", g), got, want, 1e-5)
		if ic.compact {
			compact[g.K%4 == 0]++
		}
	}
	if compact[true] == 0 || compact[false] == 0 {
		t.Errorf("compact rows tried with filters a multiple of 4 %d times, otherwise %d times", compact[true], compact[false])
	}
}
