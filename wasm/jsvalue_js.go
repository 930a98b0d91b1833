package main

import (
	"syscall/js"

	"wasmcnn/wasm/bridge"
)

// jsValue adapts syscall/js.Value to [bridge.Value]. Every method checks
// the value's type first, because syscall/js panics on a wrong one.
type jsValue struct{ v js.Value }

var (
	jsArray      = js.Global().Get("Array")
	jsObject     = js.Global().Get("Object")
	jsUint8Array = js.Global().Get("Uint8Array")
	jsArrayBuf   = js.Global().Get("ArrayBuffer")
	jsFloat32    = js.Global().Get("Float32Array")
	jsError      = js.Global().Get("Error")
)

// Kind maps typeof; syscall/js panics on types it does not know (bigint),
// which is caught here.
func (j jsValue) Kind() (k bridge.Kind) {
	defer func() {
		if recover() != nil {
			k = bridge.BigInt
		}
	}()
	switch j.v.Type() {
	case js.TypeUndefined:
		return bridge.Undefined
	case js.TypeNull:
		return bridge.Null
	case js.TypeBoolean:
		return bridge.Boolean
	case js.TypeNumber:
		return bridge.Number
	case js.TypeString:
		return bridge.String
	case js.TypeSymbol:
		return bridge.Symbol
	case js.TypeFunction:
		return bridge.Function
	case js.TypeObject:
		return bridge.Object
	}
	return bridge.BigInt
}

// isObject reports whether v is an object, without panicking on any value.
func (j jsValue) isObject() bool { return j.Kind() == bridge.Object }

func (j jsValue) IsArray() bool {
	return j.isObject() && jsArray.Call("isArray", j.v).Bool()
}

// TypedArray names the constructor of typed arrays and ArrayBuffers. It
// asks ArrayBuffer.isView and instanceof rather than reading properties,
// which an object could fake.
func (j jsValue) TypedArray() string {
	if !j.isObject() {
		return ""
	}
	if j.v.InstanceOf(jsArrayBuf) {
		return "ArrayBuffer"
	}
	if !jsArrayBuf.Call("isView", j.v).Bool() {
		return ""
	}
	switch {
	case j.v.InstanceOf(jsFloat32):
		return "Float32Array"
	case j.v.InstanceOf(jsUint8Array):
		return "Uint8Array"
	}
	return j.v.Get("constructor").Get("name").String()
}

func (j jsValue) Get(key string) bridge.Value {
	if k := j.Kind(); k != bridge.Object && k != bridge.Function {
		return jsValue{js.Undefined()}
	}
	return jsValue{j.v.Get(key)}
}

func (j jsValue) Index(i int) bridge.Value {
	if !j.isObject() {
		return jsValue{js.Undefined()}
	}
	return jsValue{j.v.Index(i)}
}

func (j jsValue) Length() int {
	if !j.isObject() {
		return 0
	}
	l := jsValue{j.v.Get("length")}
	if l.Kind() != bridge.Number {
		return 0
	}
	return int(l.Float())
}

func (j jsValue) Float() float64 {
	if j.Kind() != bridge.Number {
		return 0
	}
	return j.v.Float()
}

func (j jsValue) Bool() bool {
	if j.Kind() != bridge.Boolean {
		return false
	}
	return j.v.Bool()
}

func (j jsValue) Str() string {
	if j.Kind() != bridge.String {
		return ""
	}
	return j.v.String()
}

func (j jsValue) ByteLength() int {
	if j.TypedArray() == "" {
		return 0
	}
	return j.v.Get("byteLength").Int()
}

// Bytes copies through a Uint8Array view of the same memory:
// js.CopyBytesToGo takes nothing else.
func (j jsValue) Bytes(dst []byte) int {
	var view js.Value
	switch j.TypedArray() {
	case "":
		return 0
	case "ArrayBuffer":
		view = jsUint8Array.New(j.v)
	case "Uint8Array":
		view = j.v
	default:
		view = jsUint8Array.New(j.v.Get("buffer"), j.v.Get("byteOffset"), j.v.Get("byteLength"))
	}
	return js.CopyBytesToGo(dst, view)
}

func (j jsValue) Keys() []string {
	if !j.isObject() {
		return nil
	}
	ks := jsObject.Call("keys", j.v)
	out := make([]string, ks.Length())
	for i := range out {
		out[i] = ks.Index(i).String()
	}
	return out
}

// wrapArgs adapts a callback's arguments.
func wrapArgs(args []js.Value) []bridge.Value {
	out := make([]bridge.Value, len(args))
	for i, a := range args {
		out[i] = jsValue{a}
	}
	return out
}
