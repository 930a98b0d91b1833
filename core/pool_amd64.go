//go:build amd64 && !purego

package core

import "unsafe"

// maxPoolRowsS1AVX2 and maxPoolRowsS2AVX2 are maxPoolRowsAVX2 for strides
// 1 and 2. Implemented in pool_amd64.s.
//
//go:noescape
func maxPoolRowsS1AVX2(y, x unsafe.Pointer, rows, n, yRow, xRow, w, kh, kw int)

//go:noescape
func maxPoolRowsS2AVX2(y, x unsafe.Pointer, rows, n, yRow, xRow, w, kh, kw int)

// maxPoolRowsAVX2 is the MaxPoolRows kernel of elementwiseKernels (strides
// 1 and 2, n ≥ 8), bit for bit as maxPoolRowsGo: eight outputs per
// compare where the Go loop branches on every tap, which random data
// mispredicts half the time (max pooling was half of GoogLeNet's time).
func maxPoolRowsAVX2(y, x unsafe.Pointer, planes, yPlane, xPlane, rows, n, yRow, xRow, w, kh, kw, sw int) {
	for p := 0; p < planes; p++ {
		yp, xp := unsafe.Add(y, 4*p*yPlane), unsafe.Add(x, 4*p*xPlane)
		if sw == 1 {
			maxPoolRowsS1AVX2(yp, xp, rows, n, yRow, xRow, w, kh, kw)
		} else {
			maxPoolRowsS2AVX2(yp, xp, rows, n, yRow, xRow, w, kh, kw)
		}
	}
}

// planeMeansAVX2 is the PlaneMeans kernel of elementwiseKernels for planes
// > 0 and hw > 0. Implemented in pool_amd64.s.
//
//go:noescape
func planeMeansAVX2(y, x unsafe.Pointer, planes, hw int, inv float64)

// maxPoolSame3AVX2 and maxPoolSame3AVX are maxPoolSame3Kernel for rows of
// at least 8 and 4 floats. Implemented in pool_same_amd64.s.
//
//go:noescape
func maxPoolSame3AVX2(y, x unsafe.Pointer, planes, h, w int)

//go:noescape
func maxPoolSame3AVX(y, x unsafe.Pointer, planes, h, w int)

// maxPoolSame3Kernel is the MaxPoolSame3 kernel of elementwiseKernels
// (planes > 0, h ≥ 1, w ≥ 4), bit for bit as maxPoolSame3Go: eight
// outputs at a time on rows of 8 or more, four on GoogLeNet's 7×7.
func maxPoolSame3Kernel(y, x unsafe.Pointer, planes, h, w int) {
	if w >= 8 {
		maxPoolSame3AVX2(y, x, planes, h, w)
		return
	}
	maxPoolSame3AVX(y, x, planes, h, w)
}
