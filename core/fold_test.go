package core

import (
	"math/rand/v2"
	"testing"

	"wasmcnn/internal/floattest"
)

// TestFoldBatchNorm checks that a convolution with folded weights gives
// what the convolution followed by BatchNormInference gives.
func TestFoldBatchNorm(t *testing.T) {
	r := rand.New(rand.NewPCG(71, 72))
	for iter := 0; iter < 30; iter++ {
		g, err := randomConv(r, []string{"depthwise", "pointwise", "gemm"}[iter%3])
		if err != nil {
			continue
		}
		x, w := floattest.RandSlice(r, Product(g.InShape())), floattest.RandSlice(r, Product(g.WeightShape()))
		var b []float32
		if iter%2 == 0 {
			b = floattest.RandSlice(r, g.K)
		}
		scale, bias, mean := floattest.RandSlice(r, g.K), floattest.RandSlice(r, g.K), floattest.RandSlice(r, g.K)
		variance := make([]float32, g.K)
		for i := range variance {
			variance[i] = r.Float32() * 2
		}
		want := make([]float32, Product(g.OutShape()))
		Conv2DRef(want, x, w, b, &g)
		BatchNormInference(want, want, g.N, g.K, g.OH*g.OW, scale, bias, mean, variance, 1e-5)
		wf, bf, err := FoldBatchNorm(w, b, g.K, scale, bias, mean, variance, 1e-5)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]float32, len(want))
		Conv2DRef(got, x, wf, bf, &g)
		floattest.AssertClose(t, "folded", got, want, 1e-4)
	}
	if _, _, err := FoldBatchNorm(make([]float32, 6), nil, 2, []float32{1, 1}, []float32{0, 0}, []float32{0, 0}, []float32{-1, 1}, 0); err == nil {
		t.Error("a negative variance folded")
	}
	if _, _, err := FoldBatchNorm(make([]float32, 6), nil, 4, []float32{1}, []float32{0}, []float32{0}, []float32{1}, 0); err == nil {
		t.Error("weights that do not split into the filters folded")
	}
}
