package bridge

import (
	"encoding/binary"
	"math"
	"sort"
)

// fake is a JavaScript value made of Go values, for native tests.
type fake struct {
	kind  Kind
	num   float64
	b     bool
	s     string
	arr   []Value
	obj   map[string]Value
	typed string // typed-array constructor name, "" otherwise
	data  []byte
	// detached makes a typed array report its length but no bytes, like one
	// whose buffer was transferred away during a call.
	detached bool
}

func (f *fake) Kind() Kind         { return f.kind }
func (f *fake) IsArray() bool      { return f.kind == Object && f.arr != nil && f.typed == "" }
func (f *fake) TypedArray() string { return f.typed }
func (f *fake) Get(k string) Value {
	if f.kind != Object || f.obj == nil {
		return undef()
	}
	if v, ok := f.obj[k]; ok {
		return v
	}
	return undef()
}
func (f *fake) Index(i int) Value {
	if i < 0 || i >= len(f.arr) {
		return undef()
	}
	return f.arr[i]
}
func (f *fake) Length() int {
	switch {
	case f.typed == "Float32Array" || f.typed == "Int32Array":
		return len(f.data) / 4
	case f.typed != "":
		return len(f.data)
	}
	return len(f.arr)
}
func (f *fake) Float() float64 { return f.num }
func (f *fake) Bool() bool     { return f.b }
func (f *fake) Str() string    { return f.s }
func (f *fake) Bytes(dst []byte) int {
	if f.detached {
		return 0
	}
	return copy(dst, f.data)
}
func (f *fake) ByteLength() int {
	if f.detached {
		return 0
	}
	return len(f.data)
}
func (f *fake) Shared() bool { return false }

func (f *fake) Keys() []string {
	var ks []string
	for k := range f.obj {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func undef() Value          { return &fake{kind: Undefined} }
func null() Value           { return &fake{kind: Null} }
func num(x float64) Value   { return &fake{kind: Number, num: x} }
func str(s string) Value    { return &fake{kind: String, s: s} }
func boolean(b bool) Value  { return &fake{kind: Boolean, b: b} }
func fn() Value             { return &fake{kind: Function} }
func arr(vs ...Value) Value { return &fake{kind: Object, arr: append([]Value{}, vs...)} }
func ints(xs ...int) Value {
	vs := make([]Value, len(xs))
	for i, x := range xs {
		vs[i] = num(float64(x))
	}
	return arr(vs...)
}
func obj(kv ...any) Value {
	m := map[string]Value{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1].(Value)
	}
	return &fake{kind: Object, obj: m}
}
func f32(xs ...float32) Value {
	b := make([]byte, 4*len(xs))
	for i, x := range xs {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return &fake{kind: Object, typed: "Float32Array", data: b}
}
func f32n(n int, v float32) Value {
	xs := make([]float32, n)
	for i := range xs {
		xs[i] = v
	}
	return f32(xs...)
}
func u8(b []byte) Value { return &fake{kind: Object, typed: "Uint8Array", data: b} }
func typed(name string, n int) Value {
	return &fake{kind: Object, typed: name, data: make([]byte, n)}
}
func tensor(shape []int, data Value) Value { return obj("data", data, "shape", ints(shape...)) }
