package data

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadStrokeDigits(t *testing.T) {
	const in = `[
		{"label": 7, "writer": 3, "sample": 12, "strokes": [[[0.1, 0], [0.9, 0], [0.5, 1]]]},
		{"label": 0, "writer": 30, "sample": 1, "strokes": [[[0.5, 0]], [[0.2, 0.5], [0.5, 1], [0.8, 0.5]]]}
	]`
	got, err := ReadStrokeDigits(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d digits, want 2", len(got))
	}
	d := got[0]
	if d.Label != 7 || d.Writer != 3 || d.Sample != 12 || len(d.Strokes) != 1 || len(d.Strokes[0]) != 3 || d.Strokes[0][2] != [2]float32{0.5, 1} {
		t.Errorf("first digit %+v", d)
	}
	if d := got[1]; d.Label != 0 || len(d.Strokes) != 2 || len(d.Strokes[0]) != 1 || d.Strokes[1][1] != [2]float32{0.5, 1} {
		t.Errorf("second digit %+v", d)
	}
}

func TestReadStrokeDigitsErrors(t *testing.T) {
	tests := []struct {
		desc string
		in   string
		want string // in the message
	}{
		{"not JSON", `hello`, "invalid character"},
		{"an object, not a list", `{"label": 1}`, "cannot unmarshal"},
		{"label 10", `[{"label": 10, "strokes": []}]`, "label 10, want 0..9"},
		{"negative label", `[{"label": -1, "strokes": []}]`, "label -1"},
		{"no label", `[{"writer": 2, "strokes": [[[0, 0]]]}]`, "no label"},
		{"a point of three numbers", `[{"label": 1, "strokes": [[[0, 0], [1, 2, 3]]]}]`, "point 1: 3 coordinates"},
		{"a point of one number", `[{"label": 1, "strokes": [[[0.5]]]}]`, "1 coordinates"},
		{"a coordinate beyond float32", `[{"label": 1, "strokes": [[[1e39, 0]]]}]`, "not a finite float32"},
		{"a coordinate beyond float64", `[{"label": 1, "strokes": [[[1e400, 0]]]}]`, "stroke digits"},
		{"a string coordinate", `[{"label": 1, "strokes": [[["0", 0]]]}]`, "cannot unmarshal"},
		{"a second value after the list", `[] []`, "data after the list"},
		{"cut short", `[{"label": 1, "strokes": [[[0, 0]`, "unexpected EOF"},
	}
	for _, tt := range tests {
		_, err := ReadStrokeDigits(strings.NewReader(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one containing %q", tt.desc, err, tt.want)
		}
	}
}

func TestSharedPenDigitsPath(t *testing.T) {
	// A shared directory two levels up, as for a package of the repository.
	root := t.TempDir()
	file := filepath.Join(root, "shared", "data", "pendigits", "strokes_train.json")
	pkg := filepath.Join(root, "repo", "pkg")
	for _, dir := range []string{filepath.Dir(file), pkg} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(file, []byte("[]"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(pkg)
	got := SharedPenDigitsPath()
	// The temporary directory may sit behind a symbolic link.
	if want, _ := filepath.EvalSymlinks(file); got == "" || mustEval(t, got) != want {
		t.Errorf("found %q, want %q", got, file)
	}
	t.Chdir(root) // no repository below: the file is only reachable upward
	if got := SharedPenDigitsPath(); got == "" {
		t.Error("not found from the directory holding shared")
	}
	t.Chdir(filepath.Dir(root))
	if got := SharedPenDigitsPath(); got != "" && strings.HasPrefix(got, root) {
		t.Errorf("found %q, which is not above the working directory", got)
	}
}

// mustEval resolves symbolic links in path.
func mustEval(t *testing.T, path string) string {
	t.Helper()
	p, err := filepath.EvalSymlinks(path)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadStrokeDigits(t *testing.T) {
	path := SharedPenDigitsPath()
	if path == "" {
		t.Skip("shared/data/pendigits/strokes_train.json not found above the working directory")
	}
	digits, err := LoadStrokeDigits(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(digits) != 7494 {
		t.Errorf("%d digits, want 7494", len(digits))
	}
	writers := map[int]bool{}
	var labels [10]int
	for i, d := range digits {
		writers[d.Writer] = true
		labels[d.Label]++
		if d.Writer < 1 || d.Writer > 30 {
			t.Fatalf("digit %d: writer %d, want 1..30", i, d.Writer)
		}
		// The unit box: coordinates in 0..1 and the longer side spanning it.
		lo, hi := [2]float32{2, 2}, [2]float32{-1, -1}
		for _, s := range d.Strokes {
			for _, p := range s {
				for c := range 2 {
					lo[c], hi[c] = min(lo[c], p[c]), max(hi[c], p[c])
				}
			}
		}
		if lo[0] < 0 || lo[1] < 0 || hi[0] > 1 || hi[1] > 1 || max(hi[0]-lo[0], hi[1]-lo[1]) < 0.99 {
			t.Fatalf("digit %d: points span %v..%v, want the unit box", i, lo, hi)
		}
	}
	if len(writers) != 30 {
		t.Errorf("%d writers, want 30", len(writers))
	}
	for d, n := range labels {
		if n < 600 {
			t.Errorf("only %d digits %d", n, d)
		}
	}
	if _, err := LoadStrokeDigits(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("missing file: no error")
	}
}
