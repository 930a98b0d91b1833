package workerd

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestEntryModule fills the entry template for every kernel and checks
// that the result is a JavaScript module Node can parse, with nothing of the
// template left and the kernel module imported only when it is shipped.
// (The worker tests run it under workerd.)
func TestEntryModule(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("no node:", err)
	}
	for _, k := range []Kernel{KernelRelaxed, KernelSIMD, KernelGo} {
		src, err := EntryModule(Options{Kernel: k})
		if err != nil {
			t.Fatal(err)
		}
		s := string(src)
		if strings.Contains(s, "{{") || strings.Contains(s, "<no value>") {
			t.Errorf("kernel %s: the template was not filled in:\n%s", k, s)
		}
		if imports := strings.Contains(s, `import kernel from "./kernel.wasm"`); imports != (k != KernelGo) {
			t.Errorf("kernel %s: imports kernel.wasm: %v", k, imports)
		}
		if !strings.Contains(s, "const kernelRelaxed = "+strconv.FormatBool(k == KernelRelaxed)+";") {
			t.Errorf("kernel %s: wrong relaxed flag", k)
		}
		f := filepath.Join(t.TempDir(), "worker.mjs")
		if err := os.WriteFile(f, src, 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(node, "--check", f).CombinedOutput(); err != nil {
			t.Errorf("kernel %s: node --check: %v\n%s", k, err, out)
		}
	}
}

// TestConfig checks the workerd configuration lists every module with its
// type.
func TestConfig(t *testing.T) {
	b := &Bundle{Modules: []Module{{"worker.mjs", false}, {"app.wasm", true}, {"kernel.wasm", true}}}
	cfg := b.Config("127.0.0.1:1234")
	for _, want := range []string{`(name = "worker.mjs", esModule = embed "worker.mjs")`, `(name = "app.wasm", wasm = embed "app.wasm")`,
		`(name = "kernel.wasm", wasm = embed "kernel.wasm")`, `address = "127.0.0.1:1234"`, `compatibilityDate = "` + CompatibilityDate + `"`} {
		if !strings.Contains(cfg, want) {
			t.Errorf("the configuration lacks %s:\n%s", want, cfg)
		}
	}
}
