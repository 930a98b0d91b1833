package site

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
)

// TestServiceWorkerLists checks what the service worker caches: the page's
// files when it installs, the training files (LazyFiles) when first
// fetched, and the library build not at all.
func TestServiceWorkerLists(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"index.html", "main.wasm", "models/digits.onnx", ReplayFile, NotDigitReplayFile, LibDir + "/wasmcnn.wasm", TrainWasm} {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755)
		os.WriteFile(filepath.Join(dir, f), []byte(f), 0o644)
	}
	os.WriteFile(filepath.Join(dir, "sw.js"), []byte("const ASSETS = __ASSETS__;\nconst LAZY = __LAZY__;\nconst VERSION = \"__VERSION__\";\n"), 0o644)
	if _, err := Finish(dir); err != nil {
		t.Fatal(err)
	}
	sw, _ := os.ReadFile(filepath.Join(dir, "sw.js"))
	list := func(name string) []string {
		m := regexp.MustCompile(`const ` + name + ` = (\[.*\]);`).FindSubmatch(sw)
		if m == nil {
			t.Fatalf("sw.js has no %s list:\n%s", name, sw)
		}
		var out []string
		if err := json.Unmarshal(m[1], &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	assets, lazy := list("ASSETS"), list("LAZY")
	if want := []string{"./", "index.html", "main.wasm", "models/digits.onnx"}; !slices.Equal(assets, want) {
		t.Errorf("precached %v, want %v", assets, want)
	}
	if want := []string{TrainWasm, ReplayFile, NotDigitReplayFile}; !slices.Equal(lazy, want) {
		t.Errorf("cached when fetched %v, want %v", lazy, want)
	}
}
