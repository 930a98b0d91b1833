package webtest

import (
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"wasmcnn/core/onnx"
	"wasmcnn/internal/archs"
	"wasmcnn/internal/site"
)

// benchRealInput fills n images of 3×224×224 values in [-1, 1) with the
// generator of web/bench-real.js.
func benchRealInput(n int) []float32 {
	x := make([]float32, n*3*224*224)
	s := uint32(12345)
	for i := range x {
		s = s*1103515245 + 12345
		x[i] = float32(s>>8)/8388608 - 1
	}
	return x
}

// TestBenchRealPage drives the bench's page for the real architectures as
// the bench does (cmd/wasmcnn/bench_real.go), on a small MobileNetV3 at
// 224×224 in wasmcnn: its outputs at batch 1 and 2 are the native
// engine's, a call answers its milliseconds, the memory report gives the
// model's parameters and plan, and a missing model fails with an error
// rather than never becoming ready. No time is asserted.
func TestBenchRealPage(t *testing.T) {
	ctx := newBrowser(t, 3*time.Minute)
	model, err := archs.Build(archs.MobileNetV3SmallArch, archs.Options{Seed: 3, Width: 0.25, Depth: 0.34, Classes: 10})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "tiny.onnx"), model, 0o644)
	m, err := onnx.LoadModel(model, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int][]float32{}
	for _, n := range []int{1, 2} {
		out, err := m.Predict(benchRealInput(n))
		if err != nil {
			t.Fatal(err)
		}
		want[n] = append([]float32(nil), out...)
	}
	mux := http.NewServeMux()
	mux.Handle("/bench/", http.StripPrefix("/bench/", http.FileServer(http.Dir(dir))))
	mux.Handle("/", site.Handler(siteDir, site.HandlerOptions{}))
	srv := serveHandler(t, mux)

	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/bench.html?runtime=wasmcnn&model=tiny")); err != nil {
		t.Fatal(err)
	}
	ready, err := chromedp.Run(ctx, chromedp.Poll[map[string]any](`window.__benchReady`, chromedp.WithPollingTimeout(time.Minute)))
	if err != nil || ready["error"] != nil {
		t.Fatalf("page not ready: %v, %v", ready, err)
	}
	for _, n := range []int{1, 2} {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](fmt.Sprintf("__benchOutput(%d)", n), chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want[n]) {
			t.Fatalf("batch %d: %d outputs, want %d", n, len(got), len(want[n]))
		}
		worst, largest := 0.0, 0.0
		for i, w := range want[n] {
			worst = math.Max(worst, math.Abs(got[i]-float64(w)))
			largest = math.Max(largest, math.Abs(float64(w)))
		}
		if largest == 0 || worst > 1e-4*largest {
			t.Errorf("batch %d: outputs differ from the native engine's by %.3g of the largest %.3g", n, worst/largest, largest)
		}
	}
	ms, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`__benchCall(2)`, chromedp.EvalAwaitPromise))
	if err != nil || !(ms > 0) {
		t.Errorf("a timed call answered %v, %v", ms, err)
	}
	mem, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]float64](`__benchMemory()`))
	if err != nil {
		t.Fatal(err)
	}
	if mem["params"] != float64(m.ParamCount) || mem["memoryBytes"] < float64(4*m.ParamCount) || !(mem["activations"] > 0) || mem["activations"] > mem["activationsSum"] {
		t.Errorf("memory report %v; the model has %d parameters", mem, m.ParamCount)
	}

	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/bench.html?runtime=wasmcnn&model=missing")); err != nil {
		t.Fatal(err)
	}
	failed, err := chromedp.Run(ctx, chromedp.Poll[map[string]any](`window.__benchReady`, chromedp.WithPollingTimeout(time.Minute)))
	if e, _ := failed["error"].(string); err != nil || e == "" {
		t.Errorf("a missing model: %v, %v", failed, err)
	}
}
