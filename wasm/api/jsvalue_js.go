package api

import (
	"syscall/js"

	"wasmcnn/wasm/bridge"
)

// jsValue adapts syscall/js.Value to [bridge.Value] for values that come
// from callers, which may be anything: proxies with throwing traps, objects
// with throwing getters, typed arrays in shared memory.
//
// syscall/js lets a JavaScript exception thrown inside Value.Get, Index,
// Length or InstanceOf unwind through Go's stack, which leaves the runtime
// corrupted; only calls (Call, Invoke, New) catch exceptions and turn them
// into a panic that the API's guard recovers. So every read of a caller's
// value goes through Reflect.get and friends invoked as functions.
//
// A jsValue remembers its kind and typed-array name once asked, since each
// question costs a call into JavaScript.
type jsValue struct {
	v      js.Value
	kind   bridge.Kind
	ta     string
	probed uint8 // bit 0: kind known, bit 1: typed-array name known
}

// wrap returns v as a bridge.Value.
func wrap(v js.Value) *jsValue { return &jsValue{v: v} }

var (
	jsArray      = js.Global().Get("Array")
	jsObject     = js.Global().Get("Object")
	jsUint8Array = js.Global().Get("Uint8Array")
	jsFloat32    = js.Global().Get("Float32Array")
	jsError      = js.Global().Get("Error")

	reflectGet   = js.Global().Get("Reflect").Get("get")
	reflectApply = js.Global().Get("Reflect").Get("apply")
	arrayIsArray = jsArray.Get("isArray")
	objectKeys   = jsObject.Get("keys")
	// objectToString names built-in objects by their internal class.
	objectToString = jsObject.Get("prototype").Get("toString")
	// typedArrayTag is the getter of %TypedArray%.prototype[Symbol.toStringTag]:
	// the constructor name for a real typed array, undefined for anything
	// else, whatever properties the value pretends to have.
	typedArrayTag = jsObject.Call("getOwnPropertyDescriptor",
		jsObject.Call("getPrototypeOf", jsUint8Array.Get("prototype")), js.Global().Get("Symbol").Get("toStringTag")).Get("get")
	noArgs = jsArray.New()
)

// Kind maps typeof; syscall/js panics on types it does not know (bigint),
// which is caught here.
func (j *jsValue) Kind() bridge.Kind {
	if j.probed&1 == 0 {
		j.kind, j.probed = kindOf(j.v), j.probed|1
	}
	return j.kind
}

func kindOf(v js.Value) (k bridge.Kind) {
	defer func() {
		if recover() != nil {
			k = bridge.BigInt
		}
	}()
	switch v.Type() {
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
func (j *jsValue) isObject() bool { return j.Kind() == bridge.Object }

// get reads a property safely (see the type's comment).
func (j *jsValue) get(key any) js.Value { return reflectGet.Invoke(j.v, key) }

// class returns Object.prototype.toString of v, such as "[object ArrayBuffer]".
func (j *jsValue) class() string { return reflectApply.Invoke(objectToString, j.v, noArgs).String() }

func (j *jsValue) IsArray() bool {
	return j.isObject() && arrayIsArray.Invoke(j.v).Bool()
}

// TypedArray names the constructor of typed arrays, "ArrayBuffer" for array
// buffers, "DataView" for data views, and "" for anything else.
func (j *jsValue) TypedArray() string {
	if j.probed&2 != 0 {
		return j.ta
	}
	j.probed |= 2
	if !j.isObject() {
		return ""
	}
	if tag := reflectApply.Invoke(typedArrayTag, j.v, noArgs); tag.Type() == js.TypeString {
		j.ta = tag.String()
		return j.ta
	}
	switch j.class() {
	case "[object ArrayBuffer]":
		j.ta = "ArrayBuffer"
	case "[object DataView]":
		j.ta = "DataView"
	}
	return j.ta
}

func (j *jsValue) Get(key string) bridge.Value {
	if k := j.Kind(); k != bridge.Object && k != bridge.Function {
		return wrap(js.Undefined())
	}
	return wrap(j.get(key))
}

func (j *jsValue) Index(i int) bridge.Value {
	if !j.isObject() {
		return wrap(js.Undefined())
	}
	return wrap(j.get(i))
}

func (j *jsValue) Length() int {
	if !j.isObject() {
		return 0
	}
	l := wrap(j.get("length"))
	if l.Kind() != bridge.Number {
		return 0
	}
	return int(l.Float())
}

func (j *jsValue) Float() float64 {
	if j.Kind() != bridge.Number {
		return 0
	}
	return j.v.Float()
}

func (j *jsValue) Bool() bool {
	if j.Kind() != bridge.Boolean {
		return false
	}
	return j.v.Bool()
}

func (j *jsValue) Str() string {
	if j.Kind() != bridge.String {
		return ""
	}
	return j.v.String()
}

func (j *jsValue) ByteLength() int {
	if j.TypedArray() == "" {
		return 0
	}
	n := wrap(j.get("byteLength"))
	if n.Kind() != bridge.Number {
		return 0
	}
	return int(n.Float())
}

// Bytes copies through a Uint8Array view of the same memory:
// js.CopyBytesToGo takes nothing else.
func (j *jsValue) Bytes(dst []byte) int {
	var view js.Value
	switch j.TypedArray() {
	case "":
		return 0
	case "ArrayBuffer":
		view = jsUint8Array.New(j.v)
	case "Uint8Array":
		view = j.v
	default:
		view = views.of(j)
	}
	return js.CopyBytesToGo(dst, view)
}

// viewCache remembers the Uint8Array views of the last typed arrays seen,
// by identity, so that a page predicting on the same input and output
// arrays again and again makes no new JavaScript objects: each would also
// cost the Go side a reference with a finalizer.
type viewCache struct {
	next    int
	entries [4]struct{ array, view js.Value }
}

var views viewCache

// of returns a byte view of the typed array j (whose type is checked).
func (c *viewCache) of(j *jsValue) js.Value {
	for _, e := range c.entries {
		if !e.array.IsUndefined() && e.array.Equal(j.v) {
			return e.view
		}
	}
	view := jsUint8Array.New(j.get("buffer"), j.get("byteOffset"), j.get("byteLength"))
	c.entries[c.next] = struct{ array, view js.Value }{j.v, view}
	c.next = (c.next + 1) % len(c.entries)
	return view
}

func (j *jsValue) Shared() bool {
	switch j.TypedArray() {
	case "", "ArrayBuffer", "DataView":
		return false
	}
	return wrap(j.get("buffer")).class() == "[object SharedArrayBuffer]"
}

func (j *jsValue) Keys() []string {
	if !j.isObject() {
		return nil
	}
	ks := objectKeys.Invoke(j.v)
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
		out[i] = wrap(a)
	}
	return out
}
