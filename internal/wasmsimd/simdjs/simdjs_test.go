//go:build js && wasm

package simdjs

import (
	"fmt"
	"math"
	"math/rand/v2"
	"syscall/js"
	"testing"
	"unsafe"

	"wasmcnn/core"
	"wasmcnn/internal/floattest"
	"wasmcnn/internal/wasmsimd"
)

// install installs the kernel for one test; tools/go_js_wasm_exec exposes
// the memory as the page's loader does.
func install(t *testing.T) *core.PanelKernel {
	t.Helper()
	name, err := InstallBest(js.Global().Get("__wasmcnnMemory"))
	if err != nil || name == "" {
		t.Fatalf("the SIMD kernel did not install (%q, %v): run with tools/go_js_wasm_exec", name, err)
	}
	t.Cleanup(func() { core.SetPanelKernel(nil) })
	t.Logf("kernel: %s", name)
	return core.CurrentPanelKernel()
}

func ptr(x []float32) unsafe.Pointer { return unsafe.Pointer(&x[0]) }

// TestCodesMatchCore holds the module's flags and activation codes to core's.
func TestCodesMatchCore(t *testing.T) {
	for _, c := range []struct {
		name       string
		wasm, core int
	}{
		{"accumulate", wasmsimd.FlagAccumulate, core.EpAccumulate},
		{"bias", wasmsimd.FlagBias, core.EpBias},
		{"residual", wasmsimd.FlagResidual, core.EpResidual},
		{"activate", wasmsimd.FlagActivate, core.EpActivate},
		{"clip", wasmsimd.ActClip, int(core.ActClip)},
		{"leaky", wasmsimd.ActLeakyReLU, int(core.ActLeakyReLU)},
		{"hardswish", wasmsimd.ActHardSwish, int(core.ActHardSwish)},
		{"hardsigmoid", wasmsimd.ActHardSigmoid, int(core.ActHardSigmoid)},
	} {
		if c.wasm != c.core {
			t.Errorf("%s: module %d, core %d", c.name, c.wasm, c.core)
		}
	}
}

// activations are the fused activations with the parameters models carry.
var activations = []core.Activation{
	{}, core.ReLUActivation(), core.ClipActivation(0, 6), core.ClipActivation(-0.5, 0.25),
	core.LeakyReLUActivation(0.1), core.HardSwishActivation(), core.HardSigmoidActivation(0.2, 0.5),
}

// special puts NaN, −0, values on the clip bounds and large ones among x.
func special(r *rand.Rand, x []float32) {
	for i := range x {
		switch r.IntN(16) {
		case 0:
			x[i] = float32(math.NaN())
		case 1:
			x[i] = float32(math.Copysign(0, -1))
		case 2:
			x[i] = 6
		case 3:
			x[i] = -3 // where HardSwish's ramp starts
		}
	}
}

// sameFloats fails unless got and want agree within tol·(1+|want|), NaN
// matching NaN.
func sameFloats(t *testing.T, what string, got, want []float32, tol float64) {
	t.Helper()
	if i := floattest.FirstMismatch(got, want, tol); i >= 0 {
		t.Fatalf("%s: element %d = %v, want %v", what, i, got[i], want[i])
	}
}

// TestGemmEp checks the fused product against its Go twin on random
// blocks: every combination of flags, every activation, B packed or in
// rows, NaN and −0 in the residual, and NaN guard bands around C.
func TestGemmEp(t *testing.T) {
	simd, ref := install(t), core.ReferencePanelKernel()
	r := rand.New(rand.NewPCG(51, 52))
	for iter := 0; iter < 300; iter++ {
		mp, np, kb := 4*(1+r.IntN(6)), 8*(1+r.IntN(6)), 1+r.IntN(300)
		ldc, ldres := np+r.IntN(3), np+r.IntN(5)
		packed := r.IntN(2) == 0
		ldb := np + r.IntN(5)
		bPanel, bRow, bLen := 8, ldb, kb*ldb
		if packed {
			bPanel, bRow, bLen = 8*kb, 8, np*kb
		}
		pa, pb := floattest.RandSlice(r, mp*kb), floattest.RandSlice(r, bLen)
		bias, res := floattest.RandSlice(r, mp), floattest.RandSlice(r, (mp-1)*ldres+np)
		special(r, res)
		act := activations[r.IntN(len(activations))]
		params := [4]float32{act.Lo, act.Hi, act.Alpha, act.Beta}
		ep := core.EpilogueArgs{Flags: r.IntN(16), Bias: ptr(bias), Res: ptr(res), ResLd: ldres, Act: act.Kind, Params: unsafe.Pointer(&params)}
		c0 := floattest.RandSlice(r, (mp-1)*ldc+np)
		special(r, c0)
		want := append([]float32(nil), c0...)
		ref.GemmEp(ptr(pa), ptr(pb), bPanel, bRow, ptr(want), ldc, mp, np, kb, &ep)
		got, check := floattest.Guarded(len(c0))
		copy(got, c0)
		simd.GemmEp(ptr(pa), ptr(pb), bPanel, bRow, ptr(got), ldc, mp, np, kb, &ep)
		what := fmt.Sprintf("mp=%d np=%d kb=%d ldc=%d packed=%v flags=%b act=%+v", mp, np, kb, ldc, packed, ep.Flags, act)
		check(t, what)
		for i := 0; i < mp; i++ {
			sameFloats(t, what, got[i*ldc:i*ldc+np], want[i*ldc:i*ldc+np], 1e-5*math.Sqrt(float64(kb)))
			if i < mp-1 {
				sameFloats(t, what+" (gap between rows)", got[i*ldc+np:(i+1)*ldc], c0[i*ldc+np:(i+1)*ldc], 0)
			}
		}
	}
}

// TestDepthwise checks the depthwise kernel against its Go twin on random
// geometries (strides 1 and 2, windows of 1 to 5, rows of 1 to 40
// columns), every activation, with NaN guard bands around the output and
// the input's slack filled with NaN, which must not reach any output.
func TestDepthwise(t *testing.T) {
	simd, ref := install(t), core.ReferencePanelKernel()
	r := rand.New(rand.NewPCG(53, 54))
	for iter := 0; iter < 300; iter++ {
		ch, kh, kw := 1+r.IntN(5), 1+r.IntN(5), 1+r.IntN(5)
		sh, sw := 1+r.IntN(2), 1+r.IntN(2)
		dh, dw := 1+r.IntN(2), 1+r.IntN(2)
		oh, ow := 1+r.IntN(6), 1+r.IntN(40)
		hp, wp := (oh-1)*sh+(kh-1)*dh+1+r.IntN(2), (ow-1)*sw+(kw-1)*dw+1+r.IntN(3)
		xPlane := hp * wp
		x := floattest.RandSlice(r, ch*xPlane+core.DepthwiseSlack)
		for i := ch * xPlane; i < len(x); i++ {
			x[i] = float32(math.NaN())
		}
		w, bias := floattest.RandSlice(r, ch*kh*kw), floattest.RandSlice(r, ch)
		offs := make([]int32, 0, kh*kw)
		for i := 0; i < kh; i++ {
			for j := 0; j < kw; j++ {
				offs = append(offs, int32(i*dh*wp+j*dw))
			}
		}
		act := activations[r.IntN(len(activations))]
		params := [4]float32{act.Lo, act.Hi, act.Alpha, act.Beta}
		yPlane := oh*ow + r.IntN(3)
		want := make([]float32, ch*yPlane)
		got, check := floattest.Guarded(len(want))
		copy(got, want)
		args := func(y []float32) *core.DepthwiseArgs {
			return &core.DepthwiseArgs{Y: ptr(y), X: ptr(x), W: ptr(w), Bias: ptr(bias), Offs: unsafe.Pointer(&offs[0]),
				Channels: ch, Taps: kh * kw, OH: oh, OW: ow, RowStep: sh * wp, SW: sw, XPlane: xPlane, YPlane: yPlane,
				Act: act.Kind, Params: unsafe.Pointer(&params)}
		}
		ref.Depthwise(args(want))
		simd.Depthwise(args(got))
		what := fmt.Sprintf("channels=%d window=%dx%d stride=%dx%d dilation=%dx%d out=%dx%d padded=%dx%d act=%+v", ch, kh, kw, sh, sw, dh, dw, oh, ow, hp, wp, act)
		check(t, what)
		sameFloats(t, what, got, want, 1e-5*float64(kh*kw))
	}
}

// TestConvTilesEp checks the implicit convolution's epilogue against its Go
// twin: random offset tables, wide or compact rows, every flag but
// EpAccumulate, every activation, NaN guard bands around C.
func TestConvTilesEp(t *testing.T) {
	simd, ref := install(t), core.ReferencePanelKernel()
	r := rand.New(rand.NewPCG(55, 56))
	for iter := 0; iter < 200; iter++ {
		mp, np, kb := 4*(1+r.IntN(5)), 8*(1+r.IntN(6)), 1+r.IntN(80)
		ldc, ldres := np+r.IntN(3), np+r.IntN(3)
		base := floattest.RandSlice(r, 200+2*np)
		offs := make([]int32, kb)
		for i := range offs {
			offs[i] = int32(r.IntN(200))
		}
		pa, bias, res := floattest.RandSlice(r, mp*kb), floattest.RandSlice(r, mp), floattest.RandSlice(r, (mp-1)*ldres+np)
		special(r, res)
		rowCols, rowSkip := np, 0
		if r.IntN(2) == 0 {
			rowCols, rowSkip = 8*(1+r.IntN(2)), 1+r.IntN(5)
		}
		act := activations[r.IntN(len(activations))]
		params := [4]float32{act.Lo, act.Hi, act.Alpha, act.Beta}
		ep := core.EpilogueArgs{Flags: r.IntN(16) &^ core.EpAccumulate, Bias: ptr(bias), Res: ptr(res), ResLd: ldres, Act: act.Kind, Params: unsafe.Pointer(&params)}
		want := make([]float32, (mp-1)*ldc+np)
		got, check := floattest.Guarded(len(want))
		ref.ConvTilesEp(ptr(pa), ptr(base), unsafe.Pointer(&offs[0]), ptr(want), ldc, mp, np, kb, rowCols, rowSkip, &ep)
		simd.ConvTilesEp(ptr(pa), ptr(base), unsafe.Pointer(&offs[0]), ptr(got), ldc, mp, np, kb, rowCols, rowSkip, &ep)
		what := fmt.Sprintf("mp=%d np=%d kb=%d rowCols=%d rowSkip=%d flags=%b act=%+v", mp, np, kb, rowCols, rowSkip, ep.Flags, act)
		check(t, what)
		for i := 0; i < mp; i++ {
			sameFloats(t, what, got[i*ldc:i*ldc+np], want[i*ldc:i*ldc+np], 1e-5*math.Sqrt(float64(kb)))
		}
	}
}

// TestGather checks the gather against its Go twin: strides 1 to 3, rows
// of 1 to 30 columns, NaN guard bands around the block, and the image
// ending right after the last float the gather reads, so that a read past
// it would bring NaN in.
func TestGather(t *testing.T) {
	simd, ref := install(t), core.ReferencePanelKernel()
	r := rand.New(rand.NewPCG(57, 58))
	for iter := 0; iter < 300; iter++ {
		kb, rows, ow, sw := 1+r.IntN(12), 1+r.IntN(4), 1+r.IntN(30), 1+r.IntN(3)
		rowStep := (ow-1)*sw + 1 + r.IntN(4)
		offs := make([]int32, kb)
		last := 0
		for i := range offs {
			offs[i] = int32(r.IntN(50))
			last = max(last, int(offs[i])+(rows-1)*rowStep+(ow-1)*sw)
		}
		img := floattest.RandSlice(r, last+1+8)
		for i := last + 1; i < len(img); i++ {
			img[i] = float32(math.NaN())
		}
		ld := rows*ow + r.IntN(5)
		want := make([]float32, (kb-1)*ld+rows*ow)
		got, check := floattest.Guarded(len(want))
		copy(got, want)
		ref.Gather(ptr(want), ptr(img), unsafe.Pointer(&offs[0]), ld, kb, rows, ow, rowStep, sw)
		simd.Gather(ptr(got), ptr(img), unsafe.Pointer(&offs[0]), ld, kb, rows, ow, rowStep, sw)
		what := fmt.Sprintf("kb=%d rows=%d ow=%d sw=%d rowStep=%d ld=%d", kb, rows, ow, sw, rowStep, ld)
		check(t, what)
		for p := 0; p < kb; p++ {
			sameFloats(t, what, got[p*ld:p*ld+rows*ow], want[p*ld:p*ld+rows*ow], 0)
		}
	}
}

// TestQuantKernels checks the quantized convolution's conversions against
// their Go twins, byte for byte: both signs, zero points at the extremes,
// rows whose length is not a multiple of four, products that round to
// ties and saturate, accumulators past 2^24.
func TestQuantKernels(t *testing.T) {
	simd, ref := install(t), core.ReferencePanelKernel()
	r := rand.New(rand.NewPCG(59, 60))
	for iter := 0; iter < 200; iter++ {
		signed := r.IntN(2) == 0
		lo, hi := int32(0), int32(255)
		if signed {
			lo, hi = -128, 127
		}
		zero := []int32{lo, hi, lo + r.Int32N(hi-lo+1)}[r.IntN(3)]
		n := 1 + r.IntN(70)
		src := make([]byte, n)
		for i := range src {
			src[i] = byte(r.IntN(256))
		}
		want, got := make([]float32, n), make([]float32, n)
		ref.QuantIn(ptr(want), unsafe.Pointer(&src[0]), n, zero, signed)
		simd.QuantIn(ptr(got), unsafe.Pointer(&src[0]), n, zero, signed)
		sameFloats(t, fmt.Sprintf("QuantIn n=%d zero=%d signed=%v", n, zero, signed), got, want, 0)

		rows, cols := 1+r.IntN(5), 1+r.IntN(30)
		prods := make([]float32, rows*cols)
		for i := range prods {
			prods[i] = float32(r.IntN(4001) - 2000)
			if r.IntN(20) == 0 {
				prods[i] = float32(r.IntN(1<<26) - 1<<25) // past 2^24: float32(acc + bias) rounds
			}
		}
		bias, scale := make([]int32, rows), make([]float32, rows)
		for i := range bias {
			bias[i] = r.Int32N(2001) - 1000
			scale[i] = []float32{0.5, 0.25, 0.0625, 0.013}[r.IntN(4)]
		}
		a := core.RequantArgs{Bias: unsafe.Pointer(&bias[0]), Scale: unsafe.Pointer(&scale[0]), Zero: zero, Lo: lo, Hi: hi}
		wantB, gotB := make([]byte, rows*cols), make([]byte, rows*cols+4)
		for i := range gotB {
			gotB[i] = 0x5a
		}
		ref.Requant(unsafe.Pointer(&wantB[0]), ptr(prods), rows, cols, &a)
		simd.Requant(unsafe.Pointer(&gotB[0]), ptr(prods), rows, cols, &a)
		for i := range wantB {
			if gotB[i] != wantB[i] {
				t.Fatalf("Requant rows=%d cols=%d zero=%d signed=%v: byte %d = %d, want %d (product %v)", rows, cols, zero, signed, i, gotB[i], wantB[i], prods[i])
			}
		}
		for i := len(wantB); i < len(gotB); i++ {
			if gotB[i] != 0x5a {
				t.Fatalf("Requant rows=%d cols=%d: wrote past the output", rows, cols)
			}
		}
	}
}

// TestMaxPoolRows holds the max pooling kernels (strides 1 and 2) to their
// Go twin bit for bit on random blocks of planes and rows, on values with
// NaNs, infinities and both zeros, where the order of the compares decides
// the answer; the input ends where the last window does, followed by +Inf
// that would win any window reading it, and NaN guard bands surround the
// output.
func TestMaxPoolRows(t *testing.T) {
	simd, ref := install(t), core.ReferencePanelKernel()
	specials := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 0, float32(math.Copysign(0, -1))}
	r := rand.New(rand.NewPCG(61, 62))
	for iter := 0; iter < 500; iter++ {
		sw, kh, kw := 1+r.IntN(2), 1+r.IntN(5), 1+r.IntN(5)
		planes, rows, n := 1+r.IntN(3), 1+r.IntN(4), 4+r.IntN(30)
		w := (n-1)*sw + kw + r.IntN(5)
		xRow, yRow := w*(1+r.IntN(2)), n+r.IntN(4)
		xPlane, yPlane := (rows-1)*xRow+(kh-1)*w+(n-1)*sw+kw+r.IntN(5), (rows-1)*yRow+n+r.IntN(5)
		need := (planes-1)*xPlane + (rows-1)*xRow + (kh-1)*w + (n-1)*sw + kw
		buf := floattest.RandSlice(r, need+8)
		for i := range buf {
			if i >= need {
				buf[i] = float32(math.Inf(1))
			} else if r.IntN(4) == 0 {
				buf[i] = specials[r.IntN(len(specials))]
			}
		}
		ny := (planes-1)*yPlane + (rows-1)*yRow + n
		want := make([]float32, ny)
		got, check := floattest.Guarded(ny)
		copy(got, want)
		ref.MaxPoolRows(ptr(want), ptr(buf), planes, yPlane, xPlane, rows, n, yRow, xRow, w, kh, kw, sw)
		simd.MaxPoolRows(ptr(got), ptr(buf), planes, yPlane, xPlane, rows, n, yRow, xRow, w, kh, kw, sw)
		what := fmt.Sprintf("planes=%d (%d, %d) rows=%d n=%d yRow=%d xRow=%d w=%d window=%dx%d stride=%d", planes, yPlane, xPlane, rows, n, yRow, xRow, w, kh, kw, sw)
		check(t, what)
		for i := range got {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%s: y[%d] = %v, want %v", what, i, got[i], want[i])
			}
		}
	}
}

// TestScaleShift holds the batch normalisation kernels (with ReLU and
// without) to their Go twin on planes of 4 to 64 floats, on values and
// factors with NaNs, infinities and both zeros (any NaN matching any NaN:
// the payload is the engine's choice), in place too, inside NaN guard
// bands.
func TestScaleShift(t *testing.T) {
	simd, ref := install(t), core.ReferencePanelKernel()
	specials := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 0, float32(math.Copysign(0, -1))}
	withSpecials := func(r *rand.Rand, n int) []float32 {
		x := floattest.RandSlice(r, n)
		for i := range x {
			if r.IntN(4) == 0 {
				x[i] = specials[r.IntN(len(specials))]
			}
		}
		return x
	}
	same := func(a, b []float32) bool {
		for i := range a {
			if math.Float32bits(a[i]) != math.Float32bits(b[i]) && !(a[i] != a[i] && b[i] != b[i]) {
				return false
			}
		}
		return true
	}
	r := rand.New(rand.NewPCG(63, 64))
	for iter := 0; iter < 300; iter++ {
		planes, hw, relu := 1+r.IntN(5), 4*(1+r.IntN(16)), iter%2 == 0
		x, a, b := withSpecials(r, planes*hw), withSpecials(r, planes), withSpecials(r, planes)
		want := make([]float32, planes*hw)
		got, check := floattest.Guarded(planes * hw)
		ref.ScaleShift(ptr(want), ptr(x), ptr(a), ptr(b), planes, hw, relu)
		simd.ScaleShift(ptr(got), ptr(x), ptr(a), ptr(b), planes, hw, relu)
		what := fmt.Sprintf("planes=%d hw=%d relu=%v", planes, hw, relu)
		check(t, what)
		if !same(got, want) {
			t.Fatalf("%s: got %v, want %v", what, got, want)
		}
		simd.ScaleShift(ptr(x), ptr(x), ptr(a), ptr(b), planes, hw, relu)
		if !same(x, want) {
			t.Fatalf("%s in place: got %v, want %v", what, x, want)
		}
	}
}
