package webtest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"wasmcnn/internal/site"
)

// shippedPages returns the HTML pages of the built site's manifest: what a
// deploy holds.
func shippedPages(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(siteDir, "assets.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m site.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var pages []string
	for f := range m.Files {
		if strings.HasSuffix(f, ".html") {
			pages = append(pages, f)
		}
	}
	slices.Sort(pages)
	return pages
}

// problems collects what went wrong on a page, as the browser reports it:
// failed requests, error statuses, console errors, uncaught exceptions.
type problems struct {
	mu   sync.Mutex
	list []string
}

func (p *problems) add(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.list = append(p.list, fmt.Sprintf(format, args...))
}

// take returns what was collected since the last take.
func (p *problems) take() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	l := p.list
	p.list = nil
	return l
}

// listen records the problems of a tab.
func (p *problems) listen(ev any) {
	switch e := ev.(type) {
	case *network.EventLoadingFailed:
		p.add("request %s failed: %s (canceled %v)", e.RequestID, e.ErrorText, e.Canceled)
	case *network.EventResponseReceived:
		if e.Response.Status >= 400 {
			p.add("%s answered %d", e.Response.URL, e.Response.Status)
		}
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeAssert {
			var args []string
			for _, a := range e.Args {
				args = append(args, string(a.Value)+a.Description)
			}
			p.add("console.%s: %s", e.Type, strings.Join(args, " "))
		}
	case *runtime.EventExceptionThrown:
		msg := e.ExceptionDetails.Text
		if e.ExceptionDetails.Exception != nil {
			msg += " " + e.ExceptionDetails.Exception.Description
		}
		p.add("uncaught exception: %s", msg)
	case *log.EventEntryAdded:
		if e.Entry.Level == log.EntryLevelError {
			p.add("browser log: %s %s", e.Entry.Text, e.Entry.URL)
		}
	}
}

// TestSitePages loads every HTML page the site ships, online and then
// offline from the service worker's cache (the server stopped), and fails
// on any request that fails or answers with an error, any console error
// and any uncaught exception. A page is loaded when it says it is ready
// (body[data-ready]); the bench page, whose peers only the bench serves,
// is not part of the site.
func TestSitePages(t *testing.T) {
	pages := shippedPages(t)
	for _, want := range []string{"index.html", "learn.html"} {
		if !slices.Contains(pages, want) {
			t.Errorf("the site does not ship %s (it ships %v)", want, pages)
		}
	}
	for _, f := range site.BenchPage {
		if slices.Contains(pages, f) {
			t.Errorf("the site ships %s, which works only under ./build.sh bench", f)
		}
	}
	ctx := newBrowser(t, 4*time.Minute)
	var p problems
	if err := chromedp.Listen(ctx, p.listen); err != nil {
		t.Fatal(err)
	}
	srv := serve(t, siteDir)
	visit := func(phase, page string) {
		t.Helper()
		start := time.Now()
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"+page)); err != nil {
			t.Fatalf("%s %s: %v", phase, page, err)
		}
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.readyState === "complete" && (document.body.hasAttribute("data-ready") || document.body.classList.contains("failed"))`,
			chromedp.WithPollingTimeout(60*time.Second))); err != nil {
			t.Fatalf("%s %s never became ready: %v", phase, page, err)
		}
		// Give late requests (icons, the manifest) a moment to finish.
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`new Promise((r) => setTimeout(() => r(true), 300))`, chromedp.EvalAwaitPromise)); err != nil {
			t.Fatal(err)
		}
		if failed, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.body.classList.contains("failed")`)); failed {
			t.Errorf("%s %s failed to start", phase, page)
		}
		for _, pr := range p.take() {
			t.Errorf("%s %s: %s", phase, page, pr)
		}
		t.Logf("%s %s: ready in %v", phase, page, time.Since(start).Round(time.Millisecond))
	}
	for _, page := range pages {
		visit("online", page)
	}
	waitControlled(t, ctx)
	srv.CloseClientConnections()
	srv.Close()
	for _, page := range pages {
		visit("offline", page)
	}
}
