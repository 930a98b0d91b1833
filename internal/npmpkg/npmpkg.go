// Package npmpkg builds wasmcnn's npm package: a folder that `npm pack`
// turns into wasmcnn-<version>.tgz. It holds the API's ES modules from
// web/ (the same files the site serves), Go's wasm_exec.js from the Go
// that builds the .wasm files, the library and training builds (never the
// drawing page's), the shipped models and MNIST digits, the hand-written
// types (npm/wasmcnn.d.ts), the package's README and the licences: the
// project's, and Go's for wasm_exec.js and the Go runtime inside the
// builds. The folder mirrors the site's layout (lib/, models/), so that the
// modules find their files with the same relative URLs in both.
package npmpkg

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"wasmcnn/core"
	"wasmcnn/internal/site"
)

// Name is the package's name on npm.
const Name = "wasmcnn"

// Modules are the API's JavaScript files, copied from web/: the entry, the
// runtime it shares with the worker, the worker, and the classic-script
// form for pages without modules.
var Modules = []string{"wasmcnn.mjs", "wasmcnn-runtime.mjs", "wasmcnn-worker.mjs", "wasmcnn.js"}

// Builds are the site's WebAssembly builds the package carries: the API
// alone and the API with fine-tuning. The page's build (main.wasm) is the
// drawing page's, not the API's.
var Builds = []string{"library", "training"}

// conditions is one entry of the exports map. Its fields are in the order
// resolvers read them: "types" first for TypeScript, then "import".
type conditions struct {
	Types   string `json:"types"`
	Import  string `json:"import"`
	Default string `json:"default"`
}

// manifest is package.json.
type manifest struct {
	Name        string            `json:"name"`
	Version     string            `json:"version"`
	Description string            `json:"description"`
	Keywords    []string          `json:"keywords"`
	License     string            `json:"license"`
	Type        string            `json:"type"`
	Main        string            `json:"main"`
	Types       string            `json:"types"`
	Exports     map[string]any    `json:"exports"`
	Engines     map[string]string `json:"engines"`
}

// Build writes the package into out (emptied first) and returns the
// paths of its files, relative to out and sorted.
func Build(root, out string) ([]string, error) {
	if err := os.RemoveAll(out); err != nil {
		return nil, err
	}
	goroot, err := site.GoEnv(root, "GOROOT")
	if err != nil {
		return nil, err
	}
	copies := map[string]string{ // in the package ← in the repository or Go's tree
		"wasm_exec.js": filepath.Join(goroot, "lib", "wasm", "wasm_exec.js"),
		"LICENSE-go":   filepath.Join(goroot, "LICENSE"),
		"LICENSE":      filepath.Join(root, "LICENSE"),
		"README.md":    filepath.Join(root, "npm", "README.md"),
		"wasmcnn.d.ts": filepath.Join(root, "npm", "wasmcnn.d.ts"),
	}
	for _, m := range Modules {
		copies[m] = filepath.Join(root, "web", m)
	}
	models, err := os.ReadDir(filepath.Join(root, "web", "models"))
	if err != nil {
		return nil, err
	}
	for _, e := range models {
		// The site's models and digits; the Go package embedding them and
		// training checkpoints stay out, as they do of the site.
		if n := e.Name(); e.Type().IsRegular() && !strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, ".ckpt") {
			copies["models/"+n] = filepath.Join(root, "web", "models", n)
		}
	}
	for dst, src := range copies {
		b, err := os.ReadFile(src)
		if err != nil {
			return nil, fmt.Errorf("npmpkg: %w", err)
		}
		if err := write(out, dst, b); err != nil {
			return nil, err
		}
	}
	for _, b := range site.WasmBuilds {
		if !slices.Contains(Builds, b.Name) {
			continue
		}
		if err := site.GoBuildWasm(root, b.Package, "", filepath.Join(out, filepath.FromSlash(b.File)), false); err != nil {
			return nil, fmt.Errorf("npmpkg: building %s: %w", b.File, err)
		}
	}
	pj, err := packageJSON()
	if err != nil {
		return nil, err
	}
	if err := write(out, "package.json", pj); err != nil {
		return nil, err
	}
	var files []string
	err = filepath.WalkDir(out, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(out, path)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	})
	sort.Strings(files)
	return files, err
}

// packageJSON is the package's package.json: an ES module package whose
// exports map gives the types and the module for "wasmcnn", and each file
// a page or bundler may ask for by its subpath: the builds, the models,
// the worker and the classic script.
func packageJSON() ([]byte, error) {
	exports := map[string]any{
		".":              conditions{Types: "./wasmcnn.d.ts", Import: "./wasmcnn.mjs", Default: "./wasmcnn.mjs"},
		"./models/*":     "./models/*",
		"./package.json": "./package.json",
	}
	for _, b := range site.WasmBuilds {
		if slices.Contains(Builds, b.Name) {
			exports["./"+b.File] = "./" + b.File
		}
	}
	for _, m := range Modules[1:] {
		exports["./"+m] = "./" + m
	}
	m := manifest{
		Name:    Name,
		Version: core.Version,
		Description: "A convolutional-network engine in pure Go, compiled to WebAssembly: ONNX models, " +
			"convolution ops and explanations of every value, in browsers, Web Workers, Node and bundlers",
		Keywords: []string{"cnn", "convolution", "onnx", "inference", "webassembly", "wasm", "neural-network", "mnist"},
		License:  "MIT",
		Type:     "module",
		Main:     "./wasmcnn.mjs",
		Types:    "./wasmcnn.d.ts",
		Exports:  exports,
		Engines:  map[string]string{"node": ">=20"},
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // ">=20" as npm writes it
	enc.SetIndent("", "  ")
	err := enc.Encode(m)
	return b.Bytes(), err
}

func write(out, rel string, b []byte) error {
	path := filepath.Join(out, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}
