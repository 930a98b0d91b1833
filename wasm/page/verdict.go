package page

import (
	"errors"
	"strconv"

	"wasmcnn/core/onnx"
	"wasmcnn/core/verdict"
)

// The verdict on the page: a model whose metadata carries a verdict rule
// (package verdict) answers digit, unsure or not-a-digit, shows calibrated
// probabilities and says in one line why; a model without one (most dropped
// models) names its best class as it always did, no data-verdict on
// #prediction, and the line says it has no rule. Everything shown is
// written here, in plain Go, so that it is tested without a browser.

// noRuleWhy is the line under the answer of a model without a verdict rule.
const noRuleWhy = "This model carries no verdict rule (temperature and thresholds in its metadata): it names its best class, whatever it is shown."

// ruleOf reads a model's verdict rule: nil and the line to show when it has
// none or an unusable one.
func ruleOf(m *onnx.Model) (*verdict.Rule, string) {
	r, err := verdict.FromMetadata(m.Metadata)
	switch {
	case errors.Is(err, verdict.ErrNoRule):
		return nil, noRuleWhy
	case err != nil:
		return nil, "This model's verdict rule is unusable (" + err.Error() + "): it names its best class, whatever it is shown."
	}
	return &r, ""
}

// answerText is what the answer shows for one drawing.
type answerText struct {
	kind       string // data-verdict: "digit", "unsure", "not-a-digit"; "" for no rule
	lead       string // the words before #prediction ("It reads", "That is")
	prediction string // #prediction: "7", "4 or 9?", "not a digit"
	digit      string // data-digit: the best class's label, "" for not-a-digit
	candidates string // data-candidates: "4 9" when unsure, else ""
	confidence string // #confidence
	why        string // #verdict-why, the one line saying why
}

// describe writes the answer to probs (the probabilities shown: calibrated
// when rule is not nil) with verdict v under rule, or without a rule the
// best class and noRule, the line to show for it.
func describe(labels []string, probs []float32, rule *verdict.Rule, v verdict.Verdict, noRule string) answerText {
	if rule == nil {
		best := argmax(probs)
		return answerText{lead: "It reads", prediction: labels[best], digit: labels[best], confidence: pctRound(probs[best]) + " sure", why: noRule}
	}
	a, b := v.Candidates[0], v.Candidates[1]
	pa, pb := probs[a], probs[b]
	sure := "the " + pctTenths(float32(rule.SureAt)) + " from which it is sure"
	switch v.Kind {
	case verdict.NotDigit:
		return answerText{kind: string(v.Kind), lead: "That is", prediction: "not a digit",
			why: "Not a digit: no digit scored above " + pctTenths(pa) + "; the two best, " + labels[a] + " and " + labels[b] +
				", add up to " + pctTenths(float32(v.Score)) + ", under the " + pctTenths(float32(rule.NotDigitBelow)) + " a digit takes."}
	case verdict.Unsure:
		return answerText{kind: string(v.Kind), lead: "It reads", prediction: labels[a] + " or " + labels[b] + "?",
			digit: labels[a], candidates: labels[a] + " " + labels[b], confidence: pctRound(pa) + " or " + pctRound(pb),
			why: "Unsure: " + labels[a] + " scored " + pctTenths(pa) + " and " + labels[b] + " " + pctTenths(pb) + "; neither reached " + sure + "."}
	}
	return answerText{kind: string(v.Kind), lead: "It reads", prediction: labels[a], digit: labels[a], confidence: pctRound(pa) + " sure",
		why: "Sure: " + labels[a] + " scored " + pctTenths(pa) + ", at or above " + sure + "."}
}

// argmax is the index of the largest value, the first of equals.
func argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

// pctRound writes p as a whole percentage, "96%", as #confidence always
// has.
func pctRound(p float32) string {
	return strconv.FormatFloat(float64(100*p), 'f', 0, 32) + "%"
}

// pctTenths writes p in tenths of a percent, "81.3%", as the score rows
// do: the precision the lesson line compares thresholds at.
func pctTenths(p float32) string { return percent(tenths(p)) }
