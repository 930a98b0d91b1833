package adapt

import (
	"math"
	"testing"
)

// TestResampleTaps checks PIL's bilinear weights on cases worked out by
// hand: halving reads three source pixels (the filter two wide), 3/4, 3/4
// and 1/4 normalised; doubling interpolates between neighbours, the border
// outputs reading their pixel alone; the same size copies.
func TestResampleTaps(t *testing.T) {
	var tp taps
	check := func(what string, in, out, from, n int, first []int, w [][]float64) {
		t.Helper()
		resampleTaps(&tp, in, out, from, n)
		for i := range first {
			if tp.first[i] != first[i] || len(tp.w[i]) != len(w[i]) {
				t.Fatalf("%s: output %d reads from %d, %d taps; want %d, %d", what, i, tp.first[i], len(tp.w[i]), first[i], len(w[i]))
			}
			for j := range w[i] {
				if math.Abs(float64(tp.w[i][j])-w[i][j]) > 1e-7 {
					t.Fatalf("%s: output %d weights %v, want %v", what, i, tp.w[i], w[i])
				}
			}
		}
	}
	check("4 to 2", 4, 2, 0, 2, []int{0, 1}, [][]float64{{0.75 / 1.75, 0.75 / 1.75, 0.25 / 1.75}, {0.25 / 1.75, 0.75 / 1.75, 0.75 / 1.75}})
	check("2 to 4", 2, 4, 0, 4, []int{0, 0, 0, 1}, [][]float64{{1}, {0.75, 0.25}, {0.25, 0.75}, {1}})
	check("3 to 3 from 1", 3, 3, 1, 2, []int{1, 2}, [][]float64{{1, 0}, {1}})
}
