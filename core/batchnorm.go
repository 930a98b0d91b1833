package core

import (
	"math"
	"runtime"
	"unsafe"
)

// BatchNormInference normalises each channel of x ([N, C, …], plane size
// hw) with stored statistics:
//
//	y = scale·(x − mean)/√(variance + eps) + bias
//
// folded into one multiply and one add per element, each rounded (never
// fused, so that every platform and kernel gives the same floats). y may
// be x.
func BatchNormInference(y, x []float32, n, c, hw int, scale, bias, mean, variance []float32, eps float32) {
	batchNorm(y, x, n, c, hw, scale, bias, mean, variance, eps, false)
}

// BatchNormReLU is [BatchNormInference] followed by [ReLU] in one pass,
// bit for bit the two one after the other: a batch normalisation that no
// convolution precedes (DenseNet's, after each concatenation) read and
// wrote its whole input twice. y may be x.
func BatchNormReLU(y, x []float32, n, c, hw int, scale, bias, mean, variance []float32, eps float32) {
	batchNorm(y, x, n, c, hw, scale, bias, mean, variance, eps, true)
}

// batchNormChunk is how many channels' factors batchNorm holds at once,
// on the stack.
const batchNormChunk = 64

func batchNorm(y, x []float32, n, c, hw int, scale, bias, mean, variance []float32, eps float32, relu bool) {
	if len(x) < n*c*hw || len(y) < n*c*hw || len(scale) < c || len(bias) < c || len(mean) < c || len(variance) < c {
		panic(panicShortSlice)
	}
	var a, b [batchNormChunk]float32
	for c0 := 0; c0 < c; c0 += batchNormChunk {
		m := min(batchNormChunk, c-c0)
		for k := 0; k < m; k++ {
			ch := c0 + k
			a[k] = scale[ch] / float32(math.Sqrt(float64(variance[ch]+eps)))
			b[k] = bias[ch] - a[k]*mean[ch]
		}
		for i := 0; i < n; i++ {
			off := (i*c + c0) * hw
			scaleShift(y[off:off+m*hw], x[off:off+m*hw], a[:m], b[:m], hw, relu)
		}
	}
}

// scaleShift sets, for each plane p < len(a) of hw floats,
// y = a[p]·x + b[p] (the product rounded before the sum), then with relu
// y < 0 ? 0 : y as [ReLU]: on the platform's vector kernel when there is
// one for planes of hw floats, else scaleShiftGo.
func scaleShift(y, x, a, b []float32, hw int, relu bool) {
	if hw <= 0 || len(a) == 0 {
		return
	}
	_, _ = y[len(a)*hw-1], x[len(a)*hw-1]
	_ = b[len(a)-1]
	if k := elementwise(); k != nil && k.ScaleShift != nil && hw%k.ScaleShiftStep == 0 {
		k.ScaleShift(unsafe.Pointer(&y[0]), unsafe.Pointer(&x[0]), unsafe.Pointer(&a[0]), unsafe.Pointer(&b[0]), len(a), hw, relu)
		runtime.KeepAlive(x)
		runtime.KeepAlive(y)
		runtime.KeepAlive(a)
		runtime.KeepAlive(b)
		return
	}
	scaleShiftGo(y, x, a, b, hw, relu)
}

// scaleShiftGo is scaleShift in Go, the twin of its vector kernels.
func scaleShiftGo(y, x, a, b []float32, hw int, relu bool) {
	for p := range a {
		src, dst := x[p*hw:(p+1)*hw], y[p*hw:(p+1)*hw]
		ap, bp := a[p], b[p]
		if !relu {
			for j, v := range src {
				dst[j] = float32(ap*v) + bp
			}
			continue
		}
		for j, v := range src {
			v = float32(ap*v) + bp
			if v < 0 {
				v = 0
			}
			dst[j] = v
		}
	}
}
