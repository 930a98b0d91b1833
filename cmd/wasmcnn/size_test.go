package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSizeOfFile measures a small Go program built for the browser: the
// summary, the package table and the JSON agree, and -base prints changes.
func TestSizeOfFile(t *testing.T) {
	dir := t.TempDir()
	wasm := filepath.Join(dir, "hello.wasm")
	build := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", wasm, "../../internal/wasmsize/testdata/hello")
	build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	js := filepath.Join(dir, "size.json")
	code, out, errs := cli("size", "-brotli", "5", "-json", js, wasm)
	if code != 0 {
		t.Fatalf("size: %d %s", code, errs)
	}
	var rep sizeReport
	b, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Files) != 1 || rep.BrotliLevel != 5 {
		t.Fatalf("report %+v", rep)
	}
	f := rep.Files[0]
	st, _ := os.Stat(wasm)
	if int64(f.Raw) != st.Size() || f.Gzip <= 0 || f.Gzip >= f.Raw || f.Brotli <= 0 || f.Brotli >= f.Raw || f.Code+f.Data >= f.Raw || f.Funcs < 100 {
		t.Errorf("sizes %+v", f.Report)
	}
	if _, ok := findPackage(f.Packages, "main"); !ok {
		t.Errorf("no package main in %v", f.Packages)
	}
	for _, want := range []string{"hello.wasm", "gzip -9", "brotli -q 5", "code per Go package", "runtime", "strconv", "pclntab: function names"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Compared with itself, every change is zero.
	code, out, errs = cli("size", "-brotli", "5", "-base", js, wasm)
	if code != 0 {
		t.Fatalf("size -base: %d %s", code, errs)
	}
	if !strings.Contains(out, "(+0.0)") || strings.Contains(out, "(-") {
		t.Errorf("-base against the same file:\n%s", out)
	}
	if code, _, errs := cli("size", "-brotli", "12", wasm); code == 0 || !strings.Contains(errs, "level from 0 to 11") {
		t.Errorf("-brotli 12: %d %s", code, errs)
	}
	if code, _, errs := cli("size", filepath.Join(dir, "size.json")); code == 0 || !strings.Contains(errs, "not a WebAssembly module") {
		t.Errorf("a JSON file: %d %s", code, errs)
	}
}
