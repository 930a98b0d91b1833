// Package verdict says what a digit model's answer means: a digit it is
// sure of, two candidates it cannot choose between ("4 or 9?"), or a drawing
// that is no digit at all — with probabilities that mean what they say.
//
// A softmax over ten digits always names one, however little the drawing
// looks like any, and a model trained with label smoothing is never quite
// sure even of a clean digit. So the model is trained to spread its belief
// over the digits for what is not one (outlier exposure), and its outputs are
// calibrated by temperature scaling (Guo et al., 2017): the probabilities p
// become softmax(log p / T), one number T fitted on digits the model never
// trained on. The verdict is then read from the calibrated probabilities with
// two thresholds ([Rule]).
//
// The rule's numbers belong to one model: they travel in its ONNX metadata
// under the keys [KeyTemperature], [KeyNotDigitBelow] and [KeySureAt]
// (written by the calibrate command, kept by fine-tuning). A model without
// them has no verdict: [FromMetadata] returns [ErrNoRule] rather than guess.
//
// Verdict stands alone: it imports no package of wasmcnn but
// wasmcnn/internal/fmtlite, so the page, the library, the edge worker and the
// command line decide exactly alike.
package verdict

import (
	"errors"
	"math"
	"strconv"

	"wasmcnn/internal/fmtlite"
)

// Metadata keys of a model's verdict rule, plain decimal numbers (the
// browser builds leave encoding/json out).
const (
	// KeyTemperature holds T of the calibration softmax(log p / T).
	KeyTemperature = "wasmcnn_verdict_temperature"
	// KeyNotDigitBelow holds the threshold on the score (the two largest
	// calibrated probabilities added) below which a drawing is no digit.
	KeyNotDigitBelow = "wasmcnn_verdict_not_digit_below"
	// KeySureAt holds the calibrated probability of the best digit from
	// which the model is sure; below it, it is unsure between two.
	KeySureAt = "wasmcnn_verdict_sure_at"
)

// Keys lists the metadata keys of a rule, in the order [Rule.Metadata]
// writes them.
var Keys = []string{KeyTemperature, KeyNotDigitBelow, KeySureAt}

// ErrNoRule is returned for a model whose metadata carries no verdict rule.
var ErrNoRule = errors.New("verdict: the model carries no verdict rule (temperature and thresholds); its scores cannot be read as digit, unsure or not a digit")

// Kind is what the model's answer means.
type Kind string

// The verdicts.
const (
	Digit    Kind = "digit"       // one digit, with confidence
	Unsure   Kind = "unsure"      // two candidates, neither sure
	NotDigit Kind = "not-a-digit" // the drawing is no digit
)

// Rule turns calibrated probabilities into a verdict:
//
//	score = the two largest calibrated probabilities added
//	score < NotDigitBelow           → not-a-digit
//	else best < SureAt              → unsure (the best two named)
//	else                            → digit
//
// The score adds the runner-up so that a drawing torn between two digits
// (each near 50 %) is unsure, not refused: what marks a non-digit is belief
// spread over many digits.
type Rule struct {
	Temperature   float64 `json:"temperature"`     // T > 0 of softmax(log p / T); 1 leaves p as it is
	NotDigitBelow float64 `json:"not_digit_below"` // in [0, 1]
	SureAt        float64 `json:"sure_at"`         // in [0, 1]
}

// Check reports whether the rule's numbers are usable.
func (r Rule) Check() error {
	switch {
	case !(r.Temperature > 0.01) || r.Temperature > 100:
		return fmtlite.Errorf("verdict: temperature %v, want a number in (0.01, 100]", r.Temperature)
	case !(r.NotDigitBelow >= 0) || r.NotDigitBelow > 1:
		return fmtlite.Errorf("verdict: not-a-digit threshold %v, want a number in [0, 1]", r.NotDigitBelow)
	case !(r.SureAt >= 0) || r.SureAt > 1:
		return fmtlite.Errorf("verdict: sure threshold %v, want a number in [0, 1]", r.SureAt)
	}
	return nil
}

// Metadata returns the rule as ONNX metadata entries.
func (r Rule) Metadata() [][2]string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
	return [][2]string{{KeyTemperature, f(r.Temperature)}, {KeyNotDigitBelow, f(r.NotDigitBelow)}, {KeySureAt, f(r.SureAt)}}
}

// FromMetadata reads a model's rule from its metadata (onnx.Model.Metadata).
// It returns [ErrNoRule] when none of the keys is there, and an error naming
// the entry when one is missing or not a usable number.
func FromMetadata(md map[string]string) (Rule, error) {
	found := 0
	for _, k := range Keys {
		if _, ok := md[k]; ok {
			found++
		}
	}
	if found == 0 {
		return Rule{}, ErrNoRule
	}
	var v [3]float64
	for i, k := range Keys {
		s, ok := md[k]
		if !ok {
			return Rule{}, fmtlite.Errorf("verdict: the model's metadata lacks %s", k)
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return Rule{}, fmtlite.Errorf("verdict: metadata %s = %q is not a number", k, s)
		}
		v[i] = f
	}
	r := Rule{Temperature: v[0], NotDigitBelow: v[1], SureAt: v[2]}
	return r, r.Check()
}

// Verdict is the meaning of one answer of the model.
type Verdict struct {
	Kind Kind
	// Digit is the best digit, −1 for [NotDigit].
	Digit int
	// Candidates are the two digits with the largest calibrated
	// probabilities, best first (for Unsure: "4 or 9?").
	Candidates [2]int
	// Score is the two candidates' calibrated probabilities added, what
	// NotDigitBelow is compared with.
	Score float64
	// Probabilities are the calibrated probabilities, one per class.
	Probabilities []float32
}

// Decide calibrates a model's output probabilities for one drawing (one per
// class, at least two, each finite and in [0, 1]) and gives the verdict.
// It returns an error, never panics, for outputs that are not probabilities.
func (r Rule) Decide(probs []float32) (Verdict, error) {
	if err := r.Check(); err != nil {
		return Verdict{}, err
	}
	q := make([]float32, len(probs))
	if err := Calibrate(q, probs, r.Temperature); err != nil {
		return Verdict{}, err
	}
	a, b := TopTwo(q)
	v := Verdict{Candidates: [2]int{a, b}, Digit: a, Score: float64(q[a]) + float64(q[b]), Probabilities: q}
	switch {
	case v.Score < r.NotDigitBelow:
		v.Kind, v.Digit = NotDigit, -1
	case float64(q[a]) < r.SureAt:
		v.Kind = Unsure
	default:
		v.Kind = Digit
	}
	return v, nil
}

// minProb is the smallest probability whose logarithm calibration takes: a
// softmax in float32 can round a hopeless class to 0, whose log is −∞.
const minProb = 1e-30

// Calibrate writes softmax(log p / T) of probs into dst (same length, at
// least two values, each finite and in [0, 1]). With T > 1 the answer grows
// less sure, with T < 1 surer; the order of the classes never changes.
func Calibrate(dst, probs []float32, temperature float64) error {
	if len(probs) < 2 || len(dst) != len(probs) {
		return fmtlite.Errorf("verdict: %d probabilities into %d places; want at least two, one place each", len(probs), len(dst))
	}
	if !(temperature > 0) || math.IsInf(temperature, 0) {
		return fmtlite.Errorf("verdict: temperature %v, want a finite number > 0", temperature)
	}
	top := math.Inf(-1)
	for i, p := range probs {
		if !(p >= 0 && p <= 1) {
			return fmtlite.Errorf("verdict: probability %d is %v, want a number in [0, 1]", i, p)
		}
		top = math.Max(top, logit(p, temperature))
	}
	var sum float64
	for i, p := range probs {
		e := math.Exp(logit(p, temperature) - top)
		dst[i] = float32(e)
		sum += e
	}
	for i := range dst {
		dst[i] = float32(float64(dst[i]) / sum)
	}
	return nil
}

func logit(p float32, temperature float64) float64 {
	return math.Log(math.Max(float64(p), minProb)) / temperature
}

// TopTwo returns the indices of the largest and the second largest of q
// (at least two values), the lower index first among equals.
func TopTwo(q []float32) (first, second int) {
	first, second = 0, 1
	if q[1] > q[0] {
		first, second = 1, 0
	}
	for i := 2; i < len(q); i++ {
		switch {
		case q[i] > q[first]:
			first, second = i, first
		case q[i] > q[second]:
			second = i
		}
	}
	return first, second
}
