package ink

import (
	"math"
	"math/rand/v2"
	"testing"
)

// referenceRasterize is RasterizeStrokes drawn by drawCapsule alone, the
// definition the fast path is held to.
func referenceRasterize(dst *GrayImage, strokes []Stroke, w, h int, penWidth float32) {
	dst.setSize(w, h)
	clear(dst.Pix)
	r := float32(0)
	if penWidth > 0 {
		r = min(penWidth, 4*MaxDrawingSide) / 2
	}
	for _, s := range strokes {
		var prev [2]float32
		have, drawn := false, false
		for _, p := range s {
			if !finite32(p[0]) || !finite32(p[1]) {
				continue
			}
			if have {
				drawCapsule(dst, prev, p, r)
				drawn = true
			}
			prev, have = p, true
		}
		if have && !drawn {
			drawCapsule(dst, prev, prev, r)
		}
	}
}

func samePixels(t *testing.T, what string, got, want []float32) bool {
	t.Helper()
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Errorf("%s: pixel %d is %v, drawCapsule gives %v", what, i, got[i], want[i])
			return false
		}
	}
	return true
}

// randomPoint returns a point on or around a w×h canvas, now and then on a
// pixel centre or edge, far outside, or with a coordinate repeated, so that
// the spans' edge cases come up.
func randomPoint(r *rand.Rand, w, h int, prev [2]float32) [2]float32 {
	switch r.IntN(12) {
	case 0:
		return [2]float32{float32(r.IntN(w)) + 0.5, float32(r.IntN(h)) + 0.5}
	case 1:
		return [2]float32{float32(r.IntN(w)), float32(r.IntN(h))}
	case 2:
		return [2]float32{prev[0], float32(r.IntN(h))} // vertical segment
	case 3:
		return [2]float32{float32(r.IntN(w)), prev[1]} // horizontal segment
	case 4:
		return prev // a dot
	case 5:
		return [2]float32{float32(r.NormFloat64() * 3e4), float32(r.NormFloat64() * 3e4)} // past the fast path's limit
	}
	return [2]float32{r.Float32()*float32(w+60) - 30, r.Float32()*float32(h+60) - 30}
}

// TestDrawCapsuleFast draws random capsules with both kernels on canvases
// already holding ink and compares every pixel's bits.
func TestDrawCapsuleFast(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	radii := []float32{0, 0.2, 0.5, 0.5000001, 0.75, 1, 1.5, 4.3, 9, 9.25, 40}
	for iter := 0; iter < 3000; iter++ {
		w, h := 1+r.IntN(90), 1+r.IntN(90)
		base := make([]float32, w*h)
		for i := range base {
			if r.IntN(3) == 0 {
				base[i] = r.Float32()
			}
		}
		ref := GrayImage{W: w, H: h, Pix: append([]float32(nil), base...)}
		fast := GrayImage{W: w, H: h, Pix: append([]float32(nil), base...)}
		a := randomPoint(r, w, h, [2]float32{float32(w) / 2, float32(h) / 2})
		b := randomPoint(r, w, h, a)
		rad := radii[r.IntN(len(radii))]
		if r.IntN(4) == 0 {
			rad = r.Float32() * 20
		}
		drawCapsule(&ref, a, b, rad)
		drawCapsuleFast(&fast, window{cw: w, ch: h}, a, b, rad, nil)
		if !samePixels(t, "capsule", fast.Pix, ref.Pix) {
			t.Fatalf("%d×%d canvas, capsule %v–%v of radius %v", w, h, a, b, rad)
		}
	}
}

// TestRasterizeInkWindow renders drawings through the window and checks the
// window holds the reference canvas's ink and nothing is lost outside it,
// and that the preprocessed digit is the same bit for bit.
func TestRasterizeInkWindow(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var drawings [][]Stroke
	for _, d := range loadPenDigits(t)[:120] {
		drawings = append(drawings, PlaceStrokes(d.Strokes, PadSize, DigitFraction))
	}
	for i := 0; i < 200; i++ {
		var ss []Stroke
		for range 1 + r.IntN(3) {
			s := Stroke{randomPoint(r, PadSize, PadSize, [2]float32{140, 140})}
			for range r.IntN(12) {
				s = append(s, randomPoint(r, PadSize, PadSize, s[len(s)-1]))
			}
			if r.IntN(10) == 0 {
				s = append(s, [2]float32{float32(math.NaN()), 3})
			}
			ss = append(ss, s)
		}
		drawings = append(drawings, ss)
	}
	drawings = append(drawings, nil, []Stroke{{}}, []Stroke{{{-500, -500}, {800, 800}}}, []Stroke{{{-500, 10}}})
	var ref, win GrayImage
	var ink inkRows
	var pr, pw Preprocessor
	want, got := make([]float32, FieldSize*FieldSize), make([]float32, FieldSize*FieldSize)
	for i, ss := range drawings {
		for _, pen := range []float32{PenWidth, 3, 0} {
			referenceRasterize(&ref, ss, PadSize, PadSize, pen)
			rasterizeInkWindow(&win, &ink, ss, PadSize, PadSize, pen)
			// All the reference's ink lies in the window.
			var refMass, winMass float64
			for _, v := range ref.Pix {
				refMass += float64(v)
			}
			for _, v := range win.Pix {
				winMass += float64(v)
			}
			if refMass != winMass {
				t.Fatalf("drawing %d, pen %v: ink %v in the window, %v on the canvas", i, pen, winMass, refMass)
			}
			// The recorded rows hold every pixel with ink, and hi is the
			// largest value.
			hi := float32(0)
			for y := 0; y < win.H; y++ {
				for x, v := range win.Pix[y*win.W : (y+1)*win.W] {
					hi = max(hi, v)
					if v != 0 && (x < int(ink.first[y]) || x > int(ink.last[y])) {
						t.Fatalf("drawing %d, pen %v: pixel (%d, %d) = %v outside the row's ink %d..%d", i, pen, x, y, v, ink.first[y], ink.last[y])
					}
				}
			}
			if win.H > 0 && hi != ink.hi {
				t.Fatalf("drawing %d, pen %v: largest value %v, recorded %v", i, pen, hi, ink.hi)
			}
			okRef, okWin := pr.Run(want, &ref), pw.run(got, &win, &ink)
			if okRef != okWin {
				t.Fatalf("drawing %d, pen %v: ok %v through the window, %v on the canvas", i, pen, okWin, okRef)
			}
			if !samePixels(t, "preprocessed", got, want) {
				t.Fatalf("drawing %d, pen %v", i, pen)
			}
		}
	}
}

// TestRasterizeStrokesFast checks RasterizeStrokes, which draws with the fast
// kernel, against the reference on the pen digits.
func TestRasterizeStrokesFast(t *testing.T) {
	var ref, got GrayImage
	for i, d := range loadPenDigits(t)[:60] {
		placed := PlaceStrokes(d.Strokes, PadSize, DigitFraction)
		referenceRasterize(&ref, placed, PadSize, PadSize, PenWidth)
		RasterizeStrokes(&got, placed, PadSize, PadSize, PenWidth)
		if !samePixels(t, "digit", got.Pix, ref.Pix) {
			t.Fatalf("pen digit %d", i)
		}
	}
}
