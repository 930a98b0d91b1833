// Package browser starts headless Chromium (Debian's chromium) for the
// browser tests and the bench, with the flags this environment needs.
package browser

import (
	"context"
	"errors"
	"os"
	"time"

	"github.com/chromedp/chromedp"
)

// Path returns Debian's Chromium: the real binary rather than the wrapper
// script when present, or "" when none is installed.
func Path() string {
	for _, p := range []string{"/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// ErrNoChromium is returned when Chromium is not installed.
var ErrNoChromium = errors.New("browser: Chromium is not installed (apt-get install chromium)")

// Launch starts headless Chromium with a fresh profile and returns a context
// for one tab, which ends the browser when cancelled or after timeout.
// Options in extra are added to the flags above (a test's fake camera).
func Launch(timeout time.Duration, extra ...chromedp.ExecAllocatorOption) (context.Context, context.CancelFunc, error) {
	path := Path()
	if path == "" {
		return nil, nil, ErrNoChromium
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Flag("headless", "new"),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-sync", true),
		// Input events wait for a frame; unthrottled frames make replaying
		// thousands of pointer events faster.
		chromedp.Flag("disable-frame-rate-limit", true),
		chromedp.Flag("disable-gpu-vsync", true),
		chromedp.WindowSize(1100, 1400),
	)
	opts = append(opts, extra...)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, timeout)
	cancel := func() { cancelTime(); cancelTab(); cancelAlloc() }
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		return nil, nil, err
	}
	return ctx, cancel, nil
}
