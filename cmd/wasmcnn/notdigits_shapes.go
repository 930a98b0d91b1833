package main

import (
	"math"
	"math/rand/v2"

	"wasmcnn/data"
)

// The generated sources of the non-digit material: shapes, scribbles and
// pen digits cut up, each kind a generator of its own so that whole kinds
// can be held out of training.

// generators make one drawing each call (in any box: unitBox places it).
var generators = map[string]func(r *rand.Rand, digits []data.StrokeDigit) strokes{
	"scribble":  genScribble,
	"hatch":     genHatch,
	"shape":     genShape,
	"pair":      genPair,
	"recombine": genRecombine,
	"zigzag":    genZigzag,
	"loops":     genLoops,
	"dots":      genDots,
}

// genScribble draws one to three strokes that wander with a smoothly
// changing heading, as a hand scribbles.
func genScribble(r *rand.Rand, _ []data.StrokeDigit) strokes {
	var s strokes
	for k := 1 + r.IntN(3); k > 0; k-- {
		x, y := r.Float64(), r.Float64()
		head, turn := r.Float64()*2*math.Pi, 0.0
		n := 25 + r.IntN(60)
		st := make([][2]float32, 0, n)
		for i := 0; i < n; i++ {
			st = append(st, [2]float32{float32(x), float32(y)})
			turn = 0.8*turn + r.NormFloat64()*0.35
			head += turn
			x += 0.04 * math.Cos(head)
			y += 0.04 * math.Sin(head)
		}
		s = append(s, st)
	}
	return s
}

// genHatch draws two to six lines across each other, some slightly bent.
func genHatch(r *rand.Rand, _ []data.StrokeDigit) strokes {
	var s strokes
	for k := 2 + r.IntN(5); k > 0; k-- {
		a := [2]float64{r.Float64(), r.Float64()}
		b := [2]float64{r.Float64(), r.Float64()}
		bend := r.NormFloat64() * 0.08
		st := make([][2]float32, 0, 9)
		for i := 0; i <= 8; i++ {
			t := float64(i) / 8
			off := bend * math.Sin(math.Pi*t)
			dx, dy := b[0]-a[0], b[1]-a[1]
			st = append(st, [2]float32{float32(a[0] + t*dx - off*dy), float32(a[1] + t*dy + off*dx)})
		}
		s = append(s, st)
	}
	return s
}

// polygon returns the closed polyline through pts.
func polygon(pts ...[2]float64) [][2]float32 {
	st := make([][2]float32, 0, len(pts)+1)
	for _, p := range append(pts, pts[0]) {
		st = append(st, [2]float32{float32(p[0]), float32(p[1])})
	}
	return st
}

// arc returns points of an ellipse arc around (cx, cy).
func arc(cx, cy, rx, ry, from, to float64, n int) [][2]float32 {
	st := make([][2]float32, 0, n+1)
	for i := 0; i <= n; i++ {
		a := from + (to-from)*float64(i)/float64(n)
		st = append(st, [2]float32{float32(cx + rx*math.Cos(a)), float32(cy + ry*math.Sin(a))})
	}
	return st
}

func line(x0, y0, x1, y1 float64) [][2]float32 {
	return [][2]float32{{float32(x0), float32(y0)}, {float32(x1), float32(y1)}}
}

// genShape draws a simple figure people doodle: polygons, a star, crosses,
// an arrow, a heart, a house, a grid, a spiral, a wave, a face. No plain
// circle or oval: drawn alone, that is a 0.
func genShape(r *rand.Rand, _ []data.StrokeDigit) strokes {
	switch r.IntN(13) {
	case 0: // triangle
		return strokes{polygon([2]float64{0.5, 0}, [2]float64{1, 0.9}, [2]float64{0, 0.9})}
	case 1: // rectangle
		w := 0.4 + 0.6*r.Float64()
		return strokes{polygon([2]float64{0, 0}, [2]float64{w, 0}, [2]float64{w, 1}, [2]float64{0, 1})}
	case 2: // star
		var pts [][2]float64
		for i := 0; i < 5; i++ {
			a := -math.Pi/2 + float64(i*2)*2*math.Pi/5
			pts = append(pts, [2]float64{0.5 + 0.5*math.Cos(a), 0.5 + 0.5*math.Sin(a)})
		}
		return strokes{polygon(pts...)}
	case 3: // plus or times
		if r.IntN(2) == 0 {
			return strokes{line(0.5, 0, 0.5, 1), line(0, 0.5, 1, 0.5)}
		}
		return strokes{line(0, 0, 1, 1), line(1, 0, 0, 1)}
	case 4: // arrow
		return strokes{line(0, 0.5, 1, 0.5), {{0.7, 0.25}, {1, 0.5}, {0.7, 0.75}}}
	case 5: // heart
		var st [][2]float32
		for i := 0; i <= 40; i++ {
			t := 2 * math.Pi * float64(i) / 40
			x := 16 * math.Pow(math.Sin(t), 3)
			y := 13*math.Cos(t) - 5*math.Cos(2*t) - 2*math.Cos(3*t) - math.Cos(4*t)
			st = append(st, [2]float32{float32(x), float32(-y)})
		}
		return strokes{st}
	case 6: // house
		return strokes{polygon([2]float64{0, 0.45}, [2]float64{0.5, 0}, [2]float64{1, 0.45}, [2]float64{1, 1}, [2]float64{0, 1})}
	case 7: // grid
		return strokes{line(0.33, 0, 0.33, 1), line(0.66, 0, 0.66, 1), line(0, 0.33, 1, 0.33), line(0, 0.66, 1, 0.66)}
	case 8: // spiral
		var st [][2]float32
		turns := 2 + r.Float64()*2
		for i := 0; i <= 80; i++ {
			t := float64(i) / 80
			a := t * turns * 2 * math.Pi
			st = append(st, [2]float32{float32(0.5 + 0.5*t*math.Cos(a)), float32(0.5 + 0.5*t*math.Sin(a))})
		}
		return strokes{st}
	case 9: // wave
		var st [][2]float32
		k := 1.5 + 2*r.Float64()
		for i := 0; i <= 40; i++ {
			t := float64(i) / 40
			st = append(st, [2]float32{float32(t), float32(0.15 * math.Sin(k*2*math.Pi*t))})
		}
		return strokes{st}
	case 10: // face
		return strokes{arc(0.5, 0.5, 0.5, 0.5, 0, 2*math.Pi, 32), {{0.35, 0.38}}, {{0.65, 0.38}}, arc(0.5, 0.55, 0.25, 0.2, 0.2, math.Pi-0.2, 12)}
	case 11: // hexagon or pentagon
		n := 5 + r.IntN(2)
		var pts [][2]float64
		for i := 0; i < n; i++ {
			a := float64(i) * 2 * math.Pi / float64(n)
			pts = append(pts, [2]float64{0.5 + 0.5*math.Cos(a), 0.5 + 0.5*math.Sin(a)})
		}
		return strokes{polygon(pts...)}
	default: // check mark or asterisk
		if r.IntN(2) == 0 {
			return strokes{{{0, 0.6}, {0.35, 1}, {1, 0}}}
		}
		return strokes{line(0.5, 0, 0.5, 1), line(0.07, 0.25, 0.93, 0.75), line(0.93, 0.25, 0.07, 0.75)}
	}
}

// placed returns s moved by (dx, dy) after scaling by k and turning by a.
func placed(s strokes, k, a, dx, dy float64) strokes {
	cos, sin := math.Cos(a), math.Sin(a)
	out := make(strokes, len(s))
	for i, st := range s {
		o := make([][2]float32, len(st))
		for j, p := range st {
			x, y := float64(p[0])-0.5, float64(p[1])-0.5
			o[j] = [2]float32{float32(k*(cos*x-sin*y) + dx), float32(k*(sin*x+cos*y) + dy)}
		}
		out[i] = o
	}
	return out
}

// genPair writes two pen digits side by side: a number, not a digit.
func genPair(r *rand.Rand, digits []data.StrokeDigit) strokes {
	a := digits[r.IntN(len(digits))].Strokes
	b := digits[r.IntN(len(digits))].Strokes
	gap := 0.75 + 0.35*r.Float64()
	return append(placed(a, 1, 0, 0, 0), placed(b, 0.8+0.4*r.Float64(), 0, gap, 0.1*r.NormFloat64())...)
}

// genRecombine cuts strokes out of two to four different pen digits, turns
// each well away from upright and lays them over one another.
func genRecombine(r *rand.Rand, digits []data.StrokeDigit) strokes {
	var s strokes
	for k := 2 + r.IntN(3); k > 0; k-- {
		d := digits[r.IntN(len(digits))]
		st := d.Strokes[r.IntN(len(d.Strokes))]
		if len(st) < 2 {
			continue
		}
		u, ok := unitBox(strokes{st})
		if !ok {
			continue
		}
		a := (math.Pi/4 + r.Float64()*3*math.Pi/4) * float64(1-2*r.IntN(2))
		s = append(s, placed(u, 0.6+0.5*r.Float64(), a, r.Float64()*0.6, r.Float64()*0.6)...)
	}
	return s
}

// genZigzag draws zigzags, saw teeth and lightning bolts of four to eight
// strokes (three are a Z, which is drawn like a 2).
func genZigzag(r *rand.Rand, _ []data.StrokeDigit) strokes {
	n := 4 + r.IntN(5)
	amp := 0.15 + 0.35*r.Float64()
	var st [][2]float32
	for i := 0; i <= n; i++ {
		y := amp * float64(i%2)
		if r.IntN(3) == 0 {
			y += 0.1 * r.NormFloat64()
		}
		st = append(st, [2]float32{float32(float64(i) / float64(n)), float32(y)})
	}
	if r.IntN(2) == 0 { // stand it up: a lightning bolt
		for i := range st {
			st[i][0], st[i][1] = st[i][1], st[i][0]
		}
	}
	return strokes{st}
}

// genLoops draws a chain of cursive loops, as in "eeee" or a spring.
func genLoops(r *rand.Rand, _ []data.StrokeDigit) strokes {
	n := 2 + r.IntN(5)
	rad := 0.3 + 0.4*r.Float64()
	var st [][2]float32
	steps := n * 16
	for i := 0; i <= steps; i++ {
		t := float64(i) / 16 * 2 * math.Pi
		x := 0.25*float64(i)/16 - rad*0.4*math.Sin(t)
		y := -rad * 0.5 * (1 - math.Cos(t))
		st = append(st, [2]float32{float32(x), float32(y)})
	}
	return strokes{st}
}

// genDots draws dots as a pen leaves them, each a tiny stroke: a Braille
// cell (two to six of its six places), a cluster, or a short row with a
// dash or a ring beside it. Scaled into the digit's box by the page's
// preprocessing, a few dots become a few large blobs, which no digit is.
func genDots(r *rand.Rand, _ []data.StrokeDigit) strokes {
	dot := func(x, y float64) [][2]float32 {
		d := 0.015 + 0.02*r.Float64()
		a := r.Float64() * 2 * math.Pi
		return [][2]float32{{float32(x), float32(y)}, {float32(x + d*math.Cos(a)), float32(y + d*math.Sin(a))}}
	}
	var s strokes
	switch r.IntN(3) {
	case 0: // a Braille cell: 2 columns, 3 rows
		for len(s) < 2 {
			s = s[:0]
			for i := range 6 {
				if r.IntN(2) == 0 {
					s = append(s, dot(0.3*float64(i/3), 0.3*float64(i%3)))
				}
			}
		}
	case 1: // a cluster
		for range 3 + r.IntN(5) {
			s = append(s, dot(r.Float64(), r.Float64()))
		}
	default: // dots in a row with a mark
		n := 2 + r.IntN(3)
		for i := range n {
			s = append(s, dot(0.25*float64(i), 0))
		}
		if r.IntN(2) == 0 {
			s = append(s, line(0, 0.3, 0.25*float64(n-1), 0.3))
		} else {
			s = append(s, arc(0.125*float64(n-1), 0.35, 0.15, 0.15, 0, 2*math.Pi, 16))
		}
	}
	return s
}

// digitLike reports whether a drawing is, whatever it came from, the shape
// of a digit: one stroke that is nearly straight and nearly upright (a 1),
// or one closed, nearly convex loop (a 0). Such drawings are read as that
// digit; they are kept out of the non-digit material.
//
// Strokes whose ends meet are joined first, so that a ring traced in two
// halves is still one loop.
func digitLike(s strokes) bool {
	paths := joinStrokes(s, 0.06)
	if len(paths) != 1 || len(paths[0]) < 2 {
		return false
	}
	pts := paths[0]
	a, b := pts[0], pts[len(pts)-1]
	chord := math.Hypot(float64(b[0]-a[0]), float64(b[1]-a[1]))
	length := inkLength(strokes{pts})
	if length == 0 {
		return false
	}
	far := 0.0
	for _, p := range pts {
		far = math.Max(far, segDist(p, a, b))
	}
	if far < 0.12*length && chord > 0.5*length {
		angle := math.Atan2(math.Abs(float64(b[0]-a[0])), math.Abs(float64(b[1]-a[1])))
		return angle < 30*math.Pi/180
	}
	if chord < 0.15*length {
		return convexity(pts) > 0.85
	}
	return false
}

// convexity is the area of a closed polyline over that of its convex hull.
func convexity(pts [][2]float32) float64 {
	area := func(p [][2]float32) float64 {
		var s float64
		for i := range p {
			j := (i + 1) % len(p)
			s += float64(p[i][0])*float64(p[j][1]) - float64(p[j][0])*float64(p[i][1])
		}
		return math.Abs(s) / 2
	}
	h := hull(pts)
	if len(h) < 3 {
		return 0
	}
	ha := area(h)
	if ha == 0 {
		return 0
	}
	return area(pts) / ha
}

// hull returns the convex hull of pts (Andrew's monotone chain).
func hull(pts [][2]float32) [][2]float32 {
	p := append([][2]float32(nil), pts...)
	for i := 1; i < len(p); i++ { // insertion sort: glyphs have few points
		for j := i; j > 0 && (p[j][0] < p[j-1][0] || p[j][0] == p[j-1][0] && p[j][1] < p[j-1][1]); j-- {
			p[j], p[j-1] = p[j-1], p[j]
		}
	}
	cross := func(o, a, b [2]float32) float64 {
		return float64(a[0]-o[0])*float64(b[1]-o[1]) - float64(a[1]-o[1])*float64(b[0]-o[0])
	}
	var h [][2]float32
	for pass := 0; pass < 2; pass++ {
		start := len(h)
		for _, q := range p {
			for len(h) >= start+2 && cross(h[len(h)-2], h[len(h)-1], q) <= 0 {
				h = h[:len(h)-1]
			}
			h = append(h, q)
		}
		h = h[:len(h)-1]
		for i, j := 0, len(p)-1; i < j; i, j = i+1, j-1 {
			p[i], p[j] = p[j], p[i]
		}
	}
	return h
}

// joinStrokes joins strokes end to end, turning them round as needed,
// while an end of one lies within tol of an end of another.
func joinStrokes(s strokes, tol float64) strokes {
	var paths strokes
	for _, st := range s {
		if len(st) > 0 {
			paths = append(paths, append([][2]float32(nil), st...))
		}
	}
	near := func(a, b [2]float32) bool {
		return math.Hypot(float64(a[0]-b[0]), float64(a[1]-b[1])) < tol
	}
	reversed := func(p [][2]float32) [][2]float32 {
		q := make([][2]float32, len(p))
		for i, v := range p {
			q[len(p)-1-i] = v
		}
		return q
	}
	for joined := true; joined && len(paths) > 1; {
		joined = false
		for i := 0; i < len(paths) && !joined; i++ {
			for j := i + 1; j < len(paths) && !joined; j++ {
				a, b := paths[i], paths[j]
				switch {
				case near(a[len(a)-1], b[0]):
				case near(a[len(a)-1], b[len(b)-1]):
					b = reversed(b)
				case near(a[0], b[len(b)-1]):
					a, b = b, a
				case near(a[0], b[0]):
					a = reversed(a)
				default:
					continue
				}
				paths[i] = append(a, b...)
				paths = append(paths[:j], paths[j+1:]...)
				joined = true
			}
		}
	}
	return paths
}
