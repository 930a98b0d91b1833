package page

import "wasmcnn/core/ink"

// Drawing is what the person drew on the pad: strokes of points in the
// pad's pixels, the last one growing while the pointer that began it is
// down. One pointer draws at a time, a point equal to the stroke's last
// adds nothing, undo removes the last stroke. The pad (pad_js.go) feeds it
// pointer events and paints what it reports.
type Drawing struct {
	strokes []ink.Stroke
	down    bool // a stroke is being drawn
	pointer int  // the pointer drawing it
}

// Begin starts a stroke at (x, y) drawn by pointer. It reports false, and
// changes nothing, while another stroke is being drawn.
func (d *Drawing) Begin(pointer int, x, y float32) bool {
	if d.down {
		return false
	}
	d.down, d.pointer = true, pointer
	d.strokes = append(d.strokes, ink.Stroke{{x, y}})
	return true
}

// Extend adds (x, y) to the stroke pointer draws, and returns the point
// the new segment starts from. It reports false, and changes nothing, for
// another pointer, when no stroke is being drawn, or when (x, y) is the
// stroke's last point.
func (d *Drawing) Extend(pointer int, x, y float32) (from [2]float32, ok bool) {
	if !d.down || pointer != d.pointer {
		return from, false
	}
	s := &d.strokes[len(d.strokes)-1]
	from = (*s)[len(*s)-1]
	if from == [2]float32{x, y} {
		return from, false
	}
	*s = append(*s, [2]float32{x, y})
	return from, true
}

// End ends the stroke pointer draws, and reports whether there was one.
func (d *Drawing) End(pointer int) bool {
	if !d.down || pointer != d.pointer {
		return false
	}
	d.down = false
	return true
}

// Undo removes the last stroke, even one being drawn, and reports whether
// there was one.
func (d *Drawing) Undo() bool {
	if len(d.strokes) == 0 {
		return false
	}
	d.strokes = d.strokes[:len(d.strokes)-1]
	d.down = false
	return true
}

// Clear removes every stroke.
func (d *Drawing) Clear() {
	d.strokes = d.strokes[:0]
	d.down = false
}

// Strokes returns the strokes, oldest first; the caller must not change them.
func (d *Drawing) Strokes() []ink.Stroke { return d.strokes }

// Empty reports whether nothing is drawn.
func (d *Drawing) Empty() bool { return len(d.strokes) == 0 }
