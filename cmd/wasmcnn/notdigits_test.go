package main

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wasmcnn/core/ink"
	"wasmcnn/core/nn"
	"wasmcnn/data"
)

// TestDigitLike checks the rule that keeps digit shapes out of the
// non-digit material: a near-upright bar (1) and a closed, nearly convex
// loop (0), even traced in two halves, are digit-like; other shapes are not.
func TestDigitLike(t *testing.T) {
	ring := arc(0.5, 0.5, 0.3, 0.5, 0, 2*math.Pi, 40)
	half1, half2 := ring[:21], ring[20:]
	for _, c := range []struct {
		desc string
		s    strokes
		want bool
	}{
		{"upright bar", strokes{line(0.5, 0, 0.52, 1)}, true},
		{"slightly slanted bar", strokes{line(0.4, 0, 0.6, 1)}, true},
		{"oval", strokes{ring}, true},
		{"oval in two halves", strokes{half1, half2}, true},
		{"horizontal bar", strokes{line(0, 0.5, 1, 0.5)}, false},
		{"diagonal", strokes{line(0, 0, 1, 1)}, false},
		{"star", genShapeKind(2), false}, // closed, but far from convex
		{"cross", strokes{line(0.5, 0, 0.5, 1), line(0, 0.5, 1, 0.5)}, false},
		{"open arc", strokes{arc(0.5, 0.5, 0.5, 0.5, 0, math.Pi, 20)}, false},
	} {
		if got := digitLike(c.s); got != c.want {
			t.Errorf("%s: digitLike = %v, want %v", c.desc, got, c.want)
		}
	}
}

// genShapeKind draws the shape generator's figure number k.
func genShapeKind(k int) strokes {
	for seed := uint64(0); ; seed++ {
		r := rand.New(rand.NewPCG(seed, 0))
		if r.IntN(13) == k {
			return genShape(rand.New(rand.NewPCG(seed, 0)), nil)
		}
	}
}

// TestThinAndTrace thins a thick plus sign and a thick ring to their centre
// lines and traces them: the plus gives strokes through the centre reaching
// the four arms' ends, the ring one closed stroke.
func TestThinAndTrace(t *testing.T) {
	const n = 40
	plus := make([]bool, n*n)
	ring := make([]bool, n*n)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if (x >= 17 && x <= 22 && y >= 4 && y <= 35) || (y >= 17 && y <= 22 && x >= 4 && x <= 35) {
				plus[y*n+x] = true
			}
			if d := math.Hypot(float64(x)-19.5, float64(y)-19.5); d >= 11 && d <= 16 {
				ring[y*n+x] = true
			}
		}
	}
	thin(plus, n, n)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			// One pixel wide: no 2×2 block left.
			if x+1 < n && y+1 < n && plus[y*n+x] && plus[y*n+x+1] && plus[(y+1)*n+x] && plus[(y+1)*n+x+1] {
				t.Fatalf("a 2×2 block at (%d, %d) after thinning", x, y)
			}
		}
	}
	s := traceSkeleton(plus, n, n)
	if len(s) < 2 || len(s) > 6 {
		t.Errorf("plus traced into %d strokes, want 2 to 6 (four arms, maybe split at the centre)", len(s))
	}
	reach := [4]bool{}
	for _, st := range s {
		for _, p := range st {
			x, y := p[0], p[1]
			reach[0] = reach[0] || y < 9
			reach[1] = reach[1] || y > 31
			reach[2] = reach[2] || x < 9
			reach[3] = reach[3] || x > 31
		}
	}
	if reach != [4]bool{true, true, true, true} {
		t.Errorf("the plus's strokes reach the arms' ends %v", reach)
	}
	thin(ring, n, n)
	rs := traceSkeleton(ring, n, n)
	if len(rs) != 1 || !digitLike(rs) {
		t.Errorf("ring traced into %d strokes (digit-like %v), want one closed loop", len(rs), digitLike(rs))
	}
}

// TestPenJitter checks that jitter keeps a drawing in the unit box and
// moves it, by more at greater strength.
func TestPenJitter(t *testing.T) {
	s := strokes{line(0, 0, 1, 1), line(1, 0, 0, 1), arc(0.5, 0.5, 0.3, 0.3, 0, math.Pi, 10)}
	moved := func(strength float64) float64 {
		r := rand.New(rand.NewPCG(3, 4))
		var sum float64
		for range 20 {
			j, ok := penJitter(s, strength, r)
			if !ok {
				t.Fatal("jitter lost the drawing")
			}
			for i, st := range j {
				for k, p := range st {
					if p[0] < -1e-5 || p[1] < -1e-5 || p[0] > 1+1e-5 || p[1] > 1+1e-5 {
						t.Fatalf("point %v outside the unit box", p)
					}
					sum += math.Hypot(float64(p[0]-s[i][k][0]), float64(p[1]-s[i][k][1]))
				}
			}
		}
		return sum
	}
	if m := moved(0); m > 1e-3 {
		t.Errorf("strength 0 moved the points by %v in all", m)
	}
	if a, b := moved(0.3), moved(1); !(a > 0 && b > a) {
		t.Errorf("movement %v at 0.3, %v at 1: want more at greater strength", a, b)
	}
}

// TestNotDigitReplay writes drawings in the replay format and reads them
// back as non-digit examples; a digit record is refused.
func TestNotDigitReplay(t *testing.T) {
	ds := []data.Drawing{
		{Source: "gen/shape", Strokes: genShapeKind(2)},
		{Source: "gen/hatch", Strokes: genHatch(rand.New(rand.NewPCG(1, 2)), nil)},
	}
	b := notDigitReplay(ds)
	set, err := readNotDigitReplay(b)
	if err != nil {
		t.Fatal(err)
	}
	x, _ := renderNonDigits(ds)
	if set.Len() != 2 || set.Y[0] != nn.NotDigit || set.Y[1] != nn.NotDigit {
		t.Fatalf("read back %d examples labelled %v", set.Len(), set.Y)
	}
	for i, v := range set.X {
		if d := v - x[i]; d > 0.5/255+1e-6 || d < -0.5/255-1e-6 {
			t.Fatalf("value %d: %v read back, %v rendered", i, v, x[i])
		}
	}
	b[0] = 7
	if _, err := readNotDigitReplay(b); err == nil {
		t.Error("a record labelled 7 was read as a non-digit")
	}
	if _, err := readNotDigitReplay(b[:100]); err == nil {
		t.Error("a cut record was read")
	}
	// spread takes each group of sources in turn.
	many := []data.Drawing{{Source: "a/1"}, {Source: "a/2"}, {Source: "a/3"}, {Source: "b/1"}}
	got := spread(many, 2, 1)
	if len(got) != 2 || got[0].Source[0] == got[1].Source[0] {
		t.Errorf("spread picked %v, want one of each group", got)
	}
}

// TestGenDots: every drawing of dots is several short strokes, kept as
// non-digit material, and renders as the page draws it.
func TestGenDots(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var ren ink.StrokeRenderer
	img := make([]float32, 784)
	for i := range 200 {
		s := genDots(r, nil)
		dots := 0
		for _, st := range s {
			if len(st) == 2 && math.Hypot(float64(st[1][0]-st[0][0]), float64(st[1][1]-st[0][1])) < 0.04 {
				dots++
			}
		}
		if dots < 2 || digitLike(s) {
			t.Fatalf("drawing %d: %d dots of %d strokes, digit-like %v", i, dots, len(s), digitLike(s))
		}
		if !ren.Render(img, s, ink.DigitFraction, ink.PenWidth) {
			t.Fatalf("drawing %d renders no ink", i)
		}
	}
}

// TestParseFontScripts reads the -more-fonts list and refuses entries
// without a path or a script.
func TestParseFontScripts(t *testing.T) {
	fs, err := parseFontScripts(defaultMoreFonts)
	if err != nil || len(fs) != 4 || fs[0].script != "Hangul" || !strings.HasSuffix(fs[3].path, "ipag.ttf") {
		t.Errorf("the default list: %v, %v", fs, err)
	}
	for _, bad := range []string{"font.ttf", ":Hangul", "font.ttf:"} {
		if _, err := parseFontScripts(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	if fs, err := parseFontScripts(""); err != nil || len(fs) != 0 {
		t.Errorf("empty: %v %v", fs, err)
	}
}

// TestHersheyFontIndexing checks hersheyFont against the hersheytext
// package's layout, chars[i] being ASCII 33+i: skipping "9" must leave out
// the glyph at 24 and nothing else, or the fonts' digits would be trained
// on as non-digits.
func TestHersheyFontIndexing(t *testing.T) {
	type char struct {
		D string `json:"d"`
	}
	chars := make([]char, 94) // '!' … '~'
	for i := range chars {
		// glyph i is a zigzag of i+2 points: its length names it
		d := "M0,0 L"
		for j := 1; j <= i+1; j++ {
			d += fmt.Sprintf("%d,%d ", j, j%2)
		}
		chars[i].D = d
	}
	b, err := json.Marshal(map[string]any{"f": map[string]any{"name": "f", "chars": chars}})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "hersheytext.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	all, err := hersheyFont(path, "f", "")
	if err != nil {
		t.Fatal(err)
	}
	some, err := hersheyFont(path, "f", "9")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(chars) || len(some) != len(chars)-1 {
		t.Fatalf("%d glyphs without skip, %d skipping 9; want %d and %d", len(all), len(some), len(chars), len(chars)-1)
	}
	kept := map[int]bool{}
	for _, s := range some {
		kept[len(s[0])-2] = true
	}
	for i := range chars {
		if kept[i] == (i == '9'-33) {
			t.Errorf("glyph %d (%q): kept %v when skipping \"9\"", i, rune(33+i), kept[i])
		}
	}
}
