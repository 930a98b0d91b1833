package webtest

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// stats is wasmcnn.stats(): the module's state.
type stats struct {
	Models      int     `json:"models"`
	HeapBytes   float64 `json:"heapBytes"`
	MemoryBytes float64 `json:"memoryBytes"`
	JSRefs      int     `json:"jsRefs"`
	SysBytes    float64 `json:"sysBytes"`
	HeapSys     float64 `json:"heapSysBytes"`
	StackSys    float64 `json:"stackSysBytes"`
	GCCycles    float64 `json:"gcCycles"`
}

func readStats(t *testing.T, ctx context.Context) stats {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[stats](`wasmcnn.stats()`))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestHoursOfUse runs 10,000 predictions through the API and 1,000
// draw/clear cycles on the page, one per animation frame, and requires that
// after a warm-up neither the WebAssembly memory, nor the live Go heap, nor
// the JavaScript values held by Go grow.
func TestHoursOfUse(t *testing.T) {
	ctx := newBrowser(t, 10*time.Minute)
	srv := serve(t, siteDir)
	openPage(t, ctx, srv.URL+"/")
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`fetch("models/digits.onnx").then(r => r.arrayBuffer()).then(b => {
		globalThis.HM = wasmcnn.loadModel(new Uint8Array(b));
		globalThis.HX = new Float32Array(784);
		globalThis.HOUT = new Float32Array(10);
		for (let i = 0; i < 784; i++) HX[i] = (i % 37) / 37;
		return true;
	})`, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatal(err)
	}
	// predictions runs n predictions, half into a reused output array.
	predictions := func(n int) {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
			for (let i = 0; i < `+itoa(n)+`; i++) { if (i % 2) HM.predict(HX, HOUT); else HM.predict(HX); }
			return true;
		})()`)); err != nil {
			t.Fatal(err)
		}
	}
	// cycles draws and clears n times on the page, a frame for each step.
	cycles := func(n int) {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(async () => {
			const pad = document.getElementById("pad"), r = pad.getBoundingClientRect();
			const frame = () => new Promise(res => requestAnimationFrame(res));
			const ev = (type, x, y) => pad.dispatchEvent(new PointerEvent(type, {pointerId: 7, isPrimary: true, bubbles: true,
				clientX: r.x + x * r.width / 280, clientY: r.y + y * r.height / 280, button: type === "pointermove" ? -1 : 0, buttons: type === "pointerup" ? 0 : 1}));
			for (let i = 0; i < `+itoa(n)+`; i++) {
				ev("pointerdown", 80, 60); ev("pointermove", 140, 60 + i % 50); ev("pointermove", 120, 220);
				ev("pointerup", 120, 220);
				await frame();
				if (!document.getElementById("prediction").textContent) throw new Error("no prediction after drawing, cycle " + i);
				document.getElementById("clear").click();
				await frame();
				if (document.getElementById("prediction").textContent) throw new Error("prediction left after Clear, cycle " + i);
			}
			return true;
		})()`, chromedp.EvalAwaitPromise)); err != nil {
			t.Fatal(err)
		}
	}
	// The Go heap settles after some thousand calls: each call into Go
	// leaves a little garbage (syscall/js's argument values), and the
	// collector's working set grows in steps until it covers it.
	predictions(15000)
	cycles(800)
	before := readStats(t, ctx)
	start := time.Now()
	predictions(10000)
	tp := time.Since(start)
	start = time.Now()
	cycles(1000)
	tc := time.Since(start)
	after := readStats(t, ctx)
	t.Logf("10,000 predictions in %v, 1,000 draw/clear cycles in %v", tp.Round(time.Millisecond), tc.Round(time.Millisecond))
	t.Logf("after warm-up: wasm memory %.0f → %.0f bytes, Go heap %.0f → %.0f bytes, JavaScript values held by Go %d → %d, models %d → %d",
		before.MemoryBytes, after.MemoryBytes, before.HeapBytes, after.HeapBytes, before.JSRefs, after.JSRefs, before.Models, after.Models)
	t.Logf("Go runtime: sys %.0f → %.0f, heap sys %.0f → %.0f, stack sys %.0f → %.0f, %.0f collections",
		before.SysBytes, after.SysBytes, before.HeapSys, after.HeapSys, before.StackSys, after.StackSys, after.GCCycles-before.GCCycles)
	// The runtime's bookkeeping (blocks of its finalizer queue, which Go
	// never returns) may still take a few more pages after the warm-up;
	// growth beyond 1 MiB would be a leak.
	if after.MemoryBytes > before.MemoryBytes+1<<20 {
		t.Errorf("the WebAssembly memory grew from %.0f to %.0f bytes", before.MemoryBytes, after.MemoryBytes)
	}
	if after.HeapBytes > before.HeapBytes*1.05 {
		t.Errorf("the live Go heap grew from %.0f to %.0f bytes", before.HeapBytes, after.HeapBytes)
	}
	if after.JSRefs > before.JSRefs+4 {
		t.Errorf("Go holds %d JavaScript values, %d before: a leak", after.JSRefs, before.JSRefs)
	}
}

func itoa(n int) string {
	b := []byte{}
	for n > 0 || len(b) == 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}
