package site

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestBenchPageLeftOut builds the file tree of a site from a web/ holding
// the bench page: the site has every file but the bench's, which
// CopyBenchPage then adds for the bench.
func TestBenchPageLeftOut(t *testing.T) {
	root, out := t.TempDir(), t.TempDir()
	files := append([]string{"index.html", "learn.html", "models/digits.onnx"}, BenchPage...)
	for _, f := range files {
		p := filepath.Join(root, "web", f)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := copyTree(filepath.Join(root, "web"), out, BenchPage); err != nil {
		t.Fatal(err)
	}
	exists := func(f string) bool { _, err := os.Stat(filepath.Join(out, f)); return err == nil }
	for _, f := range files {
		bench := slices.Contains(BenchPage, f)
		if exists(f) == bench {
			t.Errorf("%s: in the site %v, want %v", f, exists(f), !bench)
		}
	}
	if err := CopyBenchPage(root, out); err != nil {
		t.Fatal(err)
	}
	for _, f := range BenchPage {
		if !exists(f) {
			t.Errorf("CopyBenchPage did not copy %s", f)
		}
	}
}
