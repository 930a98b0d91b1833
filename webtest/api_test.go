package webtest

import (
	"encoding/json"
	"strings"
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
	srcs := make([]string, len(cases))
	for i, c := range cases {
		srcs[i] = "(() => " + c.Src + ")"
	}
	sj, _ := json.Marshal(srcs)
	msgs, err := chromedp.Run(ctx, chromedp.Evaluate[[]*string](`(`+string(sj)+`).map(s => jsTry((0, eval)(s)))`))
	if err != nil {
		t.Fatal(err)
	}
	bad := 0
	for i, c := range cases {
		switch m := msgs[i]; {
		case m == nil:
			t.Errorf("%s: did not throw", c.Src)
		case !strings.Contains(*m, c.Want):
			t.Errorf("%s: threw %q, want %q", c.Src, *m, c.Want)
		default:
			continue
		}
		bad++
	}
	t.Logf("%d bad calls in Chromium (shared memory cases: %v), %d threw the expected Error", len(cases), shared, len(cases)-bad)

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
