package page

import (
	"strings"
	"testing"

	"wasmcnn/core/onnx"
	"wasmcnn/core/verdict"
)

var digitLabels = strings.Split("0 1 2 3 4 5 6 7 8 9", " ")

// TestDescribe: each verdict shows its own words, attributes and one line
// saying why, with the numbers the rule compared.
func TestDescribe(t *testing.T) {
	rule := &verdict.Rule{Temperature: 1, NotDigitBelow: 0.8, SureAt: 0.9}
	probs := func(pairs ...float32) []float32 {
		p := make([]float32, 10)
		rest := float32(1)
		for i := 0; i < len(pairs); i += 2 {
			p[int(pairs[i])] = pairs[i+1]
			rest -= pairs[i+1]
		}
		for i := range p {
			if p[i] == 0 {
				p[i] = rest / float32(10-len(pairs)/2)
			}
		}
		return p
	}
	for _, c := range []struct {
		probs                          []float32
		kind, pred, digit, cands, conf string
		lead                           string
		whyHas                         []string
	}{
		{probs(7, 0.97), "digit", "7", "7", "", "97% sure", "It reads", []string{"Sure: 7 scored 97.0%", "90.0%"}},
		{probs(4, 0.55, 9, 0.41), "unsure", "4 or 9?", "4", "4 9", "55% or 41%", "It reads", []string{"Unsure: 4 scored 55.0% and 9 41.0%", "90.0%"}},
		{probs(3, 0.31, 8, 0.22), "not-a-digit", "not a digit", "", "", "", "That is", []string{"Not a digit: no digit scored above 31.0%", "3 and 8", "53.0%", "80.0%"}},
	} {
		v, err := rule.Decide(c.probs)
		if err != nil {
			t.Fatal(err)
		}
		a := describe(digitLabels, v.Probabilities, rule, v, "")
		if a.kind != c.kind || a.prediction != c.pred || a.digit != c.digit || a.candidates != c.cands || a.confidence != c.conf || a.lead != c.lead {
			t.Errorf("%s: %+v", c.kind, a)
		}
		for _, w := range c.whyHas {
			if !strings.Contains(a.why, w) {
				t.Errorf("%s: the line %q lacks %q", c.kind, a.why, w)
			}
		}
	}
	// Without a rule: the best class, no verdict, and the line saying so.
	a := describe([]string{"cat", "dog"}, []float32{0.3, 0.7}, nil, verdict.Verdict{}, noRuleWhy)
	if a.kind != "" || a.prediction != "dog" || a.digit != "dog" || a.confidence != "70% sure" || a.why != noRuleWhy {
		t.Errorf("no rule: %+v", a)
	}
}

// TestRuleOf: a model's rule comes from its metadata; none, or an unusable
// one, gives no verdict and a line saying why.
func TestRuleOf(t *testing.T) {
	if r, why := ruleOf(&onnx.Model{Metadata: map[string]string{}}); r != nil || why != noRuleWhy {
		t.Errorf("no rule: %v %q", r, why)
	}
	bad := map[string]string{verdict.KeyTemperature: "0.5", verdict.KeyNotDigitBelow: "2", verdict.KeySureAt: "0.9"}
	if r, why := ruleOf(&onnx.Model{Metadata: bad}); r != nil || !strings.Contains(why, "unusable") || !strings.Contains(why, "not-a-digit threshold 2") {
		t.Errorf("a bad rule: %v %q", r, why)
	}
	good := map[string]string{}
	for _, kv := range (verdict.Rule{Temperature: 0.5, NotDigitBelow: 0.8, SureAt: 0.9}).Metadata() {
		good[kv[0]] = kv[1]
	}
	if r, why := ruleOf(&onnx.Model{Metadata: good}); r == nil || r.SureAt != 0.9 || why != "" {
		t.Errorf("a rule: %v %q", r, why)
	}
}
