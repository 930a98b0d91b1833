package nn

import (
	"math"

	"wasmcnn/internal/fmtlite"
)

// Optimizer updates parameters from their gradients. It sees only the
// [Param] list (values, gradients, whether weight decay applies), like
// convnetjs's Trainer, and keeps its own state per parameter.
type Optimizer interface {
	// Step applies one update with learning rate lr.
	Step(params []Param, lr float32)
	// State returns the optimizer's buffers, for checkpoints; SetState
	// restores them.
	State() []float32
	SetState(s []float32, params []Param) error
	// Name describes the optimizer and its settings.
	Name() string
}

// SGD is stochastic gradient descent with momentum and decoupled weight decay:
//
//	v = μ·v + g;  w = w − lr·(v + λ·w)   (λ only where Param.Decay)
type SGD struct {
	Momentum    float32
	WeightDecay float32
	v           [][]float32
}

// Name describes the optimizer.
func (o *SGD) Name() string {
	return fmtlite.Sprintf("SGD(momentum=%g, weight_decay=%g)", o.Momentum, o.WeightDecay)
}

// Step applies one update.
func (o *SGD) Step(params []Param, lr float32) {
	if o.v == nil {
		o.v = makeState(params)
	}
	for i, p := range params {
		v, w, g := o.v[i], p.W.Data, p.DW.Data
		wd := float32(0)
		if p.Decay {
			wd = o.WeightDecay
		}
		for k := range w {
			v[k] = o.Momentum*v[k] + g[k]
			w[k] -= lr * (v[k] + wd*w[k])
		}
	}
}

// State returns the momentum buffers, concatenated.
func (o *SGD) State() []float32 { return flatten(o.v) }

// SetState restores the momentum buffers.
func (o *SGD) SetState(s []float32, params []Param) error {
	v, err := unflatten(s, params)
	o.v = v
	return err
}

// Adam is Adam with decoupled weight decay (AdamW):
//
//	m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g²
//	w = w − lr·( m̂/(√v̂ + ε) + λ·w )   with m̂, v̂ bias-corrected
type Adam struct {
	Beta1, Beta2 float32
	Eps          float32
	WeightDecay  float32
	t            int
	m, v         [][]float32
}

// NewAdam returns AdamW with the usual β1 = 0.9, β2 = 0.999, ε = 1e-8.
func NewAdam(weightDecay float32) *Adam {
	return &Adam{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: weightDecay}
}

// Name describes the optimizer.
func (o *Adam) Name() string {
	return fmtlite.Sprintf("AdamW(beta1=%g, beta2=%g, eps=%g, weight_decay=%g)", o.Beta1, o.Beta2, o.Eps, o.WeightDecay)
}

// Step applies one update.
func (o *Adam) Step(params []Param, lr float32) {
	if o.m == nil {
		o.m, o.v = makeState(params), makeState(params)
	}
	o.t++
	c1 := 1 - math.Pow(float64(o.Beta1), float64(o.t))
	c2 := 1 - math.Pow(float64(o.Beta2), float64(o.t))
	step := lr * float32(math.Sqrt(c2)/c1)
	for i, p := range params {
		m, v, w, g := o.m[i], o.v[i], p.W.Data, p.DW.Data
		wd := float32(0)
		if p.Decay {
			wd = o.WeightDecay
		}
		for k := range w {
			m[k] = o.Beta1*m[k] + (1-o.Beta1)*g[k]
			v[k] = o.Beta2*v[k] + (1-o.Beta2)*g[k]*g[k]
			w[k] -= step*m[k]/(sqrt32(v[k])+o.Eps) + lr*wd*w[k]
		}
	}
}

// State returns the step count and both moment buffers.
func (o *Adam) State() []float32 {
	return append(append([]float32{float32(o.t)}, flatten(o.m)...), flatten(o.v)...)
}

// SetState restores the step count and moments.
func (o *Adam) SetState(s []float32, params []Param) error {
	n := 0
	for _, p := range params {
		n += p.W.Len()
	}
	if len(s) != 1+2*n {
		return fmtlite.Errorf("nn: Adam state has %d values, want %d", len(s), 1+2*n)
	}
	o.t = int(s[0])
	var err error
	if o.m, err = unflatten(s[1:1+n], params); err != nil {
		return err
	}
	o.v, err = unflatten(s[1+n:], params)
	return err
}

func makeState(params []Param) [][]float32 {
	s := make([][]float32, len(params))
	for i, p := range params {
		s[i] = make([]float32, p.W.Len())
	}
	return s
}

func flatten(s [][]float32) []float32 {
	var out []float32
	for _, v := range s {
		out = append(out, v...)
	}
	return out
}

func unflatten(s []float32, params []Param) ([][]float32, error) {
	out := makeState(params)
	off := 0
	for i := range out {
		if off+len(out[i]) > len(s) {
			return nil, fmtlite.Errorf("nn: optimizer state has %d values, too few for the parameters", len(s))
		}
		copy(out[i], s[off:])
		off += len(out[i])
	}
	if off != len(s) {
		return nil, fmtlite.Errorf("nn: optimizer state has %d values, parameters need %d", len(s), off)
	}
	return out, nil
}

// OneCycle is the learning-rate schedule of a one-cycle run: a linear
// warm-up from Max/25 to Max over the first Warmup fraction of the steps,
// then a cosine decay to Max/2500 at the end.
type OneCycle struct {
	Max    float32
	Warmup float32 // fraction of the steps, such as 0.15
	Steps  int     // total optimizer steps
}

// At returns the learning rate of step i (0-based).
func (s OneCycle) At(i int) float32 {
	start, end := s.Max/25, s.Max/2500
	if s.Steps <= 1 {
		return s.Max
	}
	warm := int(s.Warmup * float32(s.Steps))
	if i < warm {
		return start + (s.Max-start)*float32(i)/float32(warm)
	}
	p := float64(i-warm) / float64(max(1, s.Steps-1-warm))
	return end + (s.Max-end)*float32(0.5*(1+math.Cos(math.Pi*min(p, 1))))
}
