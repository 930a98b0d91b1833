package convbench

import (
	"math"
	"math/rand/v2"
	"testing"

	"wasmcnn/core"
	"wasmcnn/internal/convshapes"
	"wasmcnn/internal/floattest"
)

// TestLayersMatchToday runs every distinct layer of the table through the
// fused plan and through today's path (its own kernels: the implicit
// convolution or im2col and Gemm, then the Add and activation passes, each
// held to the reference in core's tests): the two must agree on the real
// shapes — widths such as 55, 111 and 7, channel counts such as 58, 232
// and 1000 — natively and, under js/wasm, with the SIMD kernels.
func TestLayersMatchToday(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	k := core.CurrentPanelKernel()
	for _, a := range convshapes.Archs {
		for _, row := range a.Layers {
			l, err := newLayer(row, r)
			if err != nil {
				t.Fatal(err)
			}
			today, err := planToday(k, l)
			if err != nil {
				t.Fatal(err)
			}
			today()
			want := append([]float32(nil), l.y...)
			fused, err := planFused(k, l)
			if err != nil {
				t.Fatal(err)
			}
			got, check := floattest.Guarded(len(l.y))
			l.y = got
			fused()
			check(t, a.Name+"/"+row.Name)
			depth := float64(row.C / row.Group * row.KH * row.KW)
			floattest.AssertClose(t, a.Name+"/"+row.Name, got, want, 2e-6*math.Sqrt(depth))
		}
	}
}
