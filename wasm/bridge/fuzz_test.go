package bridge

import (
	"encoding/binary"
	"math"
	"testing"

	"wasmcnn/core/nn"
)

// valueFromBytes builds an arbitrary JavaScript-like value from fuzz input:
// numbers (any float, including NaN and infinities), strings, arrays,
// objects with the keys the API reads, and typed arrays of any length.
func valueFromBytes(b []byte, depth int) (Value, []byte) {
	if len(b) == 0 {
		return undef(), b
	}
	tag, b := b[0], b[1:]
	switch tag % 10 {
	case 0:
		return undef(), b
	case 1:
		return null(), b
	case 2:
		if len(b) < 8 {
			return num(float64(tag)), b
		}
		return num(math.Float64frombits(binary.LittleEndian.Uint64(b))), b[8:]
	case 3:
		return num(float64(int8(tag))), b
	case 4:
		n := int(tag>>4) % 5
		return str([]string{"same", "valid", "x", "", "SAME_LOWER"}[n]), b
	case 5, 6:
		if depth > 3 {
			return ints(1, 2), b
		}
		n := int(tag>>4) % 6
		vs := make([]Value, n)
		for i := range vs {
			vs[i], b = valueFromBytes(b, depth+1)
		}
		return arr(vs...), b
	case 7:
		if depth > 3 {
			return obj(), b
		}
		keys := []string{"data", "shape", "strides", "pads", "dilations", "group", "kernel", "autoPad", "ceilMode", "countIncludePad", "externalData",
			"steps", "lr", "copies", "augment", "seed", "labelSmoothing"}
		n := int(tag>>4) % 4
		kv := []any{}
		for i := 0; i < n && len(b) > 0; i++ {
			k := keys[int(b[0])%len(keys)]
			var v Value
			v, b = valueFromBytes(b[1:], depth+1)
			kv = append(kv, k, v)
		}
		return obj(kv...), b
	case 8:
		n := 0
		if len(b) > 0 {
			n, b = int(b[0]), b[1:]
		}
		take := min(4*n, len(b))
		data := make([]byte, 4*n)
		copy(data, b[:take])
		return &fake{kind: Object, typed: "Float32Array", data: data}, b[take:]
	default:
		return boolean(tag&16 != 0), b
	}
}

// FuzzOps calls every op with arguments built from the fuzz input: any
// combination must give a result or an error, never a panic.
func FuzzOps(f *testing.F) {
	f.Add([]byte{7, 0x30, 1, 8, 4, 0, 0, 128, 63, 1, 5, 0x40, 3, 3, 3, 3})
	f.Add([]byte{7, 0x20, 0, 8, 25, 1, 5, 0x40, 3, 3, 3, 3, 7, 0x10, 2})
	f.Add([]byte{2, 0, 0, 0, 0, 0, 0, 248, 127})
	// A model that has run, for explain.
	var models Models
	model, err := nn.ReferenceNetS(1).ExportONNX(nn.ExportOptions{})
	if err != nil {
		f.Fatal(err)
	}
	h, _, err := models.Load([]Value{u8(model)})
	if err != nil {
		f.Fatal(err)
	}
	if _, _, err := models.Predict(h, f32n(784, 0.5)); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var args []Value
		b := data
		for i := 0; i < 4 && len(b) > 0; i++ {
			var v Value
			v, b = valueFromBytes(b, 0)
			args = append(args, v)
		}
		Conv2D(args)
		Pool2D(true, args)
		Pool2D(false, args)
		Dense(args)
		ReLU(args[:min(1, len(args))])
		Softmax(args)
		var ms Models
		ms.Load(args)
		models.Explain(h, args)
		models.Explain(h, append([]Value{str("conv1")}, args...))
	})
}
