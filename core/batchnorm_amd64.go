//go:build amd64 && !purego

package core

import "unsafe"

// scaleShiftAVX2 is the ScaleShift kernel of elementwiseKernels, bit for
// bit as scaleShiftGo (NaN payloads aside). Implemented in
// batchnorm_amd64.s.
//
//go:noescape
func scaleShiftAVX2(y, x, a, b unsafe.Pointer, planes, hw int, relu bool)
