package jsglue

import (
	"syscall/js"
	"unsafe"
)

var (
	jsUint8Array = js.Global().Get("Uint8Array")
	jsInt32Array = js.Global().Get("Int32Array")
	jsFloat32    = js.Global().Get("Float32Array")
)

// Bytes copies b into a new Uint8Array.
func Bytes(b []byte) js.Value {
	a := jsUint8Array.New(len(b))
	if len(b) > 0 {
		js.CopyBytesToJS(a, b)
	}
	return a
}

// Floats copies v into a new Float32Array, through a Uint8Array view of its
// memory: js.CopyBytesToJS takes nothing else.
func Floats(v []float32) js.Value {
	a := jsFloat32.New(len(v))
	if len(v) > 0 {
		js.CopyBytesToJS(jsUint8Array.New(a.Get("buffer")), unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), 4*len(v)))
	}
	return a
}

// FloatsOrNull is [Floats], with null for nil.
func FloatsOrNull(v []float32) any {
	if v == nil {
		return nil
	}
	return Floats(v)
}

// Ints copies v into a new Int32Array.
func Ints(v []int) js.Value {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		u := uint32(int32(x))
		b[4*i], b[4*i+1], b[4*i+2], b[4*i+3] = byte(u), byte(u>>8), byte(u>>16), byte(u>>24)
	}
	a := jsInt32Array.New(len(v))
	if len(v) > 0 {
		js.CopyBytesToJS(jsUint8Array.New(a.Get("buffer")), b)
	}
	return a
}

// Strings returns v as a JavaScript array's elements.
func Strings(v []string) []any {
	out := make([]any, len(v))
	for i, x := range v {
		out[i] = x
	}
	return out
}

// Numbers returns v as a JavaScript array's elements.
func Numbers(v []int) []any {
	out := make([]any, len(v))
	for i, x := range v {
		out[i] = x
	}
	return out
}
