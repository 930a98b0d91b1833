package webtest

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"wasmcnn/core"
	"wasmcnn/core/onnx"
	"wasmcnn/internal/site"
	"wasmcnn/internal/testmodels"
	"wasmcnn/wasm/adapt"
	"wasmcnn/web/models"
)

// ownModel is a model the tests drop on the page, with what the page must
// make of it.
type ownModel struct {
	file  string
	bytes []byte
	scale adapt.Scale // the scale auto must choose
	label bool        // its metadata names the classes
}

// ownModels builds the third-party-shaped models and serves them under
// /testmodels/ beside the site.
func ownModels(t *testing.T) ([]ownModel, string, *http.ServeMux) {
	t.Helper()
	dir := t.TempDir()
	var ms []ownModel
	for _, v := range testmodels.Variants() {
		b, err := testmodels.Build(v)
		if err != nil {
			t.Fatal(err)
		}
		ms = append(ms, ownModel{file: v.Name, bytes: b, scale: v.Scale, label: v.Labels != ""})
	}
	mlp, err := testmodels.MLP()
	if err != nil {
		t.Fatalf("the MLP needs MNIST: %v", err)
	}
	ms = append(ms, ownModel{file: "mlp-784.onnx", bytes: mlp, scale: adapt.PM1})
	for _, m := range ms {
		if err := os.WriteFile(filepath.Join(dir, m.file), m.bytes, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mux := http.NewServeMux()
	mux.Handle("/testmodels/", http.StripPrefix("/testmodels/", http.FileServer(http.Dir(dir))))
	mux.Handle("/", site.Handler(siteDir, site.HandlerOptions{}))
	return ms, dir, mux
}

// dropFile drops the file served at url on the page as a person would drag
// it from their desktop.
func dropFile(t *testing.T, ctx context.Context, url, name string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`(async () => {
		const b = await (await fetch(%q)).arrayBuffer();
		const dt = new DataTransfer();
		dt.items.add(new File([b], %q, {type: "application/octet-stream"}));
		const ev = (type) => new DragEvent(type, {dataTransfer: dt, bubbles: true, cancelable: true});
		document.body.dispatchEvent(ev("dragenter"));
		document.body.dispatchEvent(ev("dragover"));
		document.getElementById("maps").dispatchEvent(ev("drop"));
		return true;
	})()`, url, name), chromedp.EvalAwaitPromise)); err != nil {
		t.Fatal(err)
	}
}

// pickFile chooses a file with input#model-file.
func pickFile(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.ID("model-file"), []string{path})); err != nil {
		t.Fatal(err)
	}
}

// waitAnswering waits until the model named name answers (or, with name
// "", until a message about a failed model shows) and the page is ready.
func waitAnswering(t *testing.T, ctx context.Context, source, name string) {
	t.Helper()
	cond := fmt.Sprintf(`document.body.hasAttribute("data-ready") && document.body.dataset.modelSource === %q && document.getElementById("model-name").textContent.startsWith(%q)`, source, name)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(60*time.Second))); err != nil {
		msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("model-msg").textContent`))
		t.Fatalf("%s never answered (%v); the page says %q", name, err, msg)
	}
	// Two frames: the model has run on the drawing.
	if _, err := prediction(ctx); err != nil {
		t.Fatal(err)
	}
}

// waitMessage waits until the model message contains want, and the page is ready.
func waitMessage(t *testing.T, ctx context.Context, want string) string {
	t.Helper()
	cond := fmt.Sprintf(`document.body.hasAttribute("data-ready") && document.getElementById("model-msg").textContent.includes(%q)`, want)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(60*time.Second))); err != nil {
		msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("model-msg").textContent`))
		t.Fatalf("the page never said %q (%v); it says %q", want, err, msg)
	}
	msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("model-msg").textContent`))
	return msg
}

// checkScores holds the page's scores for the model answering now to the
// native engine run on the page's own input, and the input to what the
// page's drawing gives through the same fitting natively.
func checkScores(t *testing.T, ctx context.Context, m ownModel, scale adapt.Scale) pageState {
	t.Helper()
	st := readState(t, ctx)
	if !st.Answered || st.Scale != string(scale) {
		t.Fatalf("%s: answered %v at scale %s, want %s", m.file, st.Answered, st.Scale, scale)
	}
	native, err := onnx.LoadModel(m.bytes, nil)
	if err != nil {
		t.Fatal(err)
	}
	x, err := adapt.InputFor(native)
	if err != nil {
		t.Fatal(err)
	}
	if err := native.Plan(x.Shape); err != nil {
		t.Fatal(err)
	}
	in := make([]float32, x.Len())
	x.Fill(in, st.Digit, scale)
	for i := range in {
		if math.Abs(float64(in[i]-st.Input[i])) > 1e-6 {
			t.Fatalf("%s: input value %d is %v on the page, %v natively from the page's drawing", m.file, i, st.Input[i], in[i])
		}
	}
	out, err := native.Predict(st.Input)
	if err != nil {
		t.Fatal(err)
	}
	k := len(st.Probs)
	want := make([]float32, k)
	adapt.ToProbabilities(want, out[:k])
	for i := range want {
		if d := math.Abs(float64(want[i] - st.Probs[i])); d > 1e-5 {
			t.Errorf("%s: probability %d is %v on the page, %v natively", m.file, i, st.Probs[i], want[i])
		}
	}
	shown, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`Array.from(document.querySelectorAll("#probs li")).map(li => Number(li.dataset.p))`))
	if err != nil || len(shown) != k {
		t.Fatalf("%s: %d score rows (%v), want %d", m.file, len(shown), err, k)
	}
	for i, v := range shown {
		if math.Abs(v-float64(want[i])) > 1e-5 {
			t.Errorf("%s: row %d shows %v, natively %v", m.file, i, v, want[i])
		}
	}
	label := fmt.Sprint(core.Argmax(want))
	if m.label {
		label = []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}[core.Argmax(want)]
	}
	if got, _ := prediction(ctx); got != label {
		t.Errorf("%s: the page reads %q, want %q", m.file, got, label)
	}
	// A model without a verdict rule: no verdict, and a line saying so.
	why, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.getElementById("prediction").hasAttribute("data-verdict") || wasmcnnPage.state().verdict !== null ? "a verdict! " : "") + document.getElementById("verdict-why").textContent`))
	if err != nil || !strings.HasPrefix(why, "This model carries no verdict rule") {
		t.Errorf("%s: %q (%v), want no verdict and the line saying the model has no rule", m.file, why, err)
	}
	return st
}

// TestOwnModels drops and picks models shaped as other tools write them
// (NHWC through a Transpose, 3 channels at 32×32, a fixed batch, [N, H, W]
// with a LogSoftmax and labels, an MLP on [N, 784], at four pixel scales):
// each must answer the drawing with the native engine's scores on the
// page's own pixels, with the pixel scale chosen automatically; a scale
// chosen by hand must hold; "Back to the shipped model" must restore the
// page. Screenshots show a dropped model.
func TestOwnModels(t *testing.T) {
	ms, dir, mux := ownModels(t)
	ctx := newBrowser(t, 6*time.Minute)
	srv := serveHandler(t, mux)
	openPage(t, ctx, srv.URL+"/")
	shippedGot, want := drawKnown(t, ctx)
	if shippedGot != want {
		t.Fatalf("the shipped model reads %q, want %q", shippedGot, want)
	}
	for i, m := range ms {
		if i%2 == 0 {
			dropFile(t, ctx, "/testmodels/"+m.file, m.file)
		} else {
			pickFile(t, ctx, filepath.Join(dir, m.file))
		}
		waitAnswering(t, ctx, "dropped", m.file)
		scale, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[document.getElementById("model-scale").value, document.getElementById("model-scale").dataset.chosen, document.getElementById("model-scale-note").textContent]`))
		if scale[0] != "auto" || scale[1] != string(m.scale) {
			t.Errorf("%s: scale %s chose %s, want auto choosing %s (%s)", m.file, scale[0], scale[1], m.scale, scale[2])
		}
		t.Logf("%s: %s", m.file, scale[2])
		checkScores(t, ctx, m, m.scale)
		summary, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("model-summary").textContent`))
		for _, w := range []string{"Operators", "opset 13", "Input", "Parameters", m.file} {
			if !strings.Contains(summary, w) {
				t.Errorf("%s: the summary lacks %q: %s", m.file, w, summary)
			}
		}
		layers, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(".map-layer").length`))
		if layers == 0 {
			t.Errorf("%s: no layers shown", m.file)
		}
		switch m.file {
		case "rgb32-pm1.onnx":
			if shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
				saveArtifact(t, "dropped-model.png", shot)
			}
		case "nhwc-raw.onnx":
			// A map of the dropped model explains itself too.
			clickMap(t, ctx, "conv1", 5)
			ps := readPanel(t, ctx)
			if ps.Hidden || ps.Node != "conv1" {
				t.Fatalf("%s: the panel of conv1 did not open", m.file)
			}
			native, _ := onnx.LoadModel(m.bytes, nil)
			x, _ := adapt.InputFor(native)
			native.Plan(x.Shape)
			checkPanel(t, native, readState(t, ctx), ps)
			// A scale chosen by hand holds, and auto chooses again.
			if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const s = document.getElementById("model-scale"); s.value = "unit"; s.dispatchEvent(new Event("change")); return true; })()`)); err != nil {
				t.Fatal(err)
			}
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`wasmcnnPage.state().scale === "unit" && document.body.hasAttribute("data-ready")`, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
				t.Fatalf("choosing 0..1 by hand: %v", err)
			}
			prediction(ctx)
			checkScores(t, ctx, m, adapt.Unit)
			if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const s = document.getElementById("model-scale"); s.value = "auto"; s.dispatchEvent(new Event("change")); return true; })()`)); err != nil {
				t.Fatal(err)
			}
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`wasmcnnPage.state().scale === "raw" && document.body.hasAttribute("data-ready")`, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
				t.Fatalf("auto again: %v", err)
			}
			prediction(ctx)
			checkScores(t, ctx, m, adapt.Raw)
		}
	}
	// Back to the shipped model: the page reads the drawing as before.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("model-shipped"))); err != nil {
		t.Fatal(err)
	}
	waitAnswering(t, ctx, "shipped", "digits.onnx")
	if got, _ := prediction(ctx); got != shippedGot {
		t.Errorf("back on the shipped model the page reads %q, want %q", got, shippedGot)
	}
	hidden, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("model-shipped").hidden && document.getElementById("model-scale").disabled`))
	if !hidden {
		t.Error("on the shipped model, the back button shows or the scale can be chosen")
	}
}

// TestOwnModelKept drops a model, reloads (it answers again), goes back to
// the shipped model and reloads (the shipped one answers, the kept one is
// offered), then removes it (gone after a reload).
func TestOwnModelKept(t *testing.T) {
	ms, _, mux := ownModels(t)
	m := ms[0]
	ctx := newBrowser(t, 3*time.Minute)
	srv := serveHandler(t, mux)
	openPage(t, ctx, srv.URL+"/")
	dropFile(t, ctx, "/testmodels/"+m.file, m.file)
	waitAnswering(t, ctx, "dropped", m.file)
	reload := func() {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
			t.Fatal(err)
		}
		openPage(t, ctx, srv.URL+"/")
	}
	reload()
	waitAnswering(t, ctx, "dropped", m.file)
	if got, want := drawKnown(t, ctx); got != want {
		t.Errorf("the kept model reads %q after a reload, want %q", got, want)
	}
	checkScores(t, ctx, m, m.scale)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("model-shipped"))); err != nil {
		t.Fatal(err)
	}
	waitAnswering(t, ctx, "shipped", "digits.onnx")
	reload()
	waitAnswering(t, ctx, "shipped", "digits.onnx")
	offer, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const b = document.getElementById("model-restore"); return b.hidden ? "" : b.textContent; })()`))
	if !strings.Contains(offer, m.file) {
		t.Fatalf("after going back and reloading the kept model is not offered (%q)", offer)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("model-restore"))); err != nil {
		t.Fatal(err)
	}
	waitAnswering(t, ctx, "dropped", m.file)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("model-remove"))); err != nil {
		t.Fatal(err)
	}
	waitAnswering(t, ctx, "shipped", "digits.onnx")
	reload()
	waitAnswering(t, ctx, "shipped", "digits.onnx")
	gone, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("model-restore").hidden && document.getElementById("model-remove").hidden`))
	if !gone {
		t.Error("after Remove and a reload the model is still offered")
	}
}

// TestOwnModelRefused drops models the page cannot use: truncated, hostile
// (an op wasmcnn does not implement, a huge declared tensor), two inputs,
// a kept record gone bad, and one over the size limit, which must be
// refused before it is read. Each leaves the shipped model answering with
// a message that says why.
func TestOwnModelRefused(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	unknown := onnx.NewModelBuilder(13)
	unknown.Input("x", []int{-1, 1, 28, 28})
	unknown.Node("Einsum", "mystery", []string{"x"}, []string{"y"}, onnx.AttrString("equation", "nchw->nchw"))
	unknown.Output("y", nil)
	two := onnx.NewModelBuilder(13)
	two.Input("a", []int{1, 1, 28, 28})
	two.Input("b", []int{1, 1, 28, 28})
	two.Node("Add", "add", []string{"a", "b"}, []string{"y"})
	two.Output("y", nil)
	// A graph claiming a length of 2^40 bytes: the reader checks every
	// length against the bytes present.
	hostile := append([]byte{0x08, 0x07, 0x3a}, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20)
	cases := []struct {
		file, want string
	}{
		{write("truncated.onnx", models.Digits[:len(models.Digits)/2]), "corrupt model"},
		{write("garbage.onnx", []byte("<html>not a model</html>")), "cannot be loaded"},
		{write("einsum.onnx", unknown.Bytes()), `node "mystery": op Einsum (opset 13) is not supported`},
		{write("two-inputs.onnx", two.Bytes()), "cannot run on your drawing: it has 2 inputs"},
		{write("hostile.onnx", append(hostile, make([]byte, 64)...)), "corrupt model"},
	}
	ctx := newBrowser(t, 3*time.Minute)
	srv := serve(t, siteDir)
	openPage(t, ctx, srv.URL+"/")
	shipped, want := drawKnown(t, ctx)
	if shipped != want {
		t.Fatalf("the shipped model reads %q, want %q", shipped, want)
	}
	// Count the files the page reads whole.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const orig = Blob.prototype.arrayBuffer;
		globalThis.__reads = 0; Blob.prototype.arrayBuffer = function () { globalThis.__reads++; return orig.call(this); }; return true; })()`)); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		pickFile(t, ctx, c.file)
		msg := waitMessage(t, ctx, filepath.Base(c.file))
		if !strings.Contains(msg, c.want) || !strings.Contains(msg, "shipped model still answers") {
			t.Errorf("%s: the page says %q, want %q", filepath.Base(c.file), msg, c.want)
		}
		if got, _ := prediction(ctx); got != shipped {
			t.Errorf("after %s the page reads %q, want the shipped model's %q", filepath.Base(c.file), got, shipped)
		}
		if src, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.dataset.modelSource`)); src != "shipped" {
			t.Errorf("after %s the source is %q", filepath.Base(c.file), src)
		}
	}
	reads, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`globalThis.__reads`))
	if reads != len(cases) {
		t.Errorf("%d files read for %d picked", reads, len(cases))
	}
	// Over the limit: refused from its size, never read.
	big := filepath.Join(dir, "too-big.onnx")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(65 << 20); err != nil { // sparse: no 65 MiB written
		t.Fatal(err)
	}
	f.Close()
	pickFile(t, ctx, big)
	msg := waitMessage(t, ctx, "too-big.onnx")
	if !strings.Contains(msg, "up to 64 MB") || !strings.Contains(msg, "not read") {
		t.Errorf("a 65 MiB model: the page says %q", msg)
	}
	if after, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`globalThis.__reads`)); after != reads {
		t.Errorf("the oversized model was read (%d reads, %d before)", after, reads)
	}
	// A kept record gone bad is dropped with a message at the next visit.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`wasmcnnStore.put("dropped-model", {name: "broken.onnx", bytes: new Uint8Array([8, 7, 1, 2]), scale: "auto", active: true}).then(() => true)`, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	openPage(t, ctx, srv.URL+"/")
	msg = waitMessage(t, ctx, "earlier visit")
	if !strings.Contains(msg, "removed") {
		t.Errorf("a broken kept model: the page says %q", msg)
	}
	if got, want := drawKnown(t, ctx); got != want {
		t.Errorf("after a broken kept model the page reads %q, want %q", got, want)
	}
}
