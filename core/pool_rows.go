package core

import (
	"runtime"
	"unsafe"
)

// maxPoolRows sets, for every plane p < planes (yPlane and xPlane floats
// apart), output row r < rows (yRow floats apart) and column c < n,
//
//	y[p·yPlane + r·yRow + c] = max_{i<kh, j<kw} x[p·xPlane + r·xRow + i·w + c·sw + j]
//
// the first tap taken and a later one only when greater (maxWindow's
// order): through the platform's vector kernel for strides 1 and 2 on
// rows wide enough for it, else maxPoolRowsGo. The slices are checked
// against the last index before a kernel reads them.
func maxPoolRows(y, x []float32, planes, yPlane, xPlane, rows, n, yRow, xRow, w, kh, kw, sw int) {
	_ = y[(planes-1)*yPlane+(rows-1)*yRow+n-1]
	_ = x[(planes-1)*xPlane+(rows-1)*xRow+(kh-1)*w+(n-1)*sw+kw-1]
	if k := elementwise(); k != nil && k.MaxPoolRows != nil && sw <= 2 && n >= k.MaxPoolRowsMinN {
		k.MaxPoolRows(unsafe.Pointer(&y[0]), unsafe.Pointer(&x[0]), planes, yPlane, xPlane, rows, n, yRow, xRow, w, kh, kw, sw)
		runtime.KeepAlive(x)
		runtime.KeepAlive(y)
		return
	}
	maxPoolRowsGo(y, x, planes, yPlane, xPlane, rows, n, yRow, xRow, w, kh, kw, sw)
}

// maxPoolRowsGo is maxPoolRows in Go, the twin its vector kernels are
// tested against: 3×3 windows spelled out, other sizes looped.
func maxPoolRowsGo(y, x []float32, planes, yPlane, xPlane, rows, n, yRow, xRow, w, kh, kw, sw int) {
	span := (n-1)*sw + kw
	for p := 0; p < planes; p++ {
		for r := 0; r < rows; r++ {
			o := y[p*yPlane+r*yRow : p*yPlane+r*yRow+n]
			base := x[p*xPlane+r*xRow:]
			if kh == 3 && kw == 3 {
				maxRows3x3(o, base, w, sw)
				continue
			}
			for i := 0; i < kh; i++ {
				row := base[i*w : i*w+span]
				for c := range o {
					win := row[c*sw : c*sw+kw]
					best := o[c]
					if i == 0 {
						best = win[0]
					}
					for _, v := range win {
						if v > best {
							best = v
						}
					}
					o[c] = best
				}
			}
		}
	}
}

// maxRows3x3 is maxPoolRowsGo for one output row o of 3×3 windows
// (stride sw) over the rows at in (w floats apart), spelled out: the taps
// in the same order, a later one winning only when greater. In WebAssembly
// a call per window row cost more than the compares.
func maxRows3x3(o, in []float32, w, sw int) {
	r0 := in[:len(o)*sw+3-sw]
	r1 := in[w : w+len(r0)]
	r2 := in[2*w : 2*w+len(r0)]
	for ow := range o {
		j := ow * sw
		a, b, c := r0[j:j+3:j+3], r1[j:j+3:j+3], r2[j:j+3:j+3]
		best := a[0]
		if a[1] > best {
			best = a[1]
		}
		if a[2] > best {
			best = a[2]
		}
		if b[0] > best {
			best = b[0]
		}
		if b[1] > best {
			best = b[1]
		}
		if b[2] > best {
			best = b[2]
		}
		if c[0] > best {
			best = c[0]
		}
		if c[1] > best {
			best = c[1]
		}
		if c[2] > best {
			best = c[2]
		}
		o[ow] = best
	}
}
