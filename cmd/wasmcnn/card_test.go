package main

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

// TestCardPathsRelative checks that a model card records its files relative
// to the repository, whatever machine or directory it was trained from.
func TestCardPathsRelative(t *testing.T) {
	root, err := filepath.Abs("../..") // this package sits two levels down
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root not found at %s: %v", root, err)
	}
	for _, c := range []struct{ in, want string }{
		{filepath.Join(root, "web", "models", "digits.onnx"), "web/models/digits.onnx"},
		{filepath.Join(filepath.Dir(root), "shared", "data", "strokes.json"), "../shared/data/strokes.json"},
		{"models/x.onnx", "cmd/wasmcnn/models/x.onnx"},
	} {
		if got := repoRelative(c.in); got != c.want {
			t.Errorf("repoRelative(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.Int("epochs", 1, "")
	fs.String("out", "", "")
	if err := fs.Parse([]string{"-out", filepath.Join(root, "web", "models", "d.onnx"), "-epochs", "12"}); err != nil {
		t.Fatal(err)
	}
	if got, want := cardCommand(fs, "out"), "wasmcnn train -epochs 12 -out web/models/d.onnx"; got != want {
		t.Errorf("cardCommand = %q, want %q", got, want)
	}
	td := cardData(trainData{PenFile: filepath.Join(filepath.Dir(root), "shared", "p.json")})
	if td.PenFile != "../shared/p.json" {
		t.Errorf("card pen file %q, want ../shared/p.json", td.PenFile)
	}
}
