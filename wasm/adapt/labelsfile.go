package adapt

import (
	"strconv"

	"wasmcnn/internal/fmtlite"
)

// MaxLabelsFile bounds a labels file, in bytes.
const MaxLabelsFile = 4 << 20

// LabelsFile reads a labels file for a model of k classes: a JSON list of
// strings (or a JSON or Python dict of index → name), or one label a line
// (a line may hold commas: "tench, Tinca tinca"), white space around each
// trimmed and blank lines at the end ignored. It must name exactly k
// classes; the error says what is wrong, for people.
func LabelsFile(text string, k int) ([]string, error) {
	if len(text) > MaxLabelsFile {
		return nil, fmtlite.Errorf("it has %d bytes; a labels file has at most %d", len(text), MaxLabelsFile)
	}
	if len(text) >= 3 && text[:3] == "\xef\xbb\xbf" { // a byte-order mark
		text = text[3:]
	}
	s := trim(text)
	if s == "" {
		return nil, fmtlite.Errorf("it is empty")
	}
	if s[0] == '[' || s[0] == '{' {
		if ls := parseLabels(s, k); ls != nil {
			return ls, nil
		}
		n := -1
		if toks, ok := tokens(s[1:], map[byte]byte{'[': ']', '{': '}'}[s[0]]); ok {
			n = len(toks)
			if s[0] == '{' {
				n /= 2
			}
		}
		if n < 0 {
			return nil, fmtlite.Errorf("it starts as JSON but is not a list of strings")
		}
		return nil, fmtlite.Errorf("it lists %d labels; the model has %d classes", n, k)
	}
	lines := split(s, '\n')
	if len(lines) != k {
		return nil, fmtlite.Errorf("it has %d lines; the model has %d classes (one label a line)", len(lines), k)
	}
	out := make([]string, k)
	for i, l := range lines {
		l = trim(l)
		if l == "" {
			return nil, fmtlite.Errorf("line %s is empty", strconv.Itoa(i+1))
		}
		if r := []rune(l); len(r) > MaxLabel {
			l = string(r[:MaxLabel-1]) + "…"
		}
		out[i] = l
	}
	return out, nil
}

// ImageNetLabels returns the labels of a k-way ImageNet classifier from
// the list of ImageNet-1k's 1,000 class names (one a line): the names for
// 1,000 classes, and for 1,001 the names after "background", as
// TensorFlow's classifiers number them. ok is false for other k.
func ImageNetLabels(list string, k int) ([]string, bool) {
	if k != 1000 && k != 1001 {
		return nil, false
	}
	ls, err := LabelsFile(list, 1000)
	if err != nil {
		return nil, false
	}
	if k == 1001 {
		ls = append([]string{"background"}, ls...)
	}
	return ls, true
}
