package main

import (
	"bytes"
	"io"
	"net/http/httptest"
	"testing"
)

// TestHandler runs every request case against the handler natively.
func TestHandler(t *testing.T) {
	h := newHandler()
	native := nativeModel(t)
	wrong := 0
	for _, c := range requestCases(t) {
		req := httptest.NewRequest(c.method, c.path, bytes.NewReader(c.body))
		if c.ctype != "" {
			req.Header.Set("Content-Type", c.ctype)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		resp := rec.Result()
		body, _ := io.ReadAll(resp.Body)
		checkResponse(t, c, resp, body, native)
		if c.want >= 0 && resp.StatusCode == 200 && !bytes.Contains(body, []byte(`"digit":`+string(rune('0'+c.want)))) {
			wrong++
		}
	}
	t.Logf("%d drawings read differently from their labels", wrong)
}
