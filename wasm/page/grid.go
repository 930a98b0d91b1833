package page

import (
	"math"
	"strconv"
)

// What one layer's canvas shows. A layer draws its first maps (at most
// firstMaps, in at most firstMapPixels of canvas) and more on demand, up
// to maxMapPixels, so that a large model dropped on the page can neither
// make a canvas of hundreds of megapixels nor spend every frame drawing
// maps nobody asked for. Its layers are open while the maps shown above
// them number fewer than openMaps; the rest are listed closed, to open one
// by one (the digit model's eight layers all open).
const (
	firstMaps      = 64
	firstMapPixels = 1 << 18
	maxMapPixels   = 1 << 20
	openMaps       = 400
)

// grid is how one node's output is laid out on its canvas: its maps side
// by side in rows, one pixel apart, or, for a node with one value per
// channel (a dense layer, global pooling), a strip of values.
type grid struct {
	dense      bool // a strip: value x is channel x
	channels   int  // maps (or values) the node has
	maps       int  // maps drawn
	w, h       int  // one map; a strip is one map of 1×w
	cols, rows int
	cw, ch     int // the canvas
}

// newGrid lays out a node output of the shape ([N, C, H, W] maps, or
// [N, C] or [N, C, 1, 1] values) showing want maps, or the first ones
// (want 0); ok is false for other shapes and for maps too large to draw.
func newGrid(shape []int, want int) (g grid, ok bool) {
	switch {
	case len(shape) == 4 && shape[2]*shape[3] > 1:
		g.channels, g.h, g.w = shape[1], shape[2], shape[3]
	case len(shape) == 2 || len(shape) == 4:
		g.dense, g.channels, g.h, g.w = true, 1, 1, shape[1]
	default:
		return g, false
	}
	if g.dense {
		g.maps = 1
		g.w = min(g.w, maxMapPixels)
		g.cols, g.rows = 1, 1
		g.cw, g.ch = g.w, 1
		return g, true
	}
	cell := (g.w + 1) * (g.h + 1)
	if cell > maxMapPixels {
		return g, false // one map too large to draw
	}
	if want <= 0 {
		want = max(1, min(firstMaps, firstMapPixels/cell))
	}
	g.maps = max(1, min(g.channels, want, maxMapPixels/cell))
	g.cols = 8
	for g.cols*2 <= g.maps && (g.maps+g.cols-1)/g.cols > g.cols/2 && g.cols < 32 {
		g.cols *= 2
	}
	g.cols = min(g.cols, g.maps)
	g.rows = (g.maps + g.cols - 1) / g.cols
	g.cw, g.ch = g.cols*(g.w+1)-1, g.rows*(g.h+1)-1
	return g, true
}

// more reports whether asking for every map would show more than g does.
func (g grid) more() bool {
	return !g.dense && g.maps < g.channels && g.maps < maxMapPixels/((g.w+1)*(g.h+1))
}

// cssWidth is the width the canvas is shown at, in CSS pixels: a strip 28
// pixels a value (up to 640), maps at 3× but at least 28 pixels each, so
// the small maps of deep layers stay visible next to the first ones.
func (g grid) cssWidth() int {
	if g.dense {
		return min(g.w*28, 640)
	}
	return g.cw * max(3, (28+g.w-1)/g.w)
}

// at finds the map and place under canvas pixel (cx, cy): ok is false
// over the gaps between maps and outside them.
func (g grid) at(cx, cy float64) (c, y, x int, ok bool) {
	if g.dense {
		return 0, 0, min(max(int(math.Floor(cx)), 0), g.w-1), true
	}
	if cx < 0 || cy < 0 {
		return 0, 0, 0, false
	}
	col, row := int(math.Floor(cx))/(g.w+1), int(math.Floor(cy))/(g.h+1)
	x, y = int(math.Floor(cx))-col*(g.w+1), int(math.Floor(cy))-row*(g.h+1)
	c = row*g.cols + col
	if col >= g.cols || x >= g.w || y >= g.h || c >= g.maps {
		return 0, 0, 0, false
	}
	return c, y, x, true
}

// origin returns the canvas pixel of output (c, y, x); a strip's value is x.
func (g grid) origin(c, y, x int) (int, int) {
	if g.dense {
		return x, 0
	}
	return (c%g.cols)*(g.w+1) + x, (c/g.cols)*(g.h+1) + y
}

// cursor returns the box of output (c, y, x) as CSS percentages of the
// canvas: left, top, width, height.
func (g grid) cursor(c, y, x int) [4]string {
	x0, y0 := g.origin(c, y, x)
	pct := func(v float64) string { return strconv.FormatFloat(100*v, 'f', 3, 64) + "%" }
	cw, ch := float64(g.cw), float64(g.ch)
	return [4]string{pct(float64(x0) / cw), pct(float64(y0) / ch), pct(1 / cw), pct(1 / ch)}
}

// describeLayer says what a layer's maps are: the node's op, the maps it
// makes, and the element-wise nodes after it (then).
func describeLayer(op string, shape []int, then []string) string {
	var d string
	maps := " maps of " + strconv.Itoa(shape[len(shape)-2]) + "×" + strconv.Itoa(shape[len(shape)-1])
	switch op {
	case "Conv":
		d = strconv.Itoa(shape[1]) + " filters → " + strconv.Itoa(shape[1]) + maps
	case "MaxPool":
		d = "max pooling → " + strconv.Itoa(shape[1]) + maps
	case "AveragePool":
		d = "average pooling → " + strconv.Itoa(shape[1]) + maps
	case "GlobalAveragePool":
		d = "the mean of each map → " + strconv.Itoa(shape[1]) + " values"
	case "GlobalMaxPool":
		d = "the largest value of each map → " + strconv.Itoa(shape[1]) + " values"
	default:
		d = "fully connected → " + strconv.Itoa(shape[1]) + " outputs"
	}
	for i, op := range then {
		if i == 0 {
			d += ", after " + op
		} else {
			d += ", " + op
		}
	}
	return d
}
