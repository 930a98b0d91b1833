package api

import (
	"math"
	"strconv"
	"strings"
	"syscall/js"
	"testing"

	"wasmcnn/core/nn"
	"wasmcnn/core/verdict"
)

// testRule is the rule of the model setRuledModel makes.
var testRule = verdict.Rule{Temperature: 0.5, NotDigitBelow: 0.8, SureAt: 0.9}

// setRuledModel puts RULED_MODEL on the global object: a small digit
// network whose metadata carries testRule.
func setRuledModel(t *testing.T) {
	t.Helper()
	b, err := nn.ReferenceNetS(2).ExportONNX(nn.ExportOptions{Metadata: testRule.Metadata()})
	if err != nil {
		t.Fatal(err)
	}
	u8 := js.Global().Get("Uint8Array").New(len(b))
	js.CopyBytesToJS(u8, b)
	js.Global().Set("RULED_MODEL", u8)
}

// TestJSAPIVerdict: m.verdict applies the rule in the model's metadata
// exactly as package verdict does, for each kind of answer, from a
// Float32Array or an array; a model without a rule throws saying so.
func TestJSAPIVerdict(t *testing.T) {
	setup(t)
	setModelGlobal(t, "MODEL", nn.ReferenceNetS(1))
	setRuledModel(t)
	run(`globalThis.RULED = wasmcnn.loadModel(RULED_MODEL); globalThis.PLAIN = wasmcnn.loadModel(MODEL);`)
	for _, probs := range [][]float32{
		{0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.91, 0.01, 0.01}, // digit
		{0, 0, 0, 0, 0.5, 0, 0, 0, 0, 0.5},                           // unsure
		{0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1},           // not a digit
	} {
		want, err := testRule.Decide(probs)
		if err != nil {
			t.Fatal(err)
		}
		src := "["
		for i, p := range probs {
			if i > 0 {
				src += ","
			}
			src += strconv.FormatFloat(float64(p), 'g', -1, 32)
		}
		src += "]"
		for _, arg := range []string{"new Float32Array(" + src + ")", src} {
			got := run("RULED.verdict(" + arg + ")")
			if k := got.Get("verdict").String(); k != string(want.Kind) {
				t.Errorf("%s: verdict %s, want %s", arg, k, want.Kind)
			}
			if d := got.Get("digit"); want.Kind == verdict.NotDigit != d.IsNull() || !d.IsNull() && d.Int() != want.Digit {
				t.Errorf("%s: digit %v, want %d", arg, d, want.Digit)
			}
			if c := got.Get("candidates"); want.Kind == verdict.Unsure == c.IsNull() || !c.IsNull() && (c.Index(0).Int() != want.Candidates[0] || c.Index(1).Int() != want.Candidates[1]) {
				t.Errorf("%s: candidates %v, want %v only when unsure", arg, c, want.Candidates)
			}
			if s := got.Get("score").Float(); math.Abs(s-want.Score) > 1e-12 {
				t.Errorf("%s: score %v, want %v", arg, s, want.Score)
			}
			p := got.Get("probabilities")
			if p.Get("constructor").Get("name").String() != "Float32Array" || p.Length() != 10 {
				t.Fatalf("%s: probabilities %v", arg, p)
			}
			for i := range 10 {
				if v := float32(p.Index(i).Float()); v != want.Probabilities[i] {
					t.Errorf("%s: calibrated probability %d = %v, want %v", arg, i, v, want.Probabilities[i])
				}
			}
		}
	}
	msg := js.Global().Call("jsTry", run(`(() => PLAIN.verdict(new Float32Array(10).fill(0.1)))`))
	if msg.IsNull() || !strings.Contains(msg.String(), "carries no verdict rule") {
		t.Errorf("a model without a rule: %v", msg)
	}
}
