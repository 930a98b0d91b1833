package core

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"

	"wasmcnn/internal/floattest"
)

// sameFloatsOrNaN reports whether a and b hold the same floats, bit for
// bit, any NaN matching any NaN (a product's NaN payload is the
// hardware's choice).
func sameFloatsOrNaN(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) && !(a[i] != a[i] && b[i] != b[i]) {
			return false
		}
	}
	return true
}

// TestScaleShiftKernelMatchesGo holds this CPU's scale-shift kernel, when
// the build has one, to its Go twin on planes of every width from 1 to 40
// (the vector part and the one-by-one rest), with and without ReLU, on
// values and factors with NaNs, infinities and both zeros, inside guard
// bands.
func TestScaleShiftKernelMatchesGo(t *testing.T) {
	k := nativeElementwise
	if k == nil || k.ScaleShift == nil {
		t.Log("no native scale-shift kernel in this build: scaleShiftGo runs, which the other tests cover")
		return
	}
	r := rand.New(rand.NewPCG(31, 32))
	for iter := 0; iter < 400; iter++ {
		planes, hw, relu := 1+r.IntN(5), 1+r.IntN(40), iter%2 == 0
		x, a, b := specialValues(r, planes*hw), specialValues(r, planes), specialValues(r, planes)
		want := make([]float32, planes*hw)
		scaleShiftGo(want, x, a, b, hw, relu)
		got, check := floattest.Guarded(planes * hw)
		k.ScaleShift(unsafe.Pointer(&got[0]), unsafe.Pointer(&x[0]), unsafe.Pointer(&a[0]), unsafe.Pointer(&b[0]), planes, hw, relu)
		desc := fmt.Sprintf("%d planes of %d, relu %v", planes, hw, relu)
		check(t, desc)
		if !sameFloatsOrNaN(got, want) {
			t.Fatalf("%s: the kernel differs from Go's:\n got %v\nwant %v", desc, got, want)
		}
	}
}

// TestBatchNormReLU holds the fused pass to BatchNormInference then ReLU
// bit for bit (in place too, as the planner may run it), over more
// channels than batchNorm holds at once, natively and with the reference
// panel kernel installed (the browser's path), and BatchNormInference to the
// formula computed in float64 within a float32 rounding or two.
func TestBatchNormReLU(t *testing.T) {
	r := rand.New(rand.NewPCG(33, 34))
	for iter := 0; iter < 60; iter++ {
		n, c, hw := 1+r.IntN(2), 1+r.IntN(150), 1+r.IntN(30)
		x := specialValues(r, n*c*hw)
		scale, bias, mean := floattest.RandSlice(r, c), floattest.RandSlice(r, c), floattest.RandSlice(r, c)
		variance := make([]float32, c)
		for i := range variance {
			variance[i] = r.Float32() * 2
		}
		want := make([]float32, len(x))
		BatchNormInference(want, x, n, c, hw, scale, bias, mean, variance, 1e-5)
		for i, v := range want {
			ch := i / hw % c
			ref := float64(scale[ch])*(float64(x[i])-float64(mean[ch]))/math.Sqrt(float64(variance[ch])+1e-5) + float64(bias[ch])
			if d := math.Abs(float64(v) - ref); d > 1e-5*(1+math.Abs(ref)) && !math.IsNaN(ref) && !math.IsInf(ref, 0) {
				t.Fatalf("n %d c %d hw %d: BatchNormInference[%d] = %v, the formula gives %v", n, c, hw, i, v, ref)
			}
		}
		ReLU(want, want)
		for _, k := range []*PanelKernel{nil, ReferencePanelKernel()} {
			SetPanelKernel(k)
			got, check := floattest.Guarded(len(x))
			BatchNormReLU(got, x, n, c, hw, scale, bias, mean, variance, 1e-5)
			desc := fmt.Sprintf("n %d c %d hw %d, panel kernel %v", n, c, hw, k != nil)
			check(t, desc)
			inPlace := append([]float32(nil), x...)
			BatchNormReLU(inPlace, inPlace, n, c, hw, scale, bias, mean, variance, 1e-5)
			SetPanelKernel(nil)
			if !sameFloatsOrNaN(got, want) {
				t.Fatalf("%s: BatchNormReLU differs from BatchNormInference then ReLU", desc)
			}
			if !sameFloatsOrNaN(inPlace, want) {
				t.Fatalf("%s: BatchNormReLU in place differs", desc)
			}
		}
	}
}
