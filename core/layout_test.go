package core

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestPackageImports holds the packages under core to the imports their doc
// comments allow: the compiler refuses cycles, but not a package that
// reaches up (onnx into nn, ink into onnx), which would link training into
// builds that only infer.
func TestPackageImports(t *testing.T) {
	allowed := map[string][]string{
		".":       {"wasmcnn/internal/fmtlite"},
		"onnx":    {"wasmcnn/core", "wasmcnn/internal/fmtlite"},
		"ink":     {"wasmcnn/internal/fmtlite"},
		"nn":      {"wasmcnn/core", "wasmcnn/core/onnx", "wasmcnn/core/ink", "wasmcnn/core/verdict", "wasmcnn/internal/fmtlite"},
		"verdict": {"wasmcnn/internal/fmtlite"},
	}
	for dir, ok := range allowed {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no Go files (%v)", dir, err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			file, err := parser.ParseFile(token.NewFileSet(), f, src, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range file.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				if path == "syscall/js" || strings.HasPrefix(path, "wasmcnn/") && !slices.Contains(ok, path) {
					t.Errorf("%s imports %s; its package may import only %v of wasmcnn, and never syscall/js", f, path, ok)
				}
			}
		}
	}
}
