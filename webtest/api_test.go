package webtest

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"wasmcnn/internal/apitest"
)

// TestAPIBadCallsInChromium makes every call of apitest.BadCalls from the
// page: each must throw an Error saying what was wrong, and afterwards the
// page and the API must still give right answers.
func TestAPIBadCallsInChromium(t *testing.T) {
	ctx := newBrowser(t, 3*time.Minute)
	srv := serve(t, siteDir)
	openPage(t, ctx, srv.URL+"/")
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`fetch("models/digits.onnx").then(r => r.arrayBuffer()).then(b => { globalThis.MODEL = new Uint8Array(b); return true; })`, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](apitest.Try+";"+apitest.Fixtures+"; true")); err != nil {
		t.Fatal(err)
	}
	shared, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof SharedArrayBuffer === "function"`))
	cases := apitest.BadCalls(shared)
	msgs, err := chromedp.Run(ctx, chromedp.Evaluate[[]*string](apitest.Script(cases)))
	if err != nil {
		t.Fatal(err)
	}
	bad := apitest.Mismatches(cases, msgs)
	for _, m := range bad {
		t.Error(m)
	}
	t.Logf("%d bad calls in Chromium (shared memory cases: %v), %d threw the expected Error", len(cases), shared, len(cases)-len(bad))

	// The API still predicts, and the page still reads a digit.
	sum, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`M.predict(new Float32Array(784).fill(0.1)).reduce((a, b) => a + b, 0)`))
	if err != nil || sum < 0.999 || sum > 1.001 {
		t.Fatalf("after the bad calls predict sums to %v (%v)", sum, err)
	}
	got, want := drawKnown(t, ctx)
	if got != want {
		t.Errorf("after the bad calls the page reads %q, want %q", got, want)
	}
}
