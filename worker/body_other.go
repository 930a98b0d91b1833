//go:build !js

package main

import (
	"io"
	"net/http"
)

// readBody reads a request body of at most limit bytes; a longer one is an
// *http.MaxBytesError.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	return io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
}

// writeBody writes a response body.
func writeBody(w http.ResponseWriter, b []byte) {
	w.Write(b)
}

// discardBody reads and drops the body of a request about to be refused.
func discardBody(r *http.Request) {
	if r.Body != nil {
		io.Copy(io.Discard, io.LimitReader(r.Body, r.ContentLength))
	}
}
