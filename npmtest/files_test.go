package npmtest

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"wasmcnn/core"
	"wasmcnn/internal/site"
)

// TestPackedFiles checks what the tarball holds, as npm pack listed it:
// the version of the engine; the modules, types, builds, models and both
// licences; Go's wasm_exec.js from the Go that built the .wasm files; and
// never the drawing page's build.
func TestPackedFiles(t *testing.T) {
	need(t)
	if packed.Version != core.Version || packed.Filename != "wasmcnn-"+core.Version+".tgz" {
		t.Errorf("packed %s at version %s, want wasmcnn-%s.tgz", packed.Filename, packed.Version, core.Version)
	}
	var paths []string
	for _, f := range packed.Files {
		paths = append(paths, f.Path)
	}
	for _, want := range []string{"package.json", "README.md", "LICENSE", "LICENSE-go", "wasmcnn.mjs", "wasmcnn-runtime.mjs",
		"wasmcnn-worker.mjs", "wasmcnn.js", "wasm_exec.js", "wasmcnn.d.ts", "lib/wasmcnn.wasm", "lib/wasmcnn-train.wasm",
		"models/digits.onnx", "models/mnist-sample.bin", "models/mnist-replay.bin"} {
		if !slices.Contains(paths, want) {
			t.Errorf("the tarball has no %s (it has %v)", want, paths)
		}
	}
	for _, p := range paths {
		if strings.HasSuffix(p, "main.wasm") || strings.HasSuffix(p, ".go") {
			t.Errorf("the tarball holds %s, which is not the API's", p)
		}
	}
	root, err := site.Root()
	if err != nil {
		t.Fatal(err)
	}
	goroot, err := site.GoEnv(root, "GOROOT")
	if err != nil {
		t.Fatal(err)
	}
	for pkg, src := range map[string]string{"wasm_exec.js": filepath.Join(goroot, "lib", "wasm", "wasm_exec.js"), "LICENSE-go": filepath.Join(goroot, "LICENSE")} {
		a, err1 := os.ReadFile(filepath.Join(pkgDir, pkg))
		b, err2 := os.ReadFile(src)
		if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
			t.Errorf("the package's %s is not %s (%v, %v)", pkg, src, err1, err2)
		}
	}
	t.Logf("%s: %d files, %.1f MB packed (gzip), %.1f MB unpacked", packed.Filename, len(paths), float64(packed.Size)/1e6, float64(packed.UnpackedSize)/1e6)
}
