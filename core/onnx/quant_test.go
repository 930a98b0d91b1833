package onnx

import (
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"wasmcnn/core"
)

// TestFMA32 compares fma32 with a·b + c computed exactly and rounded once
// to float32, on random values and on values built to fall on ties.
func TestFMA32(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	exact := func(a, b, c float32) float32 {
		x := new(big.Float).SetPrec(200).SetFloat64(float64(a))
		x.Mul(x, new(big.Float).SetPrec(200).SetFloat64(float64(b)))
		x.Add(x, new(big.Float).SetPrec(200).SetFloat64(float64(c)))
		f, _ := x.Float32()
		return f
	}
	for i := 0; i < 200000; i++ {
		a := float32(r.NormFloat64() * 100)
		b := float32(r.NormFloat64())
		c := float32(r.NormFloat64() * 100)
		if i%2 == 0 {
			// c close to −a·b: cancellation, the hard case.
			c = -float32(float64(a)*float64(b)) + float32(r.NormFloat64()*1e-6)
		}
		if got, want := fma32(a, b, c), exact(a, b, c); got != want && !(math.IsNaN(float64(got)) && math.IsNaN(float64(want))) {
			t.Fatalf("fma32(%v, %v, %v) = %v, want %v", a, b, c, got, want)
		}
	}
	// a·b + c exactly half way between two float32 values, then nudged by
	// less than float64 resolves: double rounding would pick the even one.
	a, b := float32(1+0x1p-23), float32(1+0x1p-23) // a·b = 1 + 2^-22 + 2^-46
	c := float32(0x1p-24)                          // sum = 1 + 2^-22 + 2^-24 + 2^-46
	if got, want := fma32(a, b, c), exact(a, b, c); got != want {
		t.Errorf("tie case: fma32 = %v, want %v", got, want)
	}
}

// TestQuantizedKernelsMatchReference runs the quantized matrix product on
// its fast path (chunks of rows when the sums could pass 2^24) against
// its int64 reference. The convolution's, core.QConvPlan, is held to
// core.QConvRef in core.
func TestQuantizedKernelsMatchReference(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	u8 := qtype{onnxUint8, 0, 255}
	// A product whose column sums reach past 2^24 runs in row chunks.
	m, k, n := 3, 1500, 4
	b := make([]int64, k*n)
	for i := range b {
		b[i] = int64(r.IntN(255) - 127)
	}
	ap := &qparams{scale: []float32{0.1}, zp: []int32{3}, t: u8, axis: -1}
	bp := &qparams{scale: []float32{0.01}, zp: []int32{0}, t: qtype{onnxInt8, -128, 127}, axis: -1}
	q := planQMatMul(m, k, n, ap, b, bp, func(int) float32 { return 0.001 })
	q.y, q.yzp = u8, 128
	if q.acc == nil || len(q.cuts) < 3 {
		t.Fatalf("a product with sums up to %d was not chunked", 127*252*k)
	}
	a := make([]float32, m*k)
	for i := range a {
		a[i] = float32(r.IntN(256))
	}
	got, want := make([]float32, m*n), make([]float32, m*n)
	q.run(got, a, make([]float32, m*k), make([]float32, m*n))
	q.runRef(want, a)
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("matmul output %d = %v, reference %v", i, got[i], want[i])
		}
	}
}

// TestHostileQuantizationRefused: scales that are zero, negative,
// subnormal, infinite or NaN, zero points outside their type and
// degenerate pooling scales are refused at load with a message.
func TestHostileQuantizationRefused(t *testing.T) {
	build := func(scale float64, zpType int64, zp float64) []byte {
		b := NewModelBuilder(13)
		b.Input("x", []int{1, 4})
		b.InitializerTyped("s", onnxFloat, []int{}, []float64{scale})
		b.InitializerTyped("z", zpType, []int{}, []float64{zp})
		b.Node("QuantizeLinear", "q", []string{"x", "s", "z"}, []string{"q"})
		b.Node("DequantizeLinear", "d", []string{"q", "s", "z"}, []string{"y"})
		b.Output("y", nil)
		return b.Bytes()
	}
	if _, err := LoadModel(build(0.1, onnxUint8, 3), nil); err != nil {
		t.Fatalf("a valid model: %v", err)
	}
	for _, c := range []struct {
		scale  float64
		typ    int64
		zp     float64
		reason string
	}{
		{0, onnxUint8, 0, "positive normal"},
		{-0.5, onnxUint8, 0, "positive normal"},
		{1e-45, onnxUint8, 0, "positive normal"},
		{math.Inf(1), onnxUint8, 0, "positive normal"},
		{math.NaN(), onnxUint8, 0, "positive normal"},
		{0.1, onnxInt32, 300, "quantizing to INT32"},
		{0.1, onnxFloat, 3, "zero point"},
		{0.1, onnxInt64, 3, "not supported"},
	} {
		_, err := LoadModel(build(c.scale, c.typ, c.zp), nil)
		if err == nil || !strings.Contains(err.Error(), c.reason) {
			t.Errorf("scale %v, zero point %v of type %s: %v, want %q", c.scale, c.zp, onnxTypeName(int(c.typ)), err, c.reason)
		}
	}
	// A zero point written as INT32 for a UINT8 tensor of QLinearConv.
	b := NewModelBuilder(13)
	b.InputTyped("x", onnxUint8, []int{1, 1, 3, 3})
	b.InitializerTyped("xs", onnxFloat, []int{}, []float64{0.1})
	b.InitializerTyped("xz", onnxInt32, []int{}, []float64{1000})
	b.InitializerTyped("w", onnxInt8, []int{1, 1, 1, 1}, []float64{3})
	b.InitializerTyped("ws", onnxFloat, []int{}, []float64{0.1})
	b.InitializerTyped("wz", onnxInt8, []int{}, []float64{0})
	b.Node("QLinearConv", "c", []string{"x", "xs", "xz", "w", "ws", "wz", "xs", "xz"}, []string{"y"})
	b.Output("y", nil)
	if _, err := LoadModel(b.Bytes(), nil); err == nil {
		t.Error("QLinearConv with an INT32 zero point of 1000 for a UINT8 input was loaded")
	}
	// QLinearGlobalAveragePool whose scale makes every output constant.
	g := NewModelBuilder(13)
	g.Import(msDomain, 1)
	g.InputTyped("x", onnxUint8, []int{1, 2, 4, 4})
	g.InitializerTyped("xs", onnxFloat, []int{}, []float64{1000})
	g.InitializerTyped("ys", onnxFloat, []int{}, []float64{0.001})
	g.InitializerTyped("z", onnxUint8, []int{}, []float64{0})
	g.NodeIn(msDomain, "QLinearGlobalAveragePool", "p", []string{"x", "xs", "z", "ys", "z"}, []string{"y"})
	g.Output("y", nil)
	if _, err := LoadModel(g.Bytes(), nil); err == nil || !strings.Contains(err.Error(), "outside [2^-32, 256)") {
		t.Errorf("a pooling scale of 1e6/16: %v", err)
	}
}

// TestIntegerInputValues: an input of an integer type holds integers of
// that type; anything else is refused by Run and Predict.
func TestIntegerInputValues(t *testing.T) {
	b := NewModelBuilder(13)
	b.InputTyped("x", onnxUint8, []int{1, 3})
	b.InitializerTyped("s", onnxFloat, []int{}, []float64{0.5})
	b.InitializerTyped("z", onnxUint8, []int{}, []float64{10})
	b.Node("DequantizeLinear", "d", []string{"x", "s", "z"}, []string{"y"})
	b.Output("y", nil)
	m, err := LoadModel(b.Bytes(), nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := m.Run(&core.Tensor{Shape: []int{1, 3}, Data: []float32{0, 10, 255}})
	if err != nil {
		t.Fatal(err)
	}
	if got := out[0].Data; got[0] != -5 || got[1] != 0 || got[2] != 122.5 {
		t.Errorf("dequantized %v", got)
	}
	for _, bad := range [][]float32{{256, 0, 0}, {-1, 0, 0}, {1.5, 0, 0}, {float32(math.NaN()), 0, 0}} {
		if _, err := m.Run(&core.Tensor{Shape: []int{1, 3}, Data: bad}); err == nil {
			t.Errorf("UINT8 input %v was run", bad)
		}
		if _, err := m.Predict(bad); err == nil {
			t.Errorf("UINT8 input %v was predicted", bad)
		}
	}
}
