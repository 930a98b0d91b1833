package apitest

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"syscall/js"

	"wasmcnn/wasm/jsglue"
)

// LoadWasmcnnJS imports the API's ES module (web/wasmcnn.mjs, with Go's
// wasm_exec.js beside it, as the site and the npm package lay them out) on
// top of a Go side already registered (globalThis.__wasmcnnGo), makes its
// default export the global wasmcnn, as the drawing page does, then
// defines [Try]. The repository root is found above the working
// directory.
func LoadWasmcnnJS() error {
	dir, err := ModuleDir()
	if err != nil {
		return err
	}
	mod, err := ImportModule(dir)
	if err != nil {
		return err
	}
	js.Global().Set("wasmcnn", mod.Get("default"))
	js.Global().Call("eval", Try)
	return nil
}

// ImportModule imports wasmcnn.mjs from dir (a folder of [ModuleDir]) and
// returns its namespace: each folder is a new instance of the module.
func ImportModule(dir string) (js.Value, error) {
	u := (&url.URL{Scheme: "file", Path: filepath.ToSlash(filepath.Join(dir, "wasmcnn.mjs"))}).String()
	return jsglue.Await(js.Global().Call("eval", "import("+strconv.Quote(u)+")"))
}

// ModuleDir copies the API's modules of web/ and the wasm_exec.js beside
// the runner of these tests (Go's wasm_exec_node.js, of the release that
// built them) into a new temporary folder, and returns it: the modules
// import wasm_exec.js from beside them, and web/ has none (the site and the
// package take it from the Go that builds them).
func ModuleDir() (string, error) {
	root, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(root, "web", "wasmcnn.mjs")); err == nil {
			break
		}
		parent := filepath.Dir(root)
		if parent == root {
			return "", errors.New("apitest: no web/wasmcnn.mjs above the working directory")
		}
		root = parent
	}
	dir, err := os.MkdirTemp("", "wasmcnn-api-")
	if err != nil {
		return "", err
	}
	runner := js.Global().Get("process").Get("argv").Index(1).String()
	files := map[string]string{filepath.Join(filepath.Dir(runner), "wasm_exec.js"): "wasm_exec.js"}
	for _, f := range []string{"wasmcnn.mjs", "wasmcnn-runtime.mjs", "wasmcnn-worker.mjs"} {
		files[filepath.Join(root, "web", f)] = f
	}
	for src, name := range files {
		b, err := os.ReadFile(src)
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return "", err
		}
	}
	return dir, nil
}
