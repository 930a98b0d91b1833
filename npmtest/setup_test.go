// Package npmtest checks the npm package as its users get it: the folder
// internal/npmpkg builds, packed by npm into wasmcnn-<version>.tgz and
// installed from that file into a fresh project (consumer/) beside the
// tools it pins (Vite, TypeScript: npm ci from its lockfile, the npm
// registry only). There the package runs under Node, is built by Vite, is
// served as plain modules with a module Web Worker in headless Chromium,
// and its types are checked by tsc; every answer is compared with the
// native engine's on the same model and samples.
package npmtest

import (
	"encoding/json"
	"fmt"
	"mime"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"wasmcnn/internal/npmpkg"
	"wasmcnn/internal/site"
)

var (
	project string // the consumer project, with the tarball installed
	packed  packInfo
	// pkgDir is the installed package: node_modules/wasmcnn of project.
	pkgDir string
	// setupErr says why the project could not be set up, when npm or Node
	// is missing: the tests then skip, unless WASMCNN_REQUIRE_NPM is set.
	setupErr error
)

// packInfo is what `npm pack --json` reports of the tarball.
type packInfo struct {
	Filename     string `json:"filename"`
	Version      string `json:"version"`
	Size         int64  `json:"size"`
	UnpackedSize int64  `json:"unpackedSize"`
	Files        []struct {
		Path string `json:"path"`
		Size int64  `json:"size"`
	} `json:"files"`
}

func TestMain(m *testing.M) {
	// Node knows .mjs; Go's table may not.
	_ = mime.AddExtensionType(".mjs", "text/javascript")
	tmp, err := os.MkdirTemp("", "wasmcnn-npm-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "npmtest:", err)
		os.Exit(1)
	}
	setupErr = setup(tmp)
	code := m.Run()
	os.RemoveAll(tmp)
	os.Exit(code)
}

// setup builds and packs the package in tmp, copies consumer/ to
// tmp/project, installs its pinned tools with npm ci and then the tarball.
// npm's own cache (~/.npm) keeps the downloads between runs.
func setup(tmp string) error {
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s is not installed", tool)
		}
	}
	root, err := site.Root()
	if err != nil {
		return err
	}
	folder := filepath.Join(tmp, npmpkg.Name)
	if _, err := npmpkg.Build(root, folder); err != nil {
		return err
	}
	out, err := command(tmp, "npm", "pack", "--json", "./"+npmpkg.Name)
	if err != nil {
		return err
	}
	var infos []packInfo
	if err := json.Unmarshal(out, &infos); err != nil || len(infos) != 1 {
		return fmt.Errorf("npm pack --json: %v\n%s", err, out)
	}
	packed = infos[0]
	project = filepath.Join(tmp, "project")
	if err := os.CopyFS(project, os.DirFS(filepath.Join(root, "npmtest", "consumer"))); err != nil {
		return err
	}
	quiet := []string{"--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline"}
	if _, err := command(project, "npm", append([]string{"ci"}, quiet...)...); err != nil {
		return err
	}
	if _, err := command(project, "npm", append([]string{"install", "--no-save", filepath.Join(tmp, packed.Filename)}, quiet...)...); err != nil {
		return err
	}
	pkgDir = filepath.Join(project, "node_modules", npmpkg.Name)
	return nil
}

// need skips the test when the project could not be set up for want of
// npm or Node, or fails it when the setup failed otherwise or
// WASMCNN_REQUIRE_NPM is set (./build.sh test sets it).
func need(t *testing.T) {
	t.Helper()
	if setupErr == nil {
		return
	}
	if os.Getenv("WASMCNN_REQUIRE_NPM") == "" && strings.HasSuffix(setupErr.Error(), "is not installed") {
		t.Skip(setupErr)
	}
	t.Fatal("setting up the consumer project: ", setupErr)
}

// command runs name with args in dir and returns its standard output; an
// error carries what it wrote to standard error.
func command(dir, name string, args ...string) ([]byte, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, out, stderr.String())
	}
	return out, nil
}
