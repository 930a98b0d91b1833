package core

import (
	"runtime"
	"unsafe"
)

// isSame3x3 reports whether g is the 3×3, stride-1, pad-1 undilated max
// pooling that keeps the plane's size: the fourth branch of every
// GoogLeNet inception module.
func isSame3x3(g *ConvGeom) bool {
	return g.KH == 3 && g.KW == 3 && g.SH == 1 && g.SW == 1 && g.DH == 1 && g.DW == 1 &&
		g.PT == 1 && g.PL == 1 && g.PB == 1 && g.PR == 1 && g.OH == g.H && g.OW == g.W
}

// maxPoolSame3 pools g (isSame3x3, no argmax) on the CPU's kernel that
// clamps the window's rows and columns to the plane as it goes, and
// reports whether there was one for g's width. maxPoolInside's padded
// copy of the planes cost as much as the pooling itself on these shapes.
func maxPoolSame3(y, x []float32, g *ConvGeom) bool {
	k := elementwise()
	if k == nil || k.MaxPoolSame3 == nil || g.W < k.MaxPoolSame3MinW || g.N*g.C*g.H == 0 {
		return false
	}
	k.MaxPoolSame3(unsafe.Pointer(&y[0]), unsafe.Pointer(&x[0]), g.N*g.C, g.H, g.W)
	runtime.KeepAlive(x)
	runtime.KeepAlive(y)
	return true
}

// maxPoolSame3Go is the Go twin of the MaxPoolSame3 kernels: planes of h×w
// pooled by 3×3 windows of stride 1 padded by 1, each window's rows and
// columns clamped to the plane (the first or last one repeated), the taps
// row by row, the first taken and a later one only when greater. That is
// maxWindow's result bit for bit, for the reason maxPoolPadded gives: a
// repeated tap follows the one it repeats, and a value seen before never
// wins again.
func maxPoolSame3Go(y, x []float32, planes, h, w int) {
	for p := 0; p < planes; p++ {
		in := x[p*h*w : (p+1)*h*w]
		out := y[p*h*w : (p+1)*h*w]
		for oh := 0; oh < h; oh++ {
			a := in[max(oh-1, 0)*w:][:w]
			b := in[oh*w:][:w]
			c := in[min(oh+1, h-1)*w:][:w]
			o := out[oh*w : (oh+1)*w]
			for ow := range o {
				l, m, r := max(ow-1, 0), ow, min(ow+1, w-1)
				best := a[l]
				for _, v := range [...]float32{a[m], a[r], b[l], b[m], b[r], c[l], c[m], c[r]} {
					if v > best {
						best = v
					}
				}
				o[ow] = best
			}
		}
	}
}
