package core

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"wasmcnn/internal/floattest"
)

// randomActivation returns one of the fusable activations with the
// parameters models carry.
func randomActivation(r *rand.Rand) Activation {
	switch r.IntN(6) {
	case 0:
		return Activation{}
	case 1:
		return ReLUActivation()
	case 2:
		return ClipActivation(0, 6)
	case 3:
		return LeakyReLUActivation(0.1)
	case 4:
		return HardSwishActivation()
	}
	return HardSigmoidActivation(0.2, 0.5)
}

// randomConv returns a random geometry of the given kind ("depthwise",
// "pointwise" or "gemm"), small enough for the reference to be quick but
// with the edges the kernels handle: widths that are not multiples of
// any tile, filters that are not multiples of a panel, padding wider than
// the window, dilation, strides, groups, batches and depths past one block.
func randomConv(r *rand.Rand, kind string) (ConvGeom, error) {
	n := 1 + r.IntN(2)
	h, w := 1+r.IntN(13), 1+r.IntN(19)
	win := Window{StrideH: 1 + r.IntN(2), StrideW: 1 + r.IntN(2)}
	var c, k, kh, kw, group int
	switch kind {
	case "depthwise":
		c = 1 + r.IntN(20)
		k, group = c, c
		kh, kw = []int{1, 3, 5, 7}[r.IntN(4)], []int{1, 3, 5}[r.IntN(3)]
		win.DilationH, win.DilationW = 1+r.IntN(2), 1+r.IntN(2)
		win.PadTop, win.PadLeft, win.PadBottom, win.PadRight = r.IntN(4), r.IntN(4), r.IntN(4), r.IntN(4)
		if r.IntN(4) == 0 {
			w = depthwiseSplitMinW + r.IntN(40) // rows split at stride 2
		}
	case "gemv":
		c, k, group, kh, kw, h, w = 1+r.IntN(600), 1+r.IntN(200), 1, 1, 1, 1, 1
	case "pointwise":
		group = 1 + r.IntN(3)
		c, k = group*(1+r.IntN(40)), group*(1+r.IntN(20))
		kh, kw = 1, 1
		h, w = 1+r.IntN(40), 1+r.IntN(60)
		if r.IntN(8) == 0 {
			c = group * (250 + r.IntN(300)) // depth past one block
			h, w = 1+r.IntN(5), 1+r.IntN(20)
		}
	default:
		group = 1 + r.IntN(2)
		if kind == "implicit" {
			group, win.StrideH, win.StrideW = 1, 1, 1
			if r.IntN(2) == 0 {
				w = 8 * (1 + r.IntN(2)) // compact rows, when the padding adds up to the window
			}
		}
		c, k = group*(1+r.IntN(12)), group*(1+r.IntN(20))
		kh, kw = 1+r.IntN(4), 1+r.IntN(4)
		if kh == 1 && kw == 1 {
			kh = 2
		}
		win.DilationH, win.DilationW = 1+r.IntN(2), 1+r.IntN(2)
		win.PadTop, win.PadLeft, win.PadBottom, win.PadRight = r.IntN(3), r.IntN(3), r.IntN(3), r.IntN(3)
	}
	return NewConvGeom([]int{n, c, h, w}, []int{k, c / group, kh, kw}, win, group)
}

// checkPlans runs random convolutions of each kind through NewConvPlan for
// panel kernel k and holds them to ConvFusedRef, with NaN guard bands
// around the output.
func checkPlans(t *testing.T, k *PanelKernel, iters int, kinds ...string) {
	r := rand.New(rand.NewPCG(41, 42))
	var scratch [][]float32
	alloc := func(_ string, n int) ([]float32, error) { // dirty, as reused memory is
		b := floattest.RandSlice(r, n)
		scratch = append(scratch, b)
		return b, nil
	}
	for _, kind := range kinds {
		done := 0
		for done < iters {
			g, err := randomConv(r, kind)
			if err != nil || (kind != "depthwise" && g.Group == g.C && g.K == g.C) || (kind != "gemv" && g.matVec()) {
				continue // a window larger than the padded input, or one of another method
			}
			done++
			x := floattest.RandSlice(r, Product(g.InShape()))
			w := floattest.RandSlice(r, Product(g.WeightShape()))
			var b, res []float32
			if r.IntN(4) != 0 {
				b = floattest.RandSlice(r, g.K)
			}
			out := Product(g.OutShape())
			residual := r.IntN(3) == 0 && kind != "depthwise"
			if residual {
				res = floattest.RandSlice(r, out)
			}
			act := randomActivation(r)
			desc := fmt.Sprintf("%s %+v act=%+v bias=%v residual=%v", kind, g, act, b != nil, residual)
			scratch = scratch[:0]
			p, err := NewConvPlan(k, &g, w, b, act, residual, alloc)
			if err != nil {
				t.Fatalf("%s: %v", desc, err)
			}
			if kind == "gemm" && k != nil && k.ConvTilesEp != nil && g.Group == 1 && g.SH == 1 && g.SW == 1 {
				continue // the implicit kind's
			}
			if k != nil && p.Kernel() != k.Name {
				t.Fatalf("%s: runs on %s, not the panel kernel's", desc, p.Kernel())
			}
			if p.Method() != kind {
				t.Fatalf("%s: planned as %s", desc, p.Method())
			}
			want := make([]float32, out)
			ConvFusedRef(want, x, w, b, res, &g, act)
			got, check := floattest.Guarded(out)
			p.Run(got, x, res)
			check(t, desc)
			depth := float64(g.C / g.Group * g.KH * g.KW)
			floattest.AssertClose(t, desc, got, want, 2e-6*math.Sqrt(depth)+1e-6)
			// Scratch shared with other work between runs (the model
			// planner's arena): ClearPadding is all the plan needs.
			for _, s := range scratch {
				for i := range s {
					s[i] = float32(math.NaN())
				}
			}
			p.ClearPadding()
			again := make([]float32, out)
			p.Run(again, x, res)
			floattest.AssertClose(t, desc+" on scribbled scratch", again, want, 2e-6*math.Sqrt(depth)+1e-6)
			// Planned with an allocator that only records sizes, then
			// bound to scratch of its own, as the model planner does.
			var sizes []int
			probe, err := NewConvPlan(k, &g, w, b, act, residual, func(_ string, n int) ([]float32, error) {
				sizes = append(sizes, n)
				return nil, nil
			})
			if err != nil {
				t.Fatalf("%s: probing: %v", desc, err)
			}
			next := 0
			bound, err := probe.WithScratch(func(_ string, n int) ([]float32, error) {
				if next >= len(sizes) || sizes[next] != n {
					return nil, fmt.Errorf("scratch %d of %d values, planned %v", next, n, sizes)
				}
				next++
				return floattest.RandSlice(r, n), nil
			})
			if err != nil || next != len(sizes) {
				t.Fatalf("%s: WithScratch took %d of %d buffers: %v", desc, next, len(sizes), err)
			}
			bound.Run(again, x, res)
			floattest.AssertClose(t, desc+" bound after probing", again, want, 2e-6*math.Sqrt(depth)+1e-6)
			if residual && iters > 0 && done%4 == 0 {
				// The output may be the residual itself (y = y + conv(x)).
				inplace := append([]float32(nil), res...)
				p.Run(inplace, x, inplace)
				floattest.AssertClose(t, desc+" in place", inplace, want, 2e-6*math.Sqrt(depth)+1e-6)
			}
		}
	}
}

// TestConvPlanNative checks every method with this CPU's kernels.
func TestConvPlanNative(t *testing.T) {
	t.Logf("kernels: %s", nativeFusedKernels.name)
	checkPlans(t, nil, 150, "depthwise", "pointwise", "gemv", "gemm")
}

// TestConvPlanGo checks every method with the portable Go kernels.
func TestConvPlanGo(t *testing.T) {
	saved := nativeFusedKernels
	nativeFusedKernels = goFusedKernels
	defer func() { nativeFusedKernels = saved }()
	checkPlans(t, nil, 60, "depthwise", "pointwise", "gemv", "gemm")
}

// TestConvPlanPanel checks every method through a panel kernel's fused
// kernels: the reference ones, whose contract the browser's SIMD kernels
// implement (they are held to the same check under js/wasm).
func TestConvPlanPanel(t *testing.T) {
	checkPlans(t, ReferencePanelKernel(), 60, "depthwise", "pointwise", "gemv", "implicit", "gemm")
}

// TestConvPlanRefuses checks that bad weights, bias and activations are
// errors, not panics.
func TestConvPlanRefuses(t *testing.T) {
	g, err := NewConvGeom([]int{1, 4, 5, 5}, []int{8, 4, 3, 3}, Window{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	alloc := func(_ string, n int) ([]float32, error) { return make([]float32, n), nil }
	w, b := make([]float32, 8*4*9), make([]float32, 8)
	nan := float32(math.NaN())
	for _, c := range []struct {
		name string
		w, b []float32
		act  Activation
	}{
		{"short weights", w[:10], b, Activation{}},
		{"short bias", w, b[:3], Activation{}},
		{"unknown activation", w, b, Activation{Kind: actKinds}},
		{"NaN bound", w, b, ClipActivation(nan, 6)},
		{"bounds out of order", w, b, ClipActivation(6, 0)},
	} {
		if _, err := NewConvPlan(nil, &g, c.w, c.b, c.act, false, alloc); err == nil {
			t.Errorf("%s: planned", c.name)
		}
	}
	bad := g
	bad.Group = 3
	if _, err := NewConvPlan(nil, &bad, w, b, Activation{}, false, alloc); err == nil {
		t.Error("a group that does not divide the channels: planned")
	}
}

// TestConvPlanEachNative checks every method with each of this CPU's
// fused kernels (AVX2 and, where the CPU has it, AVX-512).
func TestConvPlanEachNative(t *testing.T) {
	saved := nativeFusedKernels
	defer func() { nativeFusedKernels = saved }()
	for _, k := range nativeKernelSets() {
		t.Run(k.name, func(t *testing.T) {
			nativeFusedKernels = k
			checkPlans(t, nil, 60, "depthwise", "pointwise", "gemv", "gemm")
		})
	}
}

// TestConvPlanWinograd holds the Winograd method to the reference on
// random 3×3 convolutions (odd output sizes, padding, residuals, every
// activation) with each kernel set, and reports its error: the transforms'
// additions round, so the tolerance is wider than the direct methods'.
func TestConvPlanWinograd(t *testing.T) {
	r := rand.New(rand.NewPCG(43, 44))
	alloc := func(_ string, n int) ([]float32, error) { return floattest.RandSlice(r, n), nil }
	saved := nativeFusedKernels
	defer func() { nativeFusedKernels = saved }()
	worst := 0.0
	for _, k := range append(nativeKernelSets(), nil) {
		var panel *PanelKernel
		if k == nil {
			panel = ReferencePanelKernel()
		} else {
			nativeFusedKernels = k
		}
		for iter := 0; iter < 40; iter++ {
			pad, c := r.IntN(3), 1+r.IntN(300)
			g, err := NewConvGeom([]int{1 + r.IntN(2), c, 1 + r.IntN(12), 1 + r.IntN(12)}, []int{1 + r.IntN(40), c, 3, 3},
				Window{PadTop: pad, PadLeft: pad, PadBottom: r.IntN(3), PadRight: r.IntN(3)}, 1)
			if err != nil {
				continue
			}
			x, w, b := floattest.RandSlice(r, Product(g.InShape())), floattest.RandSlice(r, Product(g.WeightShape())), floattest.RandSlice(r, g.K)
			var res []float32
			if r.IntN(3) == 0 {
				res = floattest.RandSlice(r, Product(g.OutShape()))
			}
			act := randomActivation(r)
			p, err := NewConvPlanMethod(panel, &g, w, b, act, res != nil, alloc, "winograd")
			if err != nil {
				t.Fatal(err)
			}
			want := make([]float32, Product(g.OutShape()))
			ConvFusedRef(want, x, w, b, res, &g, act)
			got, check := floattest.Guarded(len(want))
			p.Run(got, x, res)
			desc := fmt.Sprintf("%s %+v", p.Kernel(), g)
			check(t, desc)
			// Error relative to the sum of the products' magnitudes, ≤ 9C.
			scale := float64(9 * g.C)
			for i := range want {
				worst = max(worst, math.Abs(float64(got[i]-want[i]))/scale)
			}
			floattest.AssertClose(t, desc, got, want, 1e-6*scale)
		}
	}
	t.Logf("largest error: %.2g of the sum of the products' magnitudes", worst)
}

// TestWinogradPackByPanels holds the Winograd plan's filters, transformed
// and packed a panel of filters at a time, to the same transform packed
// for the whole layer at once, bit for bit, for filter counts that fill
// the last panel and that do not, and channels beyond one block of convKC.
func TestWinogradPackByPanels(t *testing.T) {
	r := rand.New(rand.NewPCG(45, 46))
	alloc := func(_ string, n int) ([]float32, error) { return make([]float32, n), nil }
	for _, kc := range [][2]int{{1, 3}, {7, 5}, {16, 40}, {37, convKC + 9}} {
		k, c := kc[0], kc[1]
		g, err := NewConvGeom([]int{1, c, 6, 6}, []int{k, c, 3, 3}, Window{PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1}, 1)
		if err != nil {
			t.Fatal(err)
		}
		w := floattest.RandSlice(r, Product(g.WeightShape()))
		p, err := NewConvPlanMethod(nil, &g, w, nil, Activation{}, false, alloc, "winograd")
		if err != nil {
			t.Fatal(err)
		}
		mr, mp := p.kern.mr, p.wg.mp
		uk := make([]float32, 16*k*c)
		for f := 0; f < k; f++ {
			for ch := 0; ch < c; ch++ {
				var u [16]float32
				winogradFilter(&u, w[(f*c+ch)*9:(f*c+ch+1)*9])
				for xi, v := range u {
					uk[(xi*k+f)*c+ch] = v
				}
			}
		}
		want := make([]float32, 16*mp*c)
		for xi := 0; xi < 16; xi++ {
			for p0 := 0; p0 < c; p0 += convKC {
				kb := min(convKC, c-p0)
				off := xi*mp*c + p0*mp
				packA(false, k, mr, kb, uk[xi*k*c:(xi+1)*k*c], c, p0, want[off:off+mp*kb])
			}
		}
		if len(p.wg.u) != len(want) {
			t.Fatalf("K %d, C %d: %d packed values, want %d", k, c, len(p.wg.u), len(want))
		}
		for i, v := range want {
			if math.Float32bits(p.wg.u[i]) != math.Float32bits(v) {
				t.Fatalf("K %d, C %d: packed value %d is %v, want %v", k, c, i, p.wg.u[i], v)
			}
		}
	}
}

// TestConvPlanForBatch plans convolutions of every method for one image,
// derives the plan for three with ForBatch and holds its output to that of
// a plan made for three images, bit for bit, on the CPU's kernels and the
// reference panel kernel (which plans the implicit method).
func TestConvPlanForBatch(t *testing.T) {
	r := rand.New(rand.NewPCG(47, 48))
	alloc := func(_ string, n int) ([]float32, error) { return make([]float32, n), nil }
	type conv struct {
		c, h, k, kh, group, stride, pad int
		method                          string
	}
	convs := []conv{
		{8, 9, 12, 3, 1, 1, 1, ""}, {8, 9, 12, 3, 1, 1, 1, "winograd"}, {6, 7, 10, 1, 1, 1, 0, ""},
		{6, 8, 10, 1, 1, 2, 0, ""}, {12, 1, 7, 1, 1, 1, 0, ""}, {8, 9, 8, 3, 8, 2, 1, ""}, {8, 10, 8, 5, 2, 2, 2, ""},
	}
	for _, panel := range []*PanelKernel{nil, ReferencePanelKernel()} {
		methods := map[string]bool{}
		for _, cv := range convs {
			geom := func(n int) ConvGeom {
				g, err := NewConvGeom([]int{n, cv.c, cv.h, cv.h}, []int{cv.k, cv.c / cv.group, cv.kh, cv.kh},
					Window{StrideH: cv.stride, StrideW: cv.stride, PadTop: cv.pad, PadLeft: cv.pad, PadBottom: cv.pad, PadRight: cv.pad}, cv.group)
				if err != nil {
					t.Fatal(err)
				}
				return g
			}
			g1, g3 := geom(1), geom(3)
			w, b := floattest.RandSlice(r, Product(g1.WeightShape())), floattest.RandSlice(r, cv.k)
			act := ReLUActivation()
			one, err := NewConvPlanMethod(panel, &g1, w, b, act, false, alloc, cv.method)
			if err != nil {
				t.Fatal(err)
			}
			three, err := NewConvPlanMethod(panel, &g3, w, b, act, false, alloc, cv.method)
			if err != nil {
				t.Fatal(err)
			}
			derived, err := one.ForBatch(3, alloc)
			if err != nil {
				t.Fatal(err)
			}
			desc := fmt.Sprintf("%s %s %+v", one.Kernel(), one.Method(), g3)
			methods[one.Method()] = true
			if derived.Method() != three.Method() || derived.Geom() != g3 {
				t.Fatalf("%s: ForBatch gave %s %+v", desc, derived.Method(), derived.Geom())
			}
			x := floattest.RandSlice(r, Product(g3.InShape()))
			want, got := make([]float32, Product(g3.OutShape())), make([]float32, Product(g3.OutShape()))
			three.Run(want, x, nil)
			derived.Run(got, x, nil)
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%s: output %d is %v, want %v", desc, i, got[i], want[i])
				}
			}
		}
		t.Logf("methods: %v", methods)
	}
	if _, err := (&ConvPlan{}).ForBatch(0, alloc); err == nil {
		t.Error("ForBatch(0) did not refuse")
	}
}
