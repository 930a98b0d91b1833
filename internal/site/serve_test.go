package site

import (
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHandlerEncodings(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "index.html"), []byte(strings.Repeat("<p>hello</p>", 100)), 0o644)
	os.WriteFile(filepath.Join(dir, "sw.js"), []byte(`const VERSION = "__VERSION__", ASSETS = __ASSETS__;`), 0o644)
	os.WriteFile(filepath.Join(dir, "main.wasm"), []byte(strings.Repeat("\x00asm", 1000)), 0o644)
	m, err := Finish(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Version) != 16 || m.Files["main.wasm"].Brotli == 0 || m.Files["main.wasm"].Gzip == 0 {
		t.Fatalf("manifest %+v", m)
	}
	sw, _ := os.ReadFile(filepath.Join(dir, "sw.js"))
	if !strings.Contains(string(sw), m.Version) {
		t.Error("sw.js lacks the build's version")
	}
	h := Handler(dir, HandlerOptions{Isolated: true})
	cases := []struct {
		path, accept, encoding, ctype string
	}{
		{"/main.wasm", "gzip, deflate, br", "br", "application/wasm"},
		{"/main.wasm", "gzip", "gzip", "application/wasm"},
		{"/main.wasm", "br;q=0, gzip", "gzip", "application/wasm"},
		{"/main.wasm", "", "", "application/wasm"},
		{"/", "br", "br", "text/html; charset=utf-8"},
	}
	for _, c := range cases {
		req := httptest.NewRequest("GET", c.path, nil)
		if c.accept != "" {
			req.Header.Set("Accept-Encoding", c.accept)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		resp := rec.Result()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != c.encoding || resp.Header.Get("Content-Type") != c.ctype {
			t.Errorf("%s with %q: status %d, encoding %q, type %q", c.path, c.accept, resp.StatusCode, resp.Header.Get("Content-Encoding"), resp.Header.Get("Content-Type"))
		}
		if c.encoding == "" && len(body) != 4000 {
			t.Errorf("%s: %d bytes", c.path, len(body))
		}
		if resp.Header.Get("Cross-Origin-Embedder-Policy") != "require-corp" || !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("%s: headers %v", c.path, resp.Header)
		}
	}
	// Uncompressed ignores the precompressed copies whatever the client accepts.
	req := httptest.NewRequest("GET", "/main.wasm", nil)
	req.Header.Set("Accept-Encoding", "gzip, deflate, br")
	rec := httptest.NewRecorder()
	Handler(dir, HandlerOptions{Uncompressed: true}).ServeHTTP(rec, req)
	if resp := rec.Result(); resp.Header.Get("Content-Encoding") != "" || rec.Body.Len() != 4000 || resp.Header.Get("Content-Type") != "application/wasm" {
		t.Errorf("uncompressed: encoding %q, %d bytes, type %q", resp.Header.Get("Content-Encoding"), rec.Body.Len(), resp.Header.Get("Content-Type"))
	}
}

func TestFinishNeedsTheTemplate(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "sw.js"), []byte("// already built"), 0o644)
	if _, err := Finish(dir); err == nil {
		t.Error("a service worker without the placeholders was accepted")
	}
}
