package core

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// randomQuant returns quantization parameters for g: signed or unsigned
// input, filters and output, zero points anywhere in their range (the
// extremes included), per-filter or per-tensor filter parameters, and
// scales that are sometimes powers of two so that products fall exactly
// half-way between integers (the rounding ties) or saturate.
func randomQuant(r *rand.Rand, g *ConvGeom) QuantConv {
	q := QuantConv{XSigned: r.IntN(2) == 0, WSigned: r.IntN(3) != 0, YSigned: r.IntN(2) == 0}
	zero := func(signed bool) int32 {
		lo, hi := quantRange(signed)
		switch r.IntN(4) {
		case 0:
			return lo
		case 1:
			return hi
		}
		return lo + r.Int32N(hi-lo+1)
	}
	scale := func() float32 {
		if r.IntN(3) == 0 {
			return []float32{0.5, 0.25, 1, 2, 0.125}[r.IntN(5)]
		}
		return 0.001 + r.Float32()*0.05
	}
	q.XZero, q.YZero = zero(q.XSigned), zero(q.YSigned)
	q.XScale, q.YScale = scale(), scale()
	nw := 1
	if r.IntN(2) == 0 {
		nw = g.K
	}
	for i := 0; i < nw; i++ {
		q.WZero = append(q.WZero, zero(q.WSigned))
		q.WScale = append(q.WScale, scale())
	}
	q.W = make([]byte, Product(g.WeightShape()))
	for i := range q.W {
		q.W[i] = byte(r.IntN(256))
	}
	if r.IntN(4) != 0 {
		q.Bias = make([]int32, g.K)
		for i := range q.Bias {
			q.Bias[i] = r.Int32N(20001) - 10000
		}
	}
	return q
}

// TestQConvPlanExact holds the quantized plans to the int32 reference,
// byte for byte, on random geometries of every method, with depths that
// need several chunks, and both kinds of kernels (this CPU's and the
// reference panel's).
func TestQConvPlanExact(t *testing.T) {
	r := rand.New(rand.NewPCG(61, 62))
	var scratch [][]float32
	alloc := func(_ string, n int) ([]float32, error) {
		b := make([]float32, n)
		scratch = append(scratch, b)
		return b, nil
	}
	methods := map[string]int{}
	chunked := 0
	for _, k := range []*PanelKernel{nil, ReferencePanelKernel()} {
		for iter := 0; iter < 120; iter++ {
			kind := []string{"depthwise", "pointwise", "gemm", "implicit"}[iter%4]
			g, err := randomConv(r, kind)
			if err != nil {
				continue
			}
			if iter%10 == 0 && kind == "pointwise" {
				// Deep enough to need several exact chunks.
				c := 300 + r.IntN(200)
				if g, err = NewConvGeom([]int{1, c, 3, 5}, []int{6, c, 1, 1}, Window{}, 1); err != nil {
					t.Fatal(err)
				}
			}
			q := randomQuant(r, &g)
			scratch = scratch[:0]
			p, err := NewQConvPlan(k, &g, q, alloc)
			if err != nil {
				t.Fatalf("%+v: %v", g, err)
			}
			methods[p.Method()]++
			if p.Chunks() > 1 {
				chunked++
			}
			x := make([]byte, Product(g.InShape()))
			for i := range x {
				x[i] = byte(r.IntN(256))
			}
			want := make([]byte, Product(g.OutShape()))
			QConvRef(want, x, &g, &q)
			got := make([]byte, len(want)+8)
			for i := range got {
				got[i] = 0xa5
			}
			p.Run(got, x)
			for i := len(want); i < len(got); i++ {
				if got[i] != 0xa5 {
					t.Fatalf("%+v: wrote past the output", g)
				}
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("%s %+v %s: output %d = %d, want %d", p.Method(), g, fmt.Sprintf("x0=%d w0=%v y0=%d signed=%v/%v/%v", q.XZero, q.WZero, q.YZero, q.XSigned, q.WSigned, q.YSigned), i, got[i], want[i])
				}
			}
			// The planner's form: tensors of floats, scratch that other
			// steps scribble on between runs.
			for _, s := range scratch {
				for i := range s {
					s[i] = float32(math.NaN())
				}
			}
			var sizes []int
			probe, err := NewQConvPlan(k, &g, q, func(_ string, n int) ([]float32, error) {
				sizes = append(sizes, n)
				return nil, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			next := 0
			bound, err := probe.WithScratch(func(_ string, n int) ([]float32, error) {
				if next >= len(sizes) || sizes[next] != n {
					return nil, fmt.Errorf("scratch %d of %d values, planned %v", next, n, sizes)
				}
				next++
				b := make([]float32, n)
				for i := range b {
					b[i] = float32(math.NaN())
				}
				return b, nil
			})
			if err != nil || next != len(sizes) {
				t.Fatalf("%+v: WithScratch took %d of %d buffers: %v", g, next, len(sizes), err)
			}
			if iter%2 == 0 {
				p = bound // bound after probing, as the model planner does
			}
			p.ClearPadding()
			xf := make([]float32, len(x))
			for i, b := range x {
				xf[i] = float32(quantValue(b, q.XSigned))
			}
			yf := make([]float32, len(want)+1)
			yf[len(want)] = 7
			p.RunFloats(yf, xf, make([]byte, p.FloatsTemp()))
			if yf[len(want)] != 7 {
				t.Fatalf("%+v: RunFloats wrote past the output", g)
			}
			for i := range want {
				if yf[i] != float32(quantValue(want[i], q.YSigned)) {
					t.Fatalf("%s %+v: RunFloats output %d = %v, want %d", p.Method(), g, i, yf[i], quantValue(want[i], q.YSigned))
				}
			}
		}
	}
	if chunked == 0 || methods["depthwise"] == 0 || methods["pointwise"] == 0 || methods["gemm"] == 0 || methods["implicit"] == 0 {
		t.Errorf("methods tried %v, chunked %d times: every path must be exercised", methods, chunked)
	}
}

// TestRequantizeTies checks the rounding and saturation of the
// definition on values chosen by hand: ties go to the even integer, and
// the output saturates at its type's range.
func TestRequantizeTies(t *testing.T) {
	for _, c := range []struct {
		acc    int32
		s      float32
		zero   int32
		signed bool
		want   int32
	}{
		{5, 0.5, 0, false, 2},      // 2.5 → 2
		{7, 0.5, 0, false, 4},      // 3.5 → 4
		{-5, 0.5, 0, true, -2},     // −2.5 → −2
		{-7, 0.5, 10, true, 6},     // −3.5 → −4, + 10
		{1000, 1, 0, false, 255},   // saturates high
		{-1000, 1, 128, false, 0},  // saturates low
		{1000, 1, -100, true, 127}, // signed, high
		{1 << 25, 1, 0, true, 127}, // float32(acc) rounds first, still saturates
		{3, 0.5, -128, true, -126}, // 1.5 → 2, − 128
		{-1, 0.5, 0, false, 0},     // −0.5 → −0 → 0
	} {
		lo, hi := quantRange(c.signed)
		got := quantValue(requantize(c.acc, c.s, c.zero, lo, hi), c.signed)
		if got != c.want {
			t.Errorf("requantize(%d × %v + %d, signed=%v) = %d, want %d", c.acc, c.s, c.zero, c.signed, got, c.want)
		}
	}
}

// TestRoundHalfEven holds the float32 rounding to math.RoundToEven on
// every quarter between −300 and 300 and on random values.
func TestRoundHalfEven(t *testing.T) {
	r := rand.New(rand.NewPCG(63, 64))
	for i := -1200; i <= 1200; i++ {
		v := float32(i) / 4
		if got, want := roundHalfEven(v), float32(math.RoundToEven(float64(v))); got != want {
			t.Fatalf("roundHalfEven(%v) = %v, want %v", v, got, want)
		}
	}
	for i := 0; i < 10000; i++ {
		v := (r.Float32()*2 - 1) * 300
		if got, want := roundHalfEven(v), float32(math.RoundToEven(float64(v))); got != want {
			t.Fatalf("roundHalfEven(%v) = %v, want %v", v, got, want)
		}
	}
}

// TestQConvRefuses checks the hostile parameters are errors.
func TestQConvRefuses(t *testing.T) {
	g, err := NewConvGeom([]int{1, 2, 4, 4}, []int{3, 2, 3, 3}, Window{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	alloc := func(_ string, n int) ([]float32, error) { return make([]float32, n), nil }
	good := QuantConv{XScale: 0.1, YScale: 0.2, W: make([]byte, 3*2*9), WZero: []int32{0}, WScale: []float32{0.3}}
	for _, c := range []struct {
		name string
		edit func(q *QuantConv)
	}{
		{"zero input scale", func(q *QuantConv) { q.XScale = 0 }},
		{"negative output scale", func(q *QuantConv) { q.YScale = -1 }},
		{"NaN filter scale", func(q *QuantConv) { q.WScale = []float32{float32(math.NaN())} }},
		{"uint8 zero point 256", func(q *QuantConv) { q.XZero = 256 }},
		{"int8 zero point 128", func(q *QuantConv) { q.YSigned, q.YZero = true, 128 }},
		{"filter zero points of the wrong count", func(q *QuantConv) { q.WZero = []int32{0, 0} }},
		{"short weights", func(q *QuantConv) { q.W = q.W[:5] }},
		{"short bias", func(q *QuantConv) { q.Bias = []int32{1} }},
	} {
		q := good
		c.edit(&q)
		if _, err := NewQConvPlan(nil, &g, q, alloc); err == nil {
			t.Errorf("%s: planned", c.name)
		}
	}
	if _, err := NewQConvPlan(nil, &g, good, alloc); err != nil {
		t.Errorf("good parameters refused: %v", err)
	}
}

// TestQConvWorstCaseDepth runs the sum that float32 cannot hold in one
// piece: 1100 channels of the largest products, half positive then half
// negative, so that the partial sums pass 2^24 (where float32 steps by 2
// and these odd products would round) and come back near zero, where the
// output shows any rounding. The plan must split the depth and stay
// exact.
func TestQConvWorstCaseDepth(t *testing.T) {
	const c = 1100
	g, err := NewConvGeom([]int{1, c, 1, 2}, []int{1, c, 1, 1}, Window{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	q := QuantConv{XScale: 1, YScale: 1, WSigned: true, WZero: []int32{0}, WScale: []float32{1}, YZero: 128, W: make([]byte, c)}
	for i := range q.W {
		v := int8(127)
		if i >= c/2 {
			v = -127
		}
		q.W[i] = byte(v)
	}
	x := make([]byte, 2*c)
	for i := range x {
		x[i] = 255
		if i%2 == 1 && i/2 == c-1 {
			x[i] = 250 // the second output ends 5·127 lower
		}
	}
	// x is [C, 1, 2]: channel ch's two pixels at 2ch, 2ch+1.
	alloc := func(_ string, n int) ([]float32, error) { return make([]float32, n), nil }
	p, err := NewQConvPlan(nil, &g, q, alloc)
	if err != nil {
		t.Fatal(err)
	}
	if p.Chunks() < 3 {
		t.Errorf("%d chunks: 1100 channels of 255·127 need three", p.Chunks())
	}
	want, got := make([]byte, 2), make([]byte, 2)
	QConvRef(want, x, &g, &q)
	p.Run(got, x)
	if got[0] != want[0] || got[1] != want[1] || want[0] != 128 {
		t.Errorf("got %v, want %v (128 and 128 + 5·127 saturated)", got, want)
	}
}
