package page

import "strconv"

// topK returns the indexes of the k largest values, largest first (the
// first of equal values first): the classes the score rows show when a
// model has more classes than rows.
func topK(v []float32, k int) []int {
	out := make([]int, 0, k+1)
	for i, x := range v {
		at := len(out)
		for at > 0 && v[out[at-1]] < x {
			at--
		}
		if at >= k {
			continue
		}
		out = append(out, 0)
		copy(out[at+1:], out[at:])
		out[at] = i
		if len(out) > k {
			out = out[:k]
		}
	}
	return out
}

// tenths is a probability in tenths of a percent, rounded: what a score
// row shows, and what it compares to know whether to draw again.
func tenths(p float32) int { return int(1000*p + 0.5) }

// percent writes tenths of a percent as a percentage, "12.5%".
func percent(t int) string { return strconv.FormatFloat(float64(t)/10, 'f', 1, 64) + "%" }

// fmtFull writes v exactly, for data attributes that tests and tools read.
func fmtFull(v float32) string { return strconv.FormatFloat(float64(v), 'g', -1, 32) }

// longest returns the length in characters of the longest label.
func longest(ls []string) int {
	n := 0
	for _, l := range ls {
		n = max(n, len([]rune(l)))
	}
	return n
}
