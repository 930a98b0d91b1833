package core

import (
	"math"
	"runtime"
	"unsafe"
)

// ReLU sets y[i] = max(x[i], 0). y may be x.
func ReLU(y, x []float32) {
	y = y[:len(x)]
	if k := elementwise(); k != nil && k.ReLU != nil && len(x) >= kernelMinLen {
		n := len(x) / k.ReLUStep * k.ReLUStep
		k.ReLU(unsafe.Pointer(&y[0]), unsafe.Pointer(&x[0]), n)
		runtime.KeepAlive(x)
		runtime.KeepAlive(y)
		x, y = x[n:], y[n:]
	}
	reluGo(y, x)
}

// elementwiseKernels are vector kernels for ReLU and max pooling, with
// the same signatures and results as [PanelKernel]'s.
type elementwiseKernels struct {
	ReLU     func(y, x unsafe.Pointer, n int)
	ReLUStep int // n is a multiple of it
	MaxPool2 func(y, x unsafe.Pointer, rows, w, ow int)
	// MaxPool2MinOW is the narrowest output row MaxPool2 takes.
	MaxPool2MinOW int
	// MaxPoolRows is [PanelKernel].MaxPoolRows, for strides 1 and 2 and
	// rows of at least MaxPoolRowsMinN outputs.
	MaxPoolRows     func(y, x unsafe.Pointer, planes, yPlane, xPlane, rows, n, yRow, xRow, w, kh, kw, sw int)
	MaxPoolRowsMinN int
	// MaxPoolSame3 is maxPoolSame3Go on planes > 0 of h ≥ 1 rows of w ≥
	// MaxPoolSame3MinW floats.
	MaxPoolSame3     func(y, x unsafe.Pointer, planes, h, w int)
	MaxPoolSame3MinW int
	// ScaleShift is [PanelKernel].ScaleShift, for planes of a multiple
	// of ScaleShiftStep floats.
	ScaleShift     func(y, x, a, b unsafe.Pointer, planes, hw int, relu bool)
	ScaleShiftStep int
	// PlaneMeans is [GlobalAvgPool2D] on planes > 0 of hw > 0 floats, y[p]
	// = float32(inv · the float64 sum of plane p), the sum in any order.
	PlaneMeans func(y, x unsafe.Pointer, planes, hw int, inv float64)
}

// nativeElementwise holds the CPU's vector kernels, if this build has any;
// panelElementwise those of the installed [PanelKernel], if it has any.
var nativeElementwise, panelElementwise *elementwiseKernels

// elementwise returns the kernels in use: those of the installed panel
// kernel whenever one is installed (nil if it has none: Go's loops), else
// the native ones, else nil.
func elementwise() *elementwiseKernels {
	if panelKernel != nil {
		return panelElementwise
	}
	return nativeElementwise
}

// kernelMinLen is the shortest slice an optional kernel of [PanelKernel] is
// called for: below it the call costs more than Go's loop.
const kernelMinLen = 64

// reluGo is [ReLU] in Go.
func reluGo(y, x []float32) {
	y = y[:len(x)]
	for i, v := range x {
		if v < 0 {
			v = 0
		}
		y[i] = v
	}
}

// LeakyReLU sets y[i] = x[i] for x[i] ≥ 0 and alpha·x[i] otherwise. y may be x.
func LeakyReLU(y, x []float32, alpha float32) {
	y = y[:len(x)]
	for i, v := range x {
		if v < 0 {
			v *= alpha
		}
		y[i] = v
	}
}

// Sigmoid sets y[i] = 1 / (1 + e^−x[i]). y may be x.
func Sigmoid(y, x []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] = float32(1 / (1 + math.Exp(-float64(v))))
	}
}

// Tanh sets y[i] = tanh(x[i]). y may be x.
func Tanh(y, x []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] = float32(math.Tanh(float64(v)))
	}
}

// Clip sets y[i] = min(max(x[i], lo), hi). y may be x.
func Clip(y, x []float32, lo, hi float32) {
	y = y[:len(x)]
	for i, v := range x {
		if v < lo {
			v = lo
		}
		if v > hi {
			v = hi
		}
		y[i] = v
	}
}

// Softmax computes the softmax of x along one axis. x is viewed as
// [outer, n, inner] with the axis in the middle:
//
//	y[o,i,k] = e^(x[o,i,k] − m) / Σ_j e^(x[o,j,k] − m),   m = max_j x[o,j,k]
//
// Subtracting the maximum keeps e^x finite. With log set it computes
// LogSoftmax, x − m − log Σ e^(x − m). y may be x.
func Softmax(y, x []float32, outer, n, inner int, log bool) {
	if len(x) < outer*n*inner || len(y) < outer*n*inner {
		panic(panicShortSlice)
	}
	for o := 0; o < outer; o++ {
		base := o * n * inner
		for k := 0; k < inner; k++ {
			m := float32(math.Inf(-1))
			for j := 0; j < n; j++ {
				m = max(m, x[base+j*inner+k])
			}
			var s float64
			for j := 0; j < n; j++ {
				s += math.Exp(float64(x[base+j*inner+k] - m))
			}
			if log {
				ls := float32(math.Log(s))
				for j := 0; j < n; j++ {
					y[base+j*inner+k] = x[base+j*inner+k] - m - ls
				}
				continue
			}
			inv := 1 / s
			for j := 0; j < n; j++ {
				y[base+j*inner+k] = float32(math.Exp(float64(x[base+j*inner+k]-m)) * inv)
			}
		}
	}
}

// ReLUBackward sets dx[i] = dy[i] where the ReLU's output y[i] was positive,
// and 0 elsewhere. dx may be dy.
func ReLUBackward(dx, dy, y []float32) {
	dx = dx[:len(y)]
	dy = dy[:len(y)]
	for i, v := range y {
		if v > 0 {
			dx[i] = dy[i]
		} else {
			dx[i] = 0
		}
	}
}

// Argmax returns the index of the largest value of v (the first on ties;
// 0 for an empty v): the class a row of scores or probabilities names.
func Argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}
