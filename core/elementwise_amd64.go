//go:build amd64 && !purego

package core

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// reluAVX2 is [ReLU] on n floats, n > 0 a multiple of 8, bit for bit as
// the Go loop. Implemented in elementwise_amd64.s.
//
//go:noescape
func reluAVX2(y, x unsafe.Pointer, n int)

// maxPool2AVX2 is the 2×2, stride-2 max pooling of [PanelKernel].MaxPool2
// for ow ≥ 8 and rows > 0, bit for bit as the Go loop. Implemented in
// elementwise_amd64.s.
//
//go:noescape
func maxPool2AVX2(y, x unsafe.Pointer, rows, w, ow int)

func init() {
	if cpu.X86.HasAVX2 {
		nativeElementwise = &elementwiseKernels{ReLU: reluAVX2, ReLUStep: 8, MaxPool2: maxPool2AVX2, MaxPool2MinOW: 8,
			MaxPoolRows: maxPoolRowsAVX2, MaxPoolRowsMinN: 8, ScaleShift: scaleShiftAVX2, ScaleShiftStep: 1,
			MaxPoolSame3: maxPoolSame3Kernel, MaxPoolSame3MinW: 4, PlaneMeans: planeMeansAVX2}
	}
}
