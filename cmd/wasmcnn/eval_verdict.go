package main

import (
	"errors"
	"fmt"
	"image/color"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"wasmcnn/core/ink"
	"wasmcnn/core/nn"
	"wasmcnn/core/onnx"
	"wasmcnn/core/verdict"
	"wasmcnn/data"
	"wasmcnn/internal/site"
)

// eceBins is the number of equal-width confidence bins of the expected
// calibration error, as Guo et al. (2017) count it.
const eceBins = 15

// verdictReport is what the eval command measures of a model's verdict on
// held-out pen digits and non-digit drawings; the model card keeps it.
type verdictReport struct {
	Rule          *verdict.Rule `json:"rule"`
	Digits        int           `json:"pen_digits"`
	DigitWriters  string        `json:"pen_writers,omitempty"`
	DigitRefused  float64       `json:"pen_not_a_digit"`      // fraction called not-a-digit
	DigitUnsure   float64       `json:"pen_unsure"`           // fraction called unsure
	DigitRight    float64       `json:"pen_right_when_digit"` // accuracy among those called digit
	Accuracy      float64       `json:"pen_accuracy"`         // top-1 accuracy of all
	SureAt99      float64       `json:"pen_read_99_sure"`     // fraction read with ≥ 99 % (calibrated)
	ECEBefore     float64       `json:"ece_before"`           // 15 bins, raw outputs
	ECEAfter      float64       `json:"ece_after"`            // 15 bins, calibrated
	NonDigits     int           `json:"non_digits"`
	NonDigitFile  string        `json:"non_digit_file,omitempty"`
	Refused       float64       `json:"non_digits_not_a_digit"`
	RefusedBy     []sourceShare `json:"non_digits_not_a_digit_by_source"`
	AUROC         float64       `json:"auroc"`          // score: calibrated top two, digits vs non-digits
	AUROCBaseline float64       `json:"auroc_baseline"` // maximum softmax probability, raw
	RefusedAt     []float64     `json:"non_digits_refused_at_1_and_5_percent_of_digits"`

	// The non-digits taken for digits, and the pen digits refused or
	// doubted, for pictures.
	accepted         [][]float32
	acceptedCaptions []string
	doubted          [][]float32
	doubtedCaptions  []string
}

// maxTiles is the most drawings a picture of the eval command shows.
const maxTiles = 144

// shortSource is a source's name without its group, cut to fit a caption.
func shortSource(s string) string {
	if _, name, ok := strings.Cut(s, "/"); ok {
		s = name
	}
	if len(s) > 8 {
		s = s[:8]
	}
	return s
}

type sourceShare struct {
	Source  string  `json:"source"`
	Count   int     `json:"count"`
	Refused float64 `json:"not_a_digit"`
}

// evalVerdict measures the verdict of m on pen digits and non-digits
// (already rendered), prints the report and draws the reliability diagram
// at plotPath (none when empty).
func evalVerdict(w io.Writer, m *onnx.Model, digits *nn.Dataset, nonX []float32, nonSrc []string, plotPath string) (*verdictReport, error) {
	digitsX, labels := digits.X, digits.Y
	rule, err := verdict.FromMetadata(m.Metadata)
	var rp *verdict.Rule
	switch {
	case errors.Is(err, verdict.ErrNoRule):
		fmt.Fprintln(w, "the model carries no verdict rule: only its raw scores are measured")
	case err != nil:
		return nil, err
	default:
		rp = &rule
	}
	raw, err := predictAll(m, digitsX)
	if err != nil {
		return nil, err
	}
	rawNon, err := predictAll(m, nonX)
	if err != nil {
		return nil, err
	}
	t := 1.0
	if rp != nil {
		t = rp.Temperature
	}
	cal, calNon := calibrated(raw, t), calibrated(rawNon, t)
	rep := &verdictReport{Rule: rp, Digits: len(raw), NonDigits: len(rawNon)}
	before, after := calibration(raw, labels, eceBins), calibration(cal, labels, eceBins)
	rep.ECEBefore, rep.ECEAfter = before.ECE, after.ECE
	rep.AUROC = auroc(scores(cal), scores(calNon))
	rep.AUROCBaseline = auroc(topScores(raw), topScores(rawNon))
	right, sure99 := 0, 0
	for i, q := range cal {
		a, _ := verdict.TopTwo(q)
		if a == labels[i] {
			right++
		}
		if q[a] >= 0.99 {
			sure99++
		}
	}
	rep.Accuracy = frac(right, len(cal))
	rep.SureAt99 = frac(sure99, len(cal))
	fmt.Fprintf(w, "pen digits: %d, accuracy %.2f %%, read ≥ 99 %% sure: %.1f %%\n", len(cal), 100*rep.Accuracy, 100*rep.SureAt99)
	fmt.Fprintf(w, "calibration error (%d bins): %.2f %% raw, %.2f %% at temperature %.3g\n", eceBins, 100*rep.ECEBefore, 100*rep.ECEAfter, t)
	fmt.Fprintf(w, "AUROC digits vs non-digits: %.4f (calibrated top two), %.4f (raw maximum probability)\n", rep.AUROC, rep.AUROCBaseline)
	// What the score could do at any threshold: the share of non-digits
	// below the score of the lowest 1 % and 5 % of the digits; beside it,
	// the same for the largest calibrated probability alone.
	for _, q := range []float64{0.01, 0.05} {
		two := refusedAt(scores(cal), scores(calNon), q)
		one := refusedAt(topScores(cal), topScores(calNon), q)
		rep.RefusedAt = append(rep.RefusedAt, two)
		fmt.Fprintf(w, "  a threshold refusing %.0f %% of the pen digits would refuse %.2f %% of the non-digits (%.2f %% by the top probability alone)\n", 100*q, 100*two, 100*one)
	}
	if rp != nil {
		var t tally
		byWriter := map[string][2]int{} // digits, refused
		for i, p := range raw {
			v, err := t.add(*rp, p, labels[i])
			if err != nil {
				return nil, err
			}
			tag := writerTag(digits, i)
			c := byWriter[tag]
			c[0]++
			if v.Kind == verdict.NotDigit {
				c[1]++
			}
			byWriter[tag] = c
			if v.Kind != verdict.Digit && len(rep.doubted) < maxTiles {
				rep.doubted = append(rep.doubted, digitsX[i*784:(i+1)*784])
				caption := fmt.Sprintf("%d%s: no", labels[i], tag)
				if v.Kind == verdict.Unsure {
					caption = fmt.Sprintf("%d%s: %d/%d", labels[i], tag, v.Candidates[0], v.Candidates[1])
				}
				rep.doubtedCaptions = append(rep.doubtedCaptions, caption)
			}
		}
		rep.DigitRefused, rep.DigitUnsure, rep.DigitRight = t.shares()
		fmt.Fprintf(w, "verdict (temperature %.3g, not a digit below %.3g, sure from %.3g):\n", rp.Temperature, rp.NotDigitBelow, rp.SureAt)
		fmt.Fprintf(w, "  pen digits: %s not a digit, %s unsure, %s digit, of which %s right\n",
			percent(t.refused, t.n), percent(t.unsure, t.n), percent(t.called, t.n), percent(t.right, t.called))
		if len(byWriter) > 1 {
			tags := slices.Sorted(maps.Keys(byWriter))
			parts := make([]string, len(tags))
			for k, tag := range tags {
				parts[k] = fmt.Sprintf("%s %d/%d", strings.TrimSpace(tag), byWriter[tag][1], byWriter[tag][0])
			}
			fmt.Fprintf(w, "    not a digit, by writer: %s\n", strings.Join(parts, ", "))
		}
		by := map[string][2]int{}
		total := 0
		for i, p := range rawNon {
			v, err := rp.Decide(p)
			if err != nil {
				return nil, err
			}
			c := by[nonSrc[i]]
			c[0]++
			if v.Kind == verdict.NotDigit {
				c[1]++
				total++
			} else if len(rep.accepted) < maxTiles {
				rep.accepted = append(rep.accepted, nonX[i*784:(i+1)*784])
				caption := fmt.Sprintf("%d %s", v.Digit, shortSource(nonSrc[i]))
				if v.Kind == verdict.Unsure {
					caption = fmt.Sprintf("%d/%d %s", v.Candidates[0], v.Candidates[1], shortSource(nonSrc[i]))
				}
				rep.acceptedCaptions = append(rep.acceptedCaptions, caption)
			}
			by[nonSrc[i]] = c
		}
		rep.Refused = frac(total, len(rawNon))
		fmt.Fprintf(w, "  non-digits: %s not a digit (%d of %d)\n", percent(total, len(rawNon)), total, len(rawNon))
		names := make([]string, 0, len(by))
		for s := range by {
			names = append(names, s)
		}
		sort.Strings(names)
		for _, s := range names {
			c := by[s]
			rep.RefusedBy = append(rep.RefusedBy, sourceShare{Source: s, Count: c[0], Refused: frac(c[1], c[0])})
			fmt.Fprintf(w, "    %-26s %5d  %s not a digit\n", s, c[0], percent(c[1], c[0]))
		}
	}
	if plotPath != "" {
		if err := drawReliability(plotPath, before, after, t); err != nil {
			return nil, err
		}
		fmt.Fprintf(w, "reliability diagram: %s\n", plotPath)
	}
	return rep, nil
}

// writerTag is " w" and the writer of the i-th pen digit, empty when the
// dataset does not say.
func writerTag(d *nn.Dataset, i int) string {
	if i < len(d.Source) {
		var writer, sample int
		if _, err := fmt.Sscanf(d.Source[i], "writer %d sample %d", &writer, &sample); err == nil {
			return fmt.Sprintf(" w%d", writer)
		}
	}
	return ""
}

// frac is a/b, 0 when there is nothing to count.
func frac(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// renderNonDigits renders drawings as the page draws them (at
// ink.DigitFraction, the size the tests replay pen digits at).
func renderNonDigits(ds []data.Drawing) ([]float32, []string) {
	return renderDrawings(ds, 1, 0, ink.DigitFraction)
}

// drawReliability draws the reliability diagram: the accuracy of each
// confidence bin against its mean confidence, before and after
// calibration, with the diagonal of perfect calibration.
func drawReliability(path string, before, after reliability, t float64) error {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("reliability on held-out pen digits (%d bins)", len(before.Count))
	p.X.Label.Text = "confidence (top probability)"
	p.Y.Label.Text = "accuracy"
	diag, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})
	if err != nil {
		return err
	}
	diag.Color = color.Gray{150}
	diag.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(diag)
	p.Legend.Add("perfect calibration", diag)
	for i, r := range []struct {
		name string
		rel  reliability
	}{
		{fmt.Sprintf("model outputs, ECE %.2f %%", 100*before.ECE), before},
		{fmt.Sprintf("calibrated (T = %.3g), ECE %.2f %%", t, 100*after.ECE), after},
	} {
		var xy plotter.XYs
		for b, n := range r.rel.Count {
			if n > 0 {
				xy = append(xy, plotter.XY{X: r.rel.Conf[b], Y: r.rel.Accuracy[b]})
			}
		}
		l, pts, err := plotter.NewLinePoints(xy)
		if err != nil {
			return err
		}
		c := []color.RGBA{{255, 127, 14, 255}, {31, 119, 180, 255}}[i]
		l.Color, pts.Color = c, c
		l.Width = vg.Points(1.5)
		p.Add(l, pts)
		p.Legend.Add(r.name, l, pts)
	}
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	p.Legend.Top, p.Legend.Left = false, false // bottom right, under the diagonal: few digits are that unsure
	p.Add(plotter.NewGrid())
	return p.Save(5*vg.Inch, 5*vg.Inch, path)
}

// evalNotDigits is the eval command's verdict measurement: the pen digits
// of set and the drawings of the file at nonPath.
func evalNotDigits(w io.Writer, m *onnx.Model, modelPath string, set *nn.Dataset, nonPath, writers, outDir string, record bool) error {
	non, err := data.LoadDrawings(nonPath)
	if err != nil {
		return err
	}
	nonX, nonSrc := renderNonDigits(non)
	if len(nonSrc) == 0 {
		return fmt.Errorf("%s: no drawing with ink", nonPath)
	}
	plotPath := ""
	if outDir != "" {
		if err := os.MkdirAll(outDir, 0o755); err != nil {
			return err
		}
		plotPath = filepath.Join(outDir, "reliability.png")
	}
	rep, err := evalVerdict(w, m, set, nonX, nonSrc, plotPath)
	if err != nil {
		return err
	}
	rep.DigitWriters, rep.NonDigitFile = writers, repoRelative(nonPath)
	if outDir != "" && len(rep.accepted) > 0 {
		p := filepath.Join(outDir, "notdigits-accepted.png")
		title := fmt.Sprintf("non-digits not refused: %d shown (digit or candidates, source)", len(rep.accepted))
		if err := site.WritePNG(p, drawTiles(rep.accepted, rep.acceptedCaptions, title, 16)); err != nil {
			return err
		}
		fmt.Fprintf(w, "non-digits not refused: %s\n", p)
	}
	if outDir != "" && len(rep.doubted) > 0 {
		p := filepath.Join(outDir, "pen-doubted.png")
		title := fmt.Sprintf("pen digits refused or unsure: %d shown (label: no, or the two candidates)", len(rep.doubted))
		if err := site.WritePNG(p, drawTiles(rep.doubted, rep.doubtedCaptions, title, 16)); err != nil {
			return err
		}
		fmt.Fprintf(w, "pen digits refused or unsure, %d drawn: %s\n", len(rep.doubted), p)
	}
	if !record {
		return nil
	}
	card, err := readCard(modelPath)
	if err != nil {
		return fmt.Errorf("recording in the model card: %v", err)
	}
	card.Verdict = rep
	if err := writeCard(modelPath, card); err != nil {
		return err
	}
	fmt.Fprintf(w, "recorded in %s\n", cardPath(modelPath))
	return nil
}

// refusedAt is the share of non-digit scores below the q-quantile of the
// digits' scores.
func refusedAt(digits, non []float64, q float64) float64 {
	th := quantile(digits, q)
	below := 0
	for _, v := range non {
		if v < th {
			below++
		}
	}
	return frac(below, len(non))
}
