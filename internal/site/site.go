// Package site builds the deployable static site of wasmcnn: the page, its
// scripts and styles, the WebAssembly build of the engine and the models.
// build.sh and the browser tests both build the site through it, so they
// serve the same files.
package site

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"wasmcnn/internal/wasmpack"
)

// Root returns the repository root: the nearest directory above the working
// directory holding go.mod.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("site: no go.mod above the working directory")
		}
		dir = parent
	}
}

// Build writes the site into out (emptied first): the files of web/ but
// the bench page (BenchPage), wasm_exec.js from the Go release that
// compiles main.wasm, main.wasm built
// with -trimpath and without symbols, the library build lib/wasmcnn.wasm,
// the app icons, the service worker
// with this build's version and file list, assets.json, and .gz and .br
// beside every file that compresses.
func Build(root, out string) error {
	_, err := BuildManifest(root, out)
	return err
}

// BuildManifest is [Build], returning the manifest of what it wrote.
func BuildManifest(root, out string) (*Manifest, error) {
	if err := build(root, out); err != nil {
		return nil, err
	}
	if err := writeIcons(filepath.Join(out, "icons")); err != nil {
		return nil, err
	}
	return Finish(out)
}

func build(root, out string) error {
	if err := os.RemoveAll(out); err != nil {
		return err
	}
	if err := copyTree(filepath.Join(root, "web"), out, BenchPage); err != nil {
		return err
	}
	goroot, err := GoEnv(root, "GOROOT")
	if err != nil {
		return err
	}
	if err := copyFile(filepath.Join(goroot, "lib", "wasm", "wasm_exec.js"), filepath.Join(out, "wasm_exec.js")); err != nil {
		return fmt.Errorf("site: wasm_exec.js: %w", err)
	}
	for _, b := range WasmBuilds {
		if err := GoBuildWasm(root, b.Package, "", filepath.Join(out, filepath.FromSlash(b.File)), false); err != nil {
			return fmt.Errorf("site: building %s: %w", b.File, err)
		}
	}
	return nil
}

// WasmBuild is one WebAssembly build of the site: File, relative to the
// site, built from the main package Package; Name says what it is for.
type WasmBuild struct{ Name, File, Package string }

// WasmBuilds are the site's WebAssembly builds, each a main of wasm/cmd
// that imports what its build holds: the drawing page (the API and
// wasm/page), the library (the API alone) and the library with
// fine-tuning (wasm/tune), which wasmcnn.fineTune runs in a Web Worker
// (its training code would make the other two ~100 KB larger).
var WasmBuilds = []WasmBuild{
	{Name: "page", File: "main.wasm", Package: "./wasm/cmd/page"},
	{Name: "library", File: LibDir + "/wasmcnn.wasm", Package: "./wasm/cmd/lib"},
	{Name: "training", File: TrainWasm, Package: "./wasm/cmd/train"},
}

// TrainWasm is the training build, ReplayFile the MNIST digits
// fine-tuning replays so that the model keeps reading everyone's digits,
// and NotDigitReplayFile the non-digit drawings it replays so that the
// personal model keeps refusing what is no digit. The page loads them only
// when someone teaches it: the service worker caches them when first
// fetched rather than when it installs.
const (
	TrainWasm          = LibDir + "/wasmcnn-train.wasm"
	ReplayFile         = "models/mnist-replay.bin"
	NotDigitReplayFile = "models/notdigit-replay.bin"
)

// LazyFiles are the files the service worker caches when first fetched.
var LazyFiles = []string{TrainWasm, ReplayFile, NotDigitReplayFile}

// GoBuildWasm builds the Go package pkg (relative to root) for GOOS=js
// GOARCH=wasm into out, the way every shipped WebAssembly file is built:
// -trimpath, without symbols unless names is set (the name section then
// names every function, for size reports), and its data segments packed
// so that it compresses better ([wasmpack.Pack]).
func GoBuildWasm(root, pkg, tags, out string, names bool) error {
	ldflags := "-ldflags=-s -w"
	if names {
		ldflags = "-ldflags=-w"
	}
	cmd := exec.Command("go", "build", "-trimpath", ldflags, "-tags="+tags, "-o", out, pkg)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", pkg, err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		return err
	}
	packed, err := wasmpack.Pack(b, wasmpack.MaxGap)
	if err != nil {
		return fmt.Errorf("%s: %w", out, err)
	}
	return os.WriteFile(out, packed, 0o755)
}

// LibDir is the site's folder for the library build, lib/wasmcnn.wasm: the
// JavaScript API without the drawing page, for other pages.
// The service worker does not precache it.
const LibDir = "lib"

// GoEnv returns one `go env` variable of the Go that builds the site.
func GoEnv(root, name string) (string, error) {
	cmd := exec.Command("go", "env", name)
	cmd.Dir = root
	b, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("site: go env %s: %w", name, err)
	}
	return strings.TrimSpace(string(b)), nil
}

// BenchPage is the bench's page, which the site does not ship: it
// compares wasmcnn with its peers, whose files and models only the bench's
// own server serves (./build.sh bench), so on the site every run would
// fail. [CopyBenchPage] adds it to a built site for the bench.
var BenchPage = []string{"bench.html", "bench.js"}

// CopyBenchPage copies the bench page into a site built by [Build],
// outside its manifest and service worker: for the bench's server, and for
// tests that need a page of the site without the drawing pad.
func CopyBenchPage(root, out string) error {
	for _, f := range BenchPage {
		if err := copyFile(filepath.Join(root, "web", f), filepath.Join(out, f)); err != nil {
			return fmt.Errorf("site: %w", err)
		}
	}
	return nil
}

// copyTree copies the regular files under src into dst, but those named in
// skip (paths relative to src).
func copyTree(src, dst string, skip []string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if slices.Contains(skip, filepath.ToSlash(rel)) {
			return nil
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() || strings.HasSuffix(path, ".ckpt") || strings.HasSuffix(path, ".go") {
			return nil // checkpoints and the embedding package stay off the site
		}
		return copyFile(path, target)
	})
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
