package bridge

import (
	"math"
	"unsafe"

	"wasmcnn/core"
	"wasmcnn/internal/fmtlite"
)

// ArgError is a bad argument from JavaScript: Arg names it (such as
// "conv2d: x.shape") and Msg says what was wrong and what was expected.
type ArgError struct {
	Arg string
	Msg string
}

func (e *ArgError) Error() string { return e.Arg + ": " + e.Msg }

func argErrorf(arg, format string, args ...any) error {
	return &ArgError{Arg: arg, Msg: fmtlite.Sprintf(format, args...)}
}

// describe names a value's type for messages.
func describe(v Value) string {
	switch {
	case v.Kind() == Object && v.TypedArray() != "":
		return v.TypedArray()
	case v.Kind() == Object && v.IsArray():
		return "an array"
	}
	return v.Kind().String()
}

// maxSafe is the largest integer a JavaScript number holds exactly.
const maxSafe = 1<<53 - 1

// Int reads an integer option: present, a finite number with no fraction,
// in [lo, hi].
func Int(v Value, arg string, lo, hi int) (int, error) {
	if v.Kind() != Number {
		return 0, argErrorf(arg, "got %s, want an integer", describe(v))
	}
	f := v.Float()
	if math.IsNaN(f) || math.IsInf(f, 0) || f != math.Trunc(f) {
		return 0, argErrorf(arg, "got %v, want an integer", f)
	}
	if f < float64(lo) || f > float64(hi) {
		return 0, argErrorf(arg, "got %v, want %d to %d", f, lo, hi)
	}
	return int(f), nil
}

// IntOr reads an optional integer (undefined or null gives def).
func IntOr(v Value, arg string, def, lo, hi int) (int, error) {
	if k := v.Kind(); k == Undefined || k == Null {
		return def, nil
	}
	return Int(v, arg, lo, hi)
}

// Float reads a finite number.
func Float(v Value, arg string) (float64, error) {
	if v.Kind() != Number {
		return 0, argErrorf(arg, "got %s, want a number", describe(v))
	}
	f := v.Float()
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, argErrorf(arg, "got %v, want a finite number", f)
	}
	return f, nil
}

// Ints reads an array of n integers in [lo, hi] (n < 0: any length up to core.MaxRank).
func Ints(v Value, arg string, n, lo, hi int) ([]int, error) {
	if v.Kind() != Object || !v.IsArray() {
		return nil, argErrorf(arg, "got %s, want an array of integers", describe(v))
	}
	l := v.Length()
	if n >= 0 && l != n {
		return nil, argErrorf(arg, "has %d entries, want %d", l, n)
	}
	if n < 0 && l > core.MaxRank {
		return nil, argErrorf(arg, "has %d entries, at most %d are allowed", l, core.MaxRank)
	}
	out := make([]int, l)
	for i := range out {
		x, err := Int(v.Index(i), fmtlite.Sprintf("%s[%d]", arg, i), lo, hi)
		if err != nil {
			return nil, err
		}
		out[i] = x
	}
	return out, nil
}

// Floats copies a Float32Array into a Go slice of exactly its length,
// reusing buf when it is large enough.
func Floats(v Value, arg string, buf []float32) ([]float32, error) {
	if v.Kind() != Object || v.TypedArray() != "Float32Array" {
		return nil, argErrorf(arg, "got %s, want a Float32Array", describe(v))
	}
	n := v.Length()
	if n > core.MaxElements {
		return nil, argErrorf(arg, "has %d values, more than the limit of %d", n, core.MaxElements)
	}
	if v.ByteLength() != 4*n {
		return nil, argErrorf(arg, "its buffer is detached or resized")
	}
	if v.Shared() {
		return nil, argErrorf(arg, "shared memory (a SharedArrayBuffer) is not accepted: another thread could change it during the call; copy it into a plain Float32Array")
	}
	if cap(buf) < n {
		buf = make([]float32, n)
	}
	buf = buf[:n]
	if n == 0 {
		return buf, nil
	}
	b := unsafe.Slice((*byte)(unsafe.Pointer(&buf[0])), 4*n)
	if got := v.Bytes(b); got != 4*n {
		return nil, argErrorf(arg, "copied %d bytes of %d: its buffer changed during the call", got, 4*n)
	}
	return buf, nil
}

// Bytes copies a Uint8Array or ArrayBuffer (up to limit bytes).
func Bytes(v Value, arg string, limit int) ([]byte, error) {
	ta := v.TypedArray()
	if v.Kind() != Object || (ta != "Uint8Array" && ta != "ArrayBuffer") {
		return nil, argErrorf(arg, "got %s, want a Uint8Array or an ArrayBuffer", describe(v))
	}
	n := v.ByteLength()
	if n > limit {
		return nil, argErrorf(arg, "has %d bytes, more than the limit of %d", n, limit)
	}
	b := make([]byte, n)
	if got := v.Bytes(b); got != n {
		return nil, argErrorf(arg, "copied %d bytes of %d", got, n)
	}
	return b, nil
}

// Tensor reads a tensor {data: Float32Array, shape: number[]}: the shape's
// dimensions are integers ≥ 1 and their product is the data's length.
func Tensor(v Value, arg string) (*core.Tensor, error) {
	if v.Kind() != Object || v.IsArray() || v.TypedArray() != "" {
		return nil, argErrorf(arg, "got %s, want a tensor {data: Float32Array, shape: [...]}", describe(v))
	}
	shape, n, err := tensorShape(v, arg)
	if err != nil {
		return nil, err
	}
	data, err := Floats(v.Get("data"), arg+".data", nil)
	if err != nil {
		return nil, err
	}
	if len(data) != n {
		return nil, argErrorf(arg, "shape %v needs %d values, data has %d", shape, n, len(data))
	}
	if i := core.FirstNonFinite(data); i >= 0 {
		return nil, argErrorf(arg+".data", "value %d is %v; values must be finite", i, data[i])
	}
	return &core.Tensor{Shape: shape, Data: data}, nil
}

// tensorShape reads a tensor's shape, dimensions integers ≥ 1, and its
// number of values.
func tensorShape(v Value, arg string) ([]int, int, error) {
	shape, err := Ints(v.Get("shape"), arg+".shape", -1, 1, core.MaxElements)
	if err != nil {
		return nil, 0, err
	}
	n, err := core.ShapeSize(shape)
	if err != nil {
		return nil, 0, argErrorf(arg+".shape", "%v", err)
	}
	return shape, n, nil
}

// OptionalTensor reads a tensor or returns nil for undefined and null.
func OptionalTensor(v Value, arg string) (*core.Tensor, error) {
	if k := v.Kind(); k == Undefined || k == Null {
		return nil, nil
	}
	return Tensor(v, arg)
}

// options checks that v is undefined, null or a plain object whose keys are
// all in allowed, so a misspelt option is an error instead of being ignored.
func options(v Value, arg string, allowed ...string) (bool, error) {
	switch v.Kind() {
	case Undefined, Null:
		return false, nil
	case Object:
		if v.IsArray() || v.TypedArray() != "" {
			return false, argErrorf(arg, "got %s, want an options object", describe(v))
		}
	default:
		return false, argErrorf(arg, "got %s, want an options object", describe(v))
	}
	for _, k := range v.Keys() {
		ok := false
		for _, a := range allowed {
			ok = ok || k == a
		}
		if !ok {
			return false, argErrorf(arg, "unknown option %q (known: %v)", k, allowed)
		}
	}
	return true, nil
}
