package core

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"

	"wasmcnn/internal/floattest"
)

// same3Values is specialValues with a second NaN, of another payload, so
// that a test sees which NaN a window keeps.
func same3Values(r *rand.Rand, n int) []float32 {
	x := specialValues(r, n)
	other := math.Float32frombits(0x7fc12345)
	for i := range x {
		if r.IntN(16) == 0 {
			x[i] = other
		}
	}
	return x
}

// TestMaxPoolSame3GoMatchesReference holds the Go twin of the "same" 3×3
// kernels to maxPool2dRef bit for bit on planes from 1×1 up, of values
// with two NaNs, infinities and both zeros.
func TestMaxPoolSame3GoMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	win := Window{KernelH: 3, KernelW: 3, StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1}
	for iter := 0; iter < 500; iter++ {
		xs := []int{1 + r.IntN(2), 1 + r.IntN(3), 1 + r.IntN(12), 1 + r.IntN(40)}
		g, err := NewPoolGeom("MaxPool", xs, win)
		if err != nil {
			t.Fatal(err)
		}
		if !isSame3x3(&g) {
			t.Fatalf("x=%v: %+v is not taken for a same 3×3 pooling", xs, g)
		}
		x := same3Values(r, Product(xs))
		want := make([]float32, len(x))
		maxPool2dRef(want, x, nil, &g)
		got, check := floattest.Guarded(len(x))
		maxPoolSame3Go(got, x, g.N*g.C, g.H, g.W)
		desc := fmt.Sprintf("x=%v", xs)
		check(t, desc)
		if !sameBits(got, want) {
			t.Fatalf("%s: the Go twin differs from the reference:\n got %v\nwant %v", desc, got, want)
		}
	}
}

// TestMaxPoolSame3KernelMatchesGo holds this CPU's "same" 3×3 kernel, when
// the build has one, to its Go twin bit for bit: heights from 1, widths
// from the narrowest it takes (one block that is both first and last) to
// several blocks with an overlapping last, on both block widths, with guard bands around the
// output and +Inf on both sides of the input, which would win any window
// that read it.
func TestMaxPoolSame3KernelMatchesGo(t *testing.T) {
	k := nativeElementwise
	if k == nil || k.MaxPoolSame3 == nil {
		t.Log("no native same 3×3 pooling kernel in this build: maxPoolInside runs, which the other tests cover")
		return
	}
	r := rand.New(rand.NewPCG(33, 34))
	for iter := 0; iter < 1000; iter++ {
		planes, h, w := 1+r.IntN(3), 1+r.IntN(6), k.MaxPoolSame3MinW+r.IntN(30)
		n := planes * h * w
		buf := make([]float32, n+32)
		for i := range buf {
			buf[i] = float32(math.Inf(1))
		}
		x := buf[16 : 16+n]
		copy(x, same3Values(r, n))
		want := make([]float32, n)
		maxPoolSame3Go(want, x, planes, h, w)
		got, check := floattest.Guarded(n)
		k.MaxPoolSame3(unsafe.Pointer(&got[0]), unsafe.Pointer(&x[0]), planes, h, w)
		desc := fmt.Sprintf("planes %d %d×%d", planes, h, w)
		check(t, desc)
		if !sameBits(got, want) {
			t.Fatalf("%s: the kernel differs from Go's:\n got %v\nwant %v", desc, got, want)
		}
	}
}

// TestMaxPoolSame3ArchitectureShapes holds [MaxPool2D] to maxPool2dRef on
// the widths of GoogLeNet's inception branches (28, 14 and 7: eight and
// four floats at a time natively), the kernels' edge cases and planes
// narrower than they take (maxPoolInside), natively and with the
// reference panel kernel installed (the browser's path).
func TestMaxPoolSame3ArchitectureShapes(t *testing.T) {
	r := rand.New(rand.NewPCG(35, 36))
	win := Window{KernelH: 3, KernelW: 3, StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1}
	for _, xs := range [][]int{{1, 5, 28, 28}, {1, 7, 14, 14}, {1, 9, 7, 7}, {2, 3, 1, 8}, {1, 2, 8, 1}, {1, 2, 2, 9}, {1, 1, 3, 16}, {1, 2, 5, 3}, {1, 1, 4, 4}} {
		g, err := NewPoolGeom("MaxPool", xs, win)
		if err != nil {
			t.Fatal(err)
		}
		x := same3Values(r, Product(xs))
		want := make([]float32, len(x))
		maxPool2dRef(want, x, nil, &g)
		for _, k := range []*PanelKernel{nil, ReferencePanelKernel()} {
			SetPanelKernel(k)
			got, check := floattest.Guarded(len(x))
			MaxPool2D(got, x, nil, &g)
			SetPanelKernel(nil)
			desc := fmt.Sprintf("x=%v panel kernel %v", xs, k != nil)
			check(t, desc)
			if !sameBits(got, want) {
				t.Fatalf("%s: pooling differs from the reference:\n got %v\nwant %v", desc, got, want)
			}
		}
	}
}

// TestMaxPoolExactTilesMatchesReference holds [MaxPool2D] to maxPool2dRef
// on planes whose windows tile the input exactly and whose output rows are
// too short for the vector kernel (GoogLeNet's 2×2 pooling of 14×14 to
// 7×7), pooled straight from the input as one long row, natively and with
// the reference panel kernel installed.
func TestMaxPoolExactTilesMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(37, 38))
	for _, c := range []struct {
		x   []int
		win Window
	}{
		{[]int{1, 9, 14, 14}, Window{KernelH: 2, KernelW: 2, StrideH: 2, StrideW: 2, CeilMode: true}},
		{[]int{2, 3, 6, 10}, Window{KernelH: 2, KernelW: 2, StrideH: 2, StrideW: 2}},
		{[]int{1, 5, 7, 7}, Window{KernelH: 3, KernelW: 3, StrideH: 2, StrideW: 2, CeilMode: true}},
		{[]int{1, 4, 5, 9}, Window{KernelH: 2, KernelW: 3, StrideH: 1, StrideW: 1}},
	} {
		c.win.DilationH, c.win.DilationW = 1, 1
		g, err := NewPoolGeom("MaxPool", c.x, c.win)
		if err != nil {
			t.Fatal(err)
		}
		x := same3Values(r, Product(c.x))
		n := Product(g.OutShape())
		want := make([]float32, n)
		maxPool2dRef(want, x, nil, &g)
		for _, k := range []*PanelKernel{nil, ReferencePanelKernel()} {
			SetPanelKernel(k)
			got, check := floattest.Guarded(n)
			MaxPool2D(got, x, nil, &g)
			SetPanelKernel(nil)
			desc := fmt.Sprintf("x=%v %+v panel kernel %v", c.x, c.win, k != nil)
			check(t, desc)
			if !sameBits(got, want) {
				t.Fatalf("%s: pooling differs from the reference:\n got %v\nwant %v", desc, got, want)
			}
		}
	}
}
