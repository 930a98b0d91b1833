package core

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"

	"wasmcnn/internal/floattest"
)

// TestMaxPoolRowsKernelMatchesGo holds this CPU's max pooling kernel, when
// the build has one, to its Go twin bit for bit on random blocks of planes
// and rows (strides 1 and 2, windows 1–5 wide and high, rows wider than
// the windows use) of values with NaNs, infinities and both zeros, with guard
// bands around the outputs. The input ends where the last window does,
// and the floats past it are +Inf, which would win any window that read
// them.
func TestMaxPoolRowsKernelMatchesGo(t *testing.T) {
	k := nativeElementwise
	if k == nil || k.MaxPoolRows == nil {
		t.Log("no native max pooling kernel in this build: maxPoolRowsGo runs, which the other tests cover")
		return
	}
	r := rand.New(rand.NewPCG(21, 22))
	for iter := 0; iter < 2000; iter++ {
		sw, kh, kw := 1+r.IntN(2), 1+r.IntN(5), 1+r.IntN(5)
		n := k.MaxPoolRowsMinN + r.IntN(30)
		rows := 1 + r.IntN(4)
		w := (n-1)*sw + kw + r.IntN(5)
		xRow := w * (r.IntN(3))
		if rows > 1 && xRow == 0 {
			xRow = w
		}
		yRow := n + r.IntN(4)
		planes := 1 + r.IntN(3)
		xPlane, yPlane := (rows-1)*xRow+(kh-1)*w+(n-1)*sw+kw+r.IntN(5), (rows-1)*yRow+n+r.IntN(5)
		need := (planes-1)*xPlane + (rows-1)*xRow + (kh-1)*w + (n-1)*sw + kw
		buf := specialValues(r, need+16)
		for i := need; i < len(buf); i++ {
			buf[i] = float32(math.Inf(1))
		}
		x := buf[:need]
		ny := (planes-1)*yPlane + (rows-1)*yRow + n
		want := make([]float32, ny)
		got, check := floattest.Guarded(ny)
		copy(got, want)
		maxPoolRowsGo(want, x, planes, yPlane, xPlane, rows, n, yRow, xRow, w, kh, kw, sw)
		k.MaxPoolRows(unsafe.Pointer(&got[0]), unsafe.Pointer(&x[0]), planes, yPlane, xPlane, rows, n, yRow, xRow, w, kh, kw, sw)
		desc := fmt.Sprintf("planes %d (%d, %d) rows %d n %d yRow %d xRow %d w %d %d×%d stride %d", planes, yPlane, xPlane, rows, n, yRow, xRow, w, kh, kw, sw)
		check(t, desc)
		if !sameBits(got, want) {
			t.Fatalf("%s: the kernel differs from Go's:\n got %v\nwant %v", desc, got, want)
		}
	}
}

// TestMaxPoolWideMatchesReference holds inference's max pooling (no
// argmax) to maxPool2dRef bit for bit on planes wide enough for the vector
// kernel: the architectures' windows (3×3 stride 2 with ceil_mode, 3×3
// stride 1 padded by 1, 2×2 stride 2) and random ones with pads, ceil_mode
// and dilations, on values with NaNs, −Inf and both zeros, natively and
// with the reference panel kernel installed (the browser's path).
func TestMaxPoolWideMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	for iter := 0; iter < 400; iter++ {
		var win Window
		switch iter % 4 {
		case 0:
			win = Window{KernelH: 3, KernelW: 3, StrideH: 2, StrideW: 2, CeilMode: true}
		case 1:
			win = Window{KernelH: 3, KernelW: 3, StrideH: 1, StrideW: 1, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1}
		case 2:
			win = Window{KernelH: 2, KernelW: 2, StrideH: 2, StrideW: 2, CeilMode: r.IntN(2) == 0}
		default:
			kh, kw := 1+r.IntN(5), 1+r.IntN(5)
			win = Window{KernelH: kh, KernelW: kw, StrideH: 1 + r.IntN(3), StrideW: 1 + r.IntN(3),
				PadTop: r.IntN(kh), PadLeft: r.IntN(kw), PadBottom: r.IntN(kh), PadRight: r.IntN(kw), CeilMode: r.IntN(2) == 0}
			if r.IntN(4) == 0 {
				win.DilationH, win.DilationW = 1+r.IntN(2), 1+r.IntN(2)
			}
		}
		if win.DilationH == 0 {
			win.DilationH, win.DilationW = 1, 1
		}
		xs := []int{1 + r.IntN(2), 1 + r.IntN(3), (win.KernelH-1)*win.DilationH + 1 + r.IntN(12), (win.KernelW-1)*win.DilationW + 1 + r.IntN(50)}
		g, err := NewPoolGeom("MaxPool", xs, win)
		if err != nil {
			t.Fatalf("%v %+v: %v", xs, win, err)
		}
		x := specialValues(r, Product(xs))
		n := Product(g.OutShape())
		want := make([]float32, n)
		maxPool2dRef(want, x, nil, &g)
		desc := fmt.Sprintf("x=%v %+v", xs, win)
		for _, k := range []*PanelKernel{nil, ReferencePanelKernel()} {
			SetPanelKernel(k)
			got, check := floattest.Guarded(n)
			MaxPool2D(got, x, nil, &g)
			SetPanelKernel(nil)
			check(t, desc)
			if !sameBits(got, want) {
				t.Fatalf("%s (panel kernel %v): pooling differs from the reference:\n got %v\nwant %v", desc, k != nil, got, want)
			}
		}
	}
}

// BenchmarkMaxPool times inference's max pooling (no argmax) on the
// architectures' shapes: GoogLeNet's stem and inception branches, and
// SqueezeNet's first pool.
//
//	go test ./core -run '^$' -bench MaxPool
func BenchmarkMaxPool(b *testing.B) {
	for _, c := range []struct {
		name string
		x    []int
		win  Window
	}{
		{"googlenet-stem-64x112x112-3x3s2-ceil", []int{1, 64, 112, 112}, Window{KernelH: 3, KernelW: 3, StrideH: 2, StrideW: 2, CeilMode: true}},
		{"googlenet-pool2-192x56x56-3x3s2-ceil", []int{1, 192, 56, 56}, Window{KernelH: 3, KernelW: 3, StrideH: 2, StrideW: 2, CeilMode: true}},
		{"googlenet-branch-256x28x28-3x3s1p1", []int{1, 256, 28, 28}, Window{KernelH: 3, KernelW: 3, StrideH: 1, StrideW: 1, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1}},
		{"googlenet-pool3-480x28x28-3x3s2-ceil", []int{1, 480, 28, 28}, Window{KernelH: 3, KernelW: 3, StrideH: 2, StrideW: 2, CeilMode: true}},
		{"googlenet-branch-480x14x14-3x3s1p1", []int{1, 480, 14, 14}, Window{KernelH: 3, KernelW: 3, StrideH: 1, StrideW: 1, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1}},
		{"googlenet-pool4-832x14x14-2x2s2-ceil", []int{1, 832, 14, 14}, Window{KernelH: 2, KernelW: 2, StrideH: 2, StrideW: 2, CeilMode: true}},
		{"googlenet-branch-832x7x7-3x3s1p1", []int{1, 832, 7, 7}, Window{KernelH: 3, KernelW: 3, StrideH: 1, StrideW: 1, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1}},
		{"squeezenet-64x111x111-3x3s2-ceil", []int{1, 64, 111, 111}, Window{KernelH: 3, KernelW: 3, StrideH: 2, StrideW: 2, CeilMode: true}},
	} {
		b.Run(c.name, func(b *testing.B) {
			c.win.DilationH, c.win.DilationW = 1, 1
			g, err := NewPoolGeom("MaxPool", c.x, c.win)
			if err != nil {
				b.Fatal(err)
			}
			x := floattest.RandSlice(rand.New(rand.NewPCG(1, 2)), Product(c.x))
			y := make([]float32, Product(g.OutShape()))
			b.SetBytes(int64(4 * len(x)))
			for i := 0; i < b.N; i++ {
				MaxPool2D(y, x, nil, &g)
			}
		})
	}
}

// TestAvgPoolInsideMatchesGeneral holds average pooling of windows inside
// the input (2×2 spelled out, other sizes and dilations looped) to the
// general loop bit for bit, on values with NaNs, infinities and both
// zeros (any NaN matching any NaN: WebAssembly leaves the payload of a
// sum's NaN to the engine).
func TestAvgPoolInsideMatchesGeneral(t *testing.T) {
	r := rand.New(rand.NewPCG(25, 26))
	for iter := 0; iter < 300; iter++ {
		win := Window{KernelH: 2, KernelW: 2, StrideH: 2, StrideW: 2, DilationH: 1, DilationW: 1}
		if iter%2 == 1 {
			win = Window{KernelH: 1 + r.IntN(4), KernelW: 1 + r.IntN(4), StrideH: 1 + r.IntN(3), StrideW: 1 + r.IntN(3), DilationH: 1 + r.IntN(2), DilationW: 1 + r.IntN(2)}
		}
		xs := []int{1 + r.IntN(2), 1 + r.IntN(3), (win.KernelH-1)*win.DilationH + 1 + r.IntN(12), (win.KernelW-1)*win.DilationW + 1 + r.IntN(20)}
		g, err := NewPoolGeom("AveragePool", xs, win)
		if err != nil {
			t.Fatal(err)
		}
		x := specialValues(r, Product(xs))
		n := Product(g.OutShape())
		want := make([]float32, n)
		avgPoolGeneral(want, x, &g, r.IntN(2) == 0)
		got, check := floattest.Guarded(n)
		AvgPool2D(got, x, &g, r.IntN(2) == 0)
		desc := fmt.Sprintf("x=%v %+v", xs, win)
		check(t, desc)
		if !sameFloatsOrNaN(got, want) {
			t.Fatalf("%s: differs from the general loop:\n got %v\nwant %v", desc, got, want)
		}
	}
}

// BenchmarkAvgPool times average pooling on DenseNet-121's first
// transition (128×56×56, 2×2 stride 2).
//
//	go test ./core -run '^$' -bench AvgPool
func BenchmarkAvgPool(b *testing.B) {
	xs := []int{1, 128, 56, 56}
	g, err := NewPoolGeom("AveragePool", xs, Window{KernelH: 2, KernelW: 2, StrideH: 2, StrideW: 2, DilationH: 1, DilationW: 1})
	if err != nil {
		b.Fatal(err)
	}
	x := floattest.RandSlice(rand.New(rand.NewPCG(1, 2)), Product(xs))
	y := make([]float32, Product(g.OutShape()))
	b.SetBytes(int64(4 * len(x)))
	for i := 0; i < b.N; i++ {
		AvgPool2D(y, x, &g, false)
	}
}
