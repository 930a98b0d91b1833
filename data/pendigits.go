package data

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
)

// MaxStrokeFileBytes bounds the size of a stroke-digit JSON file; the
// training file is about 5 MB.
const MaxStrokeFileBytes = 256 << 20

// StrokeDigit is one digit drawn with a pen, from the UCI "Pen-Based
// Recognition of Handwritten Digits" data (E. Alpaydin and F. Alimoglu,
// CC BY 4.0).
//
// Strokes are in writing order and their points in time order, sampled every
// 100 ms so neighbouring points can repeat. Each point is {x, y} in a unit
// box, y growing downward: the digit's longer side spans 0..1 and the
// shorter side is centred.
type StrokeDigit struct {
	Label   int            `json:"label"`  // the digit, 0..9
	Writer  int            `json:"writer"` // who drew it
	Sample  int            `json:"sample"` // its number in the original files
	Strokes [][][2]float32 `json:"strokes"`
}

// strokeDigitJSON is a StrokeDigit as read, before validation: points are
// slices so that a point without exactly two coordinates is caught, and the
// label is a pointer so that a missing one is not taken for a 0.
type strokeDigitJSON struct {
	Label   *int          `json:"label"`
	Writer  int           `json:"writer"`
	Sample  int           `json:"sample"`
	Strokes [][][]float64 `json:"strokes"`
}

// ReadStrokeDigits reads a JSON list of stroke digits,
//
//	[{"label": 0-9, "writer": int, "sample": int, "strokes": [[[x, y], ...], ...]}, ...]
//
// checking that every label is a digit 0..9 and every point is two finite
// numbers that fit a float32. Input beyond [MaxStrokeFileBytes] is an error.
func ReadStrokeDigits(r io.Reader) ([]StrokeDigit, error) {
	lr := &io.LimitedReader{R: r, N: MaxStrokeFileBytes + 1}
	dec := json.NewDecoder(lr)
	var raw []strokeDigitJSON
	if err := dec.Decode(&raw); err != nil {
		if lr.N <= 0 {
			return nil, fmt.Errorf("data: stroke digits: more than %d bytes", MaxStrokeFileBytes)
		}
		return nil, fmt.Errorf("data: stroke digits: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("data: stroke digits: data after the list")
	}
	out := make([]StrokeDigit, len(raw))
	for i, d := range raw {
		if d.Label == nil {
			return nil, fmt.Errorf("data: stroke digit %d: no label", i)
		}
		if *d.Label < 0 || *d.Label > 9 {
			return nil, fmt.Errorf("data: stroke digit %d: label %d, want 0..9", i, *d.Label)
		}
		strokes, err := parseStrokes(d.Strokes)
		if err != nil {
			return nil, fmt.Errorf("data: stroke digit %d, %w", i, err)
		}
		out[i] = StrokeDigit{Label: *d.Label, Writer: d.Writer, Sample: d.Sample, Strokes: strokes}
	}
	return out, nil
}

// parseStrokes checks strokes as read from JSON: every point two finite
// numbers that fit a float32.
func parseStrokes(in [][][]float64) ([][][2]float32, error) {
	strokes := make([][][2]float32, len(in))
	for s, stroke := range in {
		pts := make([][2]float32, len(stroke))
		for p, pt := range stroke {
			if len(pt) != 2 {
				return nil, fmt.Errorf("stroke %d, point %d: %d coordinates, want 2", s, p, len(pt))
			}
			for c, v := range pt {
				if math.IsNaN(v) || math.Abs(v) > math.MaxFloat32 {
					return nil, fmt.Errorf("stroke %d, point %d: coordinate %v is not a finite float32", s, p, v)
				}
				pts[p][c] = float32(v)
			}
		}
		strokes[s] = pts
	}
	return strokes, nil
}

// LoadStrokeDigits reads the stroke-digit JSON file at path.
func LoadStrokeDigits(path string) ([]StrokeDigit, error) {
	return readFile(path, ReadStrokeDigits)
}

// penDigitsFile is where the training writers' stroke digits live inside
// the shared directory that sits beside the repository.
var penDigitsFile = filepath.Join("shared", "data", "pendigits", "strokes_train.json")

// SharedPenDigitsPath returns the path of shared/data/pendigits/strokes_train.json,
// looking for it under the working directory and then under each parent in
// turn: the repository and the shared directory are siblings, and tests run
// in a package directory. It returns "" if the file is nowhere on that path.
func SharedPenDigitsPath() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		path := filepath.Join(dir, penDigitsFile)
		if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() {
			return path
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}
