package ink

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"wasmcnn/internal/floattest"
)

// testFour is a "4" from the pen-digit data (writer 4, sample 55), in the
// unit box, kept inline so that these tests need no file.
var testFour = [][][2]float32{
	{{0.5248, 0}, {0.4823, 0.078}, {0.4397, 0.1773}, {0.383, 0.2766}, {0.3333, 0.3901}, {0.2837, 0.5035}, {0.2482, 0.6099}, {0.2128, 0.695}, {0.2128, 0.766}, {0.2482, 0.8156}, {0.2979, 0.8369}, {0.3688, 0.8511}, {0.4468, 0.8582}},
	{{0.7872, 0.6099}, {0.773, 0.6099}, {0.766, 0.6241}, {0.7518, 0.6454}, {0.7447, 0.6809}, {0.7305, 0.7376}, {0.7092, 0.8014}, {0.6809, 0.8865}, {0.6596, 1}},
}

// drawDigit rasterises unit-box strokes on a PadSize canvas, scaled to
// fraction of it with pen width pen and then moved by (dx, dy) pixels.
func drawDigit(strokes [][][2]float32, fraction, pen, dx, dy float32) *GrayImage {
	placed := PlaceStrokes(strokes, PadSize, fraction)
	for _, s := range placed {
		for i := range s {
			s[i][0] += dx
			s[i][1] += dy
		}
	}
	var g GrayImage
	RasterizeStrokes(&g, placed, PadSize, PadSize, pen)
	return &g
}

// rectImage returns a w×h image with full ink on [x0, x1)×[y0, y1).
func rectImage(w, h, x0, y0, x1, y1 int) *GrayImage {
	g := &GrayImage{W: w, H: h, Pix: make([]float32, w*h)}
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			g.Pix[y*w+x] = 1
		}
	}
	return g
}

// centreOfMass returns the centre of mass of a w×h image in index
// coordinates (pixel i at i), the convention of FieldCentre.
func centreOfMass(pix []float32, w, h int) (cx, cy float64) {
	var m, mx, my float64
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := float64(pix[y*w+x])
			m += v
			mx += v * float64(x)
			my += v * float64(y)
		}
	}
	return mx / m, my / m
}

// extent returns the width and height of the ink of a field as the sums of
// the column and row maxima: for a solid rectangle that is its size, however
// the sub-pixel shift splits its edges over two pixels.
func extent(pix []float32) (w, h float64) {
	for i := 0; i < FieldSize; i++ {
		var cmax, rmax float32
		for j := 0; j < FieldSize; j++ {
			cmax = max(cmax, pix[j*FieldSize+i])
			rmax = max(rmax, pix[i*FieldSize+j])
		}
		w += float64(cmax)
		h += float64(rmax)
	}
	return w, h
}

// maxAbsDiff returns the largest |a[i] − b[i]| and the mean of |a[i] − b[i]|.
func maxAbsDiff(a, b []float32) (largest, mean float64) {
	for i := range a {
		d := math.Abs(float64(a[i] - b[i]))
		largest = max(largest, d)
		mean += d
	}
	return largest, mean / float64(len(a))
}

func TestPreprocessRejects(t *testing.T) {
	nan := float32(math.NaN())
	faint := rectImage(50, 50, 10, 10, 20, 20)
	for i := range faint.Pix {
		faint.Pix[i] *= 0.5 / 255
	}
	tests := []struct {
		desc string
		img  *GrayImage
	}{
		{"blank 280×280 canvas", &GrayImage{W: PadSize, H: PadSize, Pix: make([]float32, PadSize*PadSize)}},
		{"nil image", nil},
		{"zero size", &GrayImage{}},
		{"negative width", &GrayImage{W: -3, H: 2, Pix: make([]float32, 6)}},
		{"wider than MaxDrawingSide", &GrayImage{W: MaxDrawingSide + 1, H: 1, Pix: make([]float32, MaxDrawingSide+1)}},
		{"Pix shorter than W·H", &GrayImage{W: 10, H: 10, Pix: make([]float32, 99)}},
		{"only NaN", &GrayImage{W: 2, H: 2, Pix: []float32{nan, nan, nan, nan}}},
		{"ink below one grey level", faint},
		{"only negative values", &GrayImage{W: 2, H: 1, Pix: []float32{-1, -0.5}}},
	}
	for _, tt := range tests {
		dst := make([]float32, FieldSize*FieldSize)
		for i := range dst {
			dst[i] = 7
		}
		var p Preprocessor
		if p.Run(dst, tt.img) {
			t.Errorf("%s: ok = true, want false", tt.desc)
		}
		for i, v := range dst {
			if v != 0 {
				t.Errorf("%s: dst[%d] = %v after a failed run, want 0", tt.desc, i, v)
				break
			}
		}
	}

	// A short destination is refused and left alone.
	short := []float32{7, 7, 7}
	var p Preprocessor
	if p.Run(short, rectImage(50, 50, 10, 10, 20, 20)) {
		t.Error("short dst: ok = true, want false")
	}
	if short[0] != 7 {
		t.Error("short dst: written to")
	}
	if p.Run(nil, rectImage(50, 50, 10, 10, 20, 20)) {
		t.Error("nil dst: ok = true, want false")
	}
}

// TestPreprocessOutOfRange checks that values outside 0..1 are clamped as
// they are read and NaN counts as no ink: such pixels change the result no
// more than their clamped values would.
func TestPreprocessOutOfRange(t *testing.T) {
	want, ok := Preprocess(rectImage(300, 300, 20, 40, 220, 260))
	if !ok {
		t.Fatal("plain rectangle: ok = false")
	}
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	tests := []struct {
		desc string
		edit func(pix []float32)
	}{
		{"ink of 3 counts as 1", func(pix []float32) {
			for i, v := range pix {
				pix[i] = 3 * v
			}
		}},
		{"negative paper counts as 0", func(pix []float32) {
			for i, v := range pix {
				if v == 0 {
					pix[i] = -0.7
				}
			}
		}},
		{"NaN outside the ink counts as 0", func(pix []float32) { pix[0], pix[299*300+299] = nan, nan }},
		{"NaN inside the ink counts as 0", func(pix []float32) { pix[150*300+100] = nan }},
		{"+Inf inside the ink counts as 1", func(pix []float32) { pix[150*300+100] = inf }},
		{"-Inf outside the ink counts as 0", func(pix []float32) { pix[5] = -inf }},
	}
	for _, tt := range tests {
		img := rectImage(300, 300, 20, 40, 220, 260)
		tt.edit(img.Pix)
		got, ok := Preprocess(img)
		if !ok {
			t.Errorf("%s: ok = false", tt.desc)
			continue
		}
		tol := 0.0
		if strings.HasPrefix(tt.desc, "NaN inside") {
			tol = 0.02 // one source pixel of the 121 in a field pixel's average
		}
		largest, _ := maxAbsDiff(got, want)
		if largest > tol {
			t.Errorf("%s: differs from the plain rectangle by %v, want ≤ %v", tt.desc, largest, tol)
		}
	}
}

func TestPreprocessGeometry(t *testing.T) {
	tests := []struct {
		desc         string
		img          *GrayImage
		wantW, wantH float64 // size of the ink in the field
	}{
		{"square in the top-left corner of a 280×280 canvas", rectImage(280, 280, 3, 5, 63, 65), 20, 20},
		{"square in the bottom-right corner", rectImage(280, 280, 210, 210, 280, 280), 20, 20},
		{"tall 40×200 bar keeps its aspect ratio", rectImage(280, 280, 100, 40, 140, 240), 4, 20},
		{"wide 200×40 bar keeps its aspect ratio", rectImage(280, 280, 40, 100, 240, 140), 20, 4},
		{"75×150 rectangle", rectImage(280, 280, 30, 60, 105, 210), 10, 20},
		{"3×3 square enlarged", rectImage(280, 280, 139, 139, 142, 142), 20, 20},
		{"one-pixel vertical line", rectImage(280, 280, 17, 30, 18, 180), 1, 20},
		{"the whole canvas", rectImage(280, 280, 0, 0, 280, 280), 20, 20},
		{"non-square canvas", rectImage(400, 120, 300, 10, 390, 100), 20, 20},
		{"1×1 image", rectImage(1, 1, 0, 0, 1, 1), 20, 20},
	}
	for _, tt := range tests {
		out, ok := Preprocess(tt.img)
		if !ok {
			t.Errorf("%s: ok = false", tt.desc)
			continue
		}
		for i, v := range out {
			if !(v >= 0 && v <= 1) {
				t.Fatalf("%s: out[%d] = %v, outside 0..1", tt.desc, i, v)
			}
		}
		w, h := extent(out)
		if math.Abs(w-tt.wantW) > 0.05 || math.Abs(h-tt.wantH) > 0.05 {
			t.Errorf("%s: ink is %.3f×%.3f in the field, want %v×%v", tt.desc, w, h, tt.wantW, tt.wantH)
		}
		cx, cy := centreOfMass(out, FieldSize, FieldSize)
		if math.Abs(cx-FieldCentre) > 0.01 || math.Abs(cy-FieldCentre) > 0.01 {
			t.Errorf("%s: centre of mass (%.3f, %.3f), want (%v, %v)", tt.desc, cx, cy, FieldCentre, FieldCentre)
		}
	}
}

// TestPreprocessAreaAverage checks the scaled box against block means: a
// 200×200 drawing inked up to its edges shrinks to 20×20 by averaging
// 10×10 blocks.
func TestPreprocessAreaAverage(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	g := &GrayImage{W: 200, H: 200, Pix: make([]float32, 200*200)}
	for i := range g.Pix {
		g.Pix[i] = r.Float32()
	}
	var p Preprocessor
	out := make([]float32, FieldSize*FieldSize)
	if !p.Run(out, g) {
		t.Fatal("ok = false")
	}
	var blocks [BoxSize * BoxSize]float32
	for by := 0; by < BoxSize; by++ {
		for bx := 0; bx < BoxSize; bx++ {
			var s float32
			for y := 0; y < 10; y++ {
				for x := 0; x < 10; x++ {
					s += g.Pix[(by*10+y)*200+bx*10+x]
				}
			}
			blocks[by*BoxSize+bx] = s / 100
		}
	}
	floattest.AssertClose(t, "20×20 box", p.box[:], blocks[:], 1e-5)
}

func TestPreprocessScaleInvariance(t *testing.T) {
	large := drawDigit(testFour, DigitFraction, PenWidth, 0, 0)
	want, ok := Preprocess(large)
	if !ok {
		t.Fatal("large digit: ok = false")
	}
	tests := []struct {
		desc          string
		fraction, pen float32
		maxTol        float64 // largest difference of one pixel
		meanTol       float64 // mean difference over the field
	}{
		{"drawn at half the size with half the pen", DigitFraction / 2, PenWidth / 2, 0.03, 0.002},
		{"drawn at a third of the size with a third of the pen", DigitFraction / 3, PenWidth / 3, 0.25, 0.01},
		{"drawn 40 % larger with a 40 % wider pen", DigitFraction * 1.4, PenWidth * 1.4, 0.08, 0.004},
	}
	for _, tt := range tests {
		got, ok := Preprocess(drawDigit(testFour, tt.fraction, tt.pen, 0, 0))
		if !ok {
			t.Errorf("%s: ok = false", tt.desc)
			continue
		}
		largest, mean := maxAbsDiff(got, want)
		t.Logf("%s: largest difference %.4f, mean %.5f", tt.desc, largest, mean)
		if largest > tt.maxTol || mean > tt.meanTol {
			t.Errorf("%s: differs from the full-size digit by up to %.3f (mean %.4f), want ≤ %v (mean ≤ %v)", tt.desc, largest, mean, tt.maxTol, tt.meanTol)
		}
	}
}

func TestPreprocessTranslation(t *testing.T) {
	want, ok := Preprocess(drawDigit(testFour, DigitFraction, PenWidth, 0, 0))
	if !ok {
		t.Fatal("centred digit: ok = false")
	}
	tests := []struct {
		desc   string
		dx, dy float32
		tol    float64
	}{
		{"moved to the top-left corner", -40, -40, 1e-5},
		{"moved to the bottom-right corner", 40, 39, 1e-5},
		{"moved right only", 33, 0, 1e-5},
		{"moved by a fraction of a pixel", 0.37, 0.81, 0.1},
		{"moved left and by a fraction", -21.5, 12.25, 0.1},
	}
	for _, tt := range tests {
		got, ok := Preprocess(drawDigit(testFour, DigitFraction, PenWidth, tt.dx, tt.dy))
		if !ok {
			t.Errorf("%s: ok = false", tt.desc)
			continue
		}
		largest, _ := maxAbsDiff(got, want)
		t.Logf("%s: largest difference %.3g", tt.desc, largest)
		if largest > tt.tol {
			t.Errorf("%s: differs from the centred digit by %.4g, want ≤ %v", tt.desc, largest, tt.tol)
		}
	}
}

// TestPreprocessReuse checks that a Preprocessor gives the same result as a
// fresh one whatever it ran before, so stale scratch cannot leak through.
func TestPreprocessReuse(t *testing.T) {
	inputs := []*GrayImage{
		drawDigit(testFour, DigitFraction, PenWidth, 0, 0),
		rectImage(280, 280, 100, 40, 140, 240),
		rectImage(30, 500, 2, 3, 29, 480),
		rectImage(3, 3, 1, 1, 2, 2),
		drawDigit(testFour, 0.2, 5, 30, -60),
	}
	var p Preprocessor
	got := make([]float32, FieldSize*FieldSize)
	for round := 0; round < 2; round++ {
		for i, img := range inputs {
			want, _ := Preprocess(img)
			if !p.Run(got, img) {
				t.Fatalf("input %d: ok = false", i)
			}
			floattest.AssertClose(t, "reused preprocessor", got, want, 0)
		}
	}
}

func TestPreprocessNoAllocs(t *testing.T) {
	a := drawDigit(testFour, DigitFraction, PenWidth, 0, 0)
	b := drawDigit(testFour, 0.3, 8, 20, 50)
	var p Preprocessor
	dst := make([]float32, FieldSize*FieldSize)
	p.Run(dst, a)
	i := 0
	allocs := testing.AllocsPerRun(20, func() {
		// Alternate two digits of the same canvas size but different boxes.
		if i%2 == 0 {
			p.Run(dst, b)
		} else {
			p.Run(dst, a)
		}
		i++
	})
	if allocs != 0 {
		t.Errorf("Run allocates %v times per call after the first, want 0", allocs)
	}
}

func TestResampler(t *testing.T) {
	tests := []struct {
		desc string
		n, t int
	}{
		{"shrink by 10", 200, 20},
		{"shrink by a non-integer factor", 37, 20},
		{"shrink by barely anything", 21, 20},
		{"same size", 20, 20},
		{"shrink to one pixel", 9, 1},
		{"enlarge 5 to 20", 5, 20},
		{"enlarge 1 to 20", 1, 20},
		{"enlarge 2 to 7", 2, 7},
	}
	r := rand.New(rand.NewPCG(5, 6))
	for _, tt := range tests {
		var rs resampler
		rs.plan(tt.n, tt.t, tt.n)
		src := make([]float32, tt.n)
		var srcSum float64
		for i := range src {
			src[i] = r.Float32()
			srcSum += float64(src[i])
		}
		dst := make([]float32, tt.t)
		rs.apply(dst, src)
		var dstSum float64
		for j := range dst {
			var wsum float32
			for _, w := range rs.w[rs.off[j]:rs.off[j+1]] {
				wsum += w
			}
			if math.Abs(float64(wsum)-1) > 1e-5 {
				t.Errorf("%s: weights of pixel %d sum to %v, want 1", tt.desc, j, wsum)
			}
			dstSum += float64(dst[j])
		}
		// Area averaging keeps the ink: each destination pixel stands for
		// n/t source pixels.
		if tt.t <= tt.n {
			if got := dstSum * float64(tt.n) / float64(tt.t); math.Abs(got-srcSum) > 1e-4*float64(tt.n) {
				t.Errorf("%s: resampled ink %v, want %v", tt.desc, got, srcSum)
			}
		}
		// A constant stays constant.
		for i := range src {
			src[i] = 0.625
		}
		rs.apply(dst, src)
		for j, v := range dst {
			if math.Abs(float64(v)-0.625) > 1e-6 {
				t.Errorf("%s: constant 0.625 resampled to %v at %d", tt.desc, v, j)
				break
			}
		}
	}
}

func TestFromRGBA(t *testing.T) {
	const w, h = 64, 48
	// A stroke with anti-aliased edges, as a canvas draws it: black with
	// varying alpha on a transparent canvas, and the same composited onto
	// white as an opaque canvas stores it.
	clearBytes := make([]byte, 4*w*h)
	whiteBytes := make([]byte, 4*w*h)
	for i := 0; i < w*h; i++ {
		x, y := i%w, i/w
		a := 0
		if d := math.Abs(float64(y) - 0.5*float64(x) - 10); d < 4 {
			a = int(255 * min(1, 4-d))
		}
		clearBytes[4*i+3] = byte(a)
		v := byte(255 - a)
		copy(whiteBytes[4*i:], []byte{v, v, v, 255})
	}
	var fromClear, fromWhite GrayImage
	if err := FromRGBA(&fromClear, clearBytes, w, h); err != nil {
		t.Fatal(err)
	}
	if err := FromRGBA(&fromWhite, whiteBytes, w, h); err != nil {
		t.Fatal(err)
	}
	if fromClear.W != w || fromClear.H != h {
		t.Fatalf("size %d×%d, want %d×%d", fromClear.W, fromClear.H, w, h)
	}
	floattest.AssertClose(t, "transparent vs white canvas", fromClear.Pix, fromWhite.Pix, 1e-6)
	var inked int
	for _, v := range fromClear.Pix {
		if v > 0.5 {
			inked++
		}
	}
	if inked < 100 {
		t.Errorf("only %d pixels of ink, want the stroke", inked)
	}

	pixels := []struct {
		desc string
		rgba [4]byte
		want float32
	}{
		{"opaque white", [4]byte{255, 255, 255, 255}, 0},
		{"opaque black", [4]byte{0, 0, 0, 255}, 1},
		{"transparent black", [4]byte{0, 0, 0, 0}, 0},
		{"transparent white", [4]byte{255, 255, 255, 0}, 0},
		{"half-transparent black", [4]byte{0, 0, 0, 51}, 0.2},
		{"opaque mid grey", [4]byte{102, 102, 102, 255}, 0.6},
		{"opaque red: 1 − 0.299", [4]byte{255, 0, 0, 255}, 0.701},
		{"opaque blue: 1 − 0.114", [4]byte{0, 0, 255, 255}, 0.886},
		{"half-transparent green", [4]byte{0, 255, 0, 51}, 0.2 * 0.413},
	}
	var g GrayImage
	for _, tt := range pixels {
		if err := FromRGBA(&g, tt.rgba[:], 1, 1); err != nil {
			t.Fatalf("%s: %v", tt.desc, err)
		}
		if math.Abs(float64(g.Pix[0]-tt.want)) > 1e-6 {
			t.Errorf("%s: ink %v, want %v", tt.desc, g.Pix[0], tt.want)
		}
	}
}

func TestFromRGBAErrors(t *testing.T) {
	tests := []struct {
		desc string
		dst  *GrayImage
		n    int // bytes
		w, h int
		want string // in the message
	}{
		{"zero width", &GrayImage{}, 0, 0, 10, "size 0×10"},
		{"negative height", &GrayImage{}, 40, 10, -1, "size 10×-1"},
		{"too wide", &GrayImage{}, 4 * (MaxDrawingSide + 1), MaxDrawingSide + 1, 1, "1..8192"},
		{"too few bytes", &GrayImage{}, 4*10*10 - 1, 10, 10, "399 bytes for a 10×10 image, want 400"},
		{"too many bytes", &GrayImage{}, 4*10*10 + 4, 10, 10, "404 bytes"},
		{"RGB instead of RGBA", &GrayImage{}, 3 * 10 * 10, 10, 10, "4 bytes per pixel"},
		{"nil destination", nil, 400, 10, 10, "nil destination"},
	}
	for _, tt := range tests {
		err := FromRGBA(tt.dst, make([]byte, tt.n), tt.w, tt.h)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one containing %q", tt.desc, err, tt.want)
		}
	}
}

// TestFromRGBAReuse checks that the destination's pixels are reused, not
// reallocated, once they are large enough.
func TestFromRGBAReuse(t *testing.T) {
	var g GrayImage
	big := make([]byte, 4*PadSize*PadSize)
	if err := FromRGBA(&g, big, PadSize, PadSize); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(5, func() {
		if err := FromRGBA(&g, big, PadSize, PadSize); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("FromRGBA allocates %v times on a reused image, want 0", allocs)
	}
}

func TestFromImage(t *testing.T) {
	const w, h = 40, 30
	// The same drawing in four encodings: dark on light, light on dark,
	// dark strokes on a transparent background, and grey on grey.
	dark := image.NewGray(image.Rect(0, 0, w, h))
	light := image.NewGray(image.Rect(0, 0, w, h))
	transparent := image.NewNRGBA(image.Rect(0, 0, w, h))
	dim := image.NewRGBA(image.Rect(0, 0, w, h))
	want := make([]float32, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var ink float32
			if x >= 10 && x < 30 && y >= 8 && y < 22 {
				ink = 1
				if x == 10 || x == 29 {
					ink = 0.4 // an anti-aliased edge
				}
			}
			want[y*w+x] = ink
			v := uint8(math.Round(float64(255 * ink)))
			dark.SetGray(x, y, color.Gray{Y: 255 - v})
			light.SetGray(x, y, color.Gray{Y: v})
			transparent.SetNRGBA(x, y, color.NRGBA{A: v})
			// Pencil on grey paper: paper at 200, full ink at 80.
			g := uint8(math.Round(200 - 120*float64(v)/255))
			dim.SetRGBA(x, y, color.RGBA{g, g, g, 255})
		}
	}
	tests := []struct {
		desc string
		img  image.Image
	}{
		{"black on white", dark},
		{"white on black", light},
		{"black on transparent", transparent},
		{"dark grey on light grey", dim},
	}
	for _, tt := range tests {
		g := FromImage(tt.img)
		if g.W != w || g.H != h {
			t.Errorf("%s: size %d×%d, want %d×%d", tt.desc, g.W, g.H, w, h)
			continue
		}
		floattest.AssertClose(t, tt.desc, g.Pix, want, 0.01)
	}

	// A sub-image whose bounds do not start at the origin.
	sub := dark.SubImage(image.Rect(5, 4, 35, 26))
	g := FromImage(sub)
	if g.W != 30 || g.H != 22 || g.Pix[(8-4)*30+(15-5)] < 0.99 || g.Pix[0] != 0 {
		t.Errorf("offset sub-image: %d×%d, ink %v at the stroke and %v at the corner", g.W, g.H, g.Pix[(8-4)*30+(15-5)], g.Pix[0])
	}

	// Uniform images have no ink, whatever their colour.
	for _, level := range []uint8{0, 128, 255} {
		u := image.NewGray(image.Rect(0, 0, 8, 8))
		for i := range u.Pix {
			u.Pix[i] = level
		}
		g := FromImage(u)
		for _, v := range g.Pix {
			if v != 0 {
				t.Errorf("uniform grey %d: ink %v, want 0", level, v)
				break
			}
		}
	}
	if g := FromImage(image.NewGray(image.Rectangle{})); g.W != 0 || g.H != 0 || len(g.Pix) != 0 {
		t.Errorf("empty image: %d×%d with %d values, want 0×0", g.W, g.H, len(g.Pix))
	}
}
