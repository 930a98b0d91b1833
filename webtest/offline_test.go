package webtest

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"wasmcnn/core"
	"wasmcnn/core/ink"
	"wasmcnn/core/onnx"
	"wasmcnn/internal/site"
)

// waitControlled waits until the service worker controls the page and has
// cached the whole site.
func waitControlled(t *testing.T, ctx context.Context) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`navigator.serviceWorker.controller !== null`, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("the service worker never took control: %v", err)
	}
}

// drawKnown draws a digit the model reads right natively and returns the
// page's answer and the expected one.
func drawKnown(t *testing.T, ctx context.Context) (got, want string) {
	t.Helper()
	digits := heldOut(t)
	model, err := onnx.LoadModelFile(filepath.Join(siteDir, "models", "digits.onnx"), nil)
	if err != nil {
		t.Fatal(err)
	}
	var r ink.StrokeRenderer
	img := make([]float32, 784)
	for _, d := range digits {
		placed := ink.PlaceStrokes(d.Strokes, ink.PadSize, ink.DigitFraction)
		if !r.RenderCanvas(img, placed, ink.PenWidth) {
			continue
		}
		out, _ := model.Predict(img)
		if core.Argmax(out) != d.Label {
			continue
		}
		strokes := make([][][2]float32, len(placed))
		for k, s := range placed {
			strokes[k] = s
		}
		r0, err := padRect(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := drawStrokes(ctx, r0, strokes); err != nil {
			t.Fatal(err)
		}
		p, err := prediction(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return p, string(rune('0' + d.Label))
	}
	t.Fatal("no digit the model reads right")
	return "", ""
}

// TestOffline loads the page, lets the service worker cache it, stops the
// server, reloads and draws: the page must still load, draw and classify.
// (DevTools offline emulation does not cover the worker's own fetches, so
// the server really goes away.)
func TestOffline(t *testing.T) {
	ctx := newBrowser(t, 3*time.Minute)
	srv := serve(t, siteDir)
	openPage(t, ctx, srv.URL+"/")
	waitControlled(t, ctx)
	srv.CloseClientConnections()
	srv.Close()
	start := time.Now()
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	openPage(t, ctx, srv.URL+"/")
	t.Logf("offline reload to ready: %v", time.Since(start).Round(time.Millisecond))
	got, want := drawKnown(t, ctx)
	if got != want {
		t.Errorf("offline the page reads %q, want %q", got, want)
	}
	// Proof that the network is gone: a file that was never cached fails.
	msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch("never-cached.txt").then(() => "fetched", e => "failed: " + e.message)`, chromedp.EvalAwaitPromise))
	if !strings.HasPrefix(msg, "failed") {
		t.Errorf("an uncached fetch gave %q; the server is still reachable", msg)
	}
}

// TestSubPath serves the site under /tools/digits/, as a deploy under a
// sub-path of another site would: every URL must be relative.
func TestSubPath(t *testing.T) {
	ctx := newBrowser(t, 2*time.Minute)
	mux := http.NewServeMux()
	mux.Handle("/tools/digits/", http.StripPrefix("/tools/digits", site.Handler(siteDir, site.HandlerOptions{})))
	var outside atomic.Int64
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		outside.Add(1)
		t.Errorf("request outside the sub-path: %s", r.URL.Path)
		http.NotFound(w, r)
	})
	srv := serveHandler(t, mux)
	openPage(t, ctx, srv.URL+"/tools/digits/")
	got, want := drawKnown(t, ctx)
	if got != want {
		t.Errorf("under a sub-path the page reads %q, want %q", got, want)
	}
	waitControlled(t, ctx)
	scope, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`navigator.serviceWorker.getRegistration().then(r => r.scope)`, chromedp.EvalAwaitPromise))
	if !strings.HasSuffix(scope, "/tools/digits/") {
		t.Errorf("service worker scope %q, want the sub-path", scope)
	}
	if outside.Load() != 0 {
		t.Errorf("%d requests left the sub-path", outside.Load())
	}
}

// TestUpdate deploys a changed build over a running page: the new service
// worker installs, the page says an update is ready, a reload shows the new
// version and the old cache is gone.
func TestUpdate(t *testing.T) {
	ctx := newBrowser(t, 3*time.Minute)
	root, err := site.Root()
	if err != nil {
		t.Fatal(err)
	}
	v2 := filepath.Join(t.TempDir(), "site")
	if err := copyDir(siteDir, v2); err != nil {
		t.Fatal(err)
	}
	tmpl, err := os.ReadFile(filepath.Join(root, "web", "sw.js"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(v2, "sw.js"), tmpl, 0o644); err != nil {
		t.Fatal(err)
	}
	page, _ := os.ReadFile(filepath.Join(v2, "index.html"))
	page = []byte(strings.Replace(string(page), `<p id="about"></p>`, `<p id="about"></p><p id="deploy-marker">second deploy</p>`, 1))
	if err := os.WriteFile(filepath.Join(v2, "index.html"), page, 0o644); err != nil {
		t.Fatal(err)
	}
	m1, err := readManifest(siteDir)
	if err != nil {
		t.Fatal(err)
	}
	m2, err := site.Finish(v2)
	if err != nil {
		t.Fatal(err)
	}
	if m1 == m2.Version {
		t.Fatal("the changed build has the same version")
	}
	var current atomic.Pointer[http.Handler]
	h1 := site.Handler(siteDir, site.HandlerOptions{})
	current.Store(&h1)
	srv := serveHandler(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { (*current.Load()).ServeHTTP(w, r) }))

	openPage(t, ctx, srv.URL+"/")
	waitControlled(t, ctx)
	h2 := site.Handler(v2, site.HandlerOptions{})
	current.Store(&h2)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`navigator.serviceWorker.getRegistration().then(r => r.update()).then(() => true)`, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!document.getElementById("update").hidden`, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("the page never said an update is ready: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.Click("#reload")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	openPage(t, ctx, srv.URL+"/")
	marker, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.getElementById("deploy-marker") || {}).textContent || ""`))
	if marker != "second deploy" {
		t.Errorf("after the reload the page is not the new deploy (marker %q)", marker)
	}
	keys, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`caches.keys()`, chromedp.EvalAwaitPromise))
	if len(keys) != 1 || keys[0] != "wasmcnn-"+m2.Version {
		t.Errorf("caches %v, want only wasmcnn-%s", keys, m2.Version)
	}
}

func readManifest(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "assets.json"))
	if err != nil {
		return "", err
	}
	i := strings.Index(string(b), `"version": "`)
	if i < 0 {
		return "", os.ErrNotExist
	}
	rest := string(b[i+len(`"version": "`):])
	return rest[:strings.IndexByte(rest, '"')], nil
}

func copyDir(src, dst string) error {
	return filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
}
