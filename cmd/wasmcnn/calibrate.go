package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sort"

	"wasmcnn/core/nn"
	"wasmcnn/core/onnx"
	"wasmcnn/core/verdict"
	"wasmcnn/data"
)

// calibrationRecord is how a model's verdict rule was chosen, in its card.
type calibrationRecord struct {
	Rule         verdict.Rule `json:"rule"`
	Score        string       `json:"score"`
	Digits       int          `json:"validation_pen_digits"`
	DigitWriters string       `json:"validation_pen_writers"`
	NonDigits    int          `json:"validation_non_digits"`
	NonDigitFile string       `json:"validation_non_digit_file"`
	RefuseBudget float64      `json:"refuse_budget"` // share of validation digits the not-a-digit threshold may refuse
	RightTarget  float64      `json:"right_target"`  // accuracy asked of those called digit
	DigitRefused float64      `json:"validation_pen_not_a_digit"`
	DigitUnsure  float64      `json:"validation_pen_unsure"`
	DigitRight   float64      `json:"validation_pen_right_when_digit"`
	NonRefused   float64      `json:"validation_non_digits_not_a_digit"`
	ECEBefore    float64      `json:"validation_ece_before"`
	ECEAfter     float64      `json:"validation_ece_after"`
	CrossFit     *crossFitted `json:"cross_fitted,omitempty"`
	Command      string       `json:"command"`
	NotTrainedOn string       `json:"note"`
}

// runCalibrate chooses a model's verdict rule on validation material that
// it was not trained on: the temperature that makes its probabilities
// honest on pen digits, the not-a-digit threshold that refuses at most a
// budget of them, and the sure threshold above which the digits it names
// are right as often as asked. It writes the rule into the model's
// metadata (where the page, the library and the worker read it) and its
// card.
func runCalibrate(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("calibrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	modelPath := fs.String("model", "web/models/digits.onnx", "ONNX digit `model` to calibrate (rewritten with its rule, its card beside it)")
	strokes := fs.String("strokes", data.SharedPenDigitsPath(), "pen-digit strokes `file`")
	writers := fs.String("writers", "21-24", "validation writers of -strokes: not trained on, not tested on")
	nonPath := fs.String("notdigits", "dist/notdigits/val.json", "validation non-digit drawings (`file`): drawings of the training sources that were not trained on")
	budget := fs.Float64("refuse", 0.004, "share of validation pen digits the not-a-digit threshold may refuse")
	right := fs.Float64("right", 0.998, "accuracy asked of the digits called sure on validation")
	fixedT := fs.Float64("temperature", 0, "use this temperature rather than fit one (0: fit)")
	crossfit := fs.Bool("crossfit", false, "also estimate how the rule does on writers it was not chosen on: choose it on each half of -writers, measure it on the other, and print the pooled figures")
	dry := fs.Bool("n", false, "print the rule, write nothing")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !(*budget >= 0 && *budget < 1) || !(*right > 0 && *right <= 1) {
		return fmt.Errorf("-refuse %v and -right %v must be shares in [0, 1)", *budget, *right)
	}
	m, err := onnx.LoadModelFile(*modelPath, nil)
	if err != nil {
		return err
	}
	all, err := data.LoadStrokeDigits(*strokes)
	if err != nil {
		return err
	}
	ws, err := parseWriters(*writers)
	if err != nil {
		return err
	}
	val, _ := splitByWriter(all, ws)
	set := renderPenDigits(val, 1, 0, 0)
	writerOf := make([]int, 0, len(val))
	for _, d := range val {
		writerOf = append(writerOf, d.Writer) // renderPenDigits keeps every digit with ink
	}
	non, err := data.LoadDrawings(*nonPath)
	if err != nil {
		return err
	}
	nonX, _ := renderNonDigits(non)
	if set.Len() == 0 || len(nonX) == 0 {
		return fmt.Errorf("no validation material: %d pen digits of writers %s, %d non-digits", set.Len(), *writers, len(nonX)/784)
	}
	raw, err := predictAll(m, set.X)
	if err != nil {
		return err
	}
	rawNon, err := predictAll(m, nonX)
	if err != nil {
		return err
	}
	rec := chooseRule(raw, set.Y, rawNon, *budget, *right, *fixedT)
	if *crossfit {
		if len(writerOf) != len(raw) {
			return fmt.Errorf("a pen digit without ink: cannot split the writers")
		}
		rec.CrossFit = crossFit(raw, set.Y, writerOf, rawNon, *budget, *right, *fixedT)
		c := rec.CrossFit
		fmt.Fprintf(stdout, "cross-fitted (chosen on one half of the writers, measured on the other): %.2f %% not a digit, %.2f %% unsure, %.2f %% right of those called digit, calibration error %.2f %%\n",
			100*c.DigitRefused, 100*c.DigitUnsure, 100*c.DigitRight, 100*c.ECE)
	}
	rec.DigitWriters, rec.NonDigitFile = *writers, repoRelative(*nonPath)
	rec.Command = cardCommand(fs, "model", "strokes", "notdigits")
	r := rec.Rule
	fmt.Fprintf(stdout, "validation: %d pen digits of writers %s, %d non-digits\n", rec.Digits, *writers, rec.NonDigits)
	fmt.Fprintf(stdout, "temperature %.4g: calibration error %.2f %% → %.2f %%\n", r.Temperature, 100*rec.ECEBefore, 100*rec.ECEAfter)
	fmt.Fprintf(stdout, "not a digit below %.4g: %.2f %% of pen digits, %.2f %% of non-digits\n", r.NotDigitBelow, 100*rec.DigitRefused, 100*rec.NonRefused)
	fmt.Fprintf(stdout, "sure from %.4g: %.2f %% of pen digits unsure, %.2f %% right of those called digit\n", r.SureAt, 100*rec.DigitUnsure, 100*rec.DigitRight)
	if *dry {
		return nil
	}
	if err := writeRule(*modelPath, m, rec); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote the rule into %s and %s\n", *modelPath, cardPath(*modelPath))
	return nil
}

// chooseRule fits the temperature on the digits and picks the thresholds.
func chooseRule(raw [][]float32, labels []int, rawNon [][]float32, budget, right, fixedT float64) *calibrationRecord {
	t := fixedT
	if !(t > 0) {
		t = fitTemperature(raw, labels)
	}
	cal := calibrated(raw, t)
	s := scores(cal)
	// Refuse at most the budget: the threshold sits just above the
	// scores of the budgeted share of digits, no higher.
	sorted := append([]float64(nil), s...)
	sort.Float64s(sorted)
	k := int(budget * float64(len(sorted)))
	notBelow := 0.0
	if k > 0 {
		notBelow = (sorted[k-1] + sorted[k]) / 2
	}
	// The sure threshold: the lowest top probability from which the
	// digits called sure are right at least as often as asked — counting
	// each digit right by its calibrated probability rather than by its
	// label. The few digits a good model gets wrong on validation writers
	// are too few to place the threshold; the calibrated probabilities,
	// honest on those writers by the temperature, count every digit.
	var tops []float64
	for i, q := range cal {
		if s[i] < notBelow {
			continue
		}
		a, _ := verdict.TopTwo(q)
		tops = append(tops, float64(q[a]))
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(tops)))
	sureAt, expected := 1.0, 0.0
	for i, top := range tops {
		expected += top
		if expected >= right*float64(i+1) && (i+1 == len(tops) || tops[i+1] < top) {
			sureAt = top
		}
	}
	// Written with four decimals: the refusal threshold rounded down (it
	// refuses no more), the sure one up (it admits no more).
	rule := verdict.Rule{Temperature: math.Round(t*1e4) / 1e4, NotDigitBelow: math.Floor(notBelow*1e4) / 1e4, SureAt: math.Ceil(sureAt*1e4) / 1e4}
	rec := &calibrationRecord{Rule: rule, Score: "top two calibrated probabilities added", Digits: len(raw), NonDigits: len(rawNon),
		RefuseBudget: budget, RightTarget: right,
		NotTrainedOn: "the validation writers and drawings were not trained on; the held-out writers and sources of the eval command are used for neither"}
	rec.ECEBefore, rec.ECEAfter = calibration(raw, labels, eceBins).ECE, calibration(cal, labels, eceBins).ECE
	var count tally
	for i, p := range raw {
		if _, err := count.add(rule, p, labels[i]); err != nil {
			panic(err) // the model's softmax outputs
		}
	}
	nonRefused := 0
	for _, p := range rawNon {
		if v, _ := rule.Decide(p); v.Kind == verdict.NotDigit {
			nonRefused++
		}
	}
	rec.DigitRefused, rec.DigitUnsure, rec.DigitRight = count.shares()
	rec.NonRefused = frac(nonRefused, len(rawNon))
	return rec
}

// writeRule rewrites the model at path with the rule in its metadata (the
// other entries kept, the card among them updated) and records the
// calibration in its card.
func writeRule(path string, m *onnx.Model, rec *calibrationRecord) error {
	im, err := nn.ImportNet(m)
	if err != nil {
		return err
	}
	card, err := readCard(path)
	if err != nil {
		return fmt.Errorf("the model's card: %v", err)
	}
	card.Calibration = rec
	cj, err := json.MarshalIndent(card, "", "  ")
	if err != nil {
		return err
	}
	md := [][2]string{{"model_card", string(cj)}}
	keys := make([]string, 0, len(m.Metadata))
	for k := range m.Metadata {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k != "model_card" && !slices.Contains(verdict.Keys, k) {
			md = append(md, [2]string{k, m.Metadata[k]})
		}
	}
	md = append(md, rec.Rule.Metadata()...)
	b, err := im.ExportONNX(im.Net, m.Description, md)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return err
	}
	return writeCard(path, card)
}

// crossFitted is how a rule chosen on one half of the writers does on the
// other half, pooled over the two halves: an estimate for writers the rule
// was not chosen on.
type crossFitted struct {
	Halves       [2]string `json:"halves"`
	DigitRefused float64   `json:"pen_not_a_digit"`
	DigitUnsure  float64   `json:"pen_unsure"`
	DigitRight   float64   `json:"pen_right_when_digit"`
	ECE          float64   `json:"ece"`
}

// crossFit splits the digits by writer into a lower and an upper half,
// chooses the rule on each and measures it on the other.
func crossFit(raw [][]float32, labels, writer []int, rawNon [][]float32, budget, right, fixedT float64) *crossFitted {
	ids := slices.Compact(slices.Sorted(slices.Values(slices.Clone(writer))))
	mid := ids[len(ids)/2]
	var half [2][]int
	for i, w := range writer {
		if w < mid {
			half[0] = append(half[0], i)
		} else {
			half[1] = append(half[1], i)
		}
	}
	pick := func(idx []int) ([][]float32, []int) {
		r, l := make([][]float32, len(idx)), make([]int, len(idx))
		for k, i := range idx {
			r[k], l[k] = raw[i], labels[i]
		}
		return r, l
	}
	c := &crossFitted{Halves: [2]string{fmt.Sprintf("%d-%d", ids[0], mid-1), fmt.Sprintf("%d-%d", mid, ids[len(ids)-1])}}
	var t tally
	var cal [][]float32
	var calLabels []int
	for h := range half {
		fitR, fitL := pick(half[h])
		testR, testL := pick(half[1-h])
		rule := chooseRule(fitR, fitL, rawNon, budget, right, fixedT).Rule
		for i, p := range testR {
			v, err := t.add(rule, p, testL[i])
			if err != nil {
				panic(err) // the model's softmax outputs
			}
			cal = append(cal, v.Probabilities)
			calLabels = append(calLabels, testL[i])
		}
	}
	c.DigitRefused, c.DigitUnsure, c.DigitRight = t.shares()
	c.ECE = calibration(cal, calLabels, eceBins).ECE
	return c
}
