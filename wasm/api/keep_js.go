package api

import (
	"syscall/js"

	"wasmcnn/internal/fmtlite"
	"wasmcnn/wasm/bridge"
)

// uint8Set is %TypedArray%.prototype.set, invoked on arrays the API made.
var uint8Set = jsUint8Array.Get("prototype").Get("set")

// KeepBytes copies the bytes of a Uint8Array or ArrayBuffer into a new
// Uint8Array of JavaScript's and returns it, with a reader of its parts
// ([bridge.BytesKeeper]). A model loaded from the copy reads its weights
// again from there instead of holding them twice in WebAssembly memory,
// which never shrinks; the caller's array may change afterwards without
// changing the model.
func (j *jsValue) KeepBytes() (bridge.Value, func(off int64, dst []byte) error, error) {
	var view js.Value
	switch j.TypedArray() {
	case "ArrayBuffer":
		view = jsUint8Array.New(j.v)
	case "Uint8Array":
		view = j.v
	default:
		return nil, nil, fmtlite.Errorf("got a %s, want a Uint8Array or an ArrayBuffer", describeKind(j))
	}
	n := view.Length()
	kept := jsUint8Array.New(n)
	reflectApply.Invoke(uint8Set, kept, jsArray.New(view))
	read := func(off int64, dst []byte) error {
		if off < 0 || off > int64(n) || int64(len(dst)) > int64(n)-off {
			return fmtlite.Errorf("bytes %d to %d of a model of %d", off, off+int64(len(dst)), n)
		}
		if got := js.CopyBytesToGo(dst, kept.Call("subarray", off, off+int64(len(dst)))); got != len(dst) {
			return fmtlite.Errorf("copied %d bytes of %d", got, len(dst))
		}
		return nil
	}
	return wrap(kept), read, nil
}

// describeKind names a value's typed-array type, or "value".
func describeKind(j *jsValue) string {
	if ta := j.TypedArray(); ta != "" {
		return ta
	}
	return "value"
}
