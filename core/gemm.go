package core

import (
	"sync"
	"unsafe"
)

// Blocking of [Gemm]: the product is computed in slices of gemmKC along k, so
// that a packed panel of B (gemmKC×gemmNR) stays in L1 and the packed block of A
// (m×gemmKC) in L2. Each micro-tile of C is gemmMR×gemmNR: Go's wasm backend
// has 16 float registers, and a 2×4 tile (8 accumulators, 2 values of A,
// 4 of B) is the largest that never spills.
const (
	gemmKC = 256
	gemmMR = 2
	gemmNR = 4
)

// Panic messages of [Gemm]'s argument checks.
const (
	panicGemmDims = "core: Gemm: negative dimension"
	panicGemmLdA  = "core: Gemm: bad lda"
	panicGemmLdB  = "core: Gemm: bad ldb"
	panicGemmLdC  = "core: Gemm: bad ldc"
	panicGemmA    = "core: Gemm: A too short"
	panicGemmB    = "core: Gemm: B too short"
	panicGemmC    = "core: Gemm: C too short"
)

// gemmScratch holds the packing buffers of one Gemm call; they are pooled so
// that a steady stream of calls allocates nothing.
type gemmScratch struct {
	a []float32 // A block, rows interleaved in pairs: a[(i/2)*2*kb + 2*p + i%2]
	b []float32 // B panel, four columns interleaved: b[4*p + j]
}

// The buffers carry gemmPad spare elements so that the kernels' end pointers
// stay inside the allocation.
var gemmPool = sync.Pool{New: func() any { return &gemmScratch{b: make([]float32, gemmKC*gemmNR+gemmPad)} }}

const gemmPad = 4

// Gemm computes C = alpha·op(A)·op(B) + beta·C, where op(A) is the m×k matrix
// A (row-major, row stride lda) or, when transA is set, the transpose of the
// k×m matrix A; likewise op(B) is k×n from B or its transpose; C is m×n with
// row stride ldc. When beta is 0, C is only written, so it may hold NaNs.
// The result is identical, up to float32 rounding, to the reference gemmRef.
//
// Gemm checks its arguments like BLAS does and panics on a mismatch.
func Gemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkGemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	scaleRows(m, n, beta, c, ldc)
	if k == 0 || alpha == 0 {
		return
	}
	if m == 1 {
		gemv(transA, transB, n, k, alpha, a, lda, b, ldb, c)
		return
	}
	s := gemmPool.Get().(*gemmScratch)
	mp := (m + 1) &^ 1
	if cap(s.a) < mp*gemmKC {
		s.a = make([]float32, mp*gemmKC+gemmPad)
	}
	var tile [gemmMR * gemmNR]float32
	for p0 := 0; p0 < k; p0 += gemmKC {
		kb := min(gemmKC, k-p0)
		pa := s.a[:mp*kb]
		packA(transA, m, kb, a, lda, p0, pa)
		for j0 := 0; j0 < n; j0 += gemmNR {
			nb := min(gemmNR, n-j0)
			pb := s.b[:gemmNR*kb]
			packB(transB, kb, nb, b, ldb, p0, j0, pb)
			for i := 0; i < m; i += gemmMR {
				kernel2x4(kb, unsafe.Pointer(&pa[i*kb]), unsafe.Pointer(&pb[0]), &tile)
				if i+1 < m && nb == gemmNR {
					r0 := c[i*ldc+j0 : i*ldc+j0+4 : i*ldc+j0+4]
					r1 := c[(i+1)*ldc+j0 : (i+1)*ldc+j0+4 : (i+1)*ldc+j0+4]
					r0[0] += alpha * tile[0]
					r0[1] += alpha * tile[1]
					r0[2] += alpha * tile[2]
					r0[3] += alpha * tile[3]
					r1[0] += alpha * tile[4]
					r1[1] += alpha * tile[5]
					r1[2] += alpha * tile[6]
					r1[3] += alpha * tile[7]
					continue
				}
				for ii := 0; ii < min(gemmMR, m-i); ii++ {
					for jj := 0; jj < nb; jj++ {
						c[(i+ii)*ldc+j0+jj] += alpha * tile[ii*gemmNR+jj]
					}
				}
			}
		}
	}
	gemmPool.Put(s)
}

// checkGemm panics unless the slices and strides fit the dimensions.
func checkGemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(panicGemmDims)
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	if lda < max(1, ac) {
		panic(panicGemmLdA)
	}
	if ldb < max(1, bc) {
		panic(panicGemmLdB)
	}
	if ldc < max(1, n) {
		panic(panicGemmLdC)
	}
	if ar > 0 && ac > 0 && len(a) < (ar-1)*lda+ac {
		panic(panicGemmA)
	}
	if br > 0 && bc > 0 && len(b) < (br-1)*ldb+bc {
		panic(panicGemmB)
	}
	if m > 0 && n > 0 && len(c) < (m-1)*ldc+n {
		panic(panicGemmC)
	}
}

// scaleRows multiplies the m×n matrix c by beta; beta 0 stores zeros, so NaNs
// in c do not survive.
func scaleRows(m, n int, beta float32, c []float32, ldc int) {
	if beta == 1 {
		return
	}
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// packA copies rows 0..m-1, columns p0..p0+kb-1 of op(A) into pa, rows
// interleaved in pairs; a missing last row of an odd m is zero.
func packA(transA bool, m, kb int, a []float32, lda, p0 int, pa []float32) {
	for i := 0; i < m; i += 2 {
		d := pa[i*kb : i*kb+2*kb]
		for r := 0; r < 2; r++ {
			if i+r >= m {
				for p := 0; p < kb; p++ {
					d[2*p+r] = 0
				}
				continue
			}
			if transA {
				for p := 0; p < kb; p++ {
					d[2*p+r] = a[(p0+p)*lda+i+r]
				}
			} else {
				row := a[(i+r)*lda+p0 : (i+r)*lda+p0+kb]
				for p, v := range row {
					d[2*p+r] = v
				}
			}
		}
	}
}

// packB copies rows p0..p0+kb-1, columns j0..j0+nb-1 of op(B) into pb, four
// columns per row, zero-filling columns past nb.
func packB(transB bool, kb, nb int, b []float32, ldb, p0, j0 int, pb []float32) {
	if !transB && nb == gemmNR {
		for p := 0; p < kb; p++ {
			src := b[(p0+p)*ldb+j0 : (p0+p)*ldb+j0+4 : (p0+p)*ldb+j0+4]
			dst := pb[4*p : 4*p+4 : 4*p+4]
			dst[0], dst[1], dst[2], dst[3] = src[0], src[1], src[2], src[3]
		}
		return
	}
	for j := 0; j < gemmNR; j++ {
		if j >= nb {
			for p := 0; p < kb; p++ {
				pb[4*p+j] = 0
			}
			continue
		}
		if transB {
			col := b[(j0+j)*ldb+p0 : (j0+j)*ldb+p0+kb]
			for p, v := range col {
				pb[4*p+j] = v
			}
		} else {
			for p := 0; p < kb; p++ {
				pb[4*p+j] = b[(p0+p)*ldb+j0+j]
			}
		}
	}
}

// f32at reads the float32 i places after p.
func f32at(p unsafe.Pointer, i uintptr) float32 { return *(*float32)(unsafe.Add(p, 4*i)) }

// kernel2x4 computes the 2×4 tile sum over p of pa[2p+r]·pb[4p+j] for the
// packed panels pa (2×kb) and pb (kb×4), writing it to tile[4r+j]. It reads
// through unsafe pointers because bounds checks and loop back-edges dominate
// the cost in wasm; the callers guarantee 2·kb and 4·kb valid elements.
func kernel2x4(kb int, pa, pb unsafe.Pointer, tile *[gemmMR * gemmNR]float32) {
	var c00, c01, c02, c03, c10, c11, c12, c13 float32
	end := unsafe.Add(pa, 8*(kb&^3))
	for pa != end {
		x, y := f32at(pa, 0), f32at(pa, 1)
		b0, b1, b2, b3 := f32at(pb, 0), f32at(pb, 1), f32at(pb, 2), f32at(pb, 3)
		c00 += x * b0
		c01 += x * b1
		c02 += x * b2
		c03 += x * b3
		c10 += y * b0
		c11 += y * b1
		c12 += y * b2
		c13 += y * b3
		x, y = f32at(pa, 2), f32at(pa, 3)
		b0, b1, b2, b3 = f32at(pb, 4), f32at(pb, 5), f32at(pb, 6), f32at(pb, 7)
		c00 += x * b0
		c01 += x * b1
		c02 += x * b2
		c03 += x * b3
		c10 += y * b0
		c11 += y * b1
		c12 += y * b2
		c13 += y * b3
		x, y = f32at(pa, 4), f32at(pa, 5)
		b0, b1, b2, b3 = f32at(pb, 8), f32at(pb, 9), f32at(pb, 10), f32at(pb, 11)
		c00 += x * b0
		c01 += x * b1
		c02 += x * b2
		c03 += x * b3
		c10 += y * b0
		c11 += y * b1
		c12 += y * b2
		c13 += y * b3
		x, y = f32at(pa, 6), f32at(pa, 7)
		b0, b1, b2, b3 = f32at(pb, 12), f32at(pb, 13), f32at(pb, 14), f32at(pb, 15)
		c00 += x * b0
		c01 += x * b1
		c02 += x * b2
		c03 += x * b3
		c10 += y * b0
		c11 += y * b1
		c12 += y * b2
		c13 += y * b3
		pa = unsafe.Add(pa, 32)
		pb = unsafe.Add(pb, 64)
	}
	for r := kb & 3; r > 0; r-- {
		x, y := f32at(pa, 0), f32at(pa, 1)
		b0, b1, b2, b3 := f32at(pb, 0), f32at(pb, 1), f32at(pb, 2), f32at(pb, 3)
		c00 += x * b0
		c01 += x * b1
		c02 += x * b2
		c03 += x * b3
		c10 += y * b0
		c11 += y * b1
		c12 += y * b2
		c13 += y * b3
		pa = unsafe.Add(pa, 8)
		pb = unsafe.Add(pb, 16)
	}
	*tile = [8]float32{c00, c01, c02, c03, c10, c11, c12, c13}
}

// gemv handles m == 1, a row vector times a matrix, where packing would cost
// as much as the product: with transB each output is a dot product of two
// contiguous rows, otherwise C accumulates scaled rows of B.
func gemv(transA, transB bool, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, c []float32) {
	x := func(p int) float32 { return a[p] }
	if transA {
		x = func(p int) float32 { return a[p*lda] }
	}
	if transB {
		if !transA {
			xr := a[:k]
			for j := 0; j < n; j++ {
				c[j] += alpha * dot(xr, b[j*ldb:j*ldb+k])
			}
			return
		}
		for j := 0; j < n; j++ {
			row := b[j*ldb : j*ldb+k]
			var s float32
			for p, v := range row {
				s += x(p) * v
			}
			c[j] += alpha * s
		}
		return
	}
	cr := c[:n]
	for p := 0; p < k; p++ {
		axpy(alpha*x(p), b[p*ldb:p*ldb+n], cr)
	}
}

// dot returns the dot product of x and y (len(y) ≥ len(x)) with four partial sums.
func dot(x, y []float32) float32 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] * y[i]
		s1 += x[i+1] * y[i+1]
		s2 += x[i+2] * y[i+2]
		s3 += x[i+3] * y[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// axpy adds alpha·x to y (len(y) ≥ len(x)).
func axpy(alpha float32, x, y []float32) {
	if alpha == 0 {
		return
	}
	y = y[:len(x)]
	for i, v := range x {
		y[i] += alpha * v
	}
}
