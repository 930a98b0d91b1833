package main

import (
	"math"
	"math/rand/v2"
	"testing"

	"wasmcnn/core/verdict"
)

// overconfident returns n rows of a model whose confidence is off: its
// outputs are p = softmax(z) while the labels are drawn from
// softmax(log p / t0), so the temperature that makes p honest is t0.
func overconfident(n int, t0 float64, seed uint64) ([][]float32, []int) {
	r := rand.New(rand.NewPCG(seed, 1))
	rows := make([][]float32, n)
	labels := make([]int, n)
	q := make([]float32, 10)
	for i := range rows {
		z := make([]float64, 10)
		var s float64
		for k := range z {
			z[k] = 3 * r.NormFloat64()
			s += math.Exp(z[k])
		}
		p := make([]float32, 10)
		for k := range p {
			p[k] = float32(math.Exp(z[k]) / s)
		}
		_ = verdict.Calibrate(q, p, t0)
		u, acc := r.Float64(), 0.0
		labels[i] = 9
		for k, v := range q {
			if acc += float64(v); u < acc {
				labels[i] = k
				break
			}
		}
		rows[i] = p
	}
	return rows, labels
}

// TestFitTemperature recovers the temperature that made the labels and
// checks that calibrating by it lowers the calibration error.
func TestFitTemperature(t *testing.T) {
	for _, t0 := range []float64{0.6, 1.8} {
		rows, labels := overconfident(6000, t0, 7)
		got := fitTemperature(rows, labels)
		if math.Abs(got-t0)/t0 > 0.08 {
			t.Errorf("fitted temperature %.3f, want about %.3f", got, t0)
		}
		before := calibration(rows, labels, eceBins).ECE
		after := calibration(calibrated(rows, got), labels, eceBins).ECE
		if !(after < before/2) || after > 0.03 {
			t.Errorf("T0 %.1f: calibration error %.4f before, %.4f after", t0, before, after)
		}
	}
}

func TestAUROC(t *testing.T) {
	for _, c := range []struct {
		pos, neg []float64
		want     float64
	}{
		{[]float64{0.9, 0.8}, []float64{0.1, 0.2, 0.3}, 1},
		{[]float64{0.1}, []float64{0.9}, 0},
		{[]float64{0.5, 0.5}, []float64{0.5}, 0.5},
		{[]float64{0.9, 0.4}, []float64{0.5, 0.1}, 0.75},
	} {
		if got := auroc(c.pos, c.neg); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("auroc(%v, %v) = %v, want %v", c.pos, c.neg, got, c.want)
		}
	}
}

// TestChooseRule checks the thresholds against what they were chosen for:
// on the validation rows themselves, at most the budget of digits refused
// and the digits called sure right at least as often as asked, while
// flat non-digit rows are refused.
func TestChooseRule(t *testing.T) {
	rows, labels := overconfident(3000, 0.7, 3)
	flat := make([][]float32, 500)
	r := rand.New(rand.NewPCG(4, 4))
	for i := range flat {
		flat[i] = make([]float32, 10)
		var s float32
		for k := range flat[i] {
			flat[i][k] = 0.5 + r.Float32()
			s += flat[i][k]
		}
		for k := range flat[i] {
			flat[i][k] /= s
		}
	}
	rec := chooseRule(rows, labels, flat, 0.01, 0.99, 0)
	if rec.DigitRefused > 0.01 {
		t.Errorf("%.4f of digits refused, budget 0.01", rec.DigitRefused)
	}
	if rec.DigitRight < 0.99 {
		t.Errorf("%.4f right among those called digit, asked 0.99", rec.DigitRight)
	}
	if rec.NonRefused < 0.99 {
		t.Errorf("%.4f of flat rows refused", rec.NonRefused)
	}
	if err := rec.Rule.Check(); err != nil {
		t.Error(err)
	}
}
