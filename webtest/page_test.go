package webtest

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"wasmcnn/core"
	"wasmcnn/core/ink"
	"wasmcnn/core/onnx"
	"wasmcnn/core/verdict"
	"wasmcnn/data"
	"wasmcnn/internal/site"
)

// heldOut returns the pen digits of writers the shipped model never saw.
func heldOut(t *testing.T) []data.StrokeDigit {
	t.Helper()
	root, err := site.Root()
	if err != nil {
		t.Fatal(err)
	}
	ds, err := data.LoadStrokeDigits(filepath.Join(root, "testdata", "pendigits", "heldout300.json"))
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// openPage navigates to the page and waits until the model is loaded,
// returning the time that took.
func openPage(t *testing.T, ctx context.Context, url string) time.Duration {
	t.Helper()
	start := time.Now()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.body.hasAttribute("data-ready") || document.body.classList.contains("failed")`,
		chromedp.WithPollingTimeout(60*time.Second))); err != nil {
		body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.className + " | " + Array.from(document.body.attributes).map((a) => a.name + "=" + a.value).join(" ") + " | " + document.getElementById("load-msg").textContent`))
		t.Fatalf("page never became ready: %v; the body: %s", err, body)
	}
	if failed, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.classList.contains("failed") ? document.getElementById("load-msg").textContent : ""`)); failed != "" {
		t.Fatalf("page failed to load: %s", failed)
	}
	return time.Since(start)
}

// TestDrawDigits replays real pen digits of unseen writers on the page and
// reads its answer; it also checks that the page agrees with the native
// engine on the same strokes and that Clear empties the answer. (Chromium
// delivers about one mouse move per frame, so this takes minutes; -short
// draws 30 digits.)
func TestDrawDigits(t *testing.T) {
	digits := heldOut(t)
	minAcc := 0.95
	if testing.Short() {
		// Every tenth digit, so all writers appear; on 30 digits one miss
		// is 3.3 points, hence the lower bar.
		var some []data.StrokeDigit
		for i := 0; i < len(digits); i += 10 {
			some = append(some, digits[i])
		}
		digits, minAcc = some, 0.9
	}
	ctx := newBrowser(t, 15*time.Minute)
	srv := serve(t, siteDir)
	ready := openPage(t, ctx, srv.URL+"/index.html")
	t.Logf("navigation to model loaded: %v", ready.Round(time.Millisecond))
	// The preloads in index.html must be the very requests the page uses:
	// each big file is downloaded once.
	for _, f := range []string{"main.wasm", "models/digits.onnx"} {
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`performance.getEntriesByType("resource").filter((e) => new URL(e.name).pathname.endsWith("/`+f+`")).length`))
		if err != nil || n != 1 {
			t.Errorf("%s was requested %d times (%v), want once", f, n, err)
		}
	}
	native, err := onnx.LoadModelFile(filepath.Join(siteDir, "models", "digits.onnx"), nil)
	if err != nil {
		t.Fatal(err)
	}
	rule, err := verdict.FromMetadata(native.Metadata)
	if err != nil {
		t.Fatal(err)
	}
	r0, err := padRect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var r ink.StrokeRenderer
	img := make([]float32, 784)
	correct, agree, first := 0, 0, time.Duration(0)
	for i, d := range digits {
		placed := ink.PlaceStrokes(d.Strokes, ink.PadSize, ink.DigitFraction)
		strokes := make([][][2]float32, len(placed))
		for k, s := range placed {
			strokes[k] = s
		}
		start := time.Now()
		if err := drawStrokes(ctx, r0, strokes); err != nil {
			t.Fatal(err)
		}
		got, err := readDigit(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = time.Since(start)
			if shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
				saveArtifact(t, "page.png", shot)
			}
		}
		if got == string(rune('0'+d.Label)) {
			correct++
		}
		// The same strokes through the native engine.
		if r.RenderCanvas(img, placed, ink.PenWidth) {
			if out, err := native.Predict(img); err == nil {
				// What the page would show: the best digit, none when
				// the model's rule refuses the drawing.
				want := string(rune('0' + core.Argmax(out)))
				if v, err := rule.Decide(out); err == nil && v.Kind == verdict.NotDigit {
					want = ""
				}
				if want == got {
					agree++
				}
			}
		}
		if err := chromedp.Do(ctx, chromedp.Click("#clear")); err != nil {
			t.Fatal(err)
		}
		if after, _ := prediction(ctx); after != "" {
			t.Fatalf("after Clear the prediction is %q, want empty", after)
		}
	}
	acc := float64(correct) / float64(len(digits))
	t.Logf("page accuracy on %d pen digits of held-out writers: %.1f%%; agrees with the native engine on %d; first stroke to answer %v",
		len(digits), 100*acc, agree, first.Round(time.Millisecond))
	if acc < minAcc {
		t.Errorf("accuracy %.1f%% through the page, want at least %.0f%%", 100*acc, 100*minAcc)
	}
	if agree < len(digits)*97/100 {
		t.Errorf("the page agrees with the native engine on %d of %d digits", agree, len(digits))
	}
}

// TestPageDownloadSize reports the bytes the page loads, raw and gzipped.
func TestPageDownloadSize(t *testing.T) {
	var raw, gz int64
	for _, f := range []string{"index.html", "style.css", "store.js", "panel.js", "wasm_exec.js", "wasmcnn.mjs", "wasmcnn-runtime.mjs", "start.js", "main.wasm", "models/digits.onnx"} {
		b, err := os.ReadFile(filepath.Join(siteDir, f))
		if err != nil {
			t.Fatal(err)
		}
		z := len(site.Gzip(b))
		raw += int64(len(b))
		gz += int64(z)
		t.Logf("%-20s %9d bytes, %9d gzip", f, len(b), z)
	}
	t.Logf("everything the page downloads: %d bytes, %d gzip -9", raw, gz)
	// Fetched later: the MNIST digits judging a dropped model's pixel scale,
	// and the lesson page's own files.
	for _, f := range []string{"models/mnist-sample.bin", "learn.html", "learn.js"} {
		b, err := os.ReadFile(filepath.Join(siteDir, f))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%-24s %9d bytes, %9d gzip (on demand)", f, len(b), len(site.Gzip(b)))
	}
}

// saveArtifact writes a file under dist/artifacts for people to look at.
func saveArtifact(t *testing.T, name string, b []byte) {
	root, err := site.Root()
	if err != nil {
		return
	}
	dir := filepath.Join(root, "dist", "artifacts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err == nil {
		t.Logf("wrote %s", p)
	}
}
