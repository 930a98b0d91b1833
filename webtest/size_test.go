package webtest

import (
	"os"
	"path/filepath"
	"testing"

	"wasmcnn/internal/site"
	"wasmcnn/internal/wasmsize"
)

// maxDOMGzip bounds the code honnef.co/go/js/dom/v2 adds to main.wasm,
// gzipped: the page reaches the DOM through the package's concrete types
// only (wasm/page/dom_js.go says why), which keeps it near 5 kB; its
// interface-returning helpers would bring back a megabyte.
const maxDOMGzip = 10_000

// TestPageDOMSize measures dom/v2's share of main.wasm as the site ships
// it, with the size command's own measure.
func TestPageDOMSize(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(siteDir, "main.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := wasmsize.Measure(b, wasmsize.Options{Gzip: site.Gzip, Brotli: func(b []byte) []byte { return b }})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range r.Packages {
		if p.Path != "honnef.co/go/js/dom/v2" {
			continue
		}
		t.Logf("dom/v2 in main.wasm: %d functions, %d bytes of code, %d gzipped (main.wasm %d gzipped)", p.Funcs, p.Code, p.CodeGzip, r.Gzip)
		if p.CodeGzip > maxDOMGzip {
			t.Errorf("dom/v2 adds %d bytes of gzipped code to main.wasm, more than %d: is the page reaching the DOM through dom/v2's interfaces?", p.CodeGzip, maxDOMGzip)
		}
		return
	}
	t.Fatal("main.wasm has no code of honnef.co/go/js/dom/v2: is it still the page's build?")
}
