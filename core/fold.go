package core

import "math"

// FoldBatchNorm folds an inference-mode BatchNormalization that follows a
// convolution (or a dense layer) into its weights and bias, so that the
// pair runs as one [ConvPlan]:
//
//	a[k] = scale[k] / √(variance[k] + eps)
//	w'[k, …] = a[k] · w[k, …]
//	b'[k]    = a[k] · (b[k] − mean[k]) + bias[k]
//
// with a[k] computed as [BatchNormInference] computes it. w holds k
// filters of equal size; b may be nil (a convolution without bias). It
// returns new slices and leaves its arguments alone, or an error when a
// length does not match or a variance plus eps is negative.
func FoldBatchNorm(w, b []float32, k int, scale, bias, mean, variance []float32, eps float32) (wf, bf []float32, err error) {
	const op = "BatchNormalization"
	if k < 1 || len(w)%k != 0 || len(w) == 0 {
		return nil, nil, shapeErrorf(op, "%d weights do not split into %d filters", len(w), k)
	}
	for _, p := range [][]float32{scale, bias, mean, variance} {
		if len(p) != k {
			return nil, nil, shapeErrorf(op, "parameters of %d values for %d filters", len(p), k)
		}
	}
	if b != nil && len(b) != k {
		return nil, nil, shapeErrorf(op, "bias of %d values for %d filters", len(b), k)
	}
	per := len(w) / k
	wf, bf = make([]float32, len(w)), make([]float32, k)
	for f := 0; f < k; f++ {
		if !(variance[f]+eps >= 0) {
			return nil, nil, shapeErrorf(op, "variance %v + eps %v is negative", variance[f], eps)
		}
		a := scale[f] / float32(math.Sqrt(float64(variance[f]+eps)))
		for i, v := range w[f*per : (f+1)*per] {
			wf[f*per+i] = a * v
		}
		var b0 float32
		if b != nil {
			b0 = b[f]
		}
		bf[f] = a*(b0-mean[f]) + bias[f]
	}
	return wf, bf, nil
}
