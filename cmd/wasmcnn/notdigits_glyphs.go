package main

import (
	"encoding/json"
	"fmt"
	"image"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// The glyph sources of the non-digit material: characters whose shapes come
// from fonts and stroke data that Debian and npm packages ship, turned into
// pen strokes.

// hersheyFont reads one font of the hersheytext npm package's
// hersheytext.json: single-line vector glyphs, char i being ASCII 33+i (the
// package's own getChar reads chars[code-33]: the space has no glyph).
// Characters in skip are left out.
func hersheyFont(path, name, skip string) ([]strokes, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var fonts map[string]struct {
		Chars []struct {
			D string `json:"d"`
		} `json:"chars"`
	}
	if err := json.Unmarshal(b, &fonts); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	f, ok := fonts[name]
	if !ok {
		return nil, fmt.Errorf("%s: no font %q", path, name)
	}
	var out []strokes
	for i, c := range f.Chars {
		if strings.ContainsRune(skip, rune(33+i)) {
			continue
		}
		s := parseHersheyPath(c.D)
		if u, ok := unitBox(s); ok {
			out = append(out, u)
		}
	}
	return out, nil
}

// parseHersheyPath reads an SVG path of M and L commands ("M4,3 L8,5 10,7").
func parseHersheyPath(d string) strokes {
	var s strokes
	for _, f := range strings.Fields(d) {
		start := false
		switch {
		case strings.HasPrefix(f, "M"):
			start, f = true, f[1:]
		case strings.HasPrefix(f, "L"):
			f = f[1:]
		}
		xs, ys, ok := strings.Cut(f, ",")
		if !ok {
			continue
		}
		x, err1 := strconv.ParseFloat(xs, 32)
		y, err2 := strconv.ParseFloat(ys, 32)
		if err1 != nil || err2 != nil {
			continue
		}
		if start || len(s) == 0 {
			s = append(s, nil)
		}
		s[len(s)-1] = append(s[len(s)-1], [2]float32{float32(x), float32(y)})
	}
	return s
}

// hanziMedians reads the stroke medians of the characters in the
// hanzi-writer-data npm package (one JSON file per character, coordinates
// in a 1024 box with y up), every step-th file in name order.
func hanziMedians(dir string, step int) ([]strokes, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	var out []strokes
	for i, f := range files {
		if step > 1 && i%step != 0 || filepath.Base(f) == "package.json" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var c struct {
			Medians [][][2]float32 `json:"medians"`
		}
		if err := json.Unmarshal(b, &c); err != nil {
			return nil, fmt.Errorf("%s: %v", f, err)
		}
		s := make(strokes, len(c.Medians))
		for k, m := range c.Medians {
			s[k] = make([][2]float32, len(m))
			for j, p := range m {
				s[k][j] = [2]float32{p[0], 900 - p[1]}
			}
		}
		if u, ok := unitBox(s); ok {
			out = append(out, u)
		}
	}
	return out, nil
}

// glyphSide is the side, in pixels, of the square a font glyph is
// rasterised into before it is thinned to its centre lines.
const glyphSide = 64

// fontGlyphs renders the letters and symbols of a Unicode script from a font
// file and turns each into pen strokes: the filled outline thinned to its
// centre lines (Zhang–Suen), the lines traced into strokes. Digits and other
// numbers, marks and punctuation are left out, and so are the letters in
// skip.
func fontGlyphs(path, script, skip string) ([]strokes, error) {
	table, ok := unicode.Scripts[script]
	if !ok {
		return nil, fmt.Errorf("no Unicode script %q", script)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f, err := sfnt.Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	var buf sfnt.Buffer
	var out []strokes
	each := func(r rune) error {
		if !unicode.IsLetter(r) && !unicode.IsSymbol(r) || strings.ContainsRune(skip, r) {
			return nil
		}
		gi, err := f.GlyphIndex(&buf, r)
		if err != nil || gi == 0 {
			return nil
		}
		segs, err := f.LoadGlyph(&buf, gi, fixed.I(256), nil)
		if err != nil || len(segs) == 0 {
			return nil
		}
		if s, ok := skeletonStrokes(segs); ok {
			out = append(out, s)
		}
		return nil
	}
	for _, rg := range table.R16 {
		for r := rune(rg.Lo); r <= rune(rg.Hi); r += rune(rg.Stride) {
			if err := each(r); err != nil {
				return nil, err
			}
		}
	}
	for _, rg := range table.R32 {
		for r := rune(rg.Lo); r <= rune(rg.Hi); r += rune(rg.Stride) {
			if err := each(r); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// skeletonStrokes fills a glyph outline into a glyphSide square (keeping its
// aspect ratio), thins it and traces the centre lines.
func skeletonStrokes(segs sfnt.Segments) (strokes, bool) {
	bounds := segs.Bounds()
	w := float32(bounds.Max.X-bounds.Min.X) / 64
	h := float32(bounds.Max.Y-bounds.Min.Y) / 64
	if !(w > 0 || h > 0) {
		return nil, false
	}
	const margin = 3
	scale := float32(glyphSide-2*margin) / max(w, h)
	ox := float32(margin) - float32(bounds.Min.X)/64*scale + (float32(glyphSide-2*margin)-w*scale)/2
	oy := float32(margin) - float32(bounds.Min.Y)/64*scale + (float32(glyphSide-2*margin)-h*scale)/2
	pt := func(p fixed.Point26_6) (float32, float32) {
		return float32(p.X)/64*scale + ox, float32(p.Y)/64*scale + oy
	}
	z := vector.NewRasterizer(glyphSide, glyphSide)
	for _, s := range segs {
		switch s.Op {
		case sfnt.SegmentOpMoveTo:
			z.MoveTo(pt(s.Args[0]))
		case sfnt.SegmentOpLineTo:
			z.LineTo(pt(s.Args[0]))
		case sfnt.SegmentOpQuadTo:
			x1, y1 := pt(s.Args[0])
			x2, y2 := pt(s.Args[1])
			z.QuadTo(x1, y1, x2, y2)
		case sfnt.SegmentOpCubeTo:
			x1, y1 := pt(s.Args[0])
			x2, y2 := pt(s.Args[1])
			x3, y3 := pt(s.Args[2])
			z.CubeTo(x1, y1, x2, y2, x3, y3)
		}
	}
	z.ClosePath()
	dst := image.NewAlpha(image.Rect(0, 0, glyphSide, glyphSide))
	z.Draw(dst, dst.Bounds(), image.Opaque, image.Point{})
	grid := make([]bool, glyphSide*glyphSide)
	for i, a := range dst.Pix {
		grid[i] = a >= 128
	}
	thin(grid, glyphSide, glyphSide)
	s := traceSkeleton(grid, glyphSide, glyphSide)
	return unitBox(s)
}

// thin reduces a binary image to its one-pixel-wide centre lines by the
// Zhang–Suen algorithm (Zhang and Suen, 1984).
func thin(g []bool, w, h int) {
	at := func(x, y int) bool { return x >= 0 && y >= 0 && x < w && y < h && g[y*w+x] }
	var del []int
	for changed := true; changed; {
		changed = false
		for pass := 0; pass < 2; pass++ {
			del = del[:0]
			for y := 0; y < h; y++ {
				for x := 0; x < w; x++ {
					if !g[y*w+x] {
						continue
					}
					// Neighbours P2..P9 clockwise from north.
					n := [8]bool{at(x, y-1), at(x+1, y-1), at(x+1, y), at(x+1, y+1), at(x, y+1), at(x-1, y+1), at(x-1, y), at(x-1, y-1)}
					b, a := 0, 0
					for i, v := range n {
						if v {
							b++
						}
						if !v && n[(i+1)%8] {
							a++
						}
					}
					if b < 2 || b > 6 || a != 1 {
						continue
					}
					if pass == 0 && (n[0] && n[2] && n[4] || n[2] && n[4] && n[6]) {
						continue
					}
					if pass == 1 && (n[0] && n[2] && n[6] || n[0] && n[4] && n[6]) {
						continue
					}
					del = append(del, y*w+x)
				}
			}
			for _, i := range del {
				g[i] = false
			}
			changed = changed || len(del) > 0
		}
	}
}

// traceSkeleton follows the centre lines of a thinned image into strokes:
// from every end or junction along pixels with two neighbours to the next
// end or junction, then around what is left (closed loops). A lone pixel is
// a dot.
func traceSkeleton(g []bool, w, h int) strokes {
	dirs := [8][2]int{{1, 0}, {1, 1}, {0, 1}, {-1, 1}, {-1, 0}, {-1, -1}, {0, -1}, {1, -1}}
	on := func(x, y int) bool { return x >= 0 && y >= 0 && x < w && y < h && g[y*w+x] }
	// linked says whether the pixel at (x, y)+d continues the line: a
	// diagonal step counts only where no orthogonal pixel already makes
	// the turn, so that a staircase is one line, not a row of junctions.
	linked := func(x, y int, d [2]int) bool {
		if !on(x+d[0], y+d[1]) {
			return false
		}
		return d[0] == 0 || d[1] == 0 || !on(x+d[0], y) && !on(x, y+d[1])
	}
	degree := func(x, y int) int {
		n := 0
		for _, d := range dirs {
			if linked(x, y, d) {
				n++
			}
		}
		return n
	}
	type edge struct{ a, b int }
	used := map[edge]bool{}
	key := func(a, b int) edge {
		if a > b {
			a, b = b, a
		}
		return edge{a, b}
	}
	var out strokes
	walk := func(x, y int, d [2]int) {
		line := [][2]float32{{float32(x) + 0.5, float32(y) + 0.5}}
		px, py := x, y
		x, y = x+d[0], y+d[1]
		used[key(py*w+px, y*w+x)] = true
		for {
			line = append(line, [2]float32{float32(x) + 0.5, float32(y) + 0.5})
			if degree(x, y) != 2 {
				break
			}
			moved := false
			for _, dd := range dirs {
				nx, ny := x+dd[0], y+dd[1]
				if linked(x, y, dd) && !(nx == px && ny == py) && !used[key(y*w+x, ny*w+nx)] {
					used[key(y*w+x, ny*w+nx)] = true
					px, py, x, y = x, y, nx, ny
					moved = true
					break
				}
			}
			if !moved {
				break
			}
		}
		out = append(out, simplify(line, 0.7))
	}
	for pass := 0; pass < 2; pass++ {
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				if !g[y*w+x] {
					continue
				}
				deg := degree(x, y)
				if deg == 0 && pass == 0 {
					out = append(out, [][2]float32{{float32(x) + 0.5, float32(y) + 0.5}})
					continue
				}
				if pass == 0 && deg == 2 {
					continue // first the lines that start at ends and junctions
				}
				for _, d := range dirs {
					nx, ny := x+d[0], y+d[1]
					if linked(x, y, d) && !used[key(y*w+x, ny*w+nx)] {
						walk(x, y, d)
					}
				}
			}
		}
	}
	return out
}

// simplify drops points of a polyline that lie within eps of the line
// through their neighbours that remain (Ramer–Douglas–Peucker).
func simplify(pts [][2]float32, eps float64) [][2]float32 {
	if len(pts) < 3 {
		return pts
	}
	a, b := pts[0], pts[len(pts)-1]
	far, at := -1.0, 0
	for i := 1; i < len(pts)-1; i++ {
		if d := segDist(pts[i], a, b); d > far {
			far, at = d, i
		}
	}
	if far <= eps {
		return [][2]float32{a, b}
	}
	left := simplify(pts[:at+1], eps)
	right := simplify(pts[at:], eps)
	return append(left[:len(left)-1:len(left)-1], right...)
}

// segDist is the distance from p to the segment a–b.
func segDist(p, a, b [2]float32) float64 {
	px, py := float64(p[0]-a[0]), float64(p[1]-a[1])
	dx, dy := float64(b[0]-a[0]), float64(b[1]-a[1])
	l := dx*dx + dy*dy
	t := 0.0
	if l > 0 {
		t = math.Max(0, math.Min(1, (px*dx+py*dy)/l))
	}
	return math.Hypot(px-t*dx, py-t*dy)
}
