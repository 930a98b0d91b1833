package npmtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"wasmcnn/internal/apitest"
	"wasmcnn/internal/browser"
)

// newBrowser starts headless Chromium for one test.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel, err := browser.Launch(3 * time.Minute)
	if errors.Is(err, browser.ErrNoChromium) {
		if os.Getenv("WASMCNN_REQUIRE_BROWSER") != "" {
			t.Fatal("Chromium is not installed (apt-get install chromium); ./build.sh test installs it")
		}
		t.Skip("Chromium is not installed; ./build.sh test installs it")
	}
	if err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	t.Cleanup(cancel)
	return ctx
}

// static serves dir as a plain static host does, remembering the paths
// asked for.
type static struct {
	mu    sync.Mutex
	asked []string
	srv   *httptest.Server
}

func serveStatic(t *testing.T, dir string) *static {
	s := &static{}
	files := http.FileServer(http.Dir(dir))
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.asked = append(s.asked, r.URL.Path)
		s.mu.Unlock()
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *static) wasAsked(path string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.asked {
		if p == path {
			return true
		}
	}
	return false
}

// pageResult opens url and waits for the page's report: the JSON in
// body[data-result], decoded into v, or the error in body[data-error].
func pageResult(t *testing.T, ctx context.Context, url string, v any) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	r, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](`new Promise((resolve) => {
  const check = () => {
    const d = document.body && document.body.dataset;
    if (d && (d.result || d.error)) resolve({result: d.result || "", error: d.error || ""});
    else setTimeout(check, 50);
  };
  check();
})`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if r["error"] != "" {
		t.Fatalf("%s failed: %s", url, r["error"])
	}
	if err := json.Unmarshal([]byte(r["result"]), v); err != nil {
		t.Fatalf("%s: %v\n%s", url, err, r["result"])
	}
}

// TestVite builds a tiny page importing the package with Vite (production,
// no configuration), serves the output statically and runs it in
// Chromium: it predicts the samples as the native engine does, in the
// page and in a pool of the package's module workers that Vite bundled,
// from the .wasm file Vite emitted.
func TestVite(t *testing.T) {
	need(t)
	out, err := command(project, "node", "node_modules/vite/bin/vite.js", "build", "vite", "--logLevel", "warn")
	if err != nil {
		t.Fatal(err)
	}
	if len(bytes.TrimSpace(out)) > 0 {
		t.Logf("vite build said:\n%s", out)
	}
	dist := filepath.Join(project, "vite", "dist")
	lib, err := os.ReadFile(filepath.Join(pkgDir, "lib", "wasmcnn.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	var emitted, workers []string
	var library string
	filepath.WalkDir(dist, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dist, path)
		rel = "/" + filepath.ToSlash(rel)
		switch {
		case strings.HasSuffix(rel, ".wasm"):
			emitted = append(emitted, rel)
			if b, _ := os.ReadFile(path); bytes.Equal(b, lib) {
				library = rel
			}
		case strings.Contains(rel, "wasmcnn-worker") && strings.HasSuffix(rel, ".js"):
			workers = append(workers, rel)
		}
		return nil
	})
	t.Logf("Vite emitted %v and the worker %v", emitted, workers)
	if library == "" {
		t.Fatalf("the build output holds no copy of lib/wasmcnn.wasm (.wasm files: %v)", emitted)
	}
	if len(workers) == 0 {
		t.Error("the build output holds no bundle of wasmcnn-worker.mjs")
	}

	srv := serveStatic(t, dist)
	ctx := newBrowser(t)
	var got struct {
		answer
		Pooled []float32 `json:"pooled"`
	}
	pageResult(t, ctx, srv.srv.URL+"/", &got)
	sameAnswer(t, "Vite build", got.answer)
	sameAnswer(t, "Vite build, two module workers", answer{Kernel: got.Kernel, Labels: got.Labels, Out: got.Pooled})
	if !srv.wasAsked(library) {
		t.Errorf("the page did not fetch %s, the library build Vite emitted (fetched %v)", library, srv.asked)
	}
}

// TestStaticModules opens a plain <script type="module"> page that imports
// the package's files from a static folder (node_modules as installed,
// through an import map): it predicts as the native engine does, and so
// does a module Web Worker of the page's that imports the package. Then
// every call of apitest.BadCalls made there through the package's named
// exports throws its Error.
func TestStaticModules(t *testing.T) {
	need(t)
	srv := serveStatic(t, project)
	ctx := newBrowser(t)
	var got struct {
		answer
		Worker answer `json:"worker"`
	}
	pageResult(t, ctx, srv.srv.URL+"/static/index.html", &got)
	sameAnswer(t, "plain module page", got.answer)
	sameAnswer(t, "module worker", got.Worker)

	setupJS := `(async () => {
  const ns = await import("wasmcnn");
  globalThis.wasmcnn = ns;
  globalThis.__wasmcnnGo = ns.default._go;
  globalThis.MODEL = await ns.fetchBytes("../node_modules/wasmcnn/models/digits.onnx");
  return true;
})()`
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](setupJS, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](apitest.Try+";"+apitest.Fixtures+"; true")); err != nil {
		t.Fatal(err)
	}
	cases := apitest.BadCalls(false) // the page is not cross-origin isolated
	msgs, err := chromedp.Run(ctx, chromedp.Evaluate[[]*string](apitest.Script(cases)))
	if err != nil {
		t.Fatal(err)
	}
	checkMessages(t, "Chromium", cases, msgs)
	sum, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`M.predict(new Float32Array(784).fill(0.1)).reduce((a, b) => a + b, 0)`))
	if err != nil || sum < 0.999 || sum > 1.001 {
		t.Errorf("after the bad calls predict sums to %v (%v)", sum, err)
	}
}
