package webtest

import (
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestPhoneLayout shows the page on a phone-sized screen with touch: the
// pad must fit the width, drawing on it must work, and a screenshot is
// saved for people to look at.
func TestPhoneLayout(t *testing.T) {
	ctx := newBrowser(t, 2*time.Minute)
	if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
		Width: 390, Height: 844, DeviceScaleFactor: 2, Mobile: true,
	}); err != nil {
		t.Fatal(err)
	}
	srv := serve(t, siteDir)
	openPage(t, ctx, srv.URL+"/")
	r, err := padRect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.X < 0 || r.X+r.W > 390 || r.W < 200 {
		t.Errorf("the pad spans x %.0f..%.0f on a 390-pixel screen", r.X, r.X+r.W)
	}
	overflow, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
	if overflow {
		t.Error("the page scrolls sideways on a phone")
	}
	got, want := drawKnown(t, ctx)
	if got != want {
		t.Errorf("on a phone-sized pad the page reads %q, want %q", got, want)
	}
	if shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		saveArtifact(t, "page-phone.png", shot)
	}
}
