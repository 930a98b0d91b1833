// Package ink turns drawings and pictures of digits into the 28×28 input of
// a digit model, the way MNIST was made: pen strokes placed and rasterised
// with the drawing page's round pen ([StrokeRenderer]), canvas pixels and
// uploaded images converted to ink ([FromRGBA], [FromImage]), then
// MNIST-style preprocessing ([Preprocessor]): the ink's bounding box scaled
// into 20×20 keeping its aspect ratio, anti-aliased, and its centre of mass
// placed at the centre of the 28×28 field.
//
// Ink stands alone: it must never import another package of wasmcnn but
// wasmcnn/internal/fmtlite (its messages' formatting), so the page, the edge
// worker and the tests share exactly this code, whatever model reads the
// result.
package ink
