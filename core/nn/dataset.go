package nn

import (
	"wasmcnn/internal/fmtlite"

	"wasmcnn/core/ink"
)

// NotDigit is the label of an example that is no digit at all (a letter of
// another script, a shape, a scribble). Training gives it a uniform target
// over the classes — outlier exposure (Hendrycks et al., 2019) — so the model
// learns to spread its belief on such drawings instead of naming a digit
// with confidence.
const NotDigit = -1

// Dataset is a set of preprocessed 28×28 digits with their labels.
// Example i is X[i*784 : (i+1)*784] (row-major, 0..1, ink high).
type Dataset struct {
	X      []float32
	Y      []int
	Source []string // optional: where each example came from, for reports
}

// Len returns the number of examples.
func (d *Dataset) Len() int { return len(d.Y) }

// Image returns example i.
func (d *Dataset) Image(i int) []float32 {
	return d.X[i*ink.FieldSize*ink.FieldSize : (i+1)*ink.FieldSize*ink.FieldSize]
}

// Append adds one example.
func (d *Dataset) Append(img []float32, label int, source string) {
	d.X = append(d.X, img[:ink.FieldSize*ink.FieldSize]...)
	d.Y = append(d.Y, label)
	if source != "" || d.Source != nil {
		for len(d.Source) < len(d.Y)-1 {
			d.Source = append(d.Source, "")
		}
		d.Source = append(d.Source, source)
	}
}

// Check verifies that the images and labels agree and labels are digits or
// [NotDigit].
func (d *Dataset) Check() error {
	if len(d.X) != len(d.Y)*ink.FieldSize*ink.FieldSize {
		return fmtlite.Errorf("nn: dataset has %d values for %d labels", len(d.X), len(d.Y))
	}
	for i, y := range d.Y {
		if (y < 0 || y > 9) && y != NotDigit {
			return fmtlite.Errorf("nn: label %d of example %d is neither a digit nor NotDigit", y, i)
		}
	}
	return nil
}
