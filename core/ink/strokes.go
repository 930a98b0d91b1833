package ink

// StrokeRenderer turns pen strokes into the 28×28 input of a digit model the
// way the drawing page does: the strokes drawn on the page's canvas with its
// round pen, then MNIST-style preprocessing. It keeps its buffers between
// calls.
type StrokeRenderer struct {
	canvas GrayImage
	ink    inkRows
	pre    Preprocessor
}

// Render draws strokes given in the unit box of the pen-digit data, scaled
// to fraction of a PadSize canvas and drawn with a pen of penWidth canvas
// pixels, and preprocesses the result into dst (784 values). It reports
// false, with dst zeroed, when there is no ink.
func (r *StrokeRenderer) Render(dst []float32, strokes [][][2]float32, fraction, penWidth float32) bool {
	placed := PlaceStrokes(strokes, PadSize, fraction)
	rasterizeInkWindow(&r.canvas, &r.ink, placed, PadSize, PadSize, penWidth)
	return r.pre.run(dst, &r.canvas, &r.ink)
}

// RenderCanvas draws strokes already in canvas pixels (as the page records
// them) on a PadSize canvas and preprocesses the result into dst.
func (r *StrokeRenderer) RenderCanvas(dst []float32, strokes []Stroke, penWidth float32) bool {
	rasterizeInkWindow(&r.canvas, &r.ink, strokes, PadSize, PadSize, penWidth)
	return r.pre.run(dst, &r.canvas, &r.ink)
}
