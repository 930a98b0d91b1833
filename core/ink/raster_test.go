package ink

import (
	"encoding/json"
	"errors"
	"io/fs"
	"math"
	"os"
	"testing"
)

// penDigitsPath is the pen-digit training file, relative to this package.
const penDigitsPath = "../../../shared/data/pendigits/strokes_train.json"

// inkSum returns the total ink of g and its centre of mass in the area
// convention (pixel i covers [i, i+1)), which is how stroke coordinates
// count.
func inkSum(g *GrayImage) (mass, cx, cy float64) {
	for y := 0; y < g.H; y++ {
		for x := 0; x < g.W; x++ {
			v := float64(g.Pix[y*g.W+x])
			mass += v
			cx += v * (float64(x) + 0.5)
			cy += v * (float64(y) + 0.5)
		}
	}
	return mass, cx / mass, cy / mass
}

func TestRasterizeCoverage(t *testing.T) {
	// Pixel (x, y) is centred at (x+0.5, y+0.5); the dots sit on pixel
	// centres so that distances are simple.
	tests := []struct {
		desc    string
		strokes []Stroke
		pen     float32
		x, y    int
		want    float32
	}{
		{"dot centre", []Stroke{{{100.5, 100.5}}}, 8, 100, 100, 1},
		{"dot, 3 px out (inside r − 0.5)", []Stroke{{{100.5, 100.5}}}, 8, 103, 100, 1},
		{"dot, 4 px out: on the edge, half covered", []Stroke{{{100.5, 100.5}}}, 8, 104, 100, 0.5},
		{"dot, 5 px out: outside", []Stroke{{{100.5, 100.5}}}, 8, 105, 100, 0},
		{"dot, diagonal 3√2 px out", []Stroke{{{100.5, 100.5}}}, 8, 103, 103, 4.5 - 3*math.Sqrt2},
		{"dot from repeated points", []Stroke{{{100.5, 100.5}, {100.5, 100.5}, {100.5, 100.5}}}, 8, 104, 100, 0.5},
		{"segment, 2.25 px beside it", []Stroke{{{10, 50.75}, {90, 50.75}}}, 5, 40, 48, 0.75},
		{"segment, beyond its end by 2.5 px (round cap)", []Stroke{{{10, 50.5}, {90, 50.5}}}, 5, 92, 50, 0.5},
		{"segment, diagonal off its end (round, not square)", []Stroke{{{10, 50.5}, {90, 50.5}}}, 5, 92, 52, 0},
		{"pen thinner than a pixel", []Stroke{{{20.5, 20.5}}}, 0.5, 20, 20, 0.75},
		{"negative pen counts as 0", []Stroke{{{20.5, 20.5}}}, -4, 20, 20, 0.5},
		{"overlap keeps the larger coverage", []Stroke{{{100.5, 100.5}}, {{108.5, 100.5}}}, 8, 104, 100, 0.5},
		{"a later stroke does not lower an earlier one", []Stroke{{{100.5, 100.5}}, {{107.5, 100.5}}}, 8, 103, 100, 1},
	}
	var g GrayImage
	for _, tt := range tests {
		RasterizeStrokes(&g, tt.strokes, 200, 150, tt.pen)
		if got := g.Pix[tt.y*g.W+tt.x]; math.Abs(float64(got-tt.want)) > 1e-5 {
			t.Errorf("%s: coverage of (%d, %d) is %v, want %v", tt.desc, tt.x, tt.y, got, tt.want)
		}
	}
}

func TestRasterizeDot(t *testing.T) {
	tests := []struct {
		desc string
		at   [2]float32
		pen  float32
		tol  float64 // relative, on the area; smaller discs show their pixels
	}{
		{"page pen on a pixel centre", [2]float32{140.5, 140.5}, PenWidth, 0.002},
		{"page pen between pixels", [2]float32{100.2, 57.9}, PenWidth, 0.002},
		{"thin pen", [2]float32{30.7, 44.1}, 4, 0.01},
		{"wide pen", [2]float32{140, 140}, 60, 0.001},
	}
	var g GrayImage
	for _, tt := range tests {
		RasterizeStrokes(&g, []Stroke{{tt.at}}, PadSize, PadSize, tt.pen)
		r := float64(tt.pen) / 2
		// The one-pixel ramp adds π/12 to the disc's area πr².
		want := math.Pi*r*r + math.Pi/12
		mass, cx, cy := inkSum(&g)
		if math.Abs(mass-want) > tt.tol*want {
			t.Errorf("%s: area %.2f, want %.2f (πr² = %.2f)", tt.desc, mass, want, math.Pi*r*r)
		}
		if math.Abs(cx-float64(tt.at[0])) > 0.02 || math.Abs(cy-float64(tt.at[1])) > 0.02 {
			t.Errorf("%s: centre (%.3f, %.3f), want (%v, %v)", tt.desc, cx, cy, tt.at[0], tt.at[1])
		}
	}
}

func TestRasterizeSegment(t *testing.T) {
	const x0, x1, y = 40, 200, 100
	var g GrayImage
	RasterizeStrokes(&g, []Stroke{{{x0, y}, {x1, y}}}, PadSize, PadSize, PenWidth)
	r := float32(PenWidth) / 2

	// Across the line the ink adds up to the pen width, and it is 18
	// pixels thick at half coverage (the line runs between two rows).
	var across float32
	var thick int
	for yy := 0; yy < g.H; yy++ {
		v := g.Pix[yy*g.W+120]
		across += v
		if v >= 0.5 {
			thick++
		}
	}
	if math.Abs(float64(across-PenWidth)) > 1e-4 || thick != PenWidth {
		t.Errorf("across the line: ink %v and %d pixels at ≥ 0.5, want %v and %d", across, thick, PenWidth, PenWidth)
	}

	// Along it the round caps add about r at each end (a little less: the
	// row's centres are half a pixel off the axis).
	var along float32
	for x := 0; x < g.W; x++ {
		along += g.Pix[100*g.W+x]
	}
	if want := float32(x1-x0) + 2*r; math.Abs(float64(along-want)) > 0.05 {
		t.Errorf("along the line: ink %v, want %v (length + 2r)", along, want)
	}
	for _, c := range []struct {
		desc string
		x, y int
		ink  bool
	}{
		{"past the left end by r − 1", x0 - int(r), 100, true},
		{"past the right end by r − 1", x1 + int(r) - 1, 100, true},
		{"past the right end by r + 1", x1 + int(r) + 1, 100, false},
		{"the square cap's corner, off the round one", x1 + int(r) - 1, 100 + int(r) - 1, false},
	} {
		if got := g.Pix[c.y*g.W+c.x] > 0; got != c.ink {
			t.Errorf("%s: ink at (%d, %d) = %v, want %v", c.desc, c.x, c.y, g.Pix[c.y*g.W+c.x], c.ink)
		}
	}
}

func TestRasterizeRange(t *testing.T) {
	var g GrayImage
	RasterizeStrokes(&g, PlaceStrokes(testFour, PadSize, DigitFraction), PadSize, PadSize, PenWidth)
	var full, partial int
	for i, v := range g.Pix {
		switch {
		case !(v >= 0 && v <= 1):
			t.Fatalf("pixel %d: coverage %v outside 0..1", i, v)
		case v == 1:
			full++
		case v > 0:
			partial++
		}
	}
	// The anti-aliased edge is about one pixel wide on each side of each
	// stroke: a good share of the ink, not none and not most of it.
	if full == 0 || partial < full/20 || partial > full/2 {
		t.Errorf("%d fully covered and %d partly covered pixels, want an anti-aliased edge", full, partial)
	}
}

func TestRasterizeBadInput(t *testing.T) {
	nan := float32(math.NaN())
	inf := float32(math.Inf(1))
	tests := []struct {
		desc    string
		strokes []Stroke
		w, h    int
		wantW   int
		mass    float64 // expected ink, or -1 for any
	}{
		{"no strokes", nil, 50, 40, 50, 0},
		{"empty stroke", []Stroke{{}}, 50, 40, 50, 0},
		{"NaN points are skipped: one dot of radius 2 is left", []Stroke{{{nan, 3}, {20.2, 20.7}, {5, nan}}}, 50, 40, 50, math.Pi*4 + math.Pi/12},
		{"infinite points are skipped", []Stroke{{{inf, inf}, {-inf, 2}}}, 50, 40, 50, 0},
		{"far-away points draw nothing", []Stroke{{{-1e30, -1e30}, {-1e30, 1e30}}}, 50, 40, 50, 0},
		{"a line from very far away", []Stroke{{{-1e30, 20.5}, {1e30, 20.5}}}, 50, 40, 50, 50 * 4},
		{"a line through the image from far away", []Stroke{{{-1e6, 20.5}, {1e6, 20.5}}}, 50, 40, 50, 50 * 4},
		{"zero width", []Stroke{{{1, 1}}}, 0, 40, 0, -1},
		{"negative height", []Stroke{{{1, 1}}}, 50, -2, 0, -1},
		{"too large", []Stroke{{{1, 1}}}, MaxDrawingSide + 1, 10, 0, -1},
	}
	for _, tt := range tests {
		g := GrayImage{W: 9, H: 9, Pix: make([]float32, 81)}
		RasterizeStrokes(&g, tt.strokes, tt.w, tt.h, 4)
		if g.W != tt.wantW || len(g.Pix) != g.W*g.H {
			t.Errorf("%s: image %d×%d with %d values, want width %d", tt.desc, g.W, g.H, len(g.Pix), tt.wantW)
			continue
		}
		if tt.mass < 0 {
			continue
		}
		var mass float64
		for _, v := range g.Pix {
			mass += float64(v)
		}
		if math.Abs(mass-tt.mass) > 0.02*tt.mass+1e-6 {
			t.Errorf("%s: ink %.3f, want %.3f", tt.desc, mass, tt.mass)
		}
	}
	RasterizeStrokes(nil, []Stroke{{{1, 1}}}, 10, 10, 4) // must not panic
}

func TestPlaceStrokes(t *testing.T) {
	tests := []struct {
		desc     string
		canvas   int
		fraction float32
		in, want [2]float32
	}{
		{"box centre to canvas centre", PadSize, DigitFraction, [2]float32{0.5, 0.5}, [2]float32{140, 140}},
		{"top-left of the box", PadSize, DigitFraction, [2]float32{0, 0}, [2]float32{49, 49}},
		{"bottom-right of the box", PadSize, DigitFraction, [2]float32{1, 1}, [2]float32{231, 231}},
		{"y grows downward", PadSize, DigitFraction, [2]float32{0.5, 1}, [2]float32{140, 231}},
		{"the whole canvas", 100, 1, [2]float32{0.25, 0.75}, [2]float32{25, 75}},
	}
	for _, tt := range tests {
		got := PlaceStrokes([][][2]float32{{{0.3, 0.3}}, {tt.in}}, tt.canvas, tt.fraction)
		if len(got) != 2 || len(got[1]) != 1 {
			t.Fatalf("%s: %d strokes, want 2 of one point", tt.desc, len(got))
		}
		p := got[1][0]
		if math.Abs(float64(p[0]-tt.want[0])) > 1e-4 || math.Abs(float64(p[1]-tt.want[1])) > 1e-4 {
			t.Errorf("%s: %v placed at %v, want %v", tt.desc, tt.in, p, tt.want)
		}
	}
	// Strokes must not share points: appending to one leaves the next alone.
	got := PlaceStrokes([][][2]float32{{{0, 0}}, {{1, 1}}}, 10, 1)
	_ = append(got[0], [2]float32{5, 5})
	if got[1][0] != [2]float32{10, 10} {
		t.Errorf("appending to stroke 0 changed stroke 1 to %v", got[1])
	}
}

// loadPenDigits reads the pen-digit training file, skipping the test if it
// is not there.
func loadPenDigits(t testing.TB) []struct {
	Label   int            `json:"label"`
	Strokes [][][2]float32 `json:"strokes"`
} {
	t.Helper()
	b, err := os.ReadFile(penDigitsPath)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("no pen digits: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	var digits []struct {
		Label   int            `json:"label"`
		Strokes [][][2]float32 `json:"strokes"`
	}
	if err := json.Unmarshal(b, &digits); err != nil {
		t.Fatal(err)
	}
	if len(digits) == 0 {
		t.Fatal("no digits in the file")
	}
	return digits
}

func TestPenDigitPipeline(t *testing.T) {
	digits := loadPenDigits(t)
	var g GrayImage
	var p Preprocessor
	out := make([]float32, FieldSize*FieldSize)
	checked := 0
	for i := 0; i < len(digits); i += 37 {
		d := digits[i]
		RasterizeStrokes(&g, PlaceStrokes(d.Strokes, PadSize, DigitFraction), PadSize, PadSize, PenWidth)
		if !p.Run(out, &g) {
			t.Errorf("digit %d (a %d): ok = false", i, d.Label)
			continue
		}
		// The ink's bounding box in the field: its longer side is 20.
		x0, y0, x1, y1 := FieldSize, FieldSize, -1, -1
		for y := 0; y < FieldSize; y++ {
			for x := 0; x < FieldSize; x++ {
				if out[y*FieldSize+x] > 0.05 {
					x0, x1 = min(x0, x), max(x1, x)
					y0, y1 = min(y0, y), max(y1, y)
				}
			}
		}
		if side := max(x1-x0, y1-y0) + 1; side < BoxSize-1 || side > BoxSize+1 {
			t.Errorf("digit %d (a %d): ink box %d×%d, want the longer side %d±1", i, d.Label, x1-x0+1, y1-y0+1, BoxSize)
		}
		cx, cy := centreOfMass(out, FieldSize, FieldSize)
		if math.Abs(cx-FieldCentre) > 0.5 || math.Abs(cy-FieldCentre) > 0.5 {
			t.Errorf("digit %d (a %d): centre of mass (%.2f, %.2f), want within 0.5 of %v", i, d.Label, cx, cy, FieldCentre)
		}
		checked++
	}
	t.Logf("%d pen digits rasterised and preprocessed", checked)
}

func BenchmarkRasterizeDigit(b *testing.B) {
	strokes := PlaceStrokes(testFour, PadSize, DigitFraction)
	var g GrayImage
	for b.Loop() {
		RasterizeStrokes(&g, strokes, PadSize, PadSize, PenWidth)
	}
}

func BenchmarkPreprocessDigit(b *testing.B) {
	g := drawDigit(testFour, DigitFraction, PenWidth, 0, 0)
	var p Preprocessor
	out := make([]float32, FieldSize*FieldSize)
	for b.Loop() {
		p.Run(out, g)
	}
}

// BenchmarkCanvasToDigit is the page's whole path for one drawing: canvas
// bytes to ink, then to the 28×28 digit.
func BenchmarkCanvasToDigit(b *testing.B) {
	g := drawDigit(testFour, DigitFraction, PenWidth, 0, 0)
	rgba := make([]byte, 4*len(g.Pix))
	for i, v := range g.Pix {
		rgba[4*i+3] = uint8(255 * v)
	}
	var ink GrayImage
	var p Preprocessor
	out := make([]float32, FieldSize*FieldSize)
	for b.Loop() {
		if err := FromRGBA(&ink, rgba, PadSize, PadSize); err != nil {
			b.Fatal(err)
		}
		p.Run(out, &ink)
	}
}
