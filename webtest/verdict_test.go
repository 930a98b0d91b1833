package webtest

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"wasmcnn/core/ink"
	"wasmcnn/core/onnx"
	"wasmcnn/core/verdict"
	"wasmcnn/data"
)

// answerState is the page's answer as a test reads it: #prediction, its
// attributes, the lines around it, the score rows and wasmcnnPage.state().
type answerState struct {
	HasVerdict                bool
	Verdict, Digit, Cands     string
	Text, Lead, Conf, Why     string
	Shown                     []float64 // #probs li[data-p], in class order
	Input                     []float32
	StateKind                 string // state().verdict.verdict, "" for null
	StateProbs                []float64
	StateDigit, StateScoreSet bool
}

// readAnswer reads the answer once two frames have passed since the last
// drawing.
func readAnswer(t *testing.T, ctx context.Context) answerState {
	t.Helper()
	if _, err := prediction(ctx); err != nil {
		t.Fatal(err)
	}
	a, err := chromedp.Run(ctx, chromedp.Evaluate[answerState](`(() => {
  const p = document.getElementById("prediction"), s = wasmcnnPage.state(), v = s.verdict;
  const rows = Array.from(document.querySelectorAll("#probs li"));
  return {HasVerdict: p.hasAttribute("data-verdict"), Verdict: p.dataset.verdict || "", Digit: p.dataset.digit || "", Cands: p.dataset.candidates || "",
    Text: p.textContent, Lead: document.getElementById("verdict-lead").textContent, Conf: document.getElementById("confidence").textContent,
    Why: document.getElementById("verdict-why").textContent, Shown: rows.map((li) => Number(li.dataset.p)), Input: Array.from(s.input),
    StateKind: v ? v.verdict : "", StateProbs: v ? Array.from(v.probabilities) : [], StateDigit: !!v && v.digit !== null,
    StateScoreSet: !!v && typeof v.score === "number"};
})()`))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// checkAnswer holds the page's answer to the native engine's on the page's
// own input, decided by the rule natively: the verdict, the words shown,
// the calibrated probabilities of the score rows and of state(). It
// returns the native verdict.
func checkAnswer(t *testing.T, what string, a answerState, native *onnx.Model, rule verdict.Rule) verdict.Verdict {
	t.Helper()
	out, err := native.Predict(a.Input)
	if err != nil {
		t.Fatal(err)
	}
	want, err := rule.Decide(out)
	if err != nil {
		t.Fatal(err)
	}
	digit := string(rune('0' + want.Candidates[0]))
	second := string(rune('0' + want.Candidates[1]))
	text, dig, cands, why := digit, digit, "", "Sure: "+digit+" scored"
	switch want.Kind {
	case verdict.Unsure:
		text, cands, why = digit+" or "+second+"?", digit+" "+second, "Unsure: "+digit+" scored"
	case verdict.NotDigit:
		text, dig, why = "not a digit", "", "Not a digit: no digit scored above"
	}
	if a.Verdict != string(want.Kind) || a.StateKind != a.Verdict || a.Text != text || a.Digit != dig || a.Cands != cands || !strings.HasPrefix(a.Why, why) {
		t.Errorf("%s: the page answers %+v; natively %s: want text %q, digit %q, candidates %q, a line starting %q",
			what, a, want.Kind, text, dig, cands, why)
	}
	if (want.Kind == verdict.NotDigit) != (a.Conf == "") || (want.Kind == verdict.NotDigit) == a.StateDigit || !a.StateScoreSet {
		t.Errorf("%s (%s): confidence %q, state's digit set %v, score set %v", what, want.Kind, a.Conf, a.StateDigit, a.StateScoreSet)
	}
	if len(a.Shown) != 10 || len(a.StateProbs) != 10 {
		t.Fatalf("%s: %d score rows, %d probabilities in state()", what, len(a.Shown), len(a.StateProbs))
	}
	for i, p := range want.Probabilities {
		if math.Abs(a.Shown[i]-float64(p)) > 1e-5 || math.Abs(a.StateProbs[i]-float64(p)) > 1e-5 {
			t.Errorf("%s: calibrated probability %d: row %v, state %v, natively %v", what, i, a.Shown[i], a.StateProbs[i], p)
		}
	}
	return want
}

// TestVerdictOnPage draws held-out pen digits and held-out non-digits
// (testdata) on the page and holds its answer — #prediction's
// data-verdict, data-digit, data-candidates and text, the line saying why,
// the calibrated scores — to the native engine and the shipped model's
// rule; the same strokes rendered natively mostly reach the same verdict;
// a clear pad has no verdict.
func TestVerdictOnPage(t *testing.T) {
	native, err := onnx.LoadModelFile(filepath.Join(siteDir, "models", "digits.onnx"), nil)
	if err != nil {
		t.Fatal(err)
	}
	rule, err := verdict.FromMetadata(native.Metadata)
	if err != nil {
		t.Fatalf("the shipped model's rule: %v", err)
	}
	digits, err := data.LoadStrokeDigits(filepath.Join("..", "testdata", "pendigits", "heldout300.json"))
	if err != nil {
		t.Fatal(err)
	}
	non, err := data.LoadDrawings(filepath.Join("..", "testdata", "notdigits", "sample.json"))
	if err != nil {
		t.Fatal(err)
	}
	type item struct {
		what    string
		label   int // −1: no digit
		strokes [][][2]float32
	}
	var items []item
	for i := 0; i < len(digits); i += 10 {
		items = append(items, item{"pen digit " + string(rune('0'+digits[i].Label)), digits[i].Label, digits[i].Strokes})
	}
	for i := 0; i < len(non); i += 3 {
		items = append(items, item{non[i].Source, -1, non[i].Strokes})
	}
	ctx := newBrowser(t, 10*time.Minute)
	srv := serve(t, siteDir)
	openPage(t, ctx, srv.URL+"/index.html")
	r0, err := padRect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var r ink.StrokeRenderer
	img := make([]float32, 784)
	kinds := map[string]map[verdict.Kind]int{"digits": {}, "non-digits": {}}
	agree := 0
	for _, it := range items {
		placed := ink.PlaceStrokes(it.strokes, ink.PadSize, ink.DigitFraction)
		strokes := make([][][2]float32, len(placed))
		for k, s := range placed {
			strokes[k] = s
		}
		if err := drawStrokes(ctx, r0, strokes); err != nil {
			t.Fatal(err)
		}
		v := checkAnswer(t, it.what, readAnswer(t, ctx), native, rule)
		group := "digits"
		if it.label < 0 {
			group = "non-digits"
		}
		kinds[group][v.Kind]++
		// The same strokes drawn natively.
		if r.RenderCanvas(img, placed, ink.PenWidth) {
			if out, err := native.Predict(img); err == nil {
				if w, err := rule.Decide(out); err == nil && w.Kind == v.Kind {
					agree++
				}
			}
		}
		if err := chromedp.Do(ctx, chromedp.Click("#clear")); err != nil {
			t.Fatal(err)
		}
		if a := readAnswer(t, ctx); a.HasVerdict || a.Text != "" || a.Why != "" || a.Conf != "" || a.StateKind != "" || a.Digit != "" {
			t.Fatalf("after Clear: %+v, want no answer", a)
		}
	}
	t.Logf("%d drawings: digits %v, non-digits %v; the same verdict natively from the strokes for %d", len(items), kinds["digits"], kinds["non-digits"], agree)
	// Loose bounds, so that a verdict broken on the page is caught: the
	// figures themselves are measured by the eval command.
	nd, d := kinds["non-digits"], kinds["digits"]
	if nd[verdict.NotDigit] < (nd[verdict.NotDigit]+nd[verdict.Unsure]+nd[verdict.Digit])*2/3 || d[verdict.Digit] < (d[verdict.NotDigit]+d[verdict.Unsure]+d[verdict.Digit])*4/5 {
		t.Errorf("digits %v, non-digits %v: the page's verdicts are far from the model's measured ones", d, nd)
	}
	if agree < len(items)*9/10 {
		t.Errorf("the page's verdict agrees with the native rendering's on %d of %d drawings", agree, len(items))
	}
}
