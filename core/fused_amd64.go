//go:build amd64 && !purego

package core

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// gemmEpAVX2 is [PanelKernel].GemmEp for 6×16 tiles with B in rows
// (bPanel = 16), in AVX2 with FMA: the 6×16 kernel of Gemm, whose twelve
// accumulators start at zero and, once the depth is done, are added to the
// epilogue's initial values (the tile itself, or bias and residual) and
// stored; the activation then passes over the stored tile while it is in
// the first-level cache. mp is a multiple of 6, np of 16. Implemented in
// fused_amd64.s.
//
//go:noescape
func gemmEpAVX2(pa, pb unsafe.Pointer, bRow int, c unsafe.Pointer, ldc, mp, np, kb int, ep *EpilogueArgs)

// depthwiseAVX2 is [PanelKernel].Depthwise in AVX2 with FMA: four vectors
// of eight outputs of a row at a time while they last, then one, then the
// last columns through a masked store; at stride 2 the even columns of
// two loaded vectors are gathered with VSHUFPS and VPERMPD. Implemented in
// fused_amd64.s.
//
//go:noescape
func depthwiseAVX2(a *DepthwiseArgs)

func init() {
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		nativeFusedKernels = &fusedKernels{name: "avx2_6x16", mr: 6, nr: 16, gemm: gemmEpAVX2, depthwise: depthwiseAVX2, gather: goGather}
	}
}
