package data

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// Drawing is a pen drawing that is no digit — a character of another
// script, a symbol, a shape, a scribble — in the geometry of [StrokeDigit]:
// points {x, y} in a unit box, y growing downward, the longer side spanning
// 0..1 and the shorter centred.
//
// Source names where it came from as "group/name", such as
// "noto/Arabic" or "gen/scribble": material is held out of training by
// whole sources, so that a measurement shows how the model does on kinds of
// drawing it never saw.
type Drawing struct {
	Source  string         `json:"source"`
	Strokes [][][2]float32 `json:"strokes"`
}

// ReadDrawings reads a JSON list of drawings,
//
//	[{"source": "group/name", "strokes": [[[x, y], ...], ...]}, ...]
//
// checking that every drawing has a source and at least one point and that
// every point is two finite numbers that fit a float32. Input beyond
// [MaxStrokeFileBytes] is an error.
func ReadDrawings(r io.Reader) ([]Drawing, error) {
	lr := &io.LimitedReader{R: r, N: MaxStrokeFileBytes + 1}
	dec := json.NewDecoder(lr)
	var raw []struct {
		Source  string        `json:"source"`
		Strokes [][][]float64 `json:"strokes"`
	}
	if err := dec.Decode(&raw); err != nil {
		if lr.N <= 0 {
			return nil, fmt.Errorf("data: drawings: more than %d bytes", MaxStrokeFileBytes)
		}
		return nil, fmt.Errorf("data: drawings: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("data: drawings: data after the list")
	}
	out := make([]Drawing, len(raw))
	for i, d := range raw {
		if strings.TrimSpace(d.Source) == "" {
			return nil, fmt.Errorf("data: drawing %d: no source", i)
		}
		strokes, err := parseStrokes(d.Strokes)
		if err != nil {
			return nil, fmt.Errorf("data: drawing %d, %w", i, err)
		}
		n := 0
		for _, st := range strokes {
			n += len(st)
		}
		if n == 0 {
			return nil, fmt.Errorf("data: drawing %d (%s): no points", i, d.Source)
		}
		out[i] = Drawing{Source: d.Source, Strokes: strokes}
	}
	return out, nil
}

// LoadDrawings reads the drawings JSON file at path.
func LoadDrawings(path string) ([]Drawing, error) {
	return readFile(path, ReadDrawings)
}

// WriteDrawings writes drawings as ReadDrawings reads them, one drawing a
// line, coordinates rounded to 1/10,000 of the box (far below a canvas
// pixel) to keep files small.
func WriteDrawings(w io.Writer, ds []Drawing) error {
	var b []byte
	b = append(b, '[')
	for i, d := range ds {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n{\"source\":"...)
		src, err := json.Marshal(d.Source)
		if err != nil {
			return err
		}
		b = append(append(b, src...), ",\"strokes\":["...)
		for s, stroke := range d.Strokes {
			if s > 0 {
				b = append(b, ',')
			}
			b = append(b, '[')
			for p, pt := range stroke {
				if p > 0 {
					b = append(b, ',')
				}
				b = fmt.Appendf(b, "[%s,%s]", round4(pt[0]), round4(pt[1]))
			}
			b = append(b, ']')
		}
		b = append(b, "]}"...)
		if len(b) > 1<<20 {
			if _, err := w.Write(b); err != nil {
				return err
			}
			b = b[:0]
		}
	}
	b = append(b, "\n]\n"...)
	_, err := w.Write(b)
	return err
}

func round4(v float32) string {
	s := fmt.Sprintf("%.4f", v)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "" || s == "-" || s == "-0" {
		return "0"
	}
	return s
}

// SaveDrawings writes drawings to the file at path.
func SaveDrawings(path string, ds []Drawing) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := WriteDrawings(f, ds); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
