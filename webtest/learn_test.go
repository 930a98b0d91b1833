package webtest

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"wasmcnn/core"
)

// openLearn opens the lesson page and waits for the engine.
func openLearn(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.body.hasAttribute("data-ready") || document.body.classList.contains("failed")`,
		chromedp.WithPollingTimeout(60*time.Second))); err != nil {
		t.Fatalf("the lesson page never became ready: %v", err)
	}
	if msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.classList.contains("failed") ? document.getElementById("l-engine").textContent : ""`)); msg != "" {
		t.Fatal(msg)
	}
}

// eval runs JavaScript on the page.
func eval[T any](t *testing.T, ctx context.Context, src string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](src))
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return v
}

// setSelect chooses a value of a select and tells the page.
func setSelect(t *testing.T, ctx context.Context, id, value string) {
	t.Helper()
	eval[bool](t, ctx, fmt.Sprintf(`(() => { const s = document.getElementById(%q); s.value = %q; s.dispatchEvent(new Event("change")); return s.value === %q; })()`, id, value, value))
}

// TestLearnPage sets the lesson page's image, kernel and bias, then for
// valid and same padding and strides 1 and 2 steps the kernel across the
// image: the output size, every output value, every window's products and
// sum must be core's convolution of the same numbers; the pooled maps must
// be core's max and average pooling, and the fully connected outputs core's
// dense layer. Screenshots show the page on a desktop and on a phone.
func TestLearnPage(t *testing.T) {
	ctx := newBrowser(t, 4*time.Minute)
	srv := serve(t, siteDir)
	openLearn(t, ctx, srv.URL+"/learn.html")
	const n, k = 7, 3
	img := make([]float32, n*n)
	for i := range img {
		img[i] = float32((i*37)%11) / 10
	}
	vals, _ := json.Marshal(img)
	// Typed into the cells, as a person would (each cell's input event).
	eval[bool](t, ctx, `(() => { const v = `+string(vals)+`;
		for (const inp of document.querySelectorAll("#l-input input")) { inp.value = String(v[inp.dataset.r * 7 + +inp.dataset.c]); inp.dispatchEvent(new Event("input")); }
		const b = document.getElementById("l-bias"); b.value = "0.25"; b.dispatchEvent(new Event("input")); return true; })()`)
	setSelect(t, ctx, "l-kpreset", "sobel")
	kernel := []float32{1, 0, -1, 2, 0, -2, 1, 0, -1}
	bias := []float32{0.25}
	// Arrow keys move between the cells.
	eval[bool](t, ctx, `(() => { const c = document.querySelector('#l-input input[data-r="2"][data-c="3"]'); c.focus(); c.setSelectionRange(c.value.length, c.value.length); return true; })()`)
	chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowRight), chromedp.KeyEvent(kb.ArrowDown))
	if at := eval[string](t, ctx, `document.activeElement.dataset.r + "," + document.activeElement.dataset.c`); at != "3,4" {
		t.Errorf("after → and ↓ from (2, 3) the focus is on %s, want 3,4", at)
	}
	checked := 0
	for _, c := range []struct {
		pad    string
		stride int
		relu   bool
	}{{"valid", 1, false}, {"same", 1, true}, {"valid", 2, true}, {"same", 2, false}} {
		setSelect(t, ctx, "l-pad", c.pad)
		setSelect(t, ctx, "l-stride", strconv.Itoa(c.stride))
		eval[bool](t, ctx, fmt.Sprintf(`(() => { const r = document.getElementById("l-relu"); if (r.checked !== %v) r.click(); return true; })()`, c.relu))
		win := core.Window{StrideH: c.stride, StrideW: c.stride}
		if c.pad == "same" {
			win.AutoPad = core.AutoPadSameUpper
		}
		g, err := core.NewConvGeom([]int{1, 1, n, n}, []int{1, 1, k, k}, win, 1)
		if err != nil {
			t.Fatal(err)
		}
		want := make([]float32, g.OH*g.OW)
		core.Conv2DRef(want, img, kernel, bias, &g)
		noBias := make([]float32, g.OH*g.OW)
		core.Conv2DRef(noBias, img, kernel, nil, &g)
		size := eval[[]string](t, ctx, `[document.getElementById("l-outsize").dataset.h, document.getElementById("l-outsize").dataset.w, document.getElementById("l-outsize").textContent]`)
		if size[0] != strconv.Itoa(g.OH) || size[1] != strconv.Itoa(g.OW) {
			t.Errorf("%s stride %d: the page says %s×%s, core %d×%d (%s)", c.pad, c.stride, size[0], size[1], g.OH, g.OW, size[2])
		}
		if !strings.Contains(size[2], fmt.Sprintf("= %d,", g.OH)) {
			t.Errorf("%s stride %d: the formula %q does not end in %d", c.pad, c.stride, size[2], g.OH)
		}
		// Step through every place from the start.
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("l-reset"))); err != nil {
			t.Fatal(err)
		}
		for p := 0; p < g.OH*g.OW; p++ {
			if p > 0 {
				if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("l-step"))); err != nil {
					t.Fatal(err)
				}
			}
			type dot struct {
				Sum, Value, Output string
				Products           string
				Cur                string
				Win                int
			}
			d := eval[dot](t, ctx, `(() => { const d = document.getElementById("l-dot").dataset, cur = document.querySelector("#l-output .cur");
				return {Sum: d.sum, Value: d.value, Output: d.output, Products: d.products, Cur: cur ? cur.dataset.r + "," + cur.dataset.c + "," + cur.dataset.v : "",
					Win: document.querySelectorAll("#l-padded .win").length}; })()`)
			oy, ox := p/g.OW, p%g.OW
			num := func(s string) float64 { v, _ := strconv.ParseFloat(s, 64); return v }
			shown := float64(want[p])
			if c.relu {
				shown = math.Max(0, shown)
			}
			if math.Abs(num(d.Value)-float64(want[p])) > 1e-5 || math.Abs(num(d.Sum)-float64(noBias[p])) > 1e-5 || math.Abs(num(d.Output)-shown) > 1e-5 {
				t.Fatalf("%s stride %d, place %d: sum %s value %s output %s; core says %v, %v, %v", c.pad, c.stride, p, d.Sum, d.Value, d.Output, noBias[p], want[p], shown)
			}
			if cur := strings.Split(d.Cur, ","); len(cur) != 3 || cur[0] != strconv.Itoa(oy) || cur[1] != strconv.Itoa(ox) || math.Abs(num(cur[2])-shown) > 1e-5 {
				t.Fatalf("%s stride %d, place %d: the current output cell is %q, want %d,%d,%v", c.pad, c.stride, p, d.Cur, oy, ox, shown)
			}
			if d.Win != k*k {
				t.Fatalf("%s stride %d, place %d: %d cells outlined, want %d", c.pad, c.stride, p, d.Win, k*k)
			}
			// The products: window (zero in the padding) times kernel.
			prods := strings.Split(d.Products, ",")
			for i := 0; i < k; i++ {
				for j := 0; j < k; j++ {
					r, col := oy*g.SH-g.PT+i, ox*g.SW-g.PL+j
					var x float32
					if r >= 0 && r < n && col >= 0 && col < n {
						x = img[r*n+col]
					}
					if math.Abs(num(prods[i*k+j])-float64(x*kernel[i*k+j])) > 1e-6 {
						t.Fatalf("%s stride %d, place %d: product %d is %s, want %v", c.pad, c.stride, p, i*k+j, prods[i*k+j], x*kernel[i*k+j])
					}
				}
			}
			checked++
		}
		// Pooling 2×2 of the shown map, then the dense layer.
		shownMap := append([]float32(nil), want...)
		if c.relu {
			core.ReLU(shownMap, want)
		}
		pg, err := core.NewPoolGeom("MaxPool", []int{1, 1, g.OH, g.OW}, core.Window{KernelH: 2, KernelW: 2, StrideH: 2, StrideW: 2})
		if err != nil {
			t.Fatal(err)
		}
		maxWant, avgWant := make([]float32, pg.OH*pg.OW), make([]float32, pg.OH*pg.OW)
		core.MaxPool2D(maxWant, shownMap, nil, &pg)
		core.AvgPool2D(avgWant, shownMap, &pg, false)
		for id, w := range map[string][]float32{"l-max": maxWant, "l-avg": avgWant} {
			got := eval[[]float64](t, ctx, `Array.from(document.querySelectorAll("#`+id+` .cell")).map(c => Number(c.dataset.v))`)
			if len(got) != len(w) {
				t.Fatalf("%s stride %d: %s has %d cells, core %d", c.pad, c.stride, id, len(got), len(w))
			}
			for i := range w {
				if math.Abs(got[i]-float64(w[i])) > 1e-5 {
					t.Errorf("%s stride %d: %s[%d] = %v, core %v", c.pad, c.stride, id, i, got[i], w[i])
				}
			}
		}
		type dense struct {
			Weights, Bias string
			Out           []float64
			P             []float64
		}
		dn := eval[dense](t, ctx, `(() => { const t = document.getElementById("l-dense"), rows = Array.from(t.querySelectorAll("tr[data-unit]"));
			return {Weights: t.dataset.weights, Bias: t.dataset.bias, Out: rows.map(r => Number(r.dataset.v)), P: rows.map(r => Number(r.dataset.p))}; })()`)
		floats := func(s string) []float32 {
			var out []float32
			for _, f := range strings.Split(s, ",") {
				v, _ := strconv.ParseFloat(f, 32)
				out = append(out, float32(v))
			}
			return out
		}
		w, b := floats(dn.Weights), floats(dn.Bias)
		y := make([]float32, 3)
		core.Dense(y, maxWant, w, b, 1, len(maxWant), 3)
		p := make([]float32, 3)
		core.Softmax(p, y, 1, 3, 1, false)
		for i := range y {
			if math.Abs(dn.Out[i]-float64(y[i])) > 1e-5 || math.Abs(dn.P[i]-float64(p[i])) > 1e-5 {
				t.Errorf("%s stride %d: dense output %d is %v (%v), core %v (%v)", c.pad, c.stride, i, dn.Out[i], dn.P[i], y[i], p[i])
			}
		}
	}
	t.Logf("%d places stepped through and held to core", checked)
	// Back to the default look for the screenshots: same padding, a seven.
	setSelect(t, ctx, "l-ipreset", "seven")
	setSelect(t, ctx, "l-kpreset", "vertical")
	setSelect(t, ctx, "l-pad", "same")
	setSelect(t, ctx, "l-stride", "1")
	eval[bool](t, ctx, `(() => { const b = document.getElementById("l-bias"); b.value = "0"; b.dispatchEvent(new Event("input")); for (let i = 0; i < 10; i++) document.getElementById("l-step").click(); return true; })()`)
	if shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		saveArtifact(t, "learn-desktop.png", shot)
	}
	// A bad number is marked and changes nothing.
	before := eval[string](t, ctx, `document.getElementById("l-dot").dataset.value`)
	eval[bool](t, ctx, `(() => { const c = document.querySelector('#l-input input[data-r="0"][data-c="0"]'); c.value = "abc"; c.dispatchEvent(new Event("input")); return true; })()`)
	if bad := eval[bool](t, ctx, `document.querySelector('#l-input input[data-r="0"][data-c="0"]').getAttribute("aria-invalid") === "true"`); !bad {
		t.Error("a cell holding \"abc\" is not marked invalid")
	}
	if after := eval[string](t, ctx, `document.getElementById("l-dot").dataset.value`); after != before {
		t.Errorf("a bad number changed the output: %s → %s", before, after)
	}
	// A kernel larger than the image with valid padding: the engine's
	// error, shown, and the page keeps working.
	setSelect(t, ctx, "l-size", "5")
	setSelect(t, ctx, "l-ksize", "5")
	setSelect(t, ctx, "l-pad", "valid")
	setSelect(t, ctx, "l-stride", "3")
	if size := eval[string](t, ctx, `document.getElementById("l-outsize").dataset.h`); size != "1" {
		t.Errorf("a 5×5 kernel on a 5×5 image gives %s rows, want 1", size)
	}
}

// TestLearnPhone shows the lesson page on a phone-sized touch screen: it
// must not scroll sideways, a tap steps the kernel, and a screenshot is
// saved.
func TestLearnPhone(t *testing.T) {
	ctx := newBrowser(t, 2*time.Minute)
	if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
		Width: 390, Height: 844, DeviceScaleFactor: 2, Mobile: true,
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetTouchEmulationEnabled, emulation.SetTouchEmulationEnabledParams{Enabled: true, MaxTouchPoints: 5}); err != nil {
		t.Fatal(err)
	}
	srv := serve(t, siteDir)
	openLearn(t, ctx, srv.URL+"/learn.html")
	setSelect(t, ctx, "l-pad", "same")
	if overflow := eval[bool](t, ctx, `document.documentElement.scrollWidth > window.innerWidth + 1`); overflow {
		wide := eval[string](t, ctx, `Array.from(document.querySelectorAll("body *")).filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 5).map(e => e.tagName + "#" + e.id + "." + e.className).join(" ")`)
		t.Errorf("the lesson page scrolls sideways on a phone: %s", wide)
	}
	before := eval[string](t, ctx, `document.getElementById("l-pos").textContent`)
	r := eval[rect](t, ctx, `(() => { const b = document.getElementById("l-step"); b.scrollIntoView({block: "center"}); const r = b.getBoundingClientRect(); return {X: r.x + r.width / 2, Y: r.y + r.height / 2, W: r.width, H: r.height}; })()`)
	tap(t, ctx, r.X, r.Y)
	if after := eval[string](t, ctx, `document.getElementById("l-pos").textContent`); after == before || !strings.HasPrefix(after, "place 2 ") {
		t.Errorf("a tap on step: %q → %q", before, after)
	}
	eval[bool](t, ctx, `window.scrollTo(0, 0), true`)
	if shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		saveArtifact(t, "learn-phone.png", shot)
	}
}

// TestLearnUsesDrawing draws a digit on the main page, then takes it into
// the lesson page: the 7×7 image must be the 4×4 block means of the 28×28
// digit the page saw.
func TestLearnUsesDrawing(t *testing.T) {
	ctx := newBrowser(t, 2*time.Minute)
	srv := serve(t, siteDir)
	openPage(t, ctx, srv.URL+"/")
	drawKnown(t, ctx)
	digit := readState(t, ctx).Digit
	openLearn(t, ctx, srv.URL+"/learn.html")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("l-drawing"))); err != nil {
		t.Fatal(err)
	}
	got := eval[[]float64](t, ctx, `Array.from(document.querySelectorAll("#l-input input")).map(i => Number(i.value))`)
	if len(got) != 49 {
		t.Fatalf("the image has %d cells, want 49", len(got))
	}
	for y := 0; y < 7; y++ {
		for x := 0; x < 7; x++ {
			var s float64
			for i := 0; i < 4; i++ {
				for j := 0; j < 4; j++ {
					s += float64(digit[(4*y+i)*28+4*x+j])
				}
			}
			if math.Abs(got[y*7+x]-s/16) > 0.011 {
				t.Errorf("cell (%d, %d) is %v, the block mean %.3f", y, x, got[y*7+x], s/16)
			}
		}
	}
}

// TestLearnOffline visits the drawing page (the service worker caches the
// site), stops the server and opens the lesson page: it must work.
func TestLearnOffline(t *testing.T) {
	ctx := newBrowser(t, 2*time.Minute)
	srv := serve(t, siteDir)
	openPage(t, ctx, srv.URL+"/")
	waitControlled(t, ctx)
	cached, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(async () => {
		for (let i = 0; i < 300; i++) {
			for (const k of await caches.keys()) if (await (await caches.open(k)).match("learn.js")) return true;
			await new Promise(r => setTimeout(r, 100));
		}
		return false;
	})()`, chromedp.EvalAwaitPromise))
	if err != nil || !cached {
		t.Fatalf("learn.js never reached the cache (%v)", err)
	}
	url := srv.URL
	srv.CloseClientConnections()
	srv.Close()
	openLearn(t, ctx, url+"/learn.html")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("l-step"))); err != nil {
		t.Fatal(err)
	}
	if pos := eval[string](t, ctx, `document.getElementById("l-pos").textContent`); !strings.HasPrefix(pos, "place 2 ") {
		t.Errorf("offline, a step gives %q", pos)
	}
}

// tap touches the screen at (x, y) with one finger.
func tap(t *testing.T, ctx context.Context, x, y float64) {
	t.Helper()
	for _, typ := range []input.DispatchTouchEventType{input.DispatchTouchEventTypeTouchStart, input.DispatchTouchEventTypeTouchEnd} {
		p := input.DispatchTouchEventParams{Type: typ, TouchPoints: []*input.TouchPoint{}}
		if typ == input.DispatchTouchEventTypeTouchStart {
			p.TouchPoints = []*input.TouchPoint{{X: x, Y: y}}
		}
		if _, err := chromedp.Call(ctx, input.DispatchTouchEvent, p); err != nil {
			t.Fatal(err)
		}
	}
}
