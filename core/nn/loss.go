package nn

import "math"

// SoftmaxCrossEntropy computes the mean cross-entropy of the softmax of
// logits ([n, k]) against integer labels, with label smoothing s: the target
// puts 1−s on the label and s/k on every class. It writes the gradient of the
// mean loss with respect to the logits into dlogits (same shape) and returns
// the loss and how many rows had their largest logit at the label.
//
// A row labelled [NotDigit] has the uniform target 1/k on every class (the
// outlier-exposure loss), whatever the smoothing; it never counts as correct.
//
//	dlogits[i,j] = (softmax(logits[i])[j] − target[i,j]) / n
func SoftmaxCrossEntropy(dlogits, logits []float32, labels []int, k int, s float32) (loss float64, correct int) {
	n := len(labels)
	if len(logits) < n*k || len(dlogits) < n*k {
		panic("nn: SoftmaxCrossEntropy: slice shorter than its shape")
	}
	for i, label := range labels {
		on := float64(1 - s + s/float32(k))
		off := float64(s / float32(k))
		if label == NotDigit {
			on, off = 1/float64(k), 1/float64(k)
		}
		row := logits[i*k : (i+1)*k]
		d := dlogits[i*k : (i+1)*k]
		m, arg := row[0], 0
		for j, v := range row {
			if v > m {
				m, arg = v, j
			}
		}
		if arg == label {
			correct++
		}
		var sum float64
		for _, v := range row {
			sum += math.Exp(float64(v - m))
		}
		logSum := math.Log(sum)
		for j, v := range row {
			logp := float64(v-m) - logSum
			t := off
			if j == label {
				t = on
			}
			loss -= t * logp
			d[j] = float32((math.Exp(logp) - t) / float64(n))
		}
	}
	return loss / float64(n), correct
}
