package page

import (
	"slices"
	"testing"
)

// TestTopK checks the rows' classes against a sort, ties in index order.
func TestTopK(t *testing.T) {
	v := []float32{0.1, 0.5, 0.05, 0.5, 0.2, 0.9, 0, 0.3}
	for k, want := range [][]int{{}, {5}, {5, 1}, {5, 1, 3}, {5, 1, 3, 7, 4, 0, 2, 6}} {
		if k == 4 {
			k = len(v)
		}
		if got := topK(v, k); !slices.Equal(got, want) {
			t.Errorf("topK(%d) = %v, want %v", k, got, want)
		}
	}
	if got := topK(v, 20); len(got) != len(v) {
		t.Errorf("topK of more than there are: %v", got)
	}
}

// TestScoreText checks how a score row writes a probability.
func TestScoreText(t *testing.T) {
	for _, c := range []struct {
		p    float32
		want string
	}{{0, "0.0%"}, {1, "100.0%"}, {0.12345, "12.3%"}, {0.99951, "100.0%"}, {0.0004, "0.0%"}, {0.0005, "0.1%"}} {
		if got := percent(tenths(c.p)); got != c.want {
			t.Errorf("%v: %s, want %s", c.p, got, c.want)
		}
	}
	if fmtFull(0.1) != "0.1" || longest([]string{"7", "seven", "×××"}) != 5 {
		t.Error("fmtFull or longest")
	}
}
