package webtest

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"wasmcnn/wasm/adapt"
)

// TestPictureCamera takes pictures with Chromium's fake camera: the back
// camera is asked for, a snapshot answers with the fed tensor held to the
// reference on the snapshot's pixels, Esc cancels, and a camera refused,
// absent or out of the browser's reach gets a message while the page goes
// on answering the picture it had.
func TestPictureCamera(t *testing.T) {
	resnet := pictureModels(t)[0]
	_, mux := pictureSite(t, []pictureModel{resnet})
	ctx := newBrowser(t, 4*time.Minute, chromedp.Flag("use-fake-device-for-media-stream", true), chromedp.Flag("use-fake-ui-for-media-stream", true))
	srv := serveHandler(t, mux)
	openPage(t, ctx, srv.URL+"/")
	dropFile(t, ctx, "/testmodels/"+resnet.file, resnet.file)
	waitAnswering(t, ctx, "dropped", resnet.file)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const md = navigator.mediaDevices, orig = md.getUserMedia.bind(md);
		md.getUserMedia = (c) => { globalThis.__asked = JSON.stringify(c); return orig(c); }; return true; })()`)); err != nil {
		t.Fatal(err)
	}
	cameraOn := func() {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("camera"))); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!document.getElementById("camera-view").hidden && document.getElementById("camera-video").videoWidth > 0 && document.activeElement.id === "camera-snap"`, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
			msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("picture-msg").textContent`))
			t.Fatalf("the camera never showed (%v): %q", err, msg)
		}
	}
	cameraOn()
	asked, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`globalThis.__asked`))
	if !strings.Contains(asked, `"facingMode":{"ideal":"environment"}`) {
		t.Errorf("the camera asked for: %s", asked)
	}
	// The snapshot, taken with the keyboard (the snap button has the focus).
	if err := chromedp.Do(ctx, chromedp.KeyEvent("\r")); err != nil {
		t.Fatal(err)
	}
	waitReady(t, ctx, `wasmcnnPage.state().fed === "picture" && document.getElementById("camera-view").hidden`, "the camera's picture answering")
	st := checkPicture(t, ctx, resnet, adapt.NormModel, nil)
	if st.Picture.Name != "the camera's picture" || st.Picture.Width < 320 {
		t.Errorf("the snapshot: %q, %d×%d", st.Picture.Name, st.Picture.Width, st.Picture.Height)
	}
	if live, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("camera-video").srcObject !== null`)); live {
		t.Error("the camera still runs after the snapshot")
	}
	// Esc cancels; the picture answers on.
	cameraOn()
	if err := chromedp.Do(ctx, chromedp.KeyEvent("\x1b")); err != nil { // Escape
		t.Fatal(err)
	}
	waitReady(t, ctx, `document.getElementById("camera-view").hidden && document.getElementById("picture-msg").textContent.startsWith("No picture taken")`, "Esc cancelling the camera")
	// Refused, absent, none at all: a message each, the same answer.
	top := readPicture(t, ctx).Top
	for _, c := range []struct{ stub, want string }{
		{`navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException("denied", "NotAllowedError"))`, "not allowed"},
		{`navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException("none", "NotFoundError"))`, "No camera was found"},
		{`navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException("busy", "NotReadableError"))`, "busy"},
		{`Object.defineProperty(navigator, "mediaDevices", {value: undefined})`, "gives the page no camera"},
	} {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { `+c.stub+`; return true; })()`)); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("camera"))); err != nil {
			t.Fatal(err)
		}
		cond := `document.getElementById("picture-msg").textContent.includes("` + c.want + `")`
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
			msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("picture-msg").textContent`))
			t.Errorf("%s: the page says %q, want %q", c.stub, msg, c.want)
		}
		now := readPicture(t, ctx)
		if now.Fed != "picture" || len(now.Top) != len(top) || now.Top[0] != top[0] {
			t.Errorf("after %s the page answers %s: %v, before %v", c.want, now.Fed, now.Top, top)
		}
	}
}

// TestPictureRefused gives the page what it cannot use — a picture that
// cannot be decoded, pictures for the shipped model, bad calls of the
// picture hooks, a model over the page's limits — and holds each to a
// message while the page keeps answering.
func TestPictureRefused(t *testing.T) {
	resnet := pictureModels(t)[0]
	dir, mux := pictureSite(t, []pictureModel{resnet})
	ctx := newBrowser(t, 3*time.Minute)
	srv := serveHandler(t, mux)
	openPage(t, ctx, srv.URL+"/")
	// The shipped model: the picture controls are off; a picture given
	// anyway is not read.
	dropFile(t, ctx, "/testmodels/bird.png", "bird.png")
	waitReady(t, ctx, `document.getElementById("picture-msg").textContent.includes("bird.png was not read")`, "a picture refused for the shipped model")
	// Over the limits: every tensor kept for the maps would pass the
	// page's 32 M values of activations.
	big := onnxConvModel(t, 600)
	writeFile(t, dir, "huge-maps.onnx", big)
	pickFile(t, ctx, dir+"/huge-maps.onnx")
	msg := waitMessage(t, ctx, "huge-maps.onnx")
	if !strings.Contains(msg, "MaxActivations") || !strings.Contains(msg, "shipped model still answers") {
		t.Errorf("a model over the limits: %q", msg)
	}
	dropFile(t, ctx, "/testmodels/"+resnet.file, resnet.file)
	waitAnswering(t, ctx, "dropped", resnet.file)
	dropFile(t, ctx, "/testmodels/bird.png", "bird.png")
	waitReady(t, ctx, `wasmcnnPage.state().fed === "picture"`, "the bird answering")
	before := readPicture(t, ctx)
	dropFile(t, ctx, "/testmodels/broken.png", "broken.png")
	waitReady(t, ctx, `document.getElementById("picture-msg").textContent.includes("broken.png could not be read as a picture")`, "an undecodable picture refused")
	// Bad calls return reasons and never stop the module.
	bad, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => {
  const out = [], P = wasmcnnPage, px = new Uint8ClampedArray(16);
  for (const args of [[], [px, 2, 2], [px, 2, 3, "x"], [px, 0, 0, "x"], [px, 2.5, 2, "x"], [px, -2, -2, "x"], ["pixels", 2, 2, "x"], [new Float32Array(16), 2, 2, "x"],
      [new Uint8Array(4 * 9000 * 1), 9000, 1, "x"], [px, "2", 2, "x"], [null, 2, 2, "x"]]) {
    try { const r = P.setPicture(...args); out.push(r.ok ? "ok" : r.reason); } catch (e) { out.push("threw " + e.message); }
  }
  for (const n of ["", "mnist", "auto", null]) { try { const r = P.setNorm(n); out.push(r.ok ? "ok" : r.reason); } catch (e) { out.push("threw " + e.message); } }
  return out;
})()`))
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range bad {
		if r == "ok" || strings.HasPrefix(r, "threw") || r == "" {
			t.Errorf("bad call %d: %q", i, r)
		}
	}
	after := readPicture(t, ctx)
	if after.Fed != "picture" || after.Picture.Name != "bird.png" || after.Top[0] != before.Top[0] {
		t.Errorf("after the refusals the page answers %s %q: %v, before %v", after.Fed, after.Picture.Name, after.Top, before.Top)
	}
}

// TestPictureFrames measures the main thread while a 224×224 model of
// 250 M multiply-accumulates runs and its maps draw: pen digits drawn on
// the pad, each stroke answered by the model in slices, then a photo.
// Like teaching's measure it reports the times rather than asserting
// them (on a shared machine the load decides them): the pointer handling
// per frame, all the work of a frame, the gaps between frames, and the
// run's slices.
func TestPictureFrames(t *testing.T) {
	wide, err := archsBuild224(0.5)
	if err != nil {
		t.Fatal(err)
	}
	m := pictureModel{file: "resnet-224-wide.onnx", bytes: wide}
	_, mux := pictureSite(t, []pictureModel{m})
	ctx := newBrowser(t, 4*time.Minute)
	addFrameMeter(t, ctx)
	srv := serveHandler(t, mux)
	openPage(t, ctx, srv.URL+"/")
	dropFile(t, ctx, "/testmodels/"+m.file, m.file)
	waitAnswering(t, ctx, "dropped", m.file)
	t0, _ := chromedp.Run(ctx, chromedp.Evaluate[float64](`(() => { __meter.events.length = 0; __meter.frames.length = 0; globalThis.__answers = 0;
		document.addEventListener("wasmcnn-answered", () => globalThis.__answers++); return performance.now(); })()`))
	for i := 0; i < 3; i++ {
		drawPen(t, ctx, i)
	}
	waitReady(t, ctx, `wasmcnnPage.state().answered`, "the drawing answered")
	t1, _ := chromedp.Run(ctx, chromedp.Evaluate[float64](`performance.now()`))
	drawing := readFrameCost(t, ctx, t0, t1)
	st := readPicture(t, ctx)
	t.Logf("drawing 3 pen digits with %s answering: %v", m.file, drawing)
	t.Logf("one prediction: %.1f ms in %d slices, the longest %.1f ms (slowest step %s)", st.Took, st.Slices, st.LongestSlice, st.SlowestStep)
	if drawing.PointerEvents == 0 || drawing.Frames == 0 {
		t.Errorf("nothing measured: %v", drawing)
	}
	// A photo, the pointer moving over the first layer's maps from the
	// drop until the answer and its maps are on screen.
	r, err := chromedp.Run(ctx, chromedp.Evaluate[rect](`(() => { const cv = document.querySelector(".map-layer canvas");
		cv.scrollIntoView({block: "center"}); const r = cv.getBoundingClientRect(); return {X: r.x, Y: r.y, W: r.width, H: r.height}; })()`))
	if err != nil {
		t.Fatal(err)
	}
	t2, _ := chromedp.Run(ctx, chromedp.Evaluate[float64](`performance.now()`))
	dropFile(t, ctx, "/testmodels/bird.png", "bird.png")
	for i := 0; ; i++ {
		x, y := r.X+r.W*float64(i%37+1)/38, r.Y+r.H*float64(i%11+1)/12
		if err := chromedp.Do(ctx, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x, y)); err != nil {
			t.Fatal(err)
		}
		if i%10 != 9 {
			continue
		}
		if done, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.body.hasAttribute("data-ready") && wasmcnnPage.state().fed === "picture"`)); done || i > 3000 {
			break
		}
	}
	waitReady(t, ctx, `wasmcnnPage.state().fed === "picture"`, "the photo answered")
	t3, _ := chromedp.Run(ctx, chromedp.Evaluate[float64](`performance.now()`))
	t.Logf("a photo with %s answering, the pointer moving: %v", m.file, readFrameCost(t, ctx, t2, t3))
}

// TestPicturePhone shows a photo classified on a phone-sized screen with
// touch, its maps and a detail panel open, for people to look at: the
// picture controls fit the width and the page does not scroll sideways.
func TestPicturePhone(t *testing.T) {
	resnet := pictureModels(t)[0]
	_, mux := pictureSite(t, []pictureModel{resnet})
	ctx := newBrowser(t, 3*time.Minute)
	phone(t, ctx)
	srv := serveHandler(t, mux)
	openPage(t, ctx, srv.URL+"/")
	dropFile(t, ctx, "/testmodels/"+resnet.file, resnet.file)
	waitAnswering(t, ctx, "dropped", resnet.file)
	dropFile(t, ctx, "/testmodels/bird.png", "bird.png")
	waitReady(t, ctx, `wasmcnnPage.state().fed === "picture"`, "the bird answering")
	if overflow, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`)); overflow {
		t.Error("the page scrolls sideways on a phone")
	}
	for _, id := range []string{"camera", "use-drawing", "picture-norm", "top5"} {
		r, err := chromedp.Run(ctx, chromedp.Evaluate[rect](`(() => { const r = document.getElementById("`+id+`").getBoundingClientRect(); return {X: r.x, Y: r.y, W: r.width, H: r.height}; })()`))
		if err != nil || r.X < 0 || r.X+r.W > 391 || r.H < 24 {
			t.Errorf("#%s spans x %.0f..%.0f, %.0f high on a 390-pixel screen (%v)", id, r.X, r.X+r.W, r.H, err)
		}
	}
	clickMap(t, ctx, firstConv(t, ctx), 2)
	if ps := readPanel(t, ctx); ps.Hidden {
		t.Error("the detail panel did not open on a phone")
	}
	shot(t, ctx, "picture-phone.png")
}
