// Package bridge decodes arguments arriving from JavaScript and runs the
// wasmcnn API on them. It holds every check a JavaScript caller can reach,
// written against the small [Value] interface rather than syscall/js, so it
// builds and is tested natively as well as in the browser.
//
// Nothing here may panic on any input: a panic in Go's WebAssembly ends the
// program for the whole page. Every function returns an error that says
// what was wrong and what was expected; the js layer turns it into a
// JavaScript Error.
package bridge

// Kind is the type of a JavaScript value, as typeof reports it (with null
// apart).
type Kind int

// The JavaScript types.
const (
	Undefined Kind = iota
	Null
	Boolean
	Number
	String
	Symbol
	BigInt
	Object
	Function
)

func (k Kind) String() string {
	return [...]string{"undefined", "null", "boolean", "number", "string", "symbol", "bigint", "object", "function"}[k]
}

// Value is what the bridge needs of a JavaScript value. The browser build
// adapts syscall/js.Value to it; tests use plain Go values.
type Value interface {
	Kind() Kind
	// IsArray reports Array.isArray.
	IsArray() bool
	// TypedArray names the typed-array constructor of the value
	// ("Float32Array", "Uint8Array", …), or returns "" for anything else.
	TypedArray() string
	// Get reads a property of an object.
	Get(key string) Value
	// Index reads an element of an array.
	Index(i int) Value
	// Length is the length of an array or typed array.
	Length() int
	// Float is the value of a number.
	Float() float64
	// Bool is the value of a boolean.
	Bool() bool
	// Str is the value of a string.
	Str() string
	// Bytes copies the bytes behind a typed array (or ArrayBuffer) into dst,
	// which has exactly the right length, and reports how many it copied.
	Bytes(dst []byte) int
	// ByteLength is the byte length of a typed array or ArrayBuffer.
	ByteLength() int
	// Keys lists an object's own enumerable property names (Object.keys).
	Keys() []string
	// Shared reports whether a typed array lives in a SharedArrayBuffer,
	// which another thread may change while it is copied.
	Shared() bool
}
