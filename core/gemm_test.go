package core

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"wasmcnn/internal/floattest"
)

// gemmFunc is the signature shared by Gemm and GemmRef.
type gemmFunc func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)

// TestGemmGolden checks a small product worked out by hand, for every implementation.
func TestGemmGolden(t *testing.T) {
	for name, f := range map[string]gemmFunc{"Gemm": Gemm, "GemmRef": GemmRef} {
		// A = [1 2 3; 4 5 6], B = [7 8; 9 10; 11 12]: A·B = [58 64; 139 154].
		a := []float32{1, 2, 3, 4, 5, 6}
		b := []float32{7, 8, 9, 10, 11, 12}
		c := []float32{1, 1, 1, 1}
		f(false, false, 2, 2, 3, 2, a, 3, b, 2, 10, c, 2)
		floattest.AssertClose(t, name, c, []float32{126, 138, 288, 318}, 0)
		// Aᵀ given as 3×2 and Bᵀ as 2×3 must give the same product.
		at := []float32{1, 4, 2, 5, 3, 6}
		bt := []float32{7, 9, 11, 8, 10, 12}
		c = []float32{float32(math.NaN()), 0, 0, 0}
		f(true, true, 2, 2, 3, 1, at, 2, bt, 3, 0, c, 2)
		floattest.AssertClose(t, name+" transposed", c, []float32{58, 64, 139, 154}, 0)
	}
}

// TestGemmCrossCheck compares every micro-kernel this machine has with
// GemmRef on random shapes, all four transpositions, several alpha and beta,
// strides wider than the matrices, and NaN guard bands around C.
func TestGemmCrossCheck(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	dims := []int{1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 31, 64, 255, 256, 257, 300}
	for iter := 0; iter < 400; iter++ {
		m, n, k := dims[r.IntN(len(dims))], dims[r.IntN(len(dims))], dims[r.IntN(len(dims))]
		if iter%50 == 0 {
			k = 0
		}
		ta, tb := r.IntN(2) == 1, r.IntN(2) == 1
		alpha := []float32{1, 0.5, -2, 0}[r.IntN(4)]
		beta := []float32{0, 1, 0.25}[r.IntN(3)]
		ar, ac := m, k
		if ta {
			ar, ac = k, m
		}
		br, bc := k, n
		if tb {
			br, bc = n, k
		}
		lda, ldb, ldc := max(1, ac)+r.IntN(3), max(1, bc)+r.IntN(3), n+r.IntN(3)
		a := floattest.RandSlice(r, max(ar*lda, 1))
		b := floattest.RandSlice(r, max(br*ldb, 1))
		c0 := floattest.RandSlice(r, (m-1)*ldc+n)
		if beta == 0 {
			for i := range c0 {
				c0[i] = float32(math.NaN())
			}
		}
		want := append([]float32(nil), c0...)
		GemmRef(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, want, ldc)
		got, check := floattest.Guarded(len(c0))
		copy(got, c0)
		kern := gemmKernels[iter%len(gemmKernels)]
		desc := fmt.Sprintf("%s m=%d n=%d k=%d transA=%v transB=%v alpha=%v beta=%v", kern.name, m, n, k, ta, tb, alpha, beta)
		gemmWith(kern, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, got, ldc)
		check(t, desc)
		// Between rows (ldc > n) C must be untouched.
		for i := 0; i < m-1; i++ {
			for j := n; j < ldc; j++ {
				if got[i*ldc+j] != c0[i*ldc+j] && !(math.IsNaN(float64(got[i*ldc+j])) && math.IsNaN(float64(c0[i*ldc+j]))) {
					t.Fatalf("%s: wrote into the row gap at (%d,%d)", desc, i, j)
				}
			}
		}
		for i := 0; i < m; i++ {
			floattest.AssertClose(t, desc, got[i*ldc:i*ldc+n], want[i*ldc:i*ldc+n], 1e-4*math.Sqrt(float64(k+1)))
		}
	}
}

// TestGemmPanics checks that inconsistent arguments are refused.
func TestGemmPanics(t *testing.T) {
	cases := []struct {
		desc string
		f    func()
	}{
		{"negative m", func() { Gemm(false, false, -1, 1, 1, 1, nil, 1, nil, 1, 0, nil, 1) }},
		{"short A", func() {
			Gemm(false, false, 2, 2, 2, 1, make([]float32, 3), 2, make([]float32, 4), 2, 0, make([]float32, 4), 2)
		}},
		{"short C", func() {
			Gemm(false, false, 2, 2, 2, 1, make([]float32, 4), 2, make([]float32, 4), 2, 0, make([]float32, 3), 2)
		}},
		{"lda too small", func() {
			Gemm(false, false, 2, 2, 2, 1, make([]float32, 4), 1, make([]float32, 4), 2, 0, make([]float32, 4), 2)
		}},
	}
	for _, c := range cases {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", c.desc)
				}
			}()
			c.f()
		}()
	}
}
