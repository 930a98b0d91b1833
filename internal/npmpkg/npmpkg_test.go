package npmpkg

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wasmcnn/core"
)

// TestPackageJSON checks the manifest: the engine's version, an ES module
// package, and an exports map whose "." gives the types before the module
// (resolvers take the first condition that matches) and which names the
// builds, the models and the worker by subpath.
func TestPackageJSON(t *testing.T) {
	b, err := packageJSON()
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Name, Version, Type, Main, Types string
		Exports                          map[string]json.RawMessage
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m.Name != "wasmcnn" || m.Version != core.Version || m.Type != "module" || m.Main != "./wasmcnn.mjs" || m.Types != "./wasmcnn.d.ts" {
		t.Errorf("package.json says %+v", m)
	}
	dot := string(m.Exports["."])
	if ti, ii := strings.Index(dot, `"types"`), strings.Index(dot, `"import"`); ti < 0 || ii < 0 || ti > ii {
		t.Errorf(`exports["."] = %s: want "types" before "import"`, dot)
	}
	for _, sub := range []string{"./lib/wasmcnn.wasm", "./lib/wasmcnn-train.wasm", "./models/*", "./wasmcnn-worker.mjs", "./wasmcnn.js"} {
		if _, ok := m.Exports[sub]; !ok {
			t.Errorf("exports has no %s", sub)
		}
	}
	if _, ok := m.Exports["./main.wasm"]; ok {
		t.Error("exports names the drawing page's build")
	}
	if !strings.Contains(string(b), `">=20"`) {
		t.Errorf("package.json escapes or lacks the Node version: %s", b)
	}
}

// TestModulesExist checks that the files the package copies from web/ and
// npm/ are there.
func TestModulesExist(t *testing.T) {
	for _, m := range Modules {
		if _, err := os.Stat(filepath.Join("..", "..", "web", m)); err != nil {
			t.Error(err)
		}
	}
	for _, f := range []string{"README.md", "wasmcnn.d.ts"} {
		if _, err := os.Stat(filepath.Join("..", "..", "npm", f)); err != nil {
			t.Error(err)
		}
	}
}
