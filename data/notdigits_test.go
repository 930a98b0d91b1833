package data

import (
	"bytes"
	"strings"
	"testing"
)

// TestDrawingsRoundTrip writes drawings and reads them back: the sources
// and strokes survive, coordinates to 1/10,000.
func TestDrawingsRoundTrip(t *testing.T) {
	in := []Drawing{
		{Source: "gen/scribble", Strokes: [][][2]float32{{{0.1, 0.2}, {0.33333, 1}}, {{0.5, 0.5}}}},
		{Source: `noto/"quoted"`, Strokes: [][][2]float32{{{0, -0.00001}, {1, 0.12345678}}}},
	}
	var b bytes.Buffer
	if err := WriteDrawings(&b, in); err != nil {
		t.Fatal(err)
	}
	out, err := ReadDrawings(&b)
	if err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if len(out) != len(in) {
		t.Fatalf("%d drawings back, want %d", len(out), len(in))
	}
	for i := range in {
		if out[i].Source != in[i].Source || len(out[i].Strokes) != len(in[i].Strokes) {
			t.Fatalf("drawing %d: %+v, want %+v", i, out[i], in[i])
		}
		for s, st := range in[i].Strokes {
			for p, pt := range st {
				for c := range pt {
					if d := out[i].Strokes[s][p][c] - pt[c]; d > 5e-5 || d < -5e-5 {
						t.Errorf("drawing %d stroke %d point %d: %v, want %v", i, s, p, out[i].Strokes[s][p], pt)
					}
				}
			}
		}
	}
}

func TestReadDrawingsErrors(t *testing.T) {
	for _, c := range []struct{ desc, in, want string }{
		{"not JSON", `nope`, "invalid character"},
		{"no source", `[{"strokes": [[[0, 0]]]}]`, "no source"},
		{"no points", `[{"source": "a/b", "strokes": [[]]}]`, "no points"},
		{"a point of three numbers", `[{"source": "a/b", "strokes": [[[0, 0, 0]]]}]`, "3 coordinates"},
		{"a coordinate beyond float32", `[{"source": "a/b", "strokes": [[[1e39, 0]]]}]`, "not a finite float32"},
		{"data after the list", `[] 1`, "data after the list"},
	} {
		if _, err := ReadDrawings(strings.NewReader(c.in)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error containing %q", c.desc, err, c.want)
		}
	}
}
