package nn

import (
	"math"

	"wasmcnn/internal/fmtlite"

	"wasmcnn/core"
)

// BatchNormLayer normalises each channel of [N, C, H, W] (or [N, C]): in
// training with the batch's mean and variance, updating running averages;
// in inference with the running averages. Then it scales by Gamma and shifts
// by Beta. At export it folds into the convolution before it.
type BatchNormLayer struct {
	Name        string
	Gamma, Beta Param     // [C]
	Mean, Var   []float32 // running statistics, [C]
	Momentum    float32   // weight of the old running value, 0.9 by default
	Eps         float32

	n, c, hw int
	xhat     []float32 // normalised input of the last training Forward
	invStd   []float32 // 1/√(var+eps) of the batch, per channel
}

// NewBatchNormLayer returns a batch normalisation over c channels.
func NewBatchNormLayer(name string, c int) *BatchNormLayer {
	l := &BatchNormLayer{
		Name:     name,
		Gamma:    newParam(name+".gamma", InitOne, 0, false, c),
		Beta:     newParam(name+".beta", InitZero, 0, false, c),
		Mean:     make([]float32, c),
		Var:      make([]float32, c),
		Momentum: 0.9,
		Eps:      1e-5,
	}
	for i := range l.Var {
		l.Var[i] = 1
	}
	return l
}

// Kind returns "BatchNorm".
func (l *BatchNormLayer) Kind() string { return "BatchNorm" }

// Setup checks that the channel count matches.
func (l *BatchNormLayer) Setup(in []int) ([]int, error) {
	if len(in) < 2 || in[1] != len(l.Mean) {
		return nil, fmtlite.Errorf("layer %s: input %v, want %d channels in dimension 1", l.Name, in, len(l.Mean))
	}
	l.n, l.c, l.hw = in[0], in[1], core.Product(in[2:])
	if n := core.Product(in); cap(l.xhat) < n {
		l.xhat = make([]float32, n)
	}
	l.xhat = l.xhat[:core.Product(in)]
	l.invStd = make([]float32, l.c)
	return append([]int(nil), in...), nil
}

// Forward normalises x. In training it uses the batch statistics and
// updates the running ones.
func (l *BatchNormLayer) Forward(y, x *core.Tensor, train bool) {
	if !train {
		core.BatchNormInference(y.Data, x.Data, l.n, l.c, l.hw, l.Gamma.W.Data, l.Beta.W.Data, l.Mean, l.Var, l.Eps)
		return
	}
	m := float64(l.n * l.hw)
	for ch := 0; ch < l.c; ch++ {
		var s, ss float64
		for i := 0; i < l.n; i++ {
			for _, v := range x.Data[(i*l.c+ch)*l.hw : (i*l.c+ch+1)*l.hw] {
				s += float64(v)
				ss += float64(v) * float64(v)
			}
		}
		mean := s / m
		variance := max(ss/m-mean*mean, 0)
		inv := 1 / math.Sqrt(variance+float64(l.Eps))
		l.invStd[ch] = float32(inv)
		g, b := l.Gamma.W.Data[ch], l.Beta.W.Data[ch]
		for i := 0; i < l.n; i++ {
			off := (i*l.c + ch) * l.hw
			for j, v := range x.Data[off : off+l.hw] {
				xh := float32((float64(v) - mean) * inv)
				l.xhat[off+j] = xh
				y.Data[off+j] = g*xh + b
			}
		}
		unbiased := variance
		if m > 1 {
			unbiased = variance * m / (m - 1)
		}
		l.Mean[ch] = l.Momentum*l.Mean[ch] + (1-l.Momentum)*float32(mean)
		l.Var[ch] = l.Momentum*l.Var[ch] + (1-l.Momentum)*float32(unbiased)
	}
}

// Backward computes, per channel with m = N·H·W values,
//
//	dβ = Σ dy,  dγ = Σ dy·x̂,  dx = γ/σ · (dy − dβ/m − x̂·dγ/m)
//
// the gradient of training-mode normalisation.
func (l *BatchNormLayer) Backward(dx, dy, x, y *core.Tensor) {
	m := float32(l.n * l.hw)
	for ch := 0; ch < l.c; ch++ {
		var db, dg float32
		for i := 0; i < l.n; i++ {
			off := (i*l.c + ch) * l.hw
			for j, d := range dy.Data[off : off+l.hw] {
				db += d
				dg += d * l.xhat[off+j]
			}
		}
		l.Beta.DW.Data[ch] += db
		l.Gamma.DW.Data[ch] += dg
		if dx == nil {
			continue
		}
		k := l.Gamma.W.Data[ch] * l.invStd[ch]
		for i := 0; i < l.n; i++ {
			off := (i*l.c + ch) * l.hw
			for j, d := range dy.Data[off : off+l.hw] {
				dx.Data[off+j] = k * (d - db/m - l.xhat[off+j]*dg/m)
			}
		}
	}
}

// Params returns Gamma and Beta.
func (l *BatchNormLayer) Params() []Param { return []Param{l.Gamma, l.Beta} }

// replica shares Gamma and Beta but keeps its own running statistics, so
// workers never write the same memory; the trainer averages them back
// after each step.
func (l *BatchNormLayer) replica() Layer {
	r := *l
	r.Gamma, r.Beta = shareParam(l.Gamma), shareParam(l.Beta)
	r.Mean, r.Var = append([]float32(nil), l.Mean...), append([]float32(nil), l.Var...)
	r.xhat, r.invStd = nil, nil
	return &r
}
