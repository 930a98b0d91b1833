//go:build amd64 && !purego

package core

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// kernel6x16AVX2 is the 6×16 micro-kernel in AVX2 with FMA (see
// [gemmKernel]): twelve 8-wide accumulators, two loads of B and one broadcast
// of A per row and step, then C += alpha·accumulators. Implemented in
// gemm_amd64.s.
//
//go:noescape
func kernel6x16AVX2(kb int, pa, pb unsafe.Pointer, ldb int, c unsafe.Pointer, ldc int, alpha float32)

func init() {
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		gemmKernels = append([]gemmKernel{{"avx2_6x16", 6, 16, kernel6x16AVX2}}, gemmKernels...)
	}
}
