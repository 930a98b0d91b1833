package webtest

import (
	"context"
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

	"wasmcnn/core/ink"
	"wasmcnn/core/nn"
	"wasmcnn/core/onnx"
	"wasmcnn/data"
	"wasmcnn/internal/apitest"
	"wasmcnn/internal/site"
	"wasmcnn/wasm/tune"
)

// penExamples renders per digits of each class of one held-out pen writer
// as the page does (28×28, MNIST-style), and returns them with their
// labels and the rest of that writer's digits as strokes.
func penExamples(t *testing.T, writer, per int) (x []float32, y []int, rest []data.StrokeDigit) {
	t.Helper()
	digits, err := data.LoadStrokeDigits(filepath.Join("..", "testdata", "pendigits", "heldout300.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r ink.StrokeRenderer
	img := make([]float32, 784)
	count := map[int]int{}
	for _, d := range digits {
		if d.Writer != writer {
			continue
		}
		if count[d.Label] < per && r.Render(img, d.Strokes, ink.DigitFraction, ink.PenWidth) {
			count[d.Label]++
			x = append(x, img...)
			y = append(y, d.Label)
			continue
		}
		rest = append(rest, d)
	}
	return x, y, rest
}

// loadLibrary opens bench.html (a page without the drawing pad) and starts
// the library build there.
func loadLibrary(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url+"/bench.html")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(async () => {
  const load = (src) => new Promise((res, rej) => { const s = document.createElement("script"); s.src = src; s.onload = res; s.onerror = rej; document.head.appendChild(s); });
  await load("wasm_exec.js");
  await load("wasmcnn.js");
  await wasmcnn.start("lib/wasmcnn.wasm");
  globalThis.MODEL = await wasmcnn.fetchBytes("models/digits.onnx");
  return true;
})()`, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatal(err)
	}
}

// TestFineTuneAPIInChromium fine-tunes the shipped model with
// wasmcnn.fineTune on real pen digits of one writer (up to 3 of each): progress arrives
// step by step, the personal model answers on the page, agrees with the
// same fine-tuning done natively, and its toONNX is what onnxruntime-node
// runs to the same probabilities. The training build is downloaded and
// compiled once for two fine-tunings; an abort stops one; and every bad
// call of apitest.FineTuneBadCalls is refused with its message.
func TestFineTuneAPIInChromium(t *testing.T) {
	ctx := newBrowser(t, 4*time.Minute)
	files := site.Handler(siteDir, site.HandlerOptions{})
	var trainFetches, replayFetches atomic.Int32
	srv := serveHandler(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/" + site.TrainWasm:
			trainFetches.Add(1)
		case "/" + site.ReplayFile:
			replayFetches.Add(1)
		}
		files.ServeHTTP(w, r)
	}))
	loadLibrary(t, ctx, srv.URL)
	x, y, _ := penExamples(t, 27, 3)
	xj, _ := json.Marshal(x)
	yj, _ := json.Marshal(y)
	res, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(async () => {
  const M = wasmcnn.loadModel(MODEL);
  const x = new Float32Array(`+string(xj)+`), y = `+string(yj)+`;
  const r = {progress: []};
  r.sameBytes = M.toONNX().length === MODEL.length && M.toONNX().every((v, i) => v === MODEL[i]);
  let t0 = performance.now();
  const mine = await wasmcnn.fineTune(M, x, y, {}, (step, steps, loss) => r.progress.push([step, steps, loss]));
  r.firstMs = performance.now() - t0;
  t0 = performance.now();
  const again = await wasmcnn.fineTune(M, x, y, {evaluate: x});
  r.secondMs = performance.now() - t0;
  // The worker's evaluation is what the base and the new model answer here.
  const ev = again.fineTuned.evaluation, here = again.predict(x), base = M.predict(x);
  r.evaluation = ev.after.length === here.length && ev.after.every((v, i) => v === here[i]) && ev.before.every((v, i) => v === base[i]);
  r.fineTuned = mine.fineTuned;
  r.out = Array.from(mine.predict(x));
  r.again = Array.from(again.predict(x));
  r.onnx = Array.from(mine.toONNX());
  r.info = mine.info.description;
  // An abort ends the worker: the promise rejects with the signal's reason.
  const ctl = new AbortController();
  t0 = performance.now();
  const long = wasmcnn.fineTune(M, x, y, {steps: 5000, signal: ctl.signal}, (step) => { if (step >= 1) ctl.abort(new Error("aborted by the test")); });
  try { await long; r.abort = "resolved"; } catch (e) { r.abort = String(e.message); }
  r.abortMs = performance.now() - t0;
  return JSON.stringify(r);
})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Progress          [][3]float64
		SameBytes         bool
		FirstMs, SecondMs float64
		AbortMs           float64
		FineTuned         struct{ LossBefore, LossAfter, CorrectBefore, CorrectAfter, Examples, Ms float64 }
		Out, Again        []float32
		ONNX              []byte `json:"onnx"`
		Info, Abort       string
		Evaluation        bool
	}
	if err := json.Unmarshal([]byte(res), &got); err != nil {
		t.Fatal(err)
	}
	if !got.Evaluation {
		t.Error("options.evaluate: the worker's outputs differ from the models' on the page")
	}
	if !got.SameBytes {
		t.Error("toONNX of a loaded model is not the bytes it was loaded from")
	}
	// Progress: increasing steps, the last one reported, finite losses.
	steps := float64(nn.DefaultFineTuneOptions().Steps)
	if n := len(got.Progress); n < 2 || got.Progress[n-1][0] != steps {
		t.Errorf("progress %v, want it to end at step %v", got.Progress, steps)
	}
	for i, p := range got.Progress {
		if p[1] != steps || math.IsNaN(p[2]) || p[2] <= 0 || (i > 0 && p[0] <= got.Progress[i-1][0]) {
			t.Errorf("progress %d: %v", i, p)
		}
	}
	if f := got.FineTuned; f.Examples != float64(len(y)) || f.LossAfter >= f.LossBefore || f.CorrectAfter < f.CorrectBefore {
		t.Errorf("fineTuned %+v", f)
	}
	if !strings.Contains(got.Info, fmt.Sprintf("fine-tuned on %d examples", len(y))) {
		t.Errorf("the personal model's description %q", got.Info)
	}
	// The same fine-tuning natively: the same procedure and replay file,
	// Go's kernels instead of the browser's SIMD ones.
	native := fineTuneNatively(t, x, y, site.ReplayFile)
	want, err := native.Model.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	if worst := maxDiff(got.Out, want); worst > 2e-3 || len(got.Out) != len(want) {
		t.Errorf("the page's personal model differs from the native one by up to %.3g (%d outputs)", worst, len(got.Out))
	} else {
		t.Logf("the page's personal model agrees with the native fine-tuning within %.2g", worst)
	}
	if worst := maxDiff(got.Again, got.Out); worst != 0 {
		t.Errorf("fine-tuning twice gave models differing by %.3g; it is deterministic", worst)
	}
	// Its export in onnxruntime-node.
	ort := ortRun(t, got.ONNX, x, []int{len(y), 1, 28, 28})
	if worst := maxDiff(got.Out, ort); worst > 1e-5 {
		t.Errorf("onnxruntime-node differs from the page by up to %.3g", worst)
	}
	if n := trainFetches.Load(); n != 1 {
		t.Errorf("the training build was downloaded %d times for three fine-tunings, want once", n)
	}
	if n := replayFetches.Load(); n != 1 {
		t.Errorf("the replay file was downloaded %d times, want once", n)
	}
	if got.Abort != "aborted by the test" || got.AbortMs > 5000 {
		t.Errorf("aborted fine-tuning: %q after %.0f ms", got.Abort, got.AbortMs)
	}
	t.Logf("fineTune of %d pen digits in Chromium: %.0f ms the first time (downloading and compiling the training build; %.0f ms of it in Go), %.0f ms the second; abort after %.0f ms",
		len(y), got.FirstMs, got.FineTuned.Ms, got.SecondMs, got.AbortMs)

	// Bad calls, each through the page's worker.
	shared, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof SharedArrayBuffer === "function"`))
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](apitest.Try+";"+apitest.Fixtures+";"+apitest.FineTuneFixtures+
		`; globalThis.FT = (x, y, o, p) => wasmcnn.fineTune(M, x, y, o, p); true`)); err != nil {
		t.Fatal(err)
	}
	cases := apitest.FineTuneBadCalls(true)
	srcs := make([]string, len(cases))
	for i, c := range cases {
		srcs[i] = c.Src
	}
	sj, _ := json.Marshal(srcs)
	msgs, err := chromedp.Run(ctx, chromedp.Evaluate[[]*string](`(async () => {
  const out = [];
  for (const s of `+string(sj)+`) {
    try { await (0, eval)(s); out.push(null); } catch (e) { out.push(e instanceof Error ? e.message : "rejected with a non-Error: " + String(e)); }
  }
  return out;
})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	bad := 0
	for i, c := range cases {
		m := msgs[i]
		switch {
		case m == nil:
			t.Errorf("%s: did not fail", c.Src)
		case strings.Contains(c.Src, "SharedArrayBuffer") && !shared && strings.Contains(*m, "no SharedArrayBuffer here"):
			continue
		case !strings.Contains(*m, c.Want):
			t.Errorf("%s: %q, want %q", c.Src, *m, c.Want)
		default:
			continue
		}
		bad++
	}
	t.Logf("%d bad fine-tuning calls, %d refused with the expected Error", len(cases), len(cases)-bad)
	// Still working after them.
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`wasmcnn.fineTune(M, X2, [1, 2], {steps: 2}).then(m => m.predict(X2).length === 20)`, chromedp.EvalAwaitPromise))
	if err != nil || !ok {
		t.Errorf("after the bad calls: %v, %v", ok, err)
	}
}

// maxDiff is the largest absolute difference between a and b (+Inf if
// their lengths differ).
func maxDiff(a, b []float32) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	d := 0.0
	for i := range a {
		d = math.Max(d, math.Abs(float64(a[i]-b[i])))
	}
	return d
}

// fineTuneNatively fine-tunes the site's shipped model on (x, y) with Go's
// kernels: the procedure and replay files (site paths, one after the
// other) the browser uses, for the tests to hold the browser's result to.
func fineTuneNatively(t *testing.T, x []float32, y []int, replayFiles ...string) *nn.FineTunedModel {
	t.Helper()
	shipped, err := os.ReadFile(filepath.Join(siteDir, "models", "digits.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	var replay []byte
	for _, f := range replayFiles {
		b, err := os.ReadFile(filepath.Join(siteDir, f))
		if err != nil {
			t.Fatal(err)
		}
		replay = append(replay, b...)
	}
	base, err := onnx.LoadModel(shipped, nil)
	if err != nil {
		t.Fatal(err)
	}
	o := nn.DefaultFineTuneOptions()
	if o.Replay, err = tune.ReadReplay(replay); err != nil {
		t.Fatal(err)
	}
	native, err := nn.FineTuneModel(context.Background(), base, x, y, o, nil)
	if err != nil {
		t.Fatal(err)
	}
	return native
}
