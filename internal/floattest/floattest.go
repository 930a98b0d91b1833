// Package floattest holds the helpers that the engine's tests share: random
// data, NaN guard bands that catch writes out of range, and comparison of
// float32 slices with a tolerance. Only tests import it.
package floattest

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"
)

// RandSlice returns n values uniform in [-1, 1) from r.
func RandSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = r.Float32()*2 - 1
	}
	return s
}

// Guarded returns a slice of length n inside a larger buffer whose bands on
// both sides hold NaN, and a function that fails t if any band value changed:
// a kernel writing out of range is caught even where Go's bounds checks would
// not see it (gonum's Guarded vectors).
func Guarded(n int) ([]float32, func(t *testing.T, what string)) {
	const band = 67
	buf := make([]float32, n+2*band)
	for i := range buf {
		buf[i] = float32(math.NaN())
	}
	inner := buf[band : band+n : band+n]
	check := func(t *testing.T, what string) {
		t.Helper()
		for i := 0; i < band; i++ {
			if !math.IsNaN(float64(buf[i])) || !math.IsNaN(float64(buf[band+n+i])) {
				t.Fatalf("%s: wrote outside its output (guard band changed)", what)
			}
		}
	}
	return inner, check
}

// FirstMismatch reports the first index where got and want differ by more than
// tol·(1+|want|), or -1. NaNs are equal only to NaNs.
func FirstMismatch(got, want []float32, tol float64) int {
	if len(got) != len(want) {
		return 0
	}
	for i := range got {
		g, w := float64(got[i]), float64(want[i])
		if math.IsNaN(g) || math.IsNaN(w) {
			if math.IsNaN(g) != math.IsNaN(w) {
				return i
			}
			continue
		}
		if math.IsInf(w, 0) && g == w {
			continue
		}
		if math.Abs(g-w) > tol*(1+math.Abs(w)) {
			return i
		}
	}
	return -1
}

// AssertClose fails t when got and want differ beyond tol.
func AssertClose(t *testing.T, what string, got, want []float32, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d values, want %d", what, len(got), len(want))
	}
	if i := FirstMismatch(got, want, tol); i >= 0 {
		t.Fatalf("%s: element %d = %v, want %v", what, i, got[i], want[i])
	}
}

// FloatsToBytes returns f as little-endian bytes.
func FloatsToBytes(f []float32) []byte {
	b := make([]byte, 4*len(f))
	for i, v := range f {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	return b
}

// BytesToFloats reads little-endian float32 values from b.
func BytesToFloats(b []byte) []float32 {
	f := make([]float32, len(b)/4)
	for i := range f {
		f[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return f
}

// SampleIndices returns up to k distinct indices below n.
func SampleIndices(r *rand.Rand, n, k int) []int {
	if n <= k {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	return r.Perm(n)[:k]
}

// Seeded returns n values uniform in [0, 1) from a generator seeded with
// seed: the same values for the same seed in every test.
func Seeded(seed uint64, n int) []float32 {
	r := rand.New(rand.NewPCG(seed, seed))
	s := make([]float32, n)
	for i := range s {
		s[i] = r.Float32()
	}
	return s
}
