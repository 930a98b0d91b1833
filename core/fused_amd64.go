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

// gemmEpAVX512 is gemmEpAVX2 with 12×32 tiles in AVX-512 (twenty-four
// accumulators of 16 floats): twice the multiply-adds per instruction
// where the CPU executes 512-bit vectors at full width. mp is a multiple
// of 12, np of 32. Implemented in fused_amd64.s.
//
//go:noescape
func gemmEpAVX512(pa, pb unsafe.Pointer, bRow int, c unsafe.Pointer, ldc, mp, np, kb int, ep *EpilogueArgs)

// depthwiseAVX2 is [PanelKernel].Depthwise in AVX2 with FMA: while four
// rows are left, eight outputs of each of four rows at a time (the last
// columns through a masked store), so that four sums run side by side
// even on MobileNet's 7- and 14-wide rows, where one row's sum would wait
// on its own last FMA at every tap; then, on the last rows, four vectors
// of eight outputs of a row at a time while they last, then one. At
// stride 2 the even columns of two loaded vectors are gathered with
// VSHUFPS and VPERMPD. Implemented in fused_amd64.s.
//
//go:noescape
func depthwiseAVX2(a *DepthwiseArgs)

// quantInAVX2 is [PanelKernel].QuantIn for n a positive multiple of 8.
// Implemented in fused_amd64.s.
//
//go:noescape
func quantInAVX2(dst, src unsafe.Pointer, n int, zero int32, signed bool)

// requantRowAVX2 is [PanelKernel].Requant for one row of n floats, n a
// positive multiple of 8, with lo and hi the output's range less its zero
// point as floats. Implemented in fused_amd64.s.
//
//go:noescape
func requantRowAVX2(dst, src unsafe.Pointer, n int, bias int32, scale, lo, hi float32, zero int32, signed bool)

// dotsAVX2 is [PanelKernel].Dots for k a positive multiple of 8.
// Implemented in fused_amd64.s.
//
//go:noescape
func dotsAVX2(y, a, b unsafe.Pointer, ldb, n, k int)

// dotsNative runs dotsAVX2 on the multiple of 8 of k and Go on the rest.
func dotsNative(y, a, b unsafe.Pointer, ldb, n, k int) {
	if k8 := k &^ 7; k8 > 0 {
		dotsAVX2(y, a, b, ldb, n, k8)
		a, b, k = unsafe.Add(a, 4*k8), unsafe.Add(b, 4*k8), k-k8
	}
	if k > 0 {
		goDots(y, a, b, ldb, n, k)
	}
}

// quantInNative runs quantInAVX2 on whole vectors and Go on the rest.
func quantInNative(dst, src unsafe.Pointer, n int, zero int32, signed bool) {
	if n8 := n &^ 7; n8 > 0 {
		quantInAVX2(dst, src, n8, zero, signed)
		dst, src, n = unsafe.Add(dst, 4*n8), unsafe.Add(src, n8), n-n8
	}
	if n > 0 {
		goQuantIn(dst, src, n, zero, signed)
	}
}

// requantNative runs requantRowAVX2 on each row's whole vectors and Go on
// the rest.
func requantNative(dst, src unsafe.Pointer, rows, cols int, a *RequantArgs) {
	bias, scale := unsafe.Slice((*int32)(a.Bias), rows), unsafe.Slice((*float32)(a.Scale), rows)
	lo, hi := float32(a.Lo-a.Zero), float32(a.Hi-a.Zero)
	signed := a.Lo < 0
	n8 := cols &^ 7
	for r := 0; r < rows; r++ {
		d, s := unsafe.Add(dst, r*cols), unsafe.Add(src, 4*r*cols)
		if n8 > 0 {
			requantRowAVX2(d, s, n8, bias[r], scale[r], lo, hi, a.Zero, signed)
		}
		if n8 < cols {
			row := RequantArgs{Bias: unsafe.Pointer(&bias[r]), Scale: unsafe.Pointer(&scale[r]), Zero: a.Zero, Lo: a.Lo, Hi: a.Hi}
			goRequant(unsafe.Add(d, n8), unsafe.Add(s, 4*n8), 1, cols-n8, &row)
		}
	}
}

// evensAVX2 sets dst[q] = src[2q] for q < n, n a positive multiple of 8,
// reading src up to src[2n−1]. Implemented in fused_amd64.s.
//
//go:noescape
func evensAVX2(dst, src unsafe.Pointer, n int)

// gatherNative is [PanelKernel].Gather on this CPU: rows at stride 2 (a
// stem's 3×3 stride-2 convolution over a 224×224 image, 27 rows of 12544
// columns, which Go's loop gathered at a float a nanosecond) take the
// vector kernel on all but their last columns, so that it never reads
// past the row's last tap; the others are goGather's.
func gatherNative(dst, base, offs unsafe.Pointer, ld, kb, rows, ow, rowStep, sw int) {
	n8 := (ow - 1) &^ 7
	if sw != 2 || n8 == 0 {
		goGather(dst, base, offs, ld, kb, rows, ow, rowStep, sw)
		return
	}
	for p := 0; p < kb; p++ {
		o := int(*(*int32)(unsafe.Add(offs, 4*p)))
		for r := 0; r < rows; r++ {
			src := unsafe.Add(base, 4*(o+r*rowStep))
			d := unsafe.Add(dst, 4*(p*ld+r*ow))
			evensAVX2(d, src, n8)
			for q := n8; q < ow; q++ {
				*(*float32)(unsafe.Add(d, 4*q)) = *(*float32)(unsafe.Add(src, 8*q))
			}
		}
	}
}

// deinterleaveAVX2 sets e[i] = src[2i] and o[i] = src[2i+1] for i < n/2,
// n a positive multiple of 16. Implemented in fused_amd64.s.
//
//go:noescape
func deinterleaveAVX2(e, o, src unsafe.Pointer, n int)

// deinterleaveNative is the deinterleave of [fusedKernels] on this CPU:
// the vector kernel on whole blocks of sixteen floats, Go on the rest.
func deinterleaveNative(e, o, src unsafe.Pointer, n int) {
	if n16 := n &^ 15; n16 > 0 {
		deinterleaveAVX2(e, o, src, n16)
		e, o, src, n = unsafe.Add(e, 2*n16), unsafe.Add(o, 2*n16), unsafe.Add(src, 4*n16), n-n16
	}
	if n > 0 {
		goDeinterleave(e, o, src, n)
	}
}

// depthwiseAVX512 is [PanelKernel].Depthwise at stride 1 for OW ≥ 16 and
// OH ≥ 4: four rows of 32 outputs at a time, eight sums of sixteen side by
// side, the last columns through masks. Implemented in fused_amd64.s.
//
//go:noescape
func depthwiseAVX512(a *DepthwiseArgs)

// depthwiseNative512 is the AVX-512 kernels' depthwise: rows of 16 and
// more at stride 1 (which includes the split rows of stride 2) on
// sixteen lanes, the narrower ones on depthwiseAVX2, whose eight lanes
// waste less of a 7- or 14-wide row.
func depthwiseNative512(a *DepthwiseArgs) {
	if a.SW == 1 && a.OW >= 16 && a.OH >= 4 {
		depthwiseAVX512(a)
		return
	}
	depthwiseAVX2(a)
}

// avx2FusedKernels and avx512FusedKernels are this CPU's kernels, nil
// where it lacks the instructions.
var avx2FusedKernels, avx512FusedKernels *fusedKernels

func init() {
	if !cpu.X86.HasAVX2 || !cpu.X86.HasFMA {
		return
	}
	avx2FusedKernels = &fusedKernels{name: "avx2_6x16", mr: 6, nr: 16, gemm: gemmEpAVX2, depthwise: depthwiseAVX2, gather: gatherNative,
		quantIn: quantInNative, requant: requantNative, dots: dotsNative, deinterleave: deinterleaveNative}
	nativeFusedKernels = avx2FusedKernels
	if cpu.X86.HasAVX512F {
		k := *avx2FusedKernels
		k.name, k.mr, k.nr, k.gemm, k.depthwise = "avx512_12x32", 12, 32, gemmEpAVX512, depthwiseNative512
		avx512FusedKernels = &k
		nativeFusedKernels = avx512FusedKernels
	}
}
