package main

import (
	"math/rand/v2"

	"wasmcnn/data"
)

// crossSeven adds the bar that much of Europe draws through the stem of a
// 7: a short, nearly level stroke across the drawing's first crossing of a
// height between 42 % and 60 % of the way down. The pen-digit writers never
// cross their 7s, so crossing them is how to measure a model on the 7s many
// people draw on the page. It reports false for a drawing that does not
// cross that height. The result is in the unit box.
func crossSeven(s strokes, r *rand.Rand) (strokes, bool) {
	s, ok := unitBox(s)
	if !ok {
		return nil, false
	}
	yc := 0.42 + 0.18*r.Float64()
	xs, found := firstCrossing(s, yc)
	if !found {
		return nil, false
	}
	half := 0.14 + 0.1*r.Float64()            // half the bar's length
	mid := xs + (r.Float64()*2-1)*0.3*half    // a hand does not centre it
	tilt := (r.Float64()*2 - 1) * 0.06 * half // rise over the half length
	bar := make([][2]float32, 5)
	for i := range bar {
		u := float64(i)/2 - 1 // -1 … 1
		bar[i] = [2]float32{float32(mid + u*half), float32(yc - u*tilt)}
	}
	out := append(append(strokes(nil), s...), bar)
	return unitBox(out)
}

// firstCrossing returns where the drawing's strokes, in writing order,
// first cross the height y.
func firstCrossing(s strokes, y float64) (x float64, ok bool) {
	for _, st := range s {
		for i := 1; i < len(st); i++ {
			a, b := st[i-1], st[i]
			y0, y1 := float64(a[1]), float64(b[1])
			if (y0-y)*(y1-y) > 0 || y0 == y1 {
				continue
			}
			t := (y - y0) / (y1 - y0)
			return float64(a[0]) + t*float64(b[0]-a[0]), true
		}
	}
	return 0, false
}

// crossedSevens returns a crossed copy of every 7 among digits (those
// crossSeven can cross), each with its own bar.
func crossedSevens(digits []data.StrokeDigit, seed uint64) []data.StrokeDigit {
	rng := rand.New(rand.NewPCG(seed, 77))
	var out []data.StrokeDigit
	for _, d := range digits {
		if d.Label != 7 {
			continue
		}
		if s, ok := crossSeven(d.Strokes, rng); ok {
			d.Strokes = s
			out = append(out, d)
		}
	}
	return out
}
