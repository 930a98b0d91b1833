package core

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"wasmcnn/internal/floattest"
)

// TestGemmPanels checks the panel path (packing, blocking, edges, alpha and
// beta, transposes) with the reference tiles (refTiles) installed.
func TestGemmPanels(t *testing.T) {
	SetPanelKernel(&PanelKernel{Name: "ref4x8", MR: 4, NR: 8, MinWork: 0, Tiles: refTiles})
	defer SetPanelKernel(nil)
	r := rand.New(rand.NewPCG(31, 32))
	dims := []int{2, 3, 4, 5, 7, 8, 9, 16, 17, 33, 300, 520, 600}
	for iter := 0; iter < 150; iter++ {
		m, n, k := dims[r.IntN(len(dims))], dims[r.IntN(len(dims))], dims[r.IntN(len(dims))]
		ta, tb := r.IntN(2) == 1, r.IntN(2) == 1
		alpha := []float32{1, 0.5, -2}[r.IntN(3)]
		beta := []float32{0, 1, 0.25}[r.IntN(3)]
		ar, ac := m, k
		if ta {
			ar, ac = k, m
		}
		br, bc := k, n
		if tb {
			br, bc = n, k
		}
		lda, ldb, ldc := ac+r.IntN(2), bc+r.IntN(2), n+r.IntN(2)
		a, b := floattest.RandSlice(r, ar*lda), floattest.RandSlice(r, br*ldb)
		c0 := floattest.RandSlice(r, (m-1)*ldc+n)
		want := append([]float32(nil), c0...)
		GemmRef(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, want, ldc)
		got, check := floattest.Guarded(len(c0))
		copy(got, c0)
		desc := fmt.Sprintf("m=%d n=%d k=%d transA=%v transB=%v alpha=%v beta=%v", m, n, k, ta, tb, alpha, beta)
		Gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, got, ldc)
		check(t, desc)
		for i := 0; i < m; i++ {
			floattest.AssertClose(t, desc, got[i*ldc:i*ldc+n], want[i*ldc:i*ldc+n], 1e-4*math.Sqrt(float64(k+1)))
		}
	}
}
