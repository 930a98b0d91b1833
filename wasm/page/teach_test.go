package page

import (
	"slices"
	"testing"
)

// TestHeldOut checks the split on hand-counted cases: a quarter of each
// digit's latest examples, at least one of a digit taught twice, none of a
// digit taught once.
func TestHeldOut(t *testing.T) {
	for _, c := range []struct {
		labels []int
		held   []int // indexes held out
	}{
		{nil, nil},
		{[]int{3}, nil},
		{[]int{3, 3}, []int{1}},
		{[]int{1, 2, 1, 2, 1}, []int{3, 4}},
		// 9 sevens: 2 held out (the last two); 4 ones: 1; 1 two: none.
		{[]int{7, 7, 1, 7, 7, 1, 7, 2, 7, 1, 7, 1, 7, 7}, []int{11, 12, 13}},
	} {
		var got []int
		for i, h := range HeldOut(c.labels) {
			if h {
				got = append(got, i)
			}
		}
		if !slices.Equal(got, c.held) {
			t.Errorf("HeldOut(%v) holds out %v, want %v", c.labels, got, c.held)
		}
	}
	// Thirty examples, three of each digit: one of each is held out.
	var labels []int
	for r := 0; r < 3; r++ {
		for d := 0; d < 10; d++ {
			labels = append(labels, d)
		}
	}
	n := 0
	for i, h := range HeldOut(labels) {
		if h {
			n++
			if i < 20 {
				t.Errorf("example %d (an early one) is held out", i)
			}
		}
	}
	if n != 10 {
		t.Errorf("%d of 30 held out, want 10", n)
	}
}

// TestCountRight counts argmaxes that match their labels, and refuses
// outputs that are not a whole row per label.
func TestCountRight(t *testing.T) {
	out := []float32{
		0.1, 0.7, 0.2, // 1
		0.5, 0.2, 0.3, // 0
		0.2, 0.2, 0.6, // 2
	}
	for _, c := range []struct {
		labels []int
		want   int
	}{{[]int{1, 0, 2}, 3}, {[]int{1, 1, 1}, 1}, {[]int{0, 2, 1}, 0}} {
		got, err := CountRight(out, c.labels)
		if err != nil || got != c.want {
			t.Errorf("CountRight(%v) = %d, %v; want %d", c.labels, got, err, c.want)
		}
	}
	for _, bad := range []struct {
		out    []float32
		labels []int
	}{{out, nil}, {out, []int{1, 2}}, {nil, []int{1}}} {
		if _, err := CountRight(bad.out, bad.labels); err == nil {
			t.Errorf("CountRight(%d outputs, %d labels) gave no error", len(bad.out), len(bad.labels))
		}
	}
}
