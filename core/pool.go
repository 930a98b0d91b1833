package core

import (
	"math"
	"runtime"
	"unsafe"
)

// lowestFloat32 starts every max, so a window that sees only padding gives
// the most negative float, as onnxruntime does.
const lowestFloat32 = -math.MaxFloat32

// MaxPool2D computes, for every window of g over x ([N, C, H, W]), the
// largest input under it; padding never wins:
//
//	y[n,c,oh,ow] = max_{i,j} x[n, c, oh·SH − PT + i·DH, ow·SW − PL + j·DW]
//
// y is [N, C, OH, OW]. If argmax is not nil it receives, for each output, the
// index within its input plane (ih·W + iw) of the maximum, or −1, which the
// backward pass uses. The result is identical to maxPool2dRef.
func MaxPool2D(y, x []float32, argmax []int32, g *ConvGeom) {
	checkPool(y, x, g)
	if argmax != nil && len(argmax) < len(y) {
		panic(panicShortSlice)
	}
	planes := g.N * g.C
	hw, ohw := g.H*g.W, g.OH*g.OW
	if g.KH == 2 && g.KW == 2 && g.SH == 2 && g.SW == 2 && g.DH == 1 && g.DW == 1 && g.PT == 0 && g.PL == 0 && 2*g.OH <= g.H && 2*g.OW <= g.W &&
		(argmax != nil || shortRows(g) == 0) {
		maxPool2x2(y, x, argmax, g)
		return
	}
	if argmax == nil && isSame3x3(g) && maxPoolSame3(y, x, g) {
		return
	}
	if argmax == nil && g.DH == 1 && g.DW == 1 {
		maxPoolInside(y, x, g)
		return
	}
	for pl := 0; pl < planes; pl++ {
		in := x[pl*hw : (pl+1)*hw]
		out := y[pl*ohw : (pl+1)*ohw]
		for oh := 0; oh < g.OH; oh++ {
			for ow := 0; ow < g.OW; ow++ {
				best, at := maxWindow(in, g, oh, ow)
				out[oh*g.OW+ow] = best
				if argmax != nil {
					argmax[pl*ohw+oh*g.OW+ow] = at
				}
			}
		}
	}
}

// maxWindow returns the largest input of plane in under output (oh, ow)'s
// window and its index in the plane (−1 when the window sees only
// padding): the taps row by row, the first one taken and a later one only
// when greater.
func maxWindow(in []float32, g *ConvGeom, oh, ow int) (float32, int32) {
	h0, h1 := tapRange(oh*g.SH-g.PT, g.DH, g.KH, g.H)
	w0, w1 := tapRange(ow*g.SW-g.PL, g.DW, g.KW, g.W)
	best, at := float32(lowestFloat32), int32(-1)
	for ih := h0; ih < h1; ih += g.DH {
		row := in[ih*g.W : (ih+1)*g.W]
		for iw := w0; iw < w1; iw += g.DW {
			if v := row[iw]; v > best || at < 0 {
				best, at = v, int32(ih*g.W+iw)
			}
		}
	}
	return best, at
}

// maxPoolInside is [MaxPool2D] without argmax for undilated windows. The
// outputs whose window lies inside the input horizontally (all but a
// column or two at each side where there is padding, or where ceil_mode
// lets the last windows overhang) go through maxPoolRows, every plane at
// once: the rows whose windows are whole vertically in one call, and each
// row of the top and bottom frames, its window clipped to the rows inside,
// in one call; then each side column, its window clipped to the columns
// inside, in one call, and the corners through maxWindow. A pooling whose
// frame is a large part of its output goes through maxPoolPadded instead.
// Every path compares the taps in maxWindow's order (row by row, a later
// tap winning only when greater). A padded 3×3 pooling (ResNet's and
// GoogLeNet's) took the general loop whole before, at some 3 ns a compare.
func maxPoolInside(y, x []float32, g *ConvGeom) {
	planes, hw, ohw := g.N*g.C, g.H*g.W, g.OH*g.OW
	// Columns [owLo, owHi) and rows [ohLo, ohHi) have whole windows.
	owLo, ohLo := (g.PL+g.SW-1)/g.SW, (g.PT+g.SH-1)/g.SH
	owHi := min(g.OW, max(owLo, (g.W-g.KW+g.PL)/g.SW+1))
	ohHi := min(g.OH, max(ohLo, (g.H-g.KH+g.PT)/g.SH+1))
	if g.W < g.KW || g.H < g.KH {
		owHi, ohHi = owLo, ohLo
	}
	n := owHi - owLo
	if usePadded(g, max(n, 0)*(ohHi-ohLo), shortRows(g)) {
		maxPoolPadded(y, x, g)
		return
	}
	if n > 0 && ohLo < ohHi {
		ih := ohLo*g.SH - g.PT
		np, rows, cols := planes, ohHi-ohLo, n
		if g.SH == 1 && g.SW == 1 && g.OW == g.W {
			// Input and output rows are equally long ("same" pooling:
			// GoogLeNet's inception branch), and planes too when the
			// heights are equal, so the block is one row whose outputs
			// between the rows' (and planes') ends fall on side columns
			// (and frame rows), written over below.
			rows, cols = 1, (rows-1)*g.OW+n
			if g.OH == g.H {
				np, cols = 1, (planes-1)*ohw+cols
			}
		}
		maxPoolRows(y[ohLo*g.OW+owLo:], x[ih*g.W+owLo*g.SW-g.PL:], np, ohw, hw, rows, cols, g.OW, g.SH*g.W, g.W, g.KH, g.KW, g.SW)
	}
	for oh := 0; oh < g.OH && n > 0; oh++ {
		if oh == ohLo && ohLo < ohHi {
			oh = ohHi - 1
			continue
		}
		if h0, h1 := tapRange(oh*g.SH-g.PT, 1, g.KH, g.H); h0 < h1 {
			maxPoolRows(y[oh*g.OW+owLo:], x[h0*g.W+owLo*g.SW-g.PL:], planes, ohw, hw, 1, n, g.OW, 0, g.W, h1-h0, g.KW, g.SW)
		}
	}
	// A side column's windows are clipped to the same input columns on
	// every row: its rows of whole windows are one output wide for
	// maxPoolRows, every plane at once.
	side := func(ow int) bool { return n <= 0 || ow < owLo || ow >= owHi }
	for ow := 0; ow < g.OW && ohLo < ohHi; ow++ {
		if w0, w1 := tapRange(ow*g.SW-g.PL, 1, g.KW, g.W); side(ow) && w0 < w1 {
			ih := ohLo*g.SH - g.PT
			maxPoolRows(y[ohLo*g.OW+ow:], x[ih*g.W+w0:], planes, ohw, hw, ohHi-ohLo, 1, g.OW, g.SH*g.W, g.W, g.KH, w1-w0, g.SW)
		}
	}
	// What is left: the corners, and windows that see no input row or
	// column, in the general loop.
	for pl := 0; pl < planes; pl++ {
		in := x[pl*hw : (pl+1)*hw]
		out := y[pl*ohw : (pl+1)*ohw]
		for oh := 0; oh < g.OH; oh++ {
			h0, h1 := tapRange(oh*g.SH-g.PT, 1, g.KH, g.H)
			inner := oh >= ohLo && oh < ohHi
			for ow := 0; ow < g.OW; ow++ {
				if !side(ow) && h0 < h1 {
					ow = owHi - 1 // the columns in between are done
					continue
				}
				if w0, w1 := tapRange(ow*g.SW-g.PL, 1, g.KW, g.W); inner && w0 < w1 {
					continue
				}
				out[oh*g.OW+ow], _ = maxWindow(in, g, oh, ow)
			}
		}
	}
}

// maxPool2x2 is [MaxPool2D] for the common 2×2 window with stride 2 whose
// windows all lie inside the input: no clipping, four compares per output.
func maxPool2x2(y, x []float32, argmax []int32, g *ConvGeom) {
	hw, ohw := g.H*g.W, g.OH*g.OW
	if k := elementwise(); k != nil && k.MaxPool2 != nil && argmax == nil && g.OW >= k.MaxPool2MinOW && g.N*g.C*g.OH > 0 {
		// One call when the planes' row pairs are evenly spaced, one per plane otherwise.
		if g.H == 2*g.OH {
			k.MaxPool2(unsafe.Pointer(&y[0]), unsafe.Pointer(&x[0]), g.N*g.C*g.OH, g.W, g.OW)
		} else {
			for pl := 0; pl < g.N*g.C; pl++ {
				k.MaxPool2(unsafe.Pointer(&y[pl*ohw]), unsafe.Pointer(&x[pl*hw]), g.OH, g.W, g.OW)
			}
		}
		runtime.KeepAlive(x)
		runtime.KeepAlive(y)
		return
	}
	for pl := 0; pl < g.N*g.C; pl++ {
		in := x[pl*hw : (pl+1)*hw]
		out := y[pl*ohw : (pl+1)*ohw]
		for oh := 0; oh < g.OH; oh++ {
			r0 := in[2*oh*g.W : 2*oh*g.W+2*g.OW]
			r1 := in[(2*oh+1)*g.W : (2*oh+1)*g.W+2*g.OW]
			o := out[oh*g.OW : (oh+1)*g.OW]
			for ow := range o {
				best, at := r0[2*ow], 2*oh*g.W+2*ow
				if v := r0[2*ow+1]; v > best {
					best, at = v, 2*oh*g.W+2*ow+1
				}
				if v := r1[2*ow]; v > best {
					best, at = v, (2*oh+1)*g.W+2*ow
				}
				if v := r1[2*ow+1]; v > best {
					best, at = v, (2*oh+1)*g.W+2*ow+1
				}
				o[ow] = best
				if argmax != nil {
					argmax[pl*ohw+oh*g.OW+ow] = int32(at)
				}
			}
		}
	}
}

// AvgPool2D computes the mean of every window of g over x ([N, C, H, W]).
// Without countIncludePad the sum is divided by the number of taps inside
// the input; with it, by the number of taps inside the padded input, so the
// zeros of the padding count but a window overhanging it in ceil mode does
// not (as onnxruntime and PyTorch do). y is [N, C, OH, OW]. The result is
// identical to avgPool2dRef.
func AvgPool2D(y, x []float32, g *ConvGeom, countIncludePad bool) {
	checkPool(y, x, g)
	if g.PT == 0 && g.PL == 0 && g.PB == 0 && g.PR == 0 && (g.OH-1)*g.SH+(g.KH-1)*g.DH < g.H && (g.OW-1)*g.SW+(g.KW-1)*g.DW < g.W {
		avgPoolInside(y, x, g)
		return
	}
	avgPoolGeneral(y, x, g, countIncludePad)
}

// avgPoolInside is [AvgPool2D] when every window lies inside the input
// (DenseNet's 2×2 transitions): one divisor, no clipping, the taps summed
// in avgPoolGeneral's order from +0, so the floats are the same.
func avgPoolInside(y, x []float32, g *ConvGeom) {
	hw, ohw := g.H*g.W, g.OH*g.OW
	div := float32(g.KH * g.KW)
	for pl := 0; pl < g.N*g.C; pl++ {
		in := x[pl*hw : (pl+1)*hw]
		out := y[pl*ohw : (pl+1)*ohw]
		for oh := 0; oh < g.OH; oh++ {
			o := out[oh*g.OW : (oh+1)*g.OW]
			if g.KH == 2 && g.KW == 2 && g.DH == 1 && g.DW == 1 {
				r0 := in[oh*g.SH*g.W:]
				r1 := in[(oh*g.SH+1)*g.W:]
				for ow := range o {
					j := ow * g.SW
					var s float32
					s += r0[j]
					s += r0[j+1]
					s += r1[j]
					s += r1[j+1]
					o[ow] = s / div
				}
				continue
			}
			for ow := range o {
				var s float32
				for i := 0; i < g.KH; i++ {
					row := in[(oh*g.SH+i*g.DH)*g.W+ow*g.SW:]
					for j := 0; j < g.KW; j++ {
						s += row[j*g.DW]
					}
				}
				o[ow] = s / div
			}
		}
	}
}

// avgPoolGeneral is [AvgPool2D] for any window: each one clipped to the
// input and its divisor counted.
func avgPoolGeneral(y, x []float32, g *ConvGeom, countIncludePad bool) {
	planes := g.N * g.C
	hw, ohw := g.H*g.W, g.OH*g.OW
	for pl := 0; pl < planes; pl++ {
		in := x[pl*hw : (pl+1)*hw]
		out := y[pl*ohw : (pl+1)*ohw]
		for oh := 0; oh < g.OH; oh++ {
			h0, h1 := tapRange(oh*g.SH-g.PT, g.DH, g.KH, g.H)
			nh := avgDivisorAxis(oh*g.SH-g.PT, g.DH, g.KH, g.H, g.PT, g.PB, h0, h1, countIncludePad)
			for ow := 0; ow < g.OW; ow++ {
				w0, w1 := tapRange(ow*g.SW-g.PL, g.DW, g.KW, g.W)
				nw := avgDivisorAxis(ow*g.SW-g.PL, g.DW, g.KW, g.W, g.PL, g.PR, w0, w1, countIncludePad)
				var s float32
				for ih := h0; ih < h1; ih += g.DH {
					row := in[ih*g.W : (ih+1)*g.W]
					for iw := w0; iw < w1; iw += g.DW {
						s += row[iw]
					}
				}
				div := float32(nh * nw)
				if div == 0 {
					out[oh*g.OW+ow] = 0
					continue
				}
				out[oh*g.OW+ow] = s / div
			}
		}
	}
}

// GlobalAvgPool2D averages each H×W plane of x ([N, C, H, W]) into y ([N,
// C, 1, 1]), the sum in float64: on the CPU's vector kernel where there is
// one (Go's loop waits on each addition of its one sum: squeeze-excite's
// pools were a tenth of MobileNetV3's time), else globalAvgPool2DGo.
func GlobalAvgPool2D(y, x []float32, n, c, hw int) {
	if len(x) < n*c*hw || len(y) < n*c {
		panic(panicShortSlice)
	}
	if k := elementwise(); k != nil && k.PlaneMeans != nil && n*c > 0 && hw > 0 {
		k.PlaneMeans(unsafe.Pointer(&y[0]), unsafe.Pointer(&x[0]), n*c, hw, 1/float64(hw))
		runtime.KeepAlive(x)
		runtime.KeepAlive(y)
		return
	}
	globalAvgPool2DGo(y, x, n, c, hw)
}

// globalAvgPool2DGo is [GlobalAvgPool2D] in Go, the twin of its vector
// kernel: one float64 sum per plane, in order.
func globalAvgPool2DGo(y, x []float32, n, c, hw int) {
	inv := 1 / float64(hw)
	for pl := 0; pl < n*c; pl++ {
		var s float64
		for _, v := range x[pl*hw : (pl+1)*hw] {
			s += float64(v)
		}
		y[pl] = float32(s * inv)
	}
}

// checkPool panics unless the slices have the sizes g implies.
func checkPool(y, x []float32, g *ConvGeom) {
	if len(x) < g.N*g.C*g.H*g.W || len(y) < g.N*g.C*g.OH*g.OW {
		panic(panicShortSlice)
	}
}

// avgDivisorAxis returns how many taps of a window starting at start count
// on one axis: those inside the input [lo, hi) from tapRange, or with
// includePad those inside the padded input [−padBegin, size+padEnd).
func avgDivisorAxis(start, dil, k, size, padBegin, padEnd, lo, hi int, includePad bool) int {
	if !includePad {
		return tapCount(lo, hi, dil)
	}
	l, h := tapRange(start+padBegin, dil, k, size+padBegin+padEnd)
	return tapCount(l, h, dil)
}

// tapRange returns the input positions [lo, hi) of a window starting at
// start with k taps spaced dil apart, clipped to [0, size) and aligned to
// the taps, so that stepping by dil from lo visits exactly the taps inside.
func tapRange(start, dil, k, size int) (lo, hi int) {
	lo = start
	if lo < 0 {
		lo = start + ceilDiv(-start, dil)*dil
	}
	hi = min(start+(k-1)*dil+1, size)
	if lo >= hi {
		return 0, 0
	}
	return lo, hi
}

// tapCount returns how many taps spaced dil apart lie in [lo, hi).
func tapCount(lo, hi, dil int) int {
	if hi <= lo {
		return 0
	}
	return (hi-lo-1)/dil + 1
}

// MaxPool2DBackward routes each output gradient dy to the input position that
// won its window (argmax from [MaxPool2D]); dx is overwritten.
func MaxPool2DBackward(dx, dy []float32, argmax []int32, g *ConvGeom) {
	hw, ohw := g.H*g.W, g.OH*g.OW
	clear(dx[:g.N*g.C*hw])
	for pl := 0; pl < g.N*g.C; pl++ {
		d := dx[pl*hw : (pl+1)*hw]
		for o, a := range argmax[pl*ohw : (pl+1)*ohw] {
			if a >= 0 {
				d[a] += dy[pl*ohw+o]
			}
		}
	}
}

// AvgPool2DBackward spreads each output gradient evenly over its window, with
// the divisor [AvgPool2D] used; dx is overwritten.
func AvgPool2DBackward(dx, dy []float32, g *ConvGeom, countIncludePad bool) {
	hw, ohw := g.H*g.W, g.OH*g.OW
	clear(dx[:g.N*g.C*hw])
	for pl := 0; pl < g.N*g.C; pl++ {
		in := dx[pl*hw : (pl+1)*hw]
		out := dy[pl*ohw : (pl+1)*ohw]
		for oh := 0; oh < g.OH; oh++ {
			h0, h1 := tapRange(oh*g.SH-g.PT, g.DH, g.KH, g.H)
			nh := avgDivisorAxis(oh*g.SH-g.PT, g.DH, g.KH, g.H, g.PT, g.PB, h0, h1, countIncludePad)
			for ow := 0; ow < g.OW; ow++ {
				w0, w1 := tapRange(ow*g.SW-g.PL, g.DW, g.KW, g.W)
				div := float32(nh * avgDivisorAxis(ow*g.SW-g.PL, g.DW, g.KW, g.W, g.PL, g.PR, w0, w1, countIncludePad))
				if div == 0 {
					continue
				}
				v := out[oh*g.OW+ow] / div
				for ih := h0; ih < h1; ih += g.DH {
					row := in[ih*g.W : (ih+1)*g.W]
					for iw := w0; iw < w1; iw += g.DW {
						row[iw] += v
					}
				}
			}
		}
	}
}

// GlobalAvgPool2DBackward spreads each gradient of [GlobalAvgPool2D] evenly
// over its plane; dx is overwritten.
func GlobalAvgPool2DBackward(dx, dy []float32, n, c, hw int) {
	inv := 1 / float32(hw)
	for pl := 0; pl < n*c; pl++ {
		v := dy[pl] * inv
		d := dx[pl*hw : (pl+1)*hw]
		for i := range d {
			d[i] = v
		}
	}
}
