package core

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"wasmcnn/internal/floattest"
)

// TestConvInputGradient checks dx of Conv2DBackward against finite
// differences of Σ y·dy, on random geometries.
func TestConvInputGradient(t *testing.T) {
	r := rand.New(rand.NewPCG(25, 26))
	for iter := 0; iter < 60; iter++ {
		xs, ws, win, group := randomConvCase(r)
		g, err := NewConvGeom(xs, ws, win, group)
		if err != nil {
			t.Fatal(err)
		}
		desc := fmt.Sprintf("x=%v w=%v %+v group=%d", xs, ws, win, group)
		x, w := floattest.RandSlice(r, Product(xs)), floattest.RandSlice(r, Product(ws))
		dy := floattest.RandSlice(r, Product(g.OutShape()))
		col := make([]float32, g.BackwardScratchSize())
		dx := make([]float32, len(x))
		dw := make([]float32, len(w))
		Conv2DBackward(dx, dw, nil, dy, x, w, &g, col, false)
		y := make([]float32, len(dy))
		f := func() float64 {
			Conv2DRef(y, x, w, nil, &g)
			var s float64
			for i := range y {
				s += float64(y[i]) * float64(dy[i])
			}
			return s
		}
		// The objective is linear in x and w, so a difference of 1 is exact up to rounding.
		for _, i := range floattest.SampleIndices(r, len(x), 5) {
			old := x[i]
			x[i] = old + 1
			up := f()
			x[i] = old
			num := up - f()
			if math.Abs(num-float64(dx[i])) > 1e-3*(1+math.Abs(num)) {
				t.Fatalf("%s: dx[%d] = %v, numeric %v", desc, i, dx[i], num)
			}
		}
		for _, i := range floattest.SampleIndices(r, len(w), 5) {
			old := w[i]
			w[i] = old + 1
			up := f()
			w[i] = old
			num := up - f()
			if math.Abs(num-float64(dw[i])) > 1e-3*(1+math.Abs(num)) {
				t.Fatalf("%s: dw[%d] = %v, numeric %v", desc, i, dw[i], num)
			}
		}
	}
}
