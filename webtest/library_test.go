package webtest

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"wasmcnn/core/nn"
	"wasmcnn/core/onnx"
	"wasmcnn/internal/site"
)

// benchInput fills n examples of 784 values with the generator of
// web/bench.js, so that Go and the page see the same numbers.
func benchInput(n int) []float32 {
	x := make([]float32, n*784)
	s := uint32(12345)
	for i := range x {
		s = s*1103515245 + 12345
		x[i] = float32(s>>8) / 16777216
	}
	return x
}

// benchInputJS is that generator in JavaScript.
const benchInputJS = `globalThis.input = (n) => { const x = new Float32Array(n * 784); let s = 12345;
  for (let i = 0; i < x.length; i++) { s = (Math.imul(s, 1103515245) + 12345) >>> 0; x[i] = (s >>> 8) / 16777216; } return x; };`

// TestLibraryInChromium loads the library build (lib/wasmcnn.wasm) on a page
// without the drawing pad and runs the reference networks S and M with the
// browser's SIMD kernels (relaxed SIMD in Chromium, which Node's tests
// cannot run), on the main thread and split across two Web Workers: every
// output must agree with the native engine. It also checks the workers'
// errors: bad arguments, and calls after dispose.
func TestLibraryInChromium(t *testing.T) {
	ctx := newBrowser(t, 4*time.Minute)
	models := t.TempDir()
	want := map[string][]float32{}
	for _, c := range []struct {
		name string
		net  *nn.Net
	}{{"S", nn.ReferenceNetS(1)}, {"M", nn.ReferenceNetM(1)}} {
		data, err := c.net.ExportONNX(nn.ExportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(models, c.name+".onnx"), data, 0o644)
		m, err := onnx.LoadModel(data, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, batch := range []int{1, 3} {
			out, err := m.Predict(benchInput(batch))
			if err != nil {
				t.Fatal(err)
			}
			want[fmt.Sprintf("%s%d", c.name, batch)] = append([]float32(nil), out...)
		}
	}
	mux := http.NewServeMux()
	mux.Handle("/testmodels/", http.StripPrefix("/testmodels/", http.FileServer(http.Dir(models))))
	files := site.Handler(siteDir, site.HandlerOptions{})
	var engineFetches atomic.Int32
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/lib/wasmcnn.wasm" {
			engineFetches.Add(1)
		}
		files.ServeHTTP(w, r)
	}))
	srv := serveHandler(t, mux)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/bench.html")); err != nil {
		t.Fatal(err)
	}
	script := benchInputJS + `
(async () => {
  const load = (src) => new Promise((res, rej) => { const s = document.createElement("script"); s.src = src; s.onload = res; s.onerror = rej; document.head.appendChild(s); });
  await load("wasm_exec.js");
  await load("wasmcnn.js");
  // A bad source fails with a clear error and leaves start to be tried
  // again; the engine then starts from a compilation begun beforehand.
  const startErrors = [];
  for (const bad of [42, fetch("lib/no-such.wasm"), Promise.resolve({ url: "x" })]) {
    try { await wasmcnn.start(bad); startErrors.push(null); } catch (e) { startErrors.push(String(e.message)); }
  }
  await wasmcnn.start(WebAssembly.compileStreaming(fetch("lib/wasmcnn.wasm")));
  await wasmcnn.ready;
  const r = { kernel: wasmcnn.kernel, out: {}, errors: startErrors };
  for (const net of ["S", "M"]) {
    const bytes = await wasmcnn.fetchBytes("testmodels/" + net + ".onnx");
    const m = wasmcnn.loadModel(bytes);
    for (const b of [1, 3]) r.out[net + b] = Array.from(m.predict(input(b)));
    const p = await wasmcnn.loadModelWorkers("testmodels/" + net + ".onnx", { workers: 2 });
    r.workerKernel = p.kernel;
    for (const b of [1, 3]) r.out["workers " + net + b] = Array.from(await p.predict(input(b)));
    if (net === "S") {
      for (const bad of [() => p.predict(new Float32Array(5)), () => p.predict([1, 2, 3]), () => wasmcnn.loadModelWorkers(bytes, { workers: 0 }),
                         () => wasmcnn.loadModelWorkers(new Uint8Array([1, 2, 3]), { workers: 1 }), () => wasmcnn.loadModelWorkers(bytes, 5)]) {
        try { await bad(); r.errors.push(null); } catch (e) { r.errors.push(String(e.message)); }
      }
    }
    p.dispose();
    try { await p.predict(input(1)); r.errors.push(null); } catch (e) { r.errors.push(String(e.message)); }
  }
  return JSON.stringify(r);
})()`
	res, err := chromedp.Run(ctx, chromedp.Evaluate[string](script, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	// A fresh page starts from a fetch begun beforehand (a Response).
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/bench.html")); err != nil {
		t.Fatal(err)
	}
	kernel, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(async () => {
  const load = (src) => new Promise((res, rej) => { const s = document.createElement("script"); s.src = src; s.onload = res; s.onerror = rej; document.head.appendChild(s); });
  const engine = fetch("lib/wasmcnn.wasm");
  await load("wasm_exec.js");
  await load("wasmcnn.js");
  await wasmcnn.start(engine);
  return wasmcnn.kernel;
})()`, chromedp.EvalAwaitPromise))
	if err != nil || kernel != "wasm-relaxed-simd-4x8" {
		t.Errorf("start from a pending fetch: kernel %q, %v", kernel, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Kernel, WorkerKernel string
		Out                  map[string][]float32
		Errors               []*string
	}
	if err := json.Unmarshal([]byte(res), &got); err != nil {
		t.Fatal(err)
	}
	if got.Kernel != "wasm-relaxed-simd-4x8" || got.WorkerKernel != got.Kernel {
		t.Errorf("kernels: main thread %q, workers %q; want the relaxed SIMD kernel in both", got.Kernel, got.WorkerKernel)
	}
	for key, w := range want {
		for _, k := range []string{key, "workers " + key} {
			g := got.Out[k]
			if len(g) != len(w) {
				t.Fatalf("%s: %d outputs, want %d", k, len(g), len(w))
			}
			worst := 0.0
			for i := range w {
				worst = math.Max(worst, math.Abs(float64(g[i]-w[i])))
			}
			if worst > 2e-6 {
				t.Errorf("%s: differs from the native engine by up to %.2g", k, worst)
			}
		}
	}
	wantErrs := []string{"want a URL, a Response or a WebAssembly.Module, or a Promise of one, got [object Number]", "HTTP 404", "got [object Object]", "not a whole number of examples", "want a Float32Array", "workers must be an integer from 1 to 16", "loadModel", "options: got number", "disposed", "disposed"}
	if len(got.Errors) != len(wantErrs) {
		t.Fatalf("errors %v", got.Errors)
	}
	for i, w := range wantErrs {
		if got.Errors[i] == nil || !strings.Contains(*got.Errors[i], w) {
			t.Errorf("bad call %d: error %v, want one mentioning %q", i, got.Errors[i], w)
		}
	}
	// One download for each page's start, and one per pool started (S, M
	// and the one given a corrupt model): the workers get the module
	// compiled, not its URL.
	if n := engineFetches.Load(); n != 5 {
		t.Errorf("the engine was downloaded %d times, want 5 (two starts and three worker pools)", n)
	}
	t.Logf("library build in Chromium with kernel %s: S and M agree with the native engine (batch 1 and 3, main thread and two workers)", got.Kernel)
}
