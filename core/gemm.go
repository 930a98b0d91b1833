package core

import (
	"runtime"
	"sync"
	"unsafe"
)

// Blocking of [Gemm]: the product is computed in slices of gemmKC along k,
// so that a packed panel of B (gemmKC × nr) stays in L1 and the packed block
// of A (m × gemmKC) in L2. Within them a micro-kernel computes one mr × nr
// tile of C at a time from the packed panels.
const gemmKC = 256

// gemmKernel is a micro-kernel: it adds to the mr×nr tile of C at c (row
// stride ldc)
//
//	c[r·ldc + j] += alpha · Σ_{p<kb} pa[p·mr + r] · pb[p·ldb + j]
//
// from an A panel packed mr rows at a time and nr columns of B with row
// stride ldb: a packed panel (ldb = nr) or, when B is not transposed, B
// itself, whose rows are already contiguous there. Callers guarantee the
// elements behind pa, pb and a whole tile behind c; edge tiles go through a
// scratch tile.
type gemmKernel struct {
	name   string
	mr, nr int
	run    func(kb int, pa, pb unsafe.Pointer, ldb int, c unsafe.Pointer, ldc int, alpha float32)
}

// goKernel is the portable micro-kernel. Go's wasm backend has 16 float
// registers, and a 2×4 tile (8 accumulators, 2 values of A, 4 of B) is the
// largest that never spills.
var goKernel = gemmKernel{"go2x4", 2, 4, kernel2x4}

// gemmKernels lists the micro-kernels usable on this machine, best first;
// init functions of architecture files prepend faster ones.
var gemmKernels = []gemmKernel{goKernel}

// GemmKernelName names the micro-kernel [Gemm] uses on this machine, such
// as "go2x4" or an assembly kernel's name.
func GemmKernelName() string { return gemmKernels[0].name }

// maxTile bounds mr·nr of every kernel.
const maxTile = 96

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
// that a steady stream of calls allocates nothing. They carry gemmPad spare
// elements so that the kernels' end pointers stay inside the allocation.
type gemmScratch struct {
	a    []float32 // A block, mr rows interleaved: a[(i/mr)·mr·kb + p·mr + i%mr]
	b    []float32 // B panel, nr columns interleaved: b[p·nr + j]
	tile [maxTile]float32
}

const gemmPad = 16

var gemmPool = sync.Pool{New: func() any { return new(gemmScratch) }}

// Gemm computes C = alpha·op(A)·op(B) + beta·C, where op(A) is the m×k matrix
// A (row-major, row stride lda) or, when transA is set, the transpose of the
// k×m matrix A; likewise op(B) is k×n from B or its transpose; C is m×n with
// row stride ldc. When beta is 0, C is only written, so it may hold NaNs.
// The result is identical, up to float32 rounding, to the reference GemmRef.
//
// Gemm checks its arguments like BLAS does and panics on a mismatch.
func Gemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	gemmWith(gemmKernels[0], transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// gemmWith is [Gemm] with a chosen micro-kernel.
func gemmWith(kern gemmKernel, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
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
	if pk := panelKernel; pk != nil && kern.name == gemmKernels[0].name && m*n*k >= pk.MinWork {
		gemmPanels(pk, transA, transB, m, n, k, alpha, a, lda, b, ldb, c, ldc)
		return
	}
	mr, nr := kern.mr, kern.nr
	s := gemmPool.Get().(*gemmScratch)
	mp := (m + mr - 1) / mr * mr
	if cap(s.a) < mp*gemmKC+gemmPad {
		s.a = make([]float32, mp*gemmKC+gemmPad)
	}
	if cap(s.b) < nr*gemmKC+gemmPad {
		s.b = make([]float32, nr*gemmKC+gemmPad)
	}
	// The edge tile lives in the pooled scratch: a local array would escape
	// through the kernel's function value and be allocated on every call.
	tile := &s.tile
	for p0 := 0; p0 < k; p0 += gemmKC {
		kb := min(gemmKC, k-p0)
		pa := s.a[:mp*kb]
		packA(transA, m, mr, kb, a, lda, p0, pa)
		for j0 := 0; j0 < n; j0 += nr {
			nb := min(nr, n-j0)
			var bp unsafe.Pointer
			bstride := nr
			if !transB && nb == nr && ldb <= panelDirectLd {
				// Read B in place: its rows hold the panel's columns contiguously
				// (unless they are so long that each read lands on another page).
				_ = b[(p0+kb-1)*ldb+j0+nr-1]
				bp, bstride = unsafe.Pointer(&b[p0*ldb+j0]), ldb
			} else {
				pb := s.b[:nr*kb]
				packB(transB, kb, nr, nb, b, ldb, p0, j0, pb)
				bp = unsafe.Pointer(&pb[0])
			}
			for i := 0; i < m; i += mr {
				mb := min(mr, m-i)
				if mb == mr && nb == nr {
					// Bounds-checked once: the tile's last element is in c.
					_ = c[(i+mr-1)*ldc+j0+nr-1]
					kern.run(kb, unsafe.Pointer(&pa[i*kb]), bp, bstride, unsafe.Pointer(&c[i*ldc+j0]), ldc, alpha)
					continue
				}
				clear(tile[:mr*nr])
				kern.run(kb, unsafe.Pointer(&pa[i*kb]), bp, bstride, unsafe.Pointer(&tile[0]), nr, 1)
				for ii := 0; ii < mb; ii++ {
					row := c[(i+ii)*ldc+j0 : (i+ii)*ldc+j0+nb]
					t := tile[ii*nr : ii*nr+nb]
					for jj := range row {
						row[jj] += alpha * t[jj]
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

// packA copies rows 0..m-1, columns p0..p0+kb-1 of op(A) into pa, mr rows
// interleaved per panel; rows past m are zero.
func packA(transA bool, m, mr, kb int, a []float32, lda, p0 int, pa []float32) {
	for i := 0; i < m; i += mr {
		d := pa[i*kb : i*kb+mr*kb]
		for r := 0; r < mr; r++ {
			switch {
			case i+r >= m:
				for p := 0; p < kb; p++ {
					d[p*mr+r] = 0
				}
			case transA:
				for p := 0; p < kb; p++ {
					d[p*mr+r] = a[(p0+p)*lda+i+r]
				}
			default:
				row := a[(i+r)*lda+p0 : (i+r)*lda+p0+kb]
				for p, v := range row {
					d[p*mr+r] = v
				}
			}
		}
	}
}

// packB copies rows p0..p0+kb-1, columns j0..j0+nb-1 of op(B) into pb, nr
// columns per row, zero-filling columns past nb.
func packB(transB bool, kb, nr, nb int, b []float32, ldb, p0, j0 int, pb []float32) {
	if !transB && nb == nr {
		// Row by row: each row of the panel is contiguous in B.
		for p := 0; p < kb; p++ {
			src := b[(p0+p)*ldb+j0 : (p0+p)*ldb+j0+nr]
			dst := pb[p*nr : (p+1)*nr]
			for j, v := range src {
				dst[j] = v
			}
		}
		return
	}
	for j := 0; j < nr; j++ {
		switch {
		case j >= nb:
			for p := 0; p < kb; p++ {
				pb[p*nr+j] = 0
			}
		case transB:
			col := b[(j0+j)*ldb+p0 : (j0+j)*ldb+p0+kb]
			for p, v := range col {
				pb[p*nr+j] = v
			}
		default:
			for p := 0; p < kb; p++ {
				pb[p*nr+j] = b[(p0+p)*ldb+j0+j]
			}
		}
	}
}

// f32at reads the float32 i places after p.
func f32at(p unsafe.Pointer, i uintptr) float32 { return *(*float32)(unsafe.Add(p, 4*i)) }

// kernel2x4 is the portable 2×4 micro-kernel (see [gemmKernel]). It reads
// through unsafe pointers and unrolls by four because bounds checks and loop
// back-edges dominate the cost in wasm.
func kernel2x4(kb int, pa, pb unsafe.Pointer, ldb int, c unsafe.Pointer, ldc int, alpha float32) {
	bs := uintptr(4 * ldb)
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
		pb = unsafe.Add(pb, bs)
		x, y = f32at(pa, 2), f32at(pa, 3)
		b0, b1, b2, b3 = f32at(pb, 0), f32at(pb, 1), f32at(pb, 2), f32at(pb, 3)
		c00 += x * b0
		c01 += x * b1
		c02 += x * b2
		c03 += x * b3
		c10 += y * b0
		c11 += y * b1
		c12 += y * b2
		c13 += y * b3
		pb = unsafe.Add(pb, bs)
		x, y = f32at(pa, 4), f32at(pa, 5)
		b0, b1, b2, b3 = f32at(pb, 0), f32at(pb, 1), f32at(pb, 2), f32at(pb, 3)
		c00 += x * b0
		c01 += x * b1
		c02 += x * b2
		c03 += x * b3
		c10 += y * b0
		c11 += y * b1
		c12 += y * b2
		c13 += y * b3
		pb = unsafe.Add(pb, bs)
		x, y = f32at(pa, 6), f32at(pa, 7)
		b0, b1, b2, b3 = f32at(pb, 0), f32at(pb, 1), f32at(pb, 2), f32at(pb, 3)
		c00 += x * b0
		c01 += x * b1
		c02 += x * b2
		c03 += x * b3
		c10 += y * b0
		c11 += y * b1
		c12 += y * b2
		c13 += y * b3
		pa = unsafe.Add(pa, 32)
		pb = unsafe.Add(pb, bs)
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
		pb = unsafe.Add(pb, bs)
	}
	r0 := (*[4]float32)(c)
	r0[0] += alpha * c00
	r0[1] += alpha * c01
	r0[2] += alpha * c02
	r0[3] += alpha * c03
	r1 := (*[4]float32)(unsafe.Add(c, 4*ldc))
	r1[0] += alpha * c10
	r1[1] += alpha * c11
	r1[2] += alpha * c12
	r1[3] += alpha * c13
}

// gemv handles m == 1, a row vector times a matrix, where packing would cost
// as much as the product: with transB each output is a dot product of two
// contiguous rows, otherwise C accumulates scaled rows of B. A transposed A
// is a column, gathered into x first.
// gemvDotsMinWork is the fewest multiply-adds a native gemv hands to the
// CPU's dot-product kernel: below it the call costs more than it saves.
const gemvDotsMinWork = 1024

func gemv(transA, transB bool, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, c []float32) {
	if pk := panelKernel; pk != nil && pk.Dots != nil && transB && !transA && alpha == 1 && k%4 == 0 && n*k >= pk.MinWork {
		// a, not x: a local buffer handed to the kernel would escape.
		_, _, _ = a[k-1], b[(n-1)*ldb+k-1], c[n-1]
		pk.Dots(unsafe.Pointer(&c[0]), unsafe.Pointer(&a[0]), unsafe.Pointer(&b[0]), ldb, n, k)
		runtime.KeepAlive(a)
		runtime.KeepAlive(b)
		runtime.KeepAlive(c)
		return
	}
	if panelKernel == nil && transB && !transA && alpha == 1 && n*k >= gemvDotsMinWork {
		// Natively the CPU's vector dot products: a classifier's weights
		// (MobileNetV3's 1024×1000) stream through at the memory's pace,
		// where Go's scalar loop kept to its own.
		_, _, _ = a[k-1], b[(n-1)*ldb+k-1], c[n-1]
		nativeFusedKernels.dots(unsafe.Pointer(&c[0]), unsafe.Pointer(&a[0]), unsafe.Pointer(&b[0]), ldb, n, k)
		runtime.KeepAlive(a)
		runtime.KeepAlive(b)
		runtime.KeepAlive(c)
		return
	}
	var buf [256]float32
	x := a[:k]
	if transA {
		x = buf[:0]
		if k > len(buf) {
			x = make([]float32, 0, k)
		}
		for p := 0; p < k; p++ {
			x = append(x, a[p*lda])
		}
	}
	if transB {
		for j := 0; j < n; j++ {
			c[j] += alpha * dot(x, b[j*ldb:j*ldb+k])
		}
		return
	}
	cr := c[:n]
	for p, v := range x {
		axpy(alpha*v, b[p*ldb:p*ldb+n], cr)
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
