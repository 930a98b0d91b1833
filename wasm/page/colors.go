package page

// The colour maps the page paints values with: the feature maps here, and
// the detail panel's windows, weights and products in web/panel.js, which
// reads the same tables through wasmcnnPage.colors(). Each is a list of
// stops, a value and the colour there, joined by straight lines.
var (
	// rampStops run from near black through blue and magenta to warm
	// yellow (an inferno-like ramp), for values from 0 to the map's
	// largest.
	rampStops = [][4]float64{{0, 8, 8, 16}, {0.25, 40, 30, 110}, {0.5, 150, 40, 130}, {0.75, 235, 100, 60}, {1, 252, 240, 150}}
	// divergingStops run from blue (−1) through near black (0) to orange
	// (+1), for values of either sign.
	divergingStops = [][4]float64{{-1, 16, 114, 235}, {0, 12, 14, 20}, {1, 252, 144, 40}}
)

// Colour tables: ramp[i] is the colour of i/255, diverging[i] that of
// (i−255)/255.
var (
	ramp      = colorTable(rampStops, 256, 0)
	diverging = colorTable(divergingStops, 511, -1)
)

// colorTable samples the stops at n values from lo in steps of 1/255.
func colorTable(stops [][4]float64, n int, lo float64) [][3]uint8 {
	out := make([][3]uint8, n)
	for i := range out {
		t := lo + float64(i)/255
		k := 0
		for k < len(stops)-2 && t > stops[k+1][0] {
			k++
		}
		a, b := stops[k], stops[k+1]
		f := (t - a[0]) / (b[0] - a[0])
		for j := 0; j < 3; j++ {
			out[i][j] = uint8(a[j+1] + f*(b[j+1]-a[j+1]) + 0.5)
		}
	}
	return out
}

// rampColor is the ramp's colour of t, clamped to 0..1.
func rampColor(t float32) [3]uint8 { return ramp[int(min(max(t, 0), 1)*255+0.5)] }

// divergingColor is the diverging colour of t, clamped to −1 to 1.
func divergingColor(t float32) [3]uint8 {
	return diverging[int((min(max(t, -1), 1)+1)*255+0.5)]
}

// flatColors returns a table as r, g, b bytes, for JavaScript.
func flatColors(table [][3]uint8) []byte {
	b := make([]byte, 0, 3*len(table))
	for _, c := range table {
		b = append(b, c[0], c[1], c[2])
	}
	return b
}
