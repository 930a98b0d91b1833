package core

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"wasmcnn/internal/floattest"
)

func TestPoolSeedExamples(t *testing.T) {
	// The 4×4 rectified feature map of the walkthrough: 2×2 max pooling with
	// stride 2 halves each side and keeps the largest value of each quarter.
	x := []float32{
		1, 1, 2, 4,
		5, 6, 7, 8,
		3, 2, 1, 0,
		1, 2, 3, 4,
	}
	g, err := NewPoolGeom("MaxPool", []int{1, 1, 4, 4}, Window{KernelH: 2, KernelW: 2, StrideH: 2, StrideW: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(g.OutShape(), []int{1, 1, 2, 2}) {
		t.Fatalf("2x2 pooling of 4x4 gives %v, want [1 1 2 2]", g.OutShape())
	}
	for name, f := range map[string]func(y, x []float32, a []int32, g *ConvGeom){"MaxPool2D": MaxPool2D, "maxPool2dRef": maxPool2dRef} {
		y := make([]float32, 4)
		arg := make([]int32, 4)
		f(y, x, arg, &g)
		floattest.AssertClose(t, name, y, []float32{6, 8, 3, 4}, 0)
		if arg[0] != 5 || arg[1] != 7 || arg[2] != 8 || arg[3] != 15 {
			t.Errorf("%s: argmax %v, want [5 7 8 15]", name, arg)
		}
	}
	for name, f := range map[string]func(y, x []float32, g *ConvGeom, cip bool){"AvgPool2D": AvgPool2D, "avgPool2dRef": avgPool2dRef} {
		y := make([]float32, 4)
		f(y, x, &g, false)
		floattest.AssertClose(t, name, y, []float32{13.0 / 4, 21.0 / 4, 2, 2}, 1e-7)
	}
	// 3×3 average with one pixel of padding: the corner window sees 4 pixels;
	// it divides by 4 without count_include_pad and by 9 with it.
	g, err = NewPoolGeom("AveragePool", []int{1, 1, 4, 4}, Window{KernelH: 3, KernelW: 3, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1})
	if err != nil {
		t.Fatal(err)
	}
	y := make([]float32, 16)
	AvgPool2D(y, x, &g, false)
	if y[0] != 13.0/4 {
		t.Errorf("corner without padding count: %v, want %v", y[0], 13.0/4)
	}
	AvgPool2D(y, x, &g, true)
	if y[0] != 13.0/9 {
		t.Errorf("corner with padding count: %v, want %v", y[0], 13.0/9)
	}
	gy := make([]float32, 1)
	GlobalAvgPool2D(gy, x, 1, 1, 16)
	if gy[0] != 50.0/16 {
		t.Errorf("global average %v, want %v", gy[0], 50.0/16)
	}
}

func TestPoolCeilMode(t *testing.T) {
	cases := []struct {
		in, k, s, pad int
		ceil          bool
		out           int
	}{
		{5, 2, 2, 0, false, 2},
		{5, 2, 2, 0, true, 3},
		{6, 3, 3, 0, true, 2},
		{4, 3, 2, 1, true, 3},
		{5, 2, 2, 1, true, 3}, // a fourth window would start in the end padding
		{28, 3, 3, 0, true, 10},
	}
	for _, c := range cases {
		g, err := resolveAxis("MaxPool", "height", c.in, c.k, c.s, 1, c.pad, c.pad, "", c.ceil)
		if err != nil {
			t.Fatal(err)
		}
		if g.out != c.out {
			t.Errorf("%+v: out %d, want %d", c, g.out, c.out)
		}
	}
}

func TestPoolCrossCheck(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for iter := 0; iter < 400; iter++ {
		win := Window{
			KernelH: 1 + r.IntN(4), KernelW: 1 + r.IntN(4),
			StrideH: 1 + r.IntN(3), StrideW: 1 + r.IntN(3),
			DilationH: 1 + r.IntN(2), DilationW: 1 + r.IntN(2),
			CeilMode: r.IntN(2) == 0,
		}
		if r.IntN(2) == 0 {
			win.PadTop, win.PadLeft, win.PadBottom, win.PadRight = r.IntN(win.KernelH), r.IntN(win.KernelW), r.IntN(win.KernelH), r.IntN(win.KernelW)
		}
		if r.IntN(5) == 0 {
			win.AutoPad = []string{AutoPadValid, AutoPadSameUpper, AutoPadSameLower}[r.IntN(3)]
			win.CeilMode = false
		}
		if iter%8 == 0 {
			// The 2×2 stride-2 window has its own fast path.
			win = Window{KernelH: 2, KernelW: 2, StrideH: 2, StrideW: 2, DilationH: 1, DilationW: 1, CeilMode: iter%16 == 0}
		}
		xs := []int{1 + r.IntN(2), 1 + r.IntN(3), (win.KernelH-1)*win.DilationH + 1 + r.IntN(9), (win.KernelW-1)*win.DilationW + 1 + r.IntN(9)}
		g, err := NewPoolGeom("Pool", xs, win)
		if err != nil {
			t.Fatalf("%v %+v: %v", xs, win, err)
		}
		desc := fmt.Sprintf("x=%v %+v", xs, win)
		x := floattest.RandSlice(r, Product(xs))
		n := Product(g.OutShape())
		want, wantArg := make([]float32, n), make([]int32, n)
		maxPool2dRef(want, x, wantArg, &g)
		got, check := floattest.Guarded(n)
		gotArg := make([]int32, n)
		MaxPool2D(got, x, gotArg, &g)
		check(t, desc)
		floattest.AssertClose(t, "max "+desc, got, want, 0)
		for i := range gotArg {
			if gotArg[i] != wantArg[i] {
				t.Fatalf("max %s: argmax[%d] = %d, want %d", desc, i, gotArg[i], wantArg[i])
			}
		}
		// Without argmax, inference's paths (windows inside the input, and a
		// platform's 2×2 kernel, here its Go twin).
		for _, k := range []*PanelKernel{nil, ReferencePanelKernel()} {
			SetPanelKernel(k)
			got, check := floattest.Guarded(n)
			MaxPool2D(got, x, nil, &g)
			SetPanelKernel(nil)
			check(t, desc)
			floattest.AssertClose(t, "max without argmax "+desc, got, want, 0)
		}
		for _, cip := range []bool{false, true} {
			avgPool2dRef(want, x, &g, cip)
			got, check := floattest.Guarded(n)
			AvgPool2D(got, x, &g, cip)
			check(t, desc)
			floattest.AssertClose(t, fmt.Sprintf("avg count_include_pad=%v %s", cip, desc), got, want, 1e-6)
		}
	}
}

// TestMaxPoolInsideMatchesGeneral holds inference's pooling of windows
// inside the input (3×3 spelled out, other sizes looped; with padding, a
// frame of outputs through the general loop) to the general loop bit for
// bit, on values with NaNs, infinities and both zeros, where
// the order of the compares decides the answer.
func TestMaxPoolInsideMatchesGeneral(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 9))
	for iter := 0; iter < 300; iter++ {
		kh, kw := 3, 3
		if iter%3 == 0 {
			kh, kw = 1+r.IntN(4), 1+r.IntN(4)
		}
		win := Window{KernelH: kh, KernelW: kw, StrideH: 1 + r.IntN(3), StrideW: 1 + r.IntN(3), DilationH: 1, DilationW: 1}
		if iter%2 == 1 {
			// Padding and overhanging last windows: a frame of outputs
			// through the general loop around the inside ones.
			win.PadTop, win.PadLeft, win.PadBottom, win.PadRight = r.IntN(kh), r.IntN(kw), r.IntN(kh), r.IntN(kw)
			win.CeilMode = r.IntN(2) == 0
		}
		xs := []int{1 + r.IntN(2), 1 + r.IntN(3), kh + r.IntN(9), kw + r.IntN(9)}
		g, err := NewPoolGeom("MaxPool", xs, win)
		if err != nil {
			t.Fatal(err)
		}
		x := specialValues(r, Product(xs))
		n := Product(g.OutShape())
		want := make([]float32, n)
		MaxPool2D(want, x, make([]int32, n), &g) // with argmax: the general loop
		got, check := floattest.Guarded(n)
		MaxPool2D(got, x, nil, &g)
		check(t, fmt.Sprintf("%v %+v", xs, win))
		if !sameBits(got, want) {
			t.Fatalf("x %v %+v: pooling without argmax differs from the general loop:\n got %v\nwant %v", xs, win, got, want)
		}
	}
}

// TestGlobalAvgPoolKernelMatchesGo holds the vector kernel of
// GlobalAvgPool2D, where this build has one, to globalAvgPool2DGo on
// planes of 1 to 70 floats (every path of the kernel), with values of
// mixed magnitudes and signs; infinities and NaN pass through.
func TestGlobalAvgPoolKernelMatchesGo(t *testing.T) {
	if k := elementwise(); k == nil || k.PlaneMeans == nil {
		t.Skip("no vector kernel for GlobalAvgPool2D in this build")
	}
	r := rand.New(rand.NewPCG(11, 12))
	for hw := 1; hw <= 70; hw++ {
		n, c := 1+r.IntN(2), 1+r.IntN(9)
		x := floattest.RandSlice(r, n*c*hw)
		for i := range x {
			x[i] *= float32(math.Pow(10, float64(r.IntN(7)-3)))
		}
		if hw%7 == 0 {
			x[r.IntN(len(x))] = float32(math.Inf(1))
			x[r.IntN(len(x))] = float32(math.NaN())
		}
		want, got := make([]float32, n*c), make([]float32, n*c)
		globalAvgPool2DGo(want, x, n, c, hw)
		GlobalAvgPool2D(got, x, n, c, hw)
		floattest.AssertClose(t, fmt.Sprintf("n=%d c=%d hw=%d", n, c, hw), got, want, 1e-7)
	}
}
