package main

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"

	"wasmcnn/core/verdict"
)

// referenceDrawing decodes a body the way the worker did with
// encoding/json: unknown fields refused, nothing but white space after the
// object.
func referenceDrawing(b []byte) (drawing, error) {
	var d struct {
		Strokes [][][]float64 `json:"strokes"`
		Pixels  []float64     `json:"pixels"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return drawing{}, err
	}
	if rest := b[dec.InputOffset():]; len(bytes.TrimLeft(rest, " \t\r\n")) > 0 {
		return drawing{}, &syntaxError{"data after the object", int(dec.InputOffset())}
	}
	return drawing{d.Strokes, d.Pixels}, nil
}

var drawingBodies = []string{
	`{"strokes": [[[0.2, 0.1], [0.8, 0.1], [0.4, 0.9]]]}`,
	`{"strokes": [[[0.2, 0.1]], [], null, [null, [1e-3, -0.5E+1]]]}`,
	`{"pixels": [0, 1, 0.5, null, -0, 1e2]}`,
	`{"Strokes": [], "PIXELS": null}`,
	`{"strokes": [], "strokes": null}`,
	`{"pixels": [1], "pixels": []}`,
	` {"strokes" : [ [ [ 1 , 2 ] ] ] } ` + "\n\t",
	`{"\u0073trokes": [[[0,0]]]}`,
	`{}`,
	`null`,
	`{"strokes": null, "pixels": null}`,
	// Refused:
	``,
	`   `,
	`[]`,
	`"strokes"`,
	`7`,
	`{"stroke": []}`,
	`{"strokes": [[[0.1, 0.2]`,
	`{"strokes": [[["0.1", 0.2]]]}`,
	`{"strokes": [[[true, 0.2]]]}`,
	`{"strokes": [[[[0.1], 0.2]]]}`,
	`{"strokes": {}}`,
	`{"pixels": [01]}`,
	`{"pixels": [+1]}`,
	`{"pixels": [.5]}`,
	`{"pixels": [1.]}`,
	`{"pixels": [1e]}`,
	`{"pixels": [1e999]}`,
	`{"pixels": [NaN]}`,
	`{"pixels": [nul]}`,
	`{"pixels": [1,]}`,
	`{"pixels": [1] ,}`,
	`{"pixels": [1]} x`,
	`{"pixels": [1]}}`,
	`{"pixels": [1]}]`,
	`{"pixels": [1]}{}`,
	`{"pix\els": []}`,
	"{\"pixels\x01\": []}",
	`{"pixels" []}`,
	`{"pixels": [1] "strokes": []}`,
	`{pixels: []}`,
	`{"strokes": ` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}`,
}

// TestParseDrawing holds parseDrawing to encoding/json on hand-picked bodies.
func TestParseDrawing(t *testing.T) {
	for _, b := range drawingBodies {
		compareDrawing(t, []byte(b))
	}
}

// TestParseDrawingNamesTheNumber checks that a number out of float64's
// range is named where it starts.
func TestParseDrawingNamesTheNumber(t *testing.T) {
	_, err := parseDrawing([]byte(`{"pixels": [0.5, -1e999]}`))
	if err == nil || err.Error() != "number -1e999 out of range at byte 17" {
		t.Errorf("error %v, want \"number -1e999 out of range at byte 17\"", err)
	}
}

func compareDrawing(t *testing.T, b []byte) {
	t.Helper()
	got, err := parseDrawing(b)
	want, werr := referenceDrawing(b)
	if (err == nil) != (werr == nil) {
		t.Fatalf("%.80q: parseDrawing error %v, encoding/json error %v", b, err, werr)
	}
	if err != nil {
		if _, ok := err.(*syntaxError); !ok || err.Error() == "" {
			t.Errorf("%.80q: error %#v is not a syntaxError", b, err)
		}
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%.80q: parseDrawing gives %v, encoding/json %v", b, got, want)
	}
}

// FuzzParseDrawing holds parseDrawing to encoding/json: the same bodies
// accepted, the same strokes and pixels read from them (encoding/json folds
// a few non-ASCII letters into field names, such as the Kelvin sign; those
// are left out).
func FuzzParseDrawing(f *testing.F) {
	for _, b := range drawingBodies {
		f.Add([]byte(b))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		lower := bytes.ToLower(b)
		if bytes.ContainsRune(b, 'K') || bytes.ContainsRune(b, 'ſ') || bytes.Contains(lower, []byte(`\u212a`)) || bytes.Contains(lower, []byte(`\u017f`)) {
			return
		}
		compareDrawing(t, b)
	})
}

// TestCardString reads the fields of the model card.
func TestCardString(t *testing.T) {
	h := newHandler()
	if !strings.HasPrefix(h.name, "digits (digits-v2, wasmcnn ") {
		t.Errorf("model name %q", h.name)
	}
	card := []byte(`{"a": {"name": "no"}, "b": [1, {"x": null}, true, false, -1.5e3, "s\"t"], "name": "yes\u00e9", "version": 3}`)
	if got := cardString(card, "name"); got != "yesé" {
		t.Errorf("cardString name = %q", got)
	}
	if got := cardString(card, "version"); got != "" {
		t.Errorf("a number read as the string %q", got)
	}
	if got := cardString([]byte(`{"name": "x"`), "name"); got != "" {
		t.Errorf("a truncated card gave %q", got)
	}
}

// TestAppendJSON checks the hand-written output against encoding/json.
func TestAppendJSON(t *testing.T) {
	for _, s := range []string{"", "plain", `quote " and \ backslash`, "line\nfeed\ttab\rcr", "\x00\x1f control", "<html> & co", "é ü 数字 🙂", "bad \xff utf-8", "sep \u2028 \u2029"} {
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("appendString(%q) = %s, encoding/json %s", s, got, want)
		}
	}
	for _, f := range []float32{0, 1, -1, 0.5, 0.961994, 1e-6, 9.99e-7, 1e-7, 1.17549435e-38, 1e20, 1e21, 3.4028235e38, -2.5e-9, 0.0033891182, float32(math.Copysign(0, -1))} {
		want, _ := json.Marshal(f)
		if got := appendFloat32(nil, f); !bytes.Equal(got, want) {
			t.Errorf("appendFloat32(%v) = %s, encoding/json %s", f, got, want)
		}
	}
	h := newHandler()
	type answer struct {
		Digit         *int
		Verdict       *string
		Candidates    []int
		Probabilities []float32
		Model         string
	}
	probs := [10]float32{0.1, 0.2, 0.3, 0.4, 0, 0, 0, 0, 0, 1e-9}
	for _, c := range []classification{
		{digit: 3, kind: verdict.Digit, probs: probs},
		{digit: 3, kind: verdict.Unsure, candidates: [2]int{3, 2}, probs: probs},
		{digit: -1, kind: verdict.NotDigit, candidates: [2]int{3, 2}, probs: probs},
		{digit: 3, probs: probs}, // a model without a rule
	} {
		b := h.answer(c)
		var a answer
		if err := json.Unmarshal(b, &a); err != nil || len(a.Probabilities) != 10 || a.Probabilities[9] != 1e-9 || a.Model != h.name {
			t.Errorf("answer %s: %v %+v", b, err, a)
			continue
		}
		switch {
		case c.digit < 0 && a.Digit != nil, c.digit >= 0 && (a.Digit == nil || *a.Digit != c.digit):
			t.Errorf("answer %s: digit, want %d (−1: null)", b, c.digit)
		case c.kind == "" && a.Verdict != nil, c.kind != "" && (a.Verdict == nil || *a.Verdict != string(c.kind)):
			t.Errorf("answer %s: verdict, want %q", b, c.kind)
		case c.kind == verdict.Unsure && (len(a.Candidates) != 2 || a.Candidates[0] != 3 || a.Candidates[1] != 2),
			c.kind != verdict.Unsure && a.Candidates != nil:
			t.Errorf("answer %s: candidates", b)
		}
	}
	if b := h.answer(classification{digit: -1, empty: true}); !bytes.HasPrefix(b, []byte(`{"digit":null,"verdict":null,"probabilities":null,`)) || !json.Valid(b) {
		t.Errorf("empty answer %s", b)
	}
}
