package apitest

import (
	"errors"
	"os"
	"path/filepath"
	"syscall/js"
)

// LoadWasmcnnJS evaluates web/wasmcnn.js on top of a Go side already
// registered (globalThis.__wasmcnnGo), as a page does, then [Try]; the
// script's source stays in globalThis.__src, for a test to load it again.
// The repository root is found above the working directory.
func LoadWasmcnnJS() error {
	dir, err := os.Getwd()
	if err != nil {
		return err
	}
	for {
		src, err := os.ReadFile(filepath.Join(dir, "web", "wasmcnn.js"))
		if err == nil {
			js.Global().Set("__src", string(src))
			js.Global().Call("eval", string(src))
			js.Global().Call("eval", Try)
			return nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return errors.New("apitest: no web/wasmcnn.js above the working directory")
		}
		dir = parent
	}
}
