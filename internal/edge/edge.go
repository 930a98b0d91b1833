// Package edge builds the edge worker's bundle and runs it locally under
// workerd, Cloudflare's runtime, for build.sh and the tests.
package edge

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"wasmcnn/internal/site"
)

// CompatibilityDate is the Workers compatibility date of the bundle; it
// must not be newer than what the pinned workerd supports.
const CompatibilityDate = "2026-04-01"

// BuildBundle writes the worker bundle into dir (emptied first): the
// JavaScript glue from github.com/syumai/workers (Go mode) and app.wasm,
// built from ./worker with -trimpath and without symbols.
func BuildBundle(root, dir string) error {
	gen := exec.Command("go", "run", "github.com/syumai/workers/cmd/workers-assets-gen", "-mode=go", "-o", dir)
	gen.Dir = root
	if b, err := gen.CombinedOutput(); err != nil {
		return fmt.Errorf("edge: workers-assets-gen: %v\n%s", err, b)
	}
	if err := site.GoBuildWasm(root, AppPackage, "", filepath.Join(dir, "app.wasm"), false); err != nil {
		return fmt.Errorf("edge: building app.wasm: %w", err)
	}
	return nil
}

// AppPackage is the Go package built into the bundle's app.wasm.
const AppPackage = "./worker"

// BundleFiles are the files of a bundle, as workerd loads them.
var BundleFiles = []string{"worker.mjs", "wasm_exec.js", "runtime.mjs", "app.wasm"}

// BundleSize returns the total size of the bundle, raw and gzip -9 (what the
// Workers upload limit counts).
func BundleSize(dir string) (raw, gz int64, err error) {
	for _, f := range BundleFiles {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			return 0, 0, err
		}
		raw += int64(len(b))
		gz += int64(len(site.Gzip(b)))
	}
	return raw, gz, nil
}

// Config returns a workerd configuration serving the bundle on addr; it
// must be written into the bundle's directory, since embeds are relative
// to the configuration file.
func Config(addr string) string {
	return fmt.Sprintf(`using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .mainWorker) ],
  sockets = [ (name = "http", address = %q, http = (), service = "main") ],
);

const mainWorker :Workerd.Worker = (
  modules = [
    (name = "worker.mjs", esModule = embed "worker.mjs"),
    (name = "wasm_exec.js", esModule = embed "wasm_exec.js"),
    (name = "runtime.mjs", esModule = embed "runtime.mjs"),
    (name = "app.wasm", wasm = embed "app.wasm"),
  ],
  compatibilityDate = %q,
);
`, addr, CompatibilityDate)
}

// Workerd returns the workerd binary installed by npm (package.json pins it).
func Workerd(root string) (string, error) {
	p := filepath.Join(root, "node_modules", "@cloudflare", "workerd-linux-64", "bin", "workerd")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("edge: workerd is not installed (npm ci): %w", err)
	}
	return p, nil
}

// Command returns the workerd command serving the bundle in dir on addr,
// with its configuration written beside the bundle.
func Command(root, dir, addr string) (*exec.Cmd, error) {
	bin, err := Workerd(root)
	if err != nil {
		return nil, err
	}
	cfg := filepath.Join(dir, "workerd.capnp")
	if err := os.WriteFile(cfg, []byte(Config(addr)), 0o644); err != nil {
		return nil, err
	}
	return exec.Command(bin, "serve", cfg), nil
}

// WaitListening waits until something accepts connections on addr.
func WaitListening(addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("edge: nothing listens on " + addr)
}
