package main

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"wasmcnn/core/ink"
	"wasmcnn/core/nn"
	"wasmcnn/data"
)

// loadMNIST returns MNIST's training and test sets as datasets, the first
// limit training examples only when limit > 0.
func loadMNIST(limit int) (train, test *nn.Dataset, err error) {
	dir, err := data.MNISTDir()
	if err != nil {
		return nil, nil, err
	}
	tr, te, err := data.LoadMNIST(dir)
	if err != nil {
		return nil, nil, err
	}
	conv := func(s *data.Set, n int, source string) *nn.Dataset {
		if n <= 0 || n > len(s.Labels) {
			n = len(s.Labels)
		}
		d := &nn.Dataset{X: make([]float32, n*784), Y: make([]int, n)}
		for i := 0; i < n; i++ {
			for k, v := range s.Images.Image(i) {
				d.X[i*784+k] = float32(v) / 255
			}
			d.Y[i] = int(s.Labels[i])
		}
		return d
	}
	return conv(tr, limit, "mnist-train"), conv(te, 0, "mnist-test"), nil
}

// writerSet is a set of pen-digit writer ids, written like "25-30" or "1,4,7-9".
type writerSet map[int]bool

func parseWriters(s string) (writerSet, error) {
	ws := writerSet{}
	if strings.TrimSpace(s) == "" {
		return ws, nil
	}
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			return nil, fmt.Errorf("bad writer list %q", s)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return nil, fmt.Errorf("bad writer range %q", part)
			}
		}
		for w := a; w <= b; w++ {
			ws[w] = true
		}
	}
	return ws, nil
}

// renderPenDigits renders pen digits the way the page draws them. With
// copies > 1 (training) each digit is drawn several times at random sizes
// between 45 % and 85 % of the canvas with the page's pen, every copy but the
// first redrawn by penJitter at strength jitter (0: none); with copies = 1
// (evaluation) once at ink.DigitFraction, as the tests replay them.
//
// The jitter stands in for writers the data lacks: 30 writers draw each
// digit in few ways, and a model that has seen only those refuses a new
// writer's digit more often than it should (a new hand moves its strokes,
// slants and bends them: what penJitter does to a drawing).
func renderPenDigits(digits []data.StrokeDigit, copies int, seed uint64, jitter float64) *nn.Dataset {
	var r ink.StrokeRenderer
	rng := rand.New(rand.NewPCG(seed, 7))
	img := make([]float32, 784)
	d := &nn.Dataset{}
	for _, dg := range digits {
		for c := 0; c < copies; c++ {
			frac := float32(ink.DigitFraction)
			if copies > 1 {
				frac = 0.45 + 0.4*rng.Float32()
			}
			s := dg.Strokes
			if c > 0 && jitter > 0 {
				j, ok := penJitter(s, jitter, rng)
				if !ok {
					continue
				}
				s = j
			}
			if r.Render(img, s, frac, ink.PenWidth) {
				d.Append(img, dg.Label, fmt.Sprintf("writer %d sample %d", dg.Writer, dg.Sample))
			}
		}
	}
	return d
}

// splitByWriter returns the digits of writers in ws and the others.
func splitByWriter(digits []data.StrokeDigit, ws writerSet) (in, out []data.StrokeDigit) {
	for _, d := range digits {
		if ws[d.Writer] {
			in = append(in, d)
		} else {
			out = append(out, d)
		}
	}
	return in, out
}

// concat returns a dataset holding a's examples then b's.
func concat(a, b *nn.Dataset) *nn.Dataset {
	return &nn.Dataset{X: append(append([]float32(nil), a.X...), b.X...), Y: append(append([]int(nil), a.Y...), b.Y...)}
}

// repeatDataset returns d with its examples n times over (d itself for n ≤ 1).
func repeatDataset(d *nn.Dataset, n int) *nn.Dataset {
	if n <= 1 {
		return d
	}
	r := &nn.Dataset{X: make([]float32, 0, n*len(d.X)), Y: make([]int, 0, n*len(d.Y))}
	for range n {
		r.X = append(r.X, d.X...)
		r.Y = append(r.Y, d.Y...)
	}
	return r
}

// splitLast returns d without its last n examples, and those n.
func splitLast(d *nn.Dataset, n int) (rest, last *nn.Dataset) {
	k := d.Len() - n
	rest = &nn.Dataset{X: d.X[: k*784 : k*784], Y: d.Y[:k:k]}
	last = &nn.Dataset{X: d.X[k*784:], Y: d.Y[k:]}
	return rest, last
}
