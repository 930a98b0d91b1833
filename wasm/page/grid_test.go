package page

import "testing"

// TestGrid lays out maps and strips and finds places on them.
func TestGrid(t *testing.T) {
	// 16 maps of 28×28: 8 columns of 29 pixels, 2 rows.
	g, ok := newGrid([]int{1, 16, 28, 28}, 0)
	if !ok || g.dense || g.maps != 16 || g.cols != 8 || g.rows != 2 || g.cw != 8*29-1 || g.ch != 2*29-1 {
		t.Fatalf("16 maps of 28×28: %+v", g)
	}
	if g.cssWidth() != 3*g.cw {
		t.Errorf("css width %d", g.cssWidth())
	}
	for _, c := range []struct {
		cx, cy   float64
		ch, y, x int
		ok       bool
	}{
		{0, 0, 0, 0, 0, true},
		{27.9, 27.9, 0, 27, 27, true},
		{28.5, 3, 0, 0, 0, false}, // the gap between maps 0 and 1
		{29, 3, 1, 3, 0, true},
		{30, 30, 9, 1, 1, true},
		{-1, 3, 0, 0, 0, false},
		{float64(g.cw) + 5, 3, 0, 0, 0, false},
	} {
		ch, y, x, ok := g.at(c.cx, c.cy)
		if ok != c.ok || ok && (ch != c.ch || y != c.y || x != c.x) {
			t.Errorf("at(%v, %v) = map %d (%d, %d) %v; want map %d (%d, %d) %v", c.cx, c.cy, ch, y, x, ok, c.ch, c.y, c.x, c.ok)
		}
		if c.ok {
			if ox, oy := g.origin(ch, y, x); ox != int(c.cx) || oy != int(c.cy) {
				t.Errorf("origin of map %d (%d, %d) is (%d, %d), want (%v, %v)", ch, y, x, ox, oy, c.cx, c.cy)
			}
		}
	}
	if cur := g.cursor(1, 0, 0); cur[0] != "12.554%" || cur[1] != "0.000%" {
		t.Errorf("cursor of map 1: %v", cur)
	}
	// 512 maps show 64 at first, 16 columns, more on demand: all of
	// them in 32 columns.
	if g, _ := newGrid([]int{1, 512, 4, 4}, 0); g.maps != 64 || g.cols != 16 || g.rows != 4 || !g.more() {
		t.Errorf("512 maps of 4×4: %+v", g)
	}
	if g, _ := newGrid([]int{1, 512, 4, 4}, 512); g.maps != 512 || g.cols != 32 || g.rows != 16 || g.more() {
		t.Errorf("all 512 maps of 4×4: %+v", g)
	}
	// Large maps show as many as a quarter of a megapixel holds at first
	// (at least one), as many as a megapixel holds on demand; one too
	// large is not drawn.
	if g, _ := newGrid([]int{1, 64, 112, 112}, 0); g.maps != 20 || !g.more() {
		t.Errorf("64 maps of 112×112: %+v", g)
	}
	if g, _ := newGrid([]int{1, 64, 112, 112}, 64); g.maps != 64 || g.more() {
		t.Errorf("all 64 maps of 112×112: %+v", g)
	}
	if g, ok := newGrid([]int{1, 8, 600, 600}, 0); !ok || g.maps != 1 || !g.more() {
		t.Errorf("8 maps of 600×600: %+v %v", g, ok)
	}
	if g, ok := newGrid([]int{1, 8, 600, 600}, 8); !ok || g.maps != 2 || g.more() {
		t.Errorf("all 8 maps of 600×600: %+v %v", g, ok)
	}
	if g, _ := newGrid([]int{1, 96, 7, 7}, 0); g.maps != 64 || !g.more() {
		t.Errorf("the digit model's 96 maps of 7×7: %+v", g)
	}
	if _, ok := newGrid([]int{1, 1, 2000, 2000}, 0); ok {
		t.Error("a 2000×2000 map was laid out")
	}
	// A dense output is a strip; every place on it is a value.
	g, ok = newGrid([]int{1, 10}, 0)
	if !ok || !g.dense || g.cw != 10 || g.ch != 1 {
		t.Fatalf("a dense output: %+v", g)
	}
	if c, y, x, ok := g.at(99, 0); !ok || c != 0 || y != 0 || x != 9 {
		t.Errorf("at past the strip's end: %d %d %d %v", c, y, x, ok)
	}
	if _, ok := newGrid([]int{10}, 0); ok {
		t.Error("a rank-1 output was laid out")
	}
	if d := describeLayer("Conv", []int{1, 8, 14, 14}, []string{"Relu"}); d != "8 filters → 8 maps of 14×14, after Relu" {
		t.Errorf("describeLayer: %q", d)
	}
}
