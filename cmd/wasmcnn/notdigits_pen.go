package main

import (
	"math"
	"math/rand/v2"
)

// strokes is a drawing as the pen-digit data holds it: strokes of points
// {x, y}, y down.
type strokes = [][][2]float32

// unitBox scales and moves a drawing so that its longer side spans 0..1 and
// its shorter side is centred, the geometry of the pen-digit data. It reports
// false for a drawing without points or without extent.
func unitBox(s strokes) (strokes, bool) {
	minX, minY := float32(math.Inf(1)), float32(math.Inf(1))
	maxX, maxY := float32(math.Inf(-1)), float32(math.Inf(-1))
	for _, st := range s {
		for _, p := range st {
			minX, maxX = min(minX, p[0]), max(maxX, p[0])
			minY, maxY = min(minY, p[1]), max(maxY, p[1])
		}
	}
	w, h := maxX-minX, maxY-minY
	side := max(w, h)
	if !(side > 0) || math.IsInf(float64(side), 0) {
		return nil, false
	}
	offX, offY := (side-w)/2, (side-h)/2
	out := make(strokes, 0, len(s))
	for _, st := range s {
		if len(st) == 0 {
			continue
		}
		o := make([][2]float32, len(st))
		for i, p := range st {
			o[i] = [2]float32{(p[0] - minX + offX) / side, (p[1] - minY + offY) / side}
		}
		out = append(out, o)
	}
	return out, true
}

// penJitter distorts a drawing the way a hand redraws it: a random affine
// change (rotation, shear, aspect), a smooth random warp over the whole
// drawing, and each stroke moved a little on its own. strength 0 leaves the
// drawing as it is, 1 is a person's variation; the result is in the unit
// box.
func penJitter(s strokes, strength float64, r *rand.Rand) (strokes, bool) {
	s, ok := unitBox(s)
	if !ok {
		return nil, false
	}
	rot := (r.Float64()*2 - 1) * 0.25 * strength // radians, about ±14°
	shear := (r.Float64()*2 - 1) * 0.25 * strength
	aspect := math.Exp((r.Float64()*2 - 1) * 0.25 * strength)
	cos, sin := math.Cos(rot), math.Sin(rot)
	// The warp: three plane waves per axis with amplitudes of a few
	// hundredths of the box.
	type wave struct{ a, fx, fy, ph float64 }
	var waves [2][3]wave
	for ax := range waves {
		for k := range waves[ax] {
			waves[ax][k] = wave{
				a:  (r.Float64()*2 - 1) * 0.025 * strength,
				fx: (r.Float64()*2 - 1) * 6, fy: (r.Float64()*2 - 1) * 6,
				ph: r.Float64() * 2 * math.Pi,
			}
		}
	}
	out := make(strokes, len(s))
	for i, st := range s {
		dx, dy := (r.Float64()*2-1)*0.03*strength, (r.Float64()*2-1)*0.03*strength
		o := make([][2]float32, len(st))
		for j, p := range st {
			x, y := float64(p[0])-0.5, float64(p[1])-0.5
			x, y = x*aspect+shear*y, y/aspect
			x, y = cos*x-sin*y, sin*x+cos*y
			for _, w := range waves[0] {
				x += w.a * math.Sin(w.fx*x+w.fy*y+w.ph)
			}
			for _, w := range waves[1] {
				y += w.a * math.Sin(w.fx*x+w.fy*y+w.ph)
			}
			o[j] = [2]float32{float32(x + dx), float32(y + dy)}
		}
		out[i] = o
	}
	return unitBox(out)
}

// inkLength returns the summed length of the strokes.
func inkLength(s strokes) float64 {
	var n float64
	for _, st := range s {
		for i := 1; i < len(st); i++ {
			n += math.Hypot(float64(st[i][0]-st[i-1][0]), float64(st[i][1]-st[i-1][1]))
		}
	}
	return n
}
