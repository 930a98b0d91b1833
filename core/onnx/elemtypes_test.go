package onnx

import (
	"errors"
	"math"
	"strings"
	"testing"

	"wasmcnn/core"
)

// TestHalfRoundTrip: every float16 converts to float32 and back to itself
// (NaNs stay NaN), and rounding a float32 picks the nearest float16.
func TestHalfRoundTrip(t *testing.T) {
	for h := 0; h < 1<<16; h++ {
		f := halfToFloat(uint16(h))
		back := floatToHalf(f)
		if math.IsNaN(float64(f)) {
			if back&0x7c00 != 0x7c00 || back&0x3ff == 0 {
				t.Fatalf("NaN %#04x came back as %#04x", h, back)
			}
			continue
		}
		if back != uint16(h) {
			t.Fatalf("%#04x → %v → %#04x", h, f, back)
		}
	}
	// Between two neighbours the nearer wins, and a tie goes to the even one.
	for h := uint16(0x0001); h < 0x7bff; h += 37 {
		lo, hi := float64(halfToFloat(h)), float64(halfToFloat(h+1))
		mid := float32((lo + hi) / 2)
		want := h
		if h&1 == 1 {
			want = h + 1
		}
		if got := floatToHalf(mid); got != want {
			t.Fatalf("tie between %#04x and %#04x rounded to %#04x", h, h+1, got)
		}
		if got := floatToHalf(float32(lo + (hi-lo)*0.3)); got != h {
			t.Fatalf("0.3 of the way from %#04x rounded to %#04x", h, got)
		}
	}
	if floatToHalf(1e6) != 0x7c00 || floatToHalf(-1e6) != 0xfc00 {
		t.Error("out of range does not become infinity")
	}
	if roundBfloat(1+1.0/256) != 1 || roundBfloat(1+3.0/256) != 1+4.0/256 {
		t.Errorf("bfloat16 rounding: %v %v", roundBfloat(1+1.0/256), roundBfloat(1+3.0/256))
	}
}

// TestConstantElementTypes reads a constant of every element type wasmcnn
// computes with, from raw data and from the typed fields, and casts it to
// float in a model.
func TestConstantElementTypes(t *testing.T) {
	vals := []float64{0, 1, -2, 100, 3.5}
	cases := []struct {
		typ  int64
		want []float32
	}{
		{onnxFloat, []float32{0, 1, -2, 100, 3.5}},
		{onnxDouble, []float32{0, 1, -2, 100, 3.5}},
		{onnxFloat16, []float32{0, 1, -2, 100, 3.5}},
		{onnxBfloat16, []float32{0, 1, -2, 100, 3.5}},
		{onnxInt8, []float32{0, 1, -2, 100, 3}},
		{onnxUint8, []float32{0, 1, 254, 100, 3}},
		{onnxInt16, []float32{0, 1, -2, 100, 3}},
		{onnxUint16, []float32{0, 1, 65534, 100, 3}},
		{onnxInt32, []float32{0, 1, -2, 100, 3}},
		{onnxUint32, []float32{0, 1, 4294967294, 100, 3}},
		{onnxInt64, []float32{0, 1, -2, 100, 3}},
		{onnxBool, []float32{0, 1, 1, 1, 1}},
	}
	for _, c := range cases {
		b := NewModelBuilder(13)
		b.Input("x", []int{5})
		b.InitializerTyped("k", c.typ, []int{5}, vals)
		b.Node("Cast", "c", []string{"k"}, []string{"kf"}, AttrInt("to", onnxFloat))
		b.Node("Add", "a", []string{"x", "kf"}, []string{"y"})
		b.Output("y", nil)
		m, err := LoadModel(b.Bytes(), nil)
		if err != nil {
			t.Errorf("%s: %v", onnxTypeName(int(c.typ)), err)
			continue
		}
		out, err := m.Run(&core.Tensor{Shape: []int{5}, Data: make([]float32, 5)})
		if err != nil {
			t.Fatal(err)
		}
		for i, w := range c.want {
			if out[0].Data[i] != w {
				t.Errorf("%s: value %d is %v, want %v", onnxTypeName(int(c.typ)), i, out[0].Data[i], w)
			}
		}
	}
	// The typed fields: int32_data for the narrow types (16-bit floats as
	// bits), uint64_data for UINT32/UINT64, double_data for DOUBLE.
	typed := []struct {
		t    *onnxTensorProto
		want []float64
	}{
		{&onnxTensorProto{dims: []int64{3}, dataType: onnxInt8, int32s: []int64{-1, 127, -128}}, []float64{-1, 127, -128}},
		{&onnxTensorProto{dims: []int64{2}, dataType: onnxUint16, int32s: []int64{65535, 7}}, []float64{65535, 7}},
		{&onnxTensorProto{dims: []int64{2}, dataType: onnxFloat16, int32s: []int64{0x3c00, 0xc000}}, []float64{1, -2}},
		{&onnxTensorProto{dims: []int64{2}, dataType: onnxBfloat16, int32s: []int64{0x3f80, 0x4040}}, []float64{1, 3}},
		{&onnxTensorProto{dims: []int64{2}, dataType: onnxUint64, uint64s: []int64{5, 1 << 40}}, []float64{5, 1 << 40}},
		{&onnxTensorProto{dims: []int64{1}, dataType: onnxDouble, doubles: []float64{0.25}}, []float64{0.25}},
		{&onnxTensorProto{dims: []int64{2}, dataType: onnxBool, int32s: []int64{0, 1}}, []float64{0, 1}},
	}
	for _, c := range typed {
		v, err := decodeTensor(c.t, nil, nil)
		if err != nil {
			t.Errorf("%s: %v", onnxTypeName(int(c.t.dataType)), err)
			continue
		}
		for i, w := range c.want {
			got := float64(0)
			if v.isInt {
				got = float64(v.i[i])
			} else {
				got = float64(v.f[i])
			}
			if got != w {
				t.Errorf("%s typed: value %d is %v, want %v", onnxTypeName(int(c.t.dataType)), i, got, w)
			}
		}
	}
}

// TestUnreadableTypesAreNotCorrupt: a valid tensor of a type wasmcnn does
// not compute with is refused by name, never called corrupt; a tensor
// whose bytes contradict its shape is.
func TestUnreadableTypesAreNotCorrupt(t *testing.T) {
	for _, typ := range []int64{8, 14, 15, 17, 19, 21, 22} {
		_, err := decodeTensor(&onnxTensorProto{name: "k", dims: []int64{2}, dataType: typ, raw: []byte{1, 2}, hasRawField: true}, nil, nil)
		var corrupt *CorruptModelError
		if err == nil || errors.As(err, &corrupt) || !strings.Contains(err.Error(), "not supported") {
			t.Errorf("type %d: %v", typ, err)
		}
	}
	_, err := decodeTensor(&onnxTensorProto{name: "k", dims: []int64{3}, dataType: onnxInt16, raw: []byte{1, 2}, hasRawField: true}, nil, nil)
	var corrupt *CorruptModelError
	if !errors.As(err, &corrupt) {
		t.Errorf("3 INT16 in 2 bytes: %v, want a corrupt model", err)
	}
	if _, err := decodeTensor(&onnxTensorProto{name: "k", dims: []int64{1}, dataType: onnxUint64, uint64s: []int64{-1}}, nil, nil); err == nil {
		t.Error("UINT64 above 2^63 was read")
	}
}

// TestOpsetVersions: the newest opsets load where nothing wasmcnn computes
// changed; an op used before it exists, a changed definition wasmcnn does
// not implement and an unknown domain are refused with what is wrong.
func TestOpsetVersions(t *testing.T) {
	build := func(opset int64, op, domain string) []byte {
		b := NewModelBuilder(opset)
		b.Input("x", []int{1, 2, 4, 4})
		b.Node(op, "n", []string{"x"}, []string{"y"})
		b.nodes[len(b.nodes)-1].str(7, domain)
		b.Output("y", nil)
		return b.Bytes()
	}
	for opset := int64(MinOpset); opset <= MaxOpset; opset++ {
		if _, err := LoadModel(build(opset, "Relu", ""), nil); err != nil {
			t.Errorf("Relu at opset %d: %v", opset, err)
		}
	}
	if _, err := LoadModel(build(MaxOpset+1, "Relu", ""), nil); err == nil {
		t.Errorf("opset %d loaded", MaxOpset+1)
	}
	refused := []struct {
		opset      int64
		op, domain string
		want       string
	}{
		{13, "HardSwish", "", "exists from opset 14"},
		{11, "Upsample", "", "changed at opset 10: Upsample was deprecated"},
		{13, "Relu", "ai.onnx.ml", `domain "ai.onnx.ml"`},
		{13, "FusedConv", msDomain, "not supported"},
	}
	for _, r := range refused {
		_, err := LoadModel(build(r.opset, r.op, r.domain), nil)
		if err == nil || !strings.Contains(err.Error(), r.want) {
			t.Errorf("%s at opset %d in %q: %v, want %q", r.op, r.opset, r.domain, err, r.want)
		}
	}
}
