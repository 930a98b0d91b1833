package core

import (
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"

	"wasmcnn/internal/floattest"
)

// specialValues puts NaNs, infinities and both zeros among random values,
// where a vector max and Go's compares could disagree.
func specialValues(r *rand.Rand, n int) []float32 {
	specials := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 0, float32(math.Copysign(0, -1)), -1e-40, 1e-40}
	x := make([]float32, n)
	for i := range x {
		if r.IntN(4) == 0 {
			x[i] = specials[r.IntN(len(specials))]
		} else {
			x[i] = float32(r.NormFloat64())
		}
	}
	return x
}

// sameBits reports whether a and b hold the same bit patterns.
func sameBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

// TestNativeElementwiseMatchesGo holds this CPU's vector ReLU and 2×2 max
// pooling, when the build has them, to Go's loops bit for bit (NaN, −0 and
// ties included), with guard bands around every output.
func TestNativeElementwiseMatchesGo(t *testing.T) {
	k := nativeElementwise
	if k == nil {
		t.Log("no native vector kernels in this build: ReLU and pooling run Go's loops, which the other tests cover")
		return
	}
	r := rand.New(rand.NewPCG(5, 6))
	for n := k.ReLUStep; n <= 200; n += k.ReLUStep {
		x := specialValues(r, n)
		want := make([]float32, n)
		reluGo(want, x)
		got, check := floattest.Guarded(n)
		k.ReLU(unsafe.Pointer(&got[0]), unsafe.Pointer(&x[0]), n)
		check(t, "relu")
		if !sameBits(got, want) {
			t.Fatalf("relu of %d floats differs from Go's", n)
		}
		k.ReLU(unsafe.Pointer(&x[0]), unsafe.Pointer(&x[0]), n) // in place, as layers call it
		if !sameBits(x, want) {
			t.Fatalf("relu in place of %d floats differs from Go's", n)
		}
	}
	for iter := 0; iter < 300; iter++ {
		ow := k.MaxPool2MinOW + r.IntN(20)
		w := 2*ow + r.IntN(3) // rows may be wider than the windows use
		rows := 1 + r.IntN(9)
		x := specialValues(r, 2*rows*w)
		want := make([]float32, rows*ow)
		g := ConvGeom{N: 1, C: 1, H: 2 * rows, W: w, OH: rows, OW: ow}
		saved := nativeElementwise
		nativeElementwise = nil // Go's loop
		maxPool2x2(want, x, nil, &g)
		nativeElementwise = saved
		got, check := floattest.Guarded(rows * ow)
		k.MaxPool2(unsafe.Pointer(&got[0]), unsafe.Pointer(&x[0]), rows, w, ow)
		check(t, "maxpool2")
		if !sameBits(got, want) {
			t.Fatalf("2×2 max pooling of %d rows, w %d, ow %d differs from Go's:\n got %v\nwant %v", rows, w, ow, got, want)
		}
	}
}
