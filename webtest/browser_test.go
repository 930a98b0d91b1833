// Package webtest drives the built site in headless Chromium: the drawing
// page replayed with real pen strokes, and the JavaScript API as a page
// uses it.
package webtest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"wasmcnn/internal/browser"
	"wasmcnn/internal/site"
)

var siteDir string // the site built once for all tests

func TestMain(m *testing.M) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "webtest:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func run(m *testing.M) (int, error) {
	root, err := site.Root()
	if err != nil {
		return 0, err
	}
	dir, err := os.MkdirTemp("", "wasmcnn-site-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	siteDir = filepath.Join(dir, "site")
	if err := site.Build(root, siteDir); err != nil {
		return 0, err
	}
	// Tests of the library open the bench page, a page of the site without
	// the drawing pad; the site itself does not ship it.
	if err := site.CopyBenchPage(root, siteDir); err != nil {
		return 0, err
	}
	return m.Run(), nil
}

// newBrowser starts headless Chromium with a fresh profile (and the flags
// in extra) and returns a context for one tab; the browser stops when the
// test ends.
func newBrowser(t *testing.T, timeout time.Duration, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	ctx, cancel, err := browser.Launch(timeout, extra...)
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

// serve serves a built site on 127.0.0.1 for one test.
func serve(t *testing.T, dir string) *httptest.Server {
	return serveHandler(t, site.Handler(dir, site.HandlerOptions{}))
}

// serveHandler serves h on 127.0.0.1 for one test.
func serveHandler(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// rect is an element's box in CSS pixels.
type rect struct{ X, Y, W, H float64 }

// padRect returns the drawing pad's box.
func padRect(ctx context.Context) (rect, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[rect](`(() => { const r = document.getElementById("pad").getBoundingClientRect(); return {X: r.x, Y: r.y, W: r.width, H: r.height}; })()`))
}

// drawStrokes replays strokes given in canvas pixels (280×280) as mouse
// drags over the pad.
func drawStrokes(ctx context.Context, r rect, strokes [][][2]float32) error {
	var acts []chromedp.Action[chromedp.Void]
	at := func(p [2]float32) (float64, float64) {
		return r.X + float64(p[0])*r.W/280, r.Y + float64(p[1])*r.H/280
	}
	held := func(p *input.DispatchMouseEventParams) {
		p.Buttons = 1
		p.Button = input.MouseButtonLeft
	}
	for _, s := range strokes {
		if len(s) == 0 {
			continue
		}
		x, y := at(s[0])
		acts = append(acts, chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, x, y, chromedp.ButtonLeft, chromedp.ClickCount(1)))
		for _, p := range s[1:] {
			x, y = at(p)
			acts = append(acts, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x, y, held))
		}
		acts = append(acts, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, x, y, chromedp.ButtonLeft, chromedp.ClickCount(1)))
	}
	return chromedp.Do(ctx, acts...)
}

// afterFrames is a promise that resolves with the prediction's text once two
// animation frames have passed, so the page has predicted what was drawn.
const afterFrames = `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(document.getElementById("prediction").textContent))))`

func prediction(ctx context.Context) (string, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[string](afterFrames, chromedp.EvalAwaitPromise))
}

// readDigit is the class the page reads once two frames have passed:
// #prediction's data-digit, the best class for a digit and for unsure ("4
// or 9?" reads 4), "" for not-a-digit and for an empty pad.
func readDigit(ctx context.Context) (string, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[string](strings.Replace(afterFrames, `.textContent`, `.dataset.digit || ""`, 1), chromedp.EvalAwaitPromise))
}
