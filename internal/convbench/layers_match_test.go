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

// TestLayersInt8Exact runs the smaller layers of the table (up to 1.5
// million multiply-accumulates, where the int32 reference stays quick)
// as quantized convolutions and holds them byte for byte to
// core.QConvRef, natively and, under js/wasm, on the SIMD kernels.
func TestLayersInt8Exact(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	k := core.CurrentPanelKernel()
	tried := 0
	for _, a := range convshapes.Archs {
		for _, row := range a.Layers {
			if row.MACs() > 1.5e6 {
				continue
			}
			tried++
			l, err := newLayer(row, r)
			if err != nil {
				t.Fatal(err)
			}
			q := core.QuantConv{XZero: int32(r.IntN(256)), XScale: 0.02, W: make([]byte, len(l.w)), WSigned: true,
				YZero: int32(r.IntN(256)), YScale: 0.05, Bias: make([]int32, l.K)}
			for i := range q.W {
				q.W[i] = byte(r.IntN(256))
			}
			for i := 0; i < l.K; i++ {
				q.WZero = append(q.WZero, int32(r.IntN(21)-10))
				q.WScale = append(q.WScale, 0.001+r.Float32()*0.01)
				q.Bias[i] = r.Int32N(4001) - 2000
			}
			p, err := core.NewQConvPlan(k, &l.g, q, alloc)
			if err != nil {
				t.Fatal(err)
			}
			x := make([]byte, len(l.x))
			for i := range x {
				x[i] = byte(r.IntN(256))
			}
			want, got := make([]byte, len(l.y)), make([]byte, len(l.y))
			core.QConvRef(want, x, &l.g, &q)
			p.Run(got, x)
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("%s/%s (%s): output %d = %d, want %d", a.Name, row.Name, p.Method(), i, got[i], want[i])
				}
			}
		}
	}
	if tried < 30 {
		t.Errorf("only %d layers tried", tried)
	}
}
