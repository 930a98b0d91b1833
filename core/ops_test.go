package core

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"wasmcnn/internal/floattest"
)

func TestBroadcastCrossCheck(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for iter := 0; iter < 300; iter++ {
		rank := 1 + r.IntN(5)
		out := make([]int, rank)
		for i := range out {
			out[i] = 1 + r.IntN(4)
		}
		// Each operand drops leading dimensions and sets some to 1.
		mk := func() []int {
			s := append([]int(nil), out[r.IntN(rank):]...)
			for i := range s {
				if r.IntN(3) == 0 {
					s[i] = 1
				}
			}
			return s
		}
		as, bs := mk(), mk()
		p, err := NewBroadcast("Add", as, bs)
		if err != nil {
			t.Fatalf("%v %v: %v", as, bs, err)
		}
		a, b := floattest.RandSlice(r, Product(as)), floattest.RandSlice(r, Product(bs))
		for _, op := range []BinaryOp{OpAdd, OpSub, OpMul, OpDiv} {
			want := make([]float32, Product(p.Out))
			broadcastRef(op, want, a, as, b, bs, p.Out)
			got, check := floattest.Guarded(len(want))
			p.Apply(op, got, a, b)
			desc := fmt.Sprintf("%v %v %v", op, as, bs)
			check(t, desc)
			floattest.AssertClose(t, desc, got, want, 0)
		}
	}
}

func TestBroadcastShapes(t *testing.T) {
	cases := []struct {
		a, b, want []int
		ok         bool
	}{
		{[]int{2, 3}, []int{3}, []int{2, 3}, true},
		{[]int{2, 1, 4}, []int{3, 1}, []int{2, 3, 4}, true},
		{[]int{1, 8, 1, 1}, []int{5, 8, 6, 7}, []int{5, 8, 6, 7}, true},
		{[]int{}, []int{2}, []int{2}, true},
		{[]int{2, 3}, []int{2}, nil, false},
	}
	for _, c := range cases {
		got, err := BroadcastShape("Add", c.a, c.b)
		if (err == nil) != c.ok || (c.ok && !slices.Equal(got, c.want)) {
			t.Errorf("%v with %v: %v, %v; want %v ok=%v", c.a, c.b, got, err, c.want, c.ok)
		}
	}
	// Bias added to NCHW maps per channel.
	p, _ := NewBroadcast("Add", []int{1, 2, 2, 2}, []int{2, 1, 1})
	y := make([]float32, 8)
	p.Apply(OpAdd, y, []float32{0, 0, 0, 0, 1, 1, 1, 1}, []float32{10, 20})
	floattest.AssertClose(t, "channel bias", y, []float32{10, 10, 10, 10, 21, 21, 21, 21}, 0)
}

func TestTranspose(t *testing.T) {
	// NHWC → NCHW of a 1×2×2×3 image: the transpose exporters put after Keras inputs.
	x := []float32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	ys, perm, err := TransposeShape([]int{1, 2, 2, 3}, []int{0, 3, 1, 2})
	if err != nil || !slices.Equal(ys, []int{1, 3, 2, 2}) {
		t.Fatalf("shape %v, %v", ys, err)
	}
	y := make([]float32, 12)
	Transpose(y, x, []int{1, 2, 2, 3}, perm)
	floattest.AssertClose(t, "NHWC to NCHW", y, []float32{0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11}, 0)
	if _, _, err := TransposeShape([]int{2, 3}, []int{0, 0}); err == nil {
		t.Error("perm [0 0] accepted")
	}
	r := rand.New(rand.NewPCG(9, 10))
	for iter := 0; iter < 200; iter++ {
		rank := 1 + r.IntN(6)
		xs := make([]int, rank)
		for i := range xs {
			xs[i] = 1 + r.IntN(4)
		}
		perm := r.Perm(rank)
		x := floattest.RandSlice(r, Product(xs))
		want := make([]float32, len(x))
		TransposeRef(want, x, xs, perm)
		got, check := floattest.Guarded(len(x))
		Transpose(got, x, xs, perm)
		check(t, fmt.Sprint(xs, perm))
		floattest.AssertClose(t, fmt.Sprint(xs, perm), got, want, 0)
	}
}

func TestConcat(t *testing.T) {
	shapes := [][]int{{2, 1, 2}, {2, 2, 2}}
	out, axis, err := ConcatShape(shapes, -2)
	if err != nil || axis != 1 || !slices.Equal(out, []int{2, 3, 2}) {
		t.Fatalf("%v %d %v", out, axis, err)
	}
	y := make([]float32, 12)
	Concat(y, [][]float32{{1, 2, 3, 4}, {5, 6, 7, 8, 9, 10, 11, 12}}, shapes, axis)
	floattest.AssertClose(t, "concat", y, []float32{1, 2, 5, 6, 7, 8, 3, 4, 9, 10, 11, 12}, 0)
	if _, _, err := ConcatShape([][]int{{2, 2}, {3, 2}}, 1); err == nil {
		t.Error("mismatched shapes accepted")
	}
}

func TestMatMul(t *testing.T) {
	cases := []struct {
		a, b, out []int
	}{
		{[]int{3, 4}, []int{4, 5}, []int{3, 5}},
		{[]int{4}, []int{4, 5}, []int{5}},
		{[]int{3, 4}, []int{4}, []int{3}},
		{[]int{2, 1, 3, 4}, []int{5, 4, 2}, []int{2, 5, 3, 2}},
		{[]int{1, 4}, []int{4, 1}, []int{1, 1}},
	}
	r := rand.New(rand.NewPCG(11, 12))
	for _, c := range cases {
		p, err := NewMatMul(c.a, c.b)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(p.Out, c.out) {
			t.Fatalf("%v·%v gives %v, want %v", c.a, c.b, p.Out, c.out)
		}
		a, b := floattest.RandSlice(r, Product(c.a)), floattest.RandSlice(r, Product(c.b))
		got := make([]float32, Product(c.out))
		p.Apply(got, a, b)
		// Reference: broadcast index by index.
		a2, b2 := c.a, c.b
		if len(a2) == 1 {
			a2 = []int{1, a2[0]}
		}
		if len(b2) == 1 {
			b2 = []int{b2[0], 1}
		}
		m, k, n := a2[len(a2)-2], a2[len(a2)-1], b2[len(b2)-1]
		batch, _ := BroadcastShape("MatMul", a2[:len(a2)-2], b2[:len(b2)-2])
		want := make([]float32, 0, len(got))
		idx := make([]int, len(batch))
		for bi := 0; bi < Product(batch); bi++ {
			rr := bi
			for d := len(batch) - 1; d >= 0; d-- {
				idx[d] = rr % batch[d]
				rr /= batch[d]
			}
			oa := BroadcastIndex(idx, a2[:len(a2)-2]) * m * k
			ob := BroadcastIndex(idx, b2[:len(b2)-2]) * k * n
			for i := 0; i < m; i++ {
				for j := 0; j < n; j++ {
					var s float64
					for q := 0; q < k; q++ {
						s += float64(a[oa+i*k+q]) * float64(b[ob+q*n+j])
					}
					want = append(want, float32(s))
				}
			}
		}
		floattest.AssertClose(t, fmt.Sprint(c.a, c.b), got, want, 1e-5)
	}
	if _, err := NewMatMul([]int{3, 4}, []int{5, 6}); err == nil {
		t.Error("inner mismatch accepted")
	}
}

func TestActivations(t *testing.T) {
	x := []float32{-2, -0.5, 0, 0.5, 2}
	y := make([]float32, 5)
	ReLU(y, x)
	floattest.AssertClose(t, "ReLU", y, []float32{0, 0, 0, 0.5, 2}, 0)
	LeakyReLU(y, x, 0.1)
	floattest.AssertClose(t, "LeakyReLU", y, []float32{-0.2, -0.05, 0, 0.5, 2}, 1e-7)
	Clip(y, x, -1, 1)
	floattest.AssertClose(t, "Clip", y, []float32{-1, -0.5, 0, 0.5, 1}, 0)
	Sigmoid(y, x)
	for i, v := range x {
		if want := 1 / (1 + math.Exp(-float64(v))); math.Abs(float64(y[i])-want) > 1e-7 {
			t.Errorf("Sigmoid(%v) = %v, want %v", v, y[i], want)
		}
	}
	Tanh(y, x)
	for i, v := range x {
		if want := math.Tanh(float64(v)); math.Abs(float64(y[i])-want) > 1e-7 {
			t.Errorf("Tanh(%v) = %v, want %v", v, y[i], want)
		}
	}
}

func TestSoftmax(t *testing.T) {
	// Two rows of three along the last axis; large values must not overflow.
	x := []float32{1, 2, 3, 1000, 1000, 1000}
	y := make([]float32, 6)
	Softmax(y, x, 2, 3, 1, false)
	e := []float64{math.Exp(-2), math.Exp(-1), 1}
	s := e[0] + e[1] + e[2]
	floattest.AssertClose(t, "softmax", y, []float32{float32(e[0] / s), float32(e[1] / s), float32(e[2] / s), 1.0 / 3, 1.0 / 3, 1.0 / 3}, 1e-6)
	Softmax(y, x, 2, 3, 1, true)
	floattest.AssertClose(t, "log softmax", y[:3], []float32{float32(-2 - math.Log(s)), float32(-1 - math.Log(s)), float32(-math.Log(s))}, 1e-6)
	// Along the middle axis of [1, 2, 2]: each column sums to 1.
	x = []float32{0, 1, 2, 3}
	Softmax(y, x, 1, 2, 2, false)
	if d := y[0] + y[2] - 1; math.Abs(float64(d)) > 1e-6 {
		t.Errorf("column does not sum to 1: %v", y[:4])
	}
}

func TestBatchNormInference(t *testing.T) {
	x := []float32{1, 2, 3, 4}
	y := make([]float32, 4)
	BatchNormInference(y, x, 1, 2, 2, []float32{2, 1}, []float32{0, 1}, []float32{1, 3}, []float32{4, 1}, 0)
	floattest.AssertClose(t, "batchnorm", y, []float32{0, 1, 1, 2}, 1e-6)
}

// TestBroadcastPlanes holds a tensor times (plus) one value per plane, the
// squeeze-excite shapes that run on the scale-shift kernels, to the
// reference bit for bit (signed zeros and infinities included, NaN to
// NaN), with the values in either operand, shared by the images or not,
// planes of any size and in place.
func TestBroadcastPlanes(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 1e-40}
	for iter := 0; iter < 200; iter++ {
		n, c, h, w := 1+r.IntN(3), 1+r.IntN(40), 1+r.IntN(15), 1+r.IntN(15)
		if h*w < 2 {
			w = 2
		}
		xs := []int{n, c, h, w}
		vs := [][]int{{1, c, 1, 1}, {n, c, 1, 1}, {c, 1, 1}}[r.IntN(3)]
		vecA := r.IntN(2) == 0
		as, bs := xs, vs
		if vecA {
			as, bs = vs, xs
		}
		p, err := NewBroadcast("Mul", as, bs)
		if err != nil {
			t.Fatal(err)
		}
		if p.planes == nil && c > 1 {
			t.Fatalf("%v %v: not planned as planes", as, bs)
		}
		a, b := floattest.RandSlice(r, Product(as)), floattest.RandSlice(r, Product(bs))
		for _, s := range [][]float32{a, b} {
			for i := 0; i < len(s)/5+1; i++ {
				s[r.IntN(len(s))] = special[r.IntN(len(special))]
			}
		}
		for _, op := range []BinaryOp{OpAdd, OpSub, OpMul, OpDiv} {
			want := make([]float32, Product(p.Out))
			broadcastRef(op, want, a, as, b, bs, p.Out)
			got, check := floattest.Guarded(len(want))
			p.Apply(op, got, a, b)
			desc := fmt.Sprintf("%v %v %v", op, as, bs)
			check(t, desc)
			assertSameBits(t, desc, got, want)
			x := a
			if vecA {
				x = b
			}
			inplace := append([]float32(nil), x...)
			if vecA {
				p.Apply(op, inplace, a, inplace)
			} else {
				p.Apply(op, inplace, inplace, b)
			}
			assertSameBits(t, desc+" in place", inplace, want)
		}
	}
}

// assertSameBits fails t unless got and want hold the same floats bit for bit,
// any NaN matching any NaN.
func assertSameBits(t *testing.T, what string, got, want []float32) {
	t.Helper()
	for i := range want {
		g, w := got[i], want[i]
		if math.Float32bits(g) != math.Float32bits(w) && !(g != g && w != w) {
			t.Fatalf("%s: element %d = %v (%#x), want %v (%#x)", what, i, g, math.Float32bits(g), w, math.Float32bits(w))
		}
	}
}
