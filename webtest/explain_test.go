package webtest

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"wasmcnn/core"
	"wasmcnn/core/onnx"
)

// pageState is what wasmcnnPage.state() reports: what the page fed the
// model answering now and what it answered.
type pageState struct {
	Source, Name, Scale string
	Answered            bool
	Digit, Input        []float32
	Output, Probs       []float32
	Labels              []string
}

func readState(t *testing.T, ctx context.Context) pageState {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[pageState](`(() => { const s = wasmcnnPage.state();
		return {Source: s.source, Name: s.name, Scale: s.scale, Answered: s.answered, Digit: Array.from(s.digit), Input: Array.from(s.input),
			Output: Array.from(s.output), Probs: Array.from(s.probabilities), Labels: s.labels}; })()`))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// panelState is what the detail panel shows, from its data attributes.
type panelState struct {
	Hidden                          bool
	Node, Op, Title, Sum            string
	Channel, Y, X                   int
	SumV, Bias, Value, Output, MapV float64
}

func readPanel(t *testing.T, ctx context.Context) panelState {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[panelState](`(() => { const d = document.getElementById("detail"), n = (a) => Number(d.getAttribute(a));
		return {Hidden: d.hidden, Node: d.dataset.node || "", Op: d.dataset.op || "", Title: document.getElementById("detail-title").textContent,
			Sum: document.getElementById("detail-sum").textContent, Channel: n("data-channel"), Y: n("data-y"), X: n("data-x"),
			SumV: n("data-sum"), Bias: n("data-bias"), Value: n("data-value"), Output: n("data-output"), MapV: n("data-map")}; })()`))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// clickMap clicks the middle of map c of node's canvas.
func clickMap(t *testing.T, ctx context.Context, node string, c int) {
	t.Helper()
	r, err := chromedp.Run(ctx, chromedp.Evaluate[rect](fmt.Sprintf(`(() => { const cv = document.querySelector('.map-layer[data-node="%s"] canvas');
		cv.scrollIntoView({block: "center"});
		const r = cv.getBoundingClientRect(), cols = +cv.dataset.cols, w = +cv.dataset.mapW, h = +cv.dataset.mapH, c = %d;
		const sx = r.width / cv.width, sy = r.height / cv.height;
		if (cv.height === 1) return {X: r.x + (c + 0.5) * sx, Y: r.y + r.height / 2, W: 0, H: 0}; // a strip of values
		return {X: r.x + ((c %% cols) * (w + 1) + w / 2) * sx, Y: r.y + (Math.floor(c / cols) * (h + 1) + h / 2) * sy, W: 0, H: 0}; })()`, node, c)))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.MouseClickXY(r.X, r.Y)); err != nil {
		t.Fatal(err)
	}
}

// checkPanel holds the panel's numbers to the native engine run on the
// page's own input: the node's value at the place, the value after its
// activation, and the map's.
func checkPanel(t *testing.T, native *onnx.Model, st pageState, ps panelState) {
	t.Helper()
	if _, err := native.Predict(st.Input); err != nil {
		t.Fatal(err)
	}
	steps := native.Steps()
	for i, s := range steps {
		if s.Node.Name != ps.Node {
			continue
		}
		sh := s.Output.Shape
		at := ps.Channel
		if len(sh) == 4 {
			at = (ps.Channel*sh[2]+ps.Y)*sh[3] + ps.X
		}
		want := float64(s.Output.Data[at])
		shown := want
		if f := native.Followers(i); len(f) > 0 {
			shown = float64(steps[f[len(f)-1]].Output.Data[at])
		}
		if d := math.Abs(ps.Value - want); !(d <= 1e-5) {
			t.Errorf("%s (%d, %d, %d): the panel says %v, the native engine %v", ps.Node, ps.Channel, ps.Y, ps.X, ps.Value, want)
		}
		if d := math.Abs(ps.Output - shown); !(d <= 1e-5) || math.Abs(ps.MapV-shown) > 1e-5 {
			t.Errorf("%s (%d, %d, %d): after the activation the panel says %v (map %v), the native engine %v", ps.Node, ps.Channel, ps.Y, ps.X, ps.Output, ps.MapV, shown)
		}
		if ps.Op == "Conv" && math.Abs(ps.SumV+ps.Bias-ps.Value) > 1e-5 {
			t.Errorf("%s: sum %v + bias %v ≠ %v", ps.Node, ps.SumV, ps.Bias, ps.Value)
		}
		// The panel writes a minus sign, not a hyphen, and 0 for what
		// rounds to zero (never −0.0000).
		v := ps.Value
		if math.Abs(v) < 0.5e-4 {
			v = 0
		}
		if !strings.Contains(ps.Sum, strings.Replace(strconv.FormatFloat(v, 'f', 4, 32), "-", "\u2212", 1)) {
			t.Errorf("the panel's sum line %q does not show the value %.4f", ps.Sum, ps.Value)
		}
		return
	}
	t.Fatalf("no node %q in the native model", ps.Node)
}

// TestDetailPanel draws a digit, opens the panel of a map of each
// convolution and pooling by clicking it, moves the place with the keys to
// the edges (where padding counts) and to random places, and holds every
// number shown to the native engine run on the page's own input. It saves
// a screenshot of the panel.
func TestDetailPanel(t *testing.T) {
	ctx := newBrowser(t, 4*time.Minute)
	srv := serve(t, siteDir)
	openPage(t, ctx, srv.URL+"/")
	if got, want := drawKnown(t, ctx); got != want {
		t.Fatalf("the page reads %q, want %q", got, want)
	}
	native, err := onnx.LoadModelFile(filepath.Join(siteDir, "models", "digits.onnx"), nil)
	if err != nil {
		t.Fatal(err)
	}
	st := readState(t, ctx)
	if st.Source != "shipped" || !st.Answered || len(st.Input) != 784 {
		t.Fatalf("page state: %s answered %v, %d inputs", st.Source, st.Answered, len(st.Input))
	}
	nodes, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(".map-layer")).map(b => b.dataset.node)`))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("layers shown: %v", nodes)
	key := func(k string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.KeyEvent(k)); err != nil {
			t.Fatal(err)
		}
	}
	checked := 0
	for li, node := range nodes {
		if node == "fc" {
			continue // the dense layer: below, through the scores
		}
		c := (3 * li) % 4
		strip := node == "gap"
		clickMap(t, ctx, node, c)
		ps := readPanel(t, ctx)
		if ps.Hidden || ps.Node != node || ps.Channel != c {
			t.Fatalf("clicking map %d of %s: panel hidden %v on %s map %d", c, node, ps.Hidden, ps.Node, ps.Channel)
		}
		checkPanel(t, native, st, ps)
		checked++
		if node == "conv2" {
			if shot, err := chromedp.Run(ctx, chromedp.Screenshot("#detail")); err == nil {
				saveArtifact(t, "detail-panel.png", shot)
			}
		}
		// The focused map moves with the arrow keys: to the top-left
		// corner, then the bottom-right one, then a few steps in.
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`document.querySelector('.map-layer[data-node="%s"] canvas').focus(), true`, node))); err != nil {
			t.Fatal(err)
		}
		for mi, moves := range []string{
			strings.Repeat("\u2190", 30) + strings.Repeat("\u2191", 30),
			strings.Repeat("\u2192", 30) + strings.Repeat("\u2193", 30),
			"\u2190\u2190\u2191",
			"]" + strings.Repeat("\u2190", 30) + "\u2193",
		} {
			for _, k := range moves {
				key(map[rune]string{'\u2190': kb.ArrowLeft, '\u2192': kb.ArrowRight, '\u2191': kb.ArrowUp, '\u2193': kb.ArrowDown, ']': "]"}[k])
			}
			ps := readPanel(t, ctx)
			checkPanel(t, native, st, ps)
			checked++
			if node == "conv1" && mi == 0 { // the top-left corner: padding on two sides
				if shot, err := chromedp.Run(ctx, chromedp.Screenshot("#detail")); err == nil {
					saveArtifact(t, "detail-panel-padding.png", shot)
				}
			}
		}
		ps = readPanel(t, ctx)
		if ps.X != 0 && !strip || strip && ps.Channel != 0 {
			t.Errorf("%s: after moving left 30 times the place is column %d, want 0", node, ps.X)
		}
		key(kb.Escape)
		if ps := readPanel(t, ctx); !ps.Hidden {
			t.Errorf("%s: Escape did not close the panel", node)
		}
		if got, _ := prediction(ctx); got == "" {
			t.Errorf("Escape on a map cleared the pad")
		}
	}
	// The scores: Enter on the winning class explains the dense layer's
	// output for it.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("#probs li.best").focus(), true`)); err != nil {
		t.Fatal(err)
	}
	key(kb.Enter)
	ps := readPanel(t, ctx)
	if ps.Hidden || ps.Op != "Gemm" || !strings.Contains(ps.Sum, "softmax") {
		t.Errorf("Enter on the best score: panel hidden %v, op %s, sum %q", ps.Hidden, ps.Op, ps.Sum)
	}
	if _, err := native.Predict(st.Input); err != nil {
		t.Fatal(err)
	}
	for _, s := range native.Steps() {
		if s.Node.Name == "fc" {
			if d := math.Abs(ps.Value - float64(s.Output.Data[ps.Channel])); !(d <= 1e-5) {
				t.Errorf("fc output %d: panel %v, native %v", ps.Channel, ps.Value, s.Output.Data[ps.Channel])
			}
			if ps.Channel != core.Argmax(st.Probs) {
				t.Errorf("the best score's panel explains output %d, want %d", ps.Channel, core.Argmax(st.Probs))
			}
		}
	}
	if shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		saveArtifact(t, "page-detail-dense.png", shot)
	}
	t.Logf("%d places checked through the panel", checked)
}

// TestExplainAPIInChromium explains random places of every convolution,
// pooling and dense node through the JavaScript API on the page, with the
// browser's SIMD kernels, including the edges where padding counts: each
// must equal layerOutputs() within 1e-5.
func TestExplainAPIInChromium(t *testing.T) {
	ctx := newBrowser(t, 2*time.Minute)
	srv := serve(t, siteDir)
	openPage(t, ctx, srv.URL+"/")
	type result struct {
		Checked int
		Worst   float64
		Bad     []string
		Kernel  string
	}
	r, err := chromedp.Run(ctx, chromedp.Evaluate[result](`(async () => {
		const m = await wasmcnn.loadModelURL("models/digits.onnx");
		let seed = 7;
		const rnd = (n) => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed >>> 8) % n; };
		const x = new Float32Array(784).map(() => rnd(1000) / 1000);
		m.predict(x);
		const layers = m.layerOutputs();
		let checked = 0, worst = 0; const bad = [];
		layers.forEach((l, i) => {
			if (!["Conv", "MaxPool", "GlobalAveragePool", "Gemm"].includes(l.op)) return;
			const [, c, h, w] = l.shape.length === 4 ? l.shape : [1, l.shape[1], 1, 1];
			for (let k = 0; k < 40; k++) {
				let y = rnd(h), xx = rnd(w);
				if (k % 4 === 0) y = 0; else if (k % 4 === 1) y = h - 1; else if (k % 4 === 2) xx = 0; else xx = w - 1;
				const ch = rnd(c), e = m.explain(l.name, ch, y, xx), at = (ch * h + y) * w + xx;
				const d = Math.abs(e.value - l.data[at]);
				worst = Math.max(worst, d);
				if (!(d <= 1e-5)) bad.push(l.name + " " + [ch, y, xx] + ": " + e.value + " vs " + l.data[at]);
				checked++;
			}
		});
		m.dispose();
		return {Checked: checked, Worst: worst, Bad: bad.slice(0, 5), Kernel: wasmcnn.kernel};
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range r.Bad {
		t.Error(b)
	}
	if r.Checked < 200 {
		t.Errorf("only %d places explained", r.Checked)
	}
	t.Logf("%d places explained with kernel %s, largest difference %.2g", r.Checked, r.Kernel, r.Worst)
}
