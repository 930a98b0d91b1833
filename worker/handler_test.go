package main

import (
	"bytes"
	"io"
	"net/http"
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

// TestHandlerPanic makes the handler panic halfway through predictions: each
// such request gets a 500 JSON error, the predictor it held is not reused,
// and the requests after it are answered as before.
func TestHandlerPanic(t *testing.T) {
	h := newHandler()
	c := requestCases(t)[0]
	serve := func() (int, []byte) {
		req := httptest.NewRequest(c.method, c.path, bytes.NewReader(c.body))
		req.Header.Set("Content-Type", c.ctype)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.Bytes()
	}
	_, want := serve()
	var held *predictor
	h.fault = func(*http.Request) {
		// Take a predictor, scribble on it and panic while holding it, as
		// a bug in the middle of a prediction would.
		p, err := h.take()
		if err != nil {
			t.Fatal(err)
		}
		held = p
		for i := range p.input {
			p.input[i] = 1
		}
		panic("injected")
	}
	for i := 0; i < 3; i++ {
		code, body := serve()
		if code != 500 || !bytes.Contains(body, []byte(`"error"`)) {
			t.Fatalf("panicking request: %d %s", code, body)
		}
	}
	h.fault = nil
	for _, p := range h.idle {
		if p == held {
			t.Error("the predictor held during a panic went back to the pool")
		}
	}
	if code, body := serve(); code != 200 || !bytes.Equal(body, want) {
		t.Errorf("after the panics: %d %s, want %s", code, body, want)
	}
}
