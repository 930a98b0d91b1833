//go:build amd64 && !purego

package core

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"unsafe"

	"wasmcnn/internal/floattest"
)

// nativeKernelSets lists this CPU's fused kernels.
func nativeKernelSets() []*fusedKernels {
	var ks []*fusedKernels
	for _, k := range []*fusedKernels{avx2FusedKernels, avx512FusedKernels} {
		if k != nil {
			ks = append(ks, k)
		}
	}
	return ks
}

// TestGatherNativeMatchesGo holds this CPU's Gather to goGather, its
// twin, on random blocks: strides 1 to 3, rows of 1 to 40 columns (the
// vector part and the last columns), several rows and taps; the source
// ends at the last element the gather may read.
func TestGatherNativeMatchesGo(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for iter := 0; iter < 500; iter++ {
		sw, ow, rows, kb := 1+r.IntN(3), 1+r.IntN(40), 1+r.IntN(4), 1+r.IntN(5)
		rowStep := (ow-1)*sw + 1 + r.IntN(5)
		offs := make([]int32, kb)
		for p := range offs {
			offs[p] = int32(r.IntN(50))
		}
		last := int(slices.Max(offs)) + (rows-1)*rowStep + (ow-1)*sw
		src := floattest.RandSlice(r, last+1)
		ld := rows*ow + r.IntN(9)
		want, got := make([]float32, kb*ld), make([]float32, kb*ld)
		goGather(unsafe.Pointer(&want[0]), unsafe.Pointer(&src[0]), unsafe.Pointer(&offs[0]), ld, kb, rows, ow, rowStep, sw)
		gatherNative(unsafe.Pointer(&got[0]), unsafe.Pointer(&src[0]), unsafe.Pointer(&offs[0]), ld, kb, rows, ow, rowStep, sw)
		floattest.AssertClose(t, fmt.Sprintf("sw=%d ow=%d rows=%d kb=%d", sw, ow, rows, kb), got, want, 0)
	}
}

// TestDeinterleaveNativeMatchesGo holds this CPU's deinterleave to
// goDeinterleave, its twin, on rows of 1 to 80 floats (whole vector
// blocks and the rest), writing nothing past the halves' ends.
func TestDeinterleaveNativeMatchesGo(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for n := 1; n <= 80; n++ {
		src := floattest.RandSlice(r, n)
		want, got := make([]float32, n+2), make([]float32, n+2)
		// The odd half starts after the even one and a guard float.
		goDeinterleave(unsafe.Pointer(&want[0]), unsafe.Pointer(&want[(n+1)/2+1]), unsafe.Pointer(&src[0]), n)
		deinterleaveNative(unsafe.Pointer(&got[0]), unsafe.Pointer(&got[(n+1)/2+1]), unsafe.Pointer(&src[0]), n)
		floattest.AssertClose(t, fmt.Sprintf("n=%d", n), got, want, 0)
	}
}
