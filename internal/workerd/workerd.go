// Package workerd builds the edge worker's bundle and runs it locally under
// workerd, Cloudflare's runtime, for build.sh, the bench and the tests.
package workerd

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/template"
	"time"

	"wasmcnn/internal/site"
	"wasmcnn/internal/wasmsimd"
)

// CompatibilityDate is the Workers compatibility date of the bundle; it
// must not be newer than what the pinned workerd supports.
const CompatibilityDate = "2026-04-01"

// MaxBody is where the entry module stops reading a request body: the
// worker's largest body limit (worker.MaxBody; its tests keep the two equal).
const MaxBody = 4 << 20

// Entry chooses the bundle's entry module.
type Entry string

const (
	// EntryIsolate is the project's entry module (entry.mjs.tmpl): one Go
	// instance per isolate, serving every request, with the SIMD kernel.
	EntryIsolate Entry = "isolate"
	// EntryRequest is the entry github.com/syumai/workers generates: a new
	// Go instance for every request, with Go's kernel. It is kept to
	// measure the other against.
	EntryRequest Entry = "request"
)

// Kernel chooses the SIMD kernel module the isolate entry ships.
type Kernel string

const (
	KernelRelaxed Kernel = "relaxed" // relaxed SIMD (workerd's V8 validates it)
	KernelSIMD    Kernel = "simd"    // plain SIMD 128
	KernelGo      Kernel = "go"      // no module: Go's kernel answers
)

// Options says how to build a bundle; the zero value is the deployed one.
type Options struct {
	Entry  Entry  // default EntryIsolate
	Kernel Kernel // default KernelRelaxed; ignored by EntryRequest
	// Tags are extra build tags for app.wasm, such as the worker tests'
	// fault hook.
	Tags []string
	// App, if set, is an app.wasm built already (by BuildApp, with Tags),
	// used instead of building one.
	App string
	// Rev, if set, is a git revision of the repository whose ./worker
	// app.wasm is built from, to measure an earlier worker against this one.
	Rev string
	// BodyTimeout is how long the isolate entry waits for a request body
	// (default 30 s).
	BodyTimeout time.Duration
}

// Label names a bundle for reports: its entry, and the git revision its
// worker was built from when it is not this tree's.
func (o Options) Label() string {
	if o.Rev != "" {
		return string(o.Entry) + " (worker of " + o.Rev + ")"
	}
	return string(o.Entry)
}

func (o Options) withDefaults() Options {
	if o.Entry == "" {
		o.Entry = EntryIsolate
	}
	if o.Kernel == "" {
		o.Kernel = KernelRelaxed
	}
	if o.Entry == EntryRequest {
		o.Kernel = KernelGo
	}
	if o.BodyTimeout <= 0 {
		o.BodyTimeout = 30 * time.Second
	}
	return o
}

// Module is one module of a bundle as workerd loads it.
type Module struct {
	Name string // file name in the bundle's directory
	Wasm bool   // a WebAssembly module (compiled when the worker loads), else an ES module
}

// Bundle is a built worker.
type Bundle struct {
	Dir     string
	Options Options
	Modules []Module
}

//go:embed entry.mjs.tmpl
var entryTemplate string

var entry = template.Must(template.New("entry.mjs").Parse(entryTemplate))

// EntryModule returns the isolate entry module for opt: the template filled in.
func EntryModule(opt Options) ([]byte, error) {
	opt = opt.withDefaults()
	var b bytes.Buffer
	err := entry.Execute(&b, map[string]any{
		"MaxBody":       MaxBody,
		"BodyTimeoutMs": opt.BodyTimeout.Milliseconds(),
		"Kernel":        opt.Kernel != KernelGo,
		"Relaxed":       opt.Kernel == KernelRelaxed,
	})
	return b.Bytes(), err
}

// Build writes the worker bundle into dir (emptied first): app.wasm, built
// from ./worker with -trimpath and without symbols, Go's wasm_exec.js as
// github.com/syumai/workers patches it, and the entry module, with the
// kernel module (kernel.wasm) for the isolate entry.
func Build(root, dir string, opt Options) (*Bundle, error) {
	opt = opt.withDefaults()
	if opt.Entry != EntryIsolate && opt.Entry != EntryRequest {
		return nil, fmt.Errorf("workerd: unknown entry %q (want %q or %q)", opt.Entry, EntryIsolate, EntryRequest)
	}
	if opt.Kernel != KernelRelaxed && opt.Kernel != KernelSIMD && opt.Kernel != KernelGo {
		return nil, fmt.Errorf("workerd: unknown kernel %q (want %q, %q or %q)", opt.Kernel, KernelRelaxed, KernelSIMD, KernelGo)
	}
	gen := exec.Command("go", "run", "github.com/syumai/workers/cmd/workers-assets-gen", "-mode=go", "-o", dir)
	gen.Dir = root
	if b, err := gen.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("workerd: workers-assets-gen: %v\n%s", err, b)
	}
	if opt.App != "" {
		app, err := os.ReadFile(opt.App)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, "app.wasm"), app, 0o644); err != nil {
			return nil, err
		}
	} else if opt.Rev != "" {
		if err := buildAppAt(root, opt.Rev, filepath.Join(dir, "app.wasm")); err != nil {
			return nil, err
		}
	} else if err := BuildApp(root, filepath.Join(dir, "app.wasm"), opt.Tags, true); err != nil {
		return nil, err
	}
	b := &Bundle{Dir: dir, Options: opt}
	if opt.Entry == EntryRequest {
		b.Modules = []Module{{"worker.mjs", false}, {"wasm_exec.js", false}, {"runtime.mjs", false}, {"app.wasm", true}}
		return b, nil
	}
	// The isolate entry replaces the generated worker.mjs and needs none of
	// runtime.mjs.
	if err := os.Remove(filepath.Join(dir, "runtime.mjs")); err != nil {
		return nil, err
	}
	src, err := EntryModule(opt)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "worker.mjs"), src, 0o644); err != nil {
		return nil, err
	}
	b.Modules = []Module{{"worker.mjs", false}, {"wasm_exec.js", false}, {"app.wasm", true}}
	if opt.Kernel != KernelGo {
		if err := os.WriteFile(filepath.Join(dir, "kernel.wasm"), wasmsimd.Prebuilt(opt.Kernel == KernelRelaxed), 0o644); err != nil {
			return nil, err
		}
		b.Modules = append(b.Modules, Module{"kernel.wasm", true})
	}
	return b, nil
}

// AppPackage is the Go package built into the bundle's app.wasm.
const AppPackage = "./worker"

// BuildApp builds the worker's app.wasm into out the way the site builds its
// WebAssembly ([site.GoBuildWasm]); stripped drops the symbols and names (the
// deployed build), unstripped keeps the name section for size reports.
func BuildApp(root, out string, tags []string, stripped bool) error {
	if err := site.GoBuildWasm(root, AppPackage, strings.Join(tags, ","), out, !stripped); err != nil {
		return fmt.Errorf("workerd: building app.wasm: %w", err)
	}
	return nil
}

// buildAppAt builds app.wasm from the repository as it was at rev (git
// archive into a temporary directory).
func buildAppAt(root, rev, out string) error {
	tmp, err := os.MkdirTemp("", "wasmcnn-worker-rev-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	archive := exec.Command("git", "archive", "--format=tar", rev)
	archive.Dir = root
	tarball, err := archive.Output()
	if err != nil {
		return fmt.Errorf("workerd: git archive %s: %v", rev, err)
	}
	untar := exec.Command("tar", "-x", "-C", tmp)
	untar.Stdin = bytes.NewReader(tarball)
	if b, err := untar.CombinedOutput(); err != nil {
		return fmt.Errorf("workerd: unpacking %s: %v\n%s", rev, err, b)
	}
	return BuildApp(tmp, out, nil, true)
}

// Size returns the total size of the bundle's modules, raw and gzip -9
// (what the Workers upload limit counts).
func (b *Bundle) Size() (raw, gz int64, err error) {
	for _, m := range b.Modules {
		data, err := os.ReadFile(filepath.Join(b.Dir, m.Name))
		if err != nil {
			return 0, 0, err
		}
		raw += int64(len(data))
		gz += int64(len(site.Gzip(data)))
	}
	return raw, gz, nil
}

// Config returns a workerd configuration serving the bundle on addr; it
// must be written into the bundle's directory, since embeds are relative
// to the configuration file.
func (b *Bundle) Config(addr string) string {
	var mods strings.Builder
	for _, m := range b.Modules {
		kind := "esModule"
		if m.Wasm {
			kind = "wasm"
		}
		fmt.Fprintf(&mods, "    (name = %q, %s = embed %q),\n", m.Name, kind, m.Name)
	}
	return fmt.Sprintf(`using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .mainWorker) ],
  sockets = [ (name = "http", address = %q, http = (), service = "main") ],
);

const mainWorker :Workerd.Worker = (
  modules = [
%s  ],
  compatibilityDate = %q,
);
`, addr, mods.String(), CompatibilityDate)
}

// Workerd returns the workerd binary installed by npm (package.json pins it).
func Workerd(root string) (string, error) {
	p := filepath.Join(root, "node_modules", "@cloudflare", "workerd-linux-64", "bin", "workerd")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("workerd: workerd is not installed (npm ci): %w", err)
	}
	return p, nil
}

// Command returns the workerd command serving the bundle on addr, with its
// configuration written beside the bundle.
func (b *Bundle) Command(root, addr string) (*exec.Cmd, error) {
	bin, err := Workerd(root)
	if err != nil {
		return nil, err
	}
	cfg := filepath.Join(b.Dir, "workerd.capnp")
	if err := os.WriteFile(cfg, []byte(b.Config(addr)), 0o644); err != nil {
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
	return errors.New("workerd: nothing listens on " + addr)
}
