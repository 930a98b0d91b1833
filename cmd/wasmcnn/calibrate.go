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

	"wasmcnn/core/ink"
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
	set := renderPenDigits(val, 1, 0)
	non, err := data.LoadDrawings(*nonPath)
	if err != nil {
		return err
	}
	nonX, _ := renderDrawings(non, 1, 0, 0, ink.DigitFraction)
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
	cal, calNon := calibrated(raw, t), calibrated(rawNon, t)
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
	// digits called sure are right at least as often as asked.
	type pick struct {
		top   float64
		right bool
	}
	var kept []pick
	for i, q := range cal {
		if s[i] < notBelow {
			continue
		}
		a, _ := verdict.TopTwo(q)
		kept = append(kept, pick{float64(q[a]), a == labels[i]})
	}
	sort.Slice(kept, func(i, j int) bool { return kept[i].top > kept[j].top })
	sureAt, good := 1.0, 0
	for i, p := range kept {
		if p.right {
			good++
		}
		if float64(good) >= right*float64(i+1) && (i+1 == len(kept) || kept[i+1].top < p.top) {
			sureAt = p.top
		}
	}
	// Written with four decimals: the refusal threshold rounded down (it
	// refuses no more), the sure one up (it admits no more).
	rule := verdict.Rule{Temperature: math.Round(t*1e4) / 1e4, NotDigitBelow: math.Floor(notBelow*1e4) / 1e4, SureAt: math.Ceil(sureAt*1e4) / 1e4}
	rec := &calibrationRecord{Rule: rule, Score: "top two calibrated probabilities added", Digits: len(raw), NonDigits: len(rawNon),
		RefuseBudget: budget, RightTarget: right,
		NotTrainedOn: "the validation writers and drawings were not trained on; the held-out writers and sources of the eval command are used for neither"}
	rec.ECEBefore, rec.ECEAfter = calibration(raw, labels, eceBins).ECE, calibration(cal, labels, eceBins).ECE
	var refused, unsure, called, calledRight, nonRefused int
	for i, p := range raw {
		v, _ := rule.Decide(p)
		switch v.Kind {
		case verdict.NotDigit:
			refused++
		case verdict.Unsure:
			unsure++
		default:
			called++
			if v.Digit == labels[i] {
				calledRight++
			}
		}
	}
	for _, p := range rawNon {
		if v, _ := rule.Decide(p); v.Kind == verdict.NotDigit {
			nonRefused++
		}
	}
	rec.DigitRefused, rec.DigitUnsure, rec.DigitRight = frac(refused, len(raw)), frac(unsure, len(raw)), frac(calledRight, called)
	rec.NonRefused = frac(nonRefused, len(rawNon))
	_ = calNon
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
