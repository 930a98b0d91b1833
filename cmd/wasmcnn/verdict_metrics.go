package main

import (
	"fmt"
	"math"
	"sort"

	"wasmcnn/core/onnx"
	"wasmcnn/core/verdict"
)

// predictAll runs the model over n inputs of 784 values in batches and
// returns its outputs, one row of probabilities per input.
func predictAll(m *onnx.Model, x []float32) ([][]float32, error) {
	n := len(x) / 784
	out := make([][]float32, 0, n)
	const batch = 250
	for s := 0; s < n; s += batch {
		e := min(s+batch, n)
		y, err := m.Predict(x[s*784 : e*784])
		if err != nil {
			return nil, err
		}
		k := len(y) / (e - s)
		for i := 0; i < e-s; i++ {
			out = append(out, append([]float32(nil), y[i*k:(i+1)*k]...))
		}
	}
	return out, nil
}

// calibrated returns the rows calibrated at temperature t.
func calibrated(rows [][]float32, t float64) [][]float32 {
	out := make([][]float32, len(rows))
	for i, p := range rows {
		out[i] = make([]float32, len(p))
		if err := verdict.Calibrate(out[i], p, t); err != nil {
			panic(err) // the rows are the model's softmax outputs
		}
	}
	return out
}

// nll is the mean negative log-likelihood of the labels under the rows
// calibrated at temperature t.
func nll(rows [][]float32, labels []int, t float64) float64 {
	var s float64
	q := make([]float32, 10)
	for i, p := range rows {
		q = q[:len(p)]
		if err := verdict.Calibrate(q, p, t); err != nil {
			panic(err)
		}
		s -= math.Log(math.Max(float64(q[labels[i]]), 1e-30))
	}
	return s / float64(len(rows))
}

// fitTemperature finds the temperature that minimises the negative
// log-likelihood of the labels (Guo et al., 2017), by golden-section search
// on log T in [1/20, 20].
func fitTemperature(rows [][]float32, labels []int) float64 {
	lo, hi := math.Log(0.05), math.Log(20)
	g := (math.Sqrt(5) - 1) / 2
	a, b := hi-g*(hi-lo), lo+g*(hi-lo)
	fa, fb := nll(rows, labels, math.Exp(a)), nll(rows, labels, math.Exp(b))
	for hi-lo > 1e-4 {
		if fa < fb {
			hi, b, fb = b, a, fa
			a = hi - g*(hi-lo)
			fa = nll(rows, labels, math.Exp(a))
		} else {
			lo, a, fa = a, b, fb
			b = lo + g*(hi-lo)
			fb = nll(rows, labels, math.Exp(b))
		}
	}
	return math.Exp((lo + hi) / 2)
}

// reliability holds the calibration of a model's confidence: in each of
// Bins equal-width bins of the top probability, how many answers fell, how
// sure they were on average and how many were right.
type reliability struct {
	Count    []int
	Conf     []float64 // mean top probability in the bin
	Accuracy []float64 // fraction right in the bin
	ECE      float64   // Σ count/n · |accuracy − conf|
}

// calibration measures the expected calibration error of the rows' top
// probabilities against the labels in bins equal-width bins (Guo et al.).
func calibration(rows [][]float32, labels []int, bins int) reliability {
	r := reliability{Count: make([]int, bins), Conf: make([]float64, bins), Accuracy: make([]float64, bins)}
	for i, p := range rows {
		a, _ := verdict.TopTwo(p)
		c := float64(p[a])
		b := min(int(c*float64(bins)), bins-1)
		r.Count[b]++
		r.Conf[b] += c
		if a == labels[i] {
			r.Accuracy[b]++
		}
	}
	for b := range bins {
		if r.Count[b] > 0 {
			r.ECE += math.Abs(r.Accuracy[b]-r.Conf[b]) / float64(len(rows))
			r.Conf[b] /= float64(r.Count[b])
			r.Accuracy[b] /= float64(r.Count[b])
		}
	}
	return r
}

// auroc is the area under the ROC curve of telling pos from neg by score
// (pos scoring higher): the probability that a random positive outscores a
// random negative, ties counting half.
func auroc(pos, neg []float64) float64 {
	if len(pos) == 0 || len(neg) == 0 {
		return math.NaN()
	}
	type item struct {
		s   float64
		pos bool
	}
	all := make([]item, 0, len(pos)+len(neg))
	for _, s := range pos {
		all = append(all, item{s, true})
	}
	for _, s := range neg {
		all = append(all, item{s, false})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].s < all[j].s })
	// Mann–Whitney U with average ranks for ties.
	var rankSum float64
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].s == all[i].s {
			j++
		}
		avg := float64(i+j+1) / 2 // ranks i+1..j
		for k := i; k < j; k++ {
			if all[k].pos {
				rankSum += avg
			}
		}
		i = j
	}
	np, nn := float64(len(pos)), float64(len(neg))
	return (rankSum - np*(np+1)/2) / (np * nn)
}

// quantile returns the q-quantile of xs (sorted copy, nearest rank below).
func quantile(xs []float64, q float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s) == 0 {
		return math.NaN()
	}
	i := int(q * float64(len(s)))
	return s[min(max(i, 0), len(s)-1)]
}

// scores returns the verdict score of each calibrated row: its two largest
// probabilities added.
func scores(rows [][]float32) []float64 {
	out := make([]float64, len(rows))
	for i, q := range rows {
		a, b := verdict.TopTwo(q)
		out[i] = float64(q[a]) + float64(q[b])
	}
	return out
}

// topScores returns the largest probability of each row (the maximum
// softmax probability of Hendrycks and Gimpel, 2017).
func topScores(rows [][]float32) []float64 {
	out := make([]float64, len(rows))
	for i, q := range rows {
		a, _ := verdict.TopTwo(q)
		out[i] = float64(q[a])
	}
	return out
}

func percent(a, b int) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f %%", 100*float64(a)/float64(b))
}

// tally counts the verdicts of a rule on pen digits.
type tally struct {
	refused, unsure, called, right, n int
}

// add decides one digit's model output p, labelled label, and counts it.
func (t *tally) add(rule verdict.Rule, p []float32, label int) (verdict.Verdict, error) {
	v, err := rule.Decide(p)
	if err != nil {
		return v, err
	}
	t.n++
	switch v.Kind {
	case verdict.NotDigit:
		t.refused++
	case verdict.Unsure:
		t.unsure++
	default:
		t.called++
		if v.Digit == label {
			t.right++
		}
	}
	return v, nil
}

// shares returns the shares refused and unsure, and right among those
// called digit.
func (t *tally) shares() (refused, unsure, right float64) {
	return frac(t.refused, t.n), frac(t.unsure, t.n), frac(t.right, t.called)
}
