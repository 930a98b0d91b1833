//go:build js && wasm

package main

import (
	"io"
	"net/http"
	"syscall/js"
)

// The worker's entry module reads each request body itself, in the
// request's own context (Workers refuse to let one request touch
// another's streams, and every goroutine of the instance may run during any
// request's call into Go), and hands Go the bytes as the body's "bytes", a
// Uint8Array. github.com/syumai/workers gives the body object back through
// GetRawJSBody; reading those bytes at once also spares the callbacks its
// stream reader leaves registered on every read.
type rawJSBody interface{ GetRawJSBody() js.Value }

// rawJSWriter is syumai/workers's response writer: a body given as a
// Uint8Array becomes the Response's body as it is, with no stream between
// Go and JavaScript (and none of the callbacks a stream leaves registered).
type rawJSWriter interface{ WriteRawJSBody(js.Value) }

var uint8Array = js.Global().Get("Uint8Array")

// readBody reads a request body of at most limit bytes; a longer one is an
// *http.MaxBytesError.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	if raw, ok := r.Body.(rawJSBody); ok {
		if u8 := raw.GetRawJSBody().Get("bytes"); u8.InstanceOf(uint8Array) {
			n := u8.Length()
			if int64(n) > limit {
				return nil, &http.MaxBytesError{Limit: limit}
			}
			b := make([]byte, n)
			js.CopyBytesToGo(b, u8)
			return b, nil
		}
	}
	return io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
}

// discardBody reads and drops the body of a request about to be refused,
// unless the entry module has read it already.
func discardBody(r *http.Request) {
	if r.Body == nil {
		return
	}
	if raw, ok := r.Body.(rawJSBody); ok && raw.GetRawJSBody().Get("bytes").InstanceOf(uint8Array) {
		return
	}
	io.Copy(io.Discard, io.LimitReader(r.Body, r.ContentLength))
}

// writeBody writes a response body.
func writeBody(w http.ResponseWriter, b []byte) {
	if raw, ok := w.(rawJSWriter); ok {
		u8 := uint8Array.New(len(b))
		js.CopyBytesToJS(u8, b)
		raw.WriteRawJSBody(u8)
		return
	}
	w.Write(b)
}
