package api

import (
	"syscall/js"

	"wasmcnn/core/verdict"
	"wasmcnn/internal/fmtlite"
	"wasmcnn/wasm/bridge"
	"wasmcnn/wasm/jsglue"
)

// maxVerdictClasses bounds the probabilities verdict takes, as the page
// bounds the classes it shows.
const maxVerdictClasses = 100000

// verdict(handle, probabilities: Float32Array) → {verdict, digit,
// candidates, probabilities, score}: the model's verdict rule (package
// verdict, read from its metadata) applied to one drawing's probabilities,
// as m.predict returns them. A model without a rule gets an Error saying so
// (verdict.ErrNoRule's words), never a guess.
func (a *api) verdict(args []js.Value) (any, error) {
	h, err := handle(args, "verdict")
	if err != nil {
		return nil, err
	}
	if len(args) != 2 {
		return nil, fmtlite.Errorf("verdict: takes (probabilities), got %d arguments", len(args)-1)
	}
	m, err := a.models.Get(h)
	if err != nil {
		return nil, fmtlite.Errorf("verdict: %w", err)
	}
	rule, err := verdict.FromMetadata(m.Metadata)
	if err != nil {
		return nil, err
	}
	p := wrap(args[1])
	if p.TypedArray() == "Float32Array" && (p.Length() < 2 || p.Length() > maxVerdictClasses) {
		return nil, fmtlite.Errorf("verdict: probabilities: %d values, want the probabilities of one drawing (2 to %d)", p.Length(), maxVerdictClasses)
	}
	probs, err := bridge.Floats(p, "verdict: probabilities", nil)
	if err != nil {
		return nil, err
	}
	v, err := rule.Decide(probs)
	if err != nil {
		return nil, err
	}
	return Verdict(v), nil
}

// Verdict is v as JavaScript sees it, from the API and the page alike:
//
//	{verdict: "digit" | "unsure" | "not-a-digit",
//	 digit: the best class, null for not-a-digit,
//	 candidates: [best, second] when unsure, else null,
//	 probabilities: Float32Array, calibrated,
//	 score: the two best calibrated probabilities added}
//
// the shape of the edge worker's answer, plus the score.
func Verdict(v verdict.Verdict) js.Value {
	o := jsObject.New()
	o.Set("verdict", string(v.Kind))
	if v.Kind == verdict.NotDigit {
		o.Set("digit", js.Null())
	} else {
		o.Set("digit", v.Digit)
	}
	if v.Kind == verdict.Unsure {
		o.Set("candidates", js.ValueOf([]any{v.Candidates[0], v.Candidates[1]}))
	} else {
		o.Set("candidates", js.Null())
	}
	o.Set("probabilities", jsglue.Floats(v.Probabilities))
	o.Set("score", v.Score)
	return o
}
