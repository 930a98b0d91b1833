package nn

import (
	"math/rand/v2"

	"wasmcnn/core"
)

// Layer is one stage of a [Net]. Every layer has the same methods, in the
// same order in its file: Setup, Forward, Backward, Params. Forward keeps
// what Backward needs (the pooling winners, the normalised activations).
type Layer interface {
	// Kind names the layer type, such as "Conv2D".
	Kind() string
	// Setup checks the input shape (batch first) and returns the output
	// shape, preparing the layer's scratch for that batch size.
	Setup(in []int) (out []int, err error)
	// Forward computes y from x; train selects training behaviour.
	Forward(y, x *core.Tensor, train bool)
	// Backward computes dx from dy (skipped when dx is nil) and adds the
	// parameter gradients into the gradients returned by Params. x and y are
	// the tensors of the last Forward, which must have been a training one
	// (train true): inference skips what only Backward needs.
	Backward(dx, dy, x, y *core.Tensor)
	// Params returns the learnable parameters with their gradients.
	Params() []Param
	// replica returns a layer sharing this one's parameters but with its own
	// gradients and scratch, for a training worker on another goroutine.
	replica() Layer
}

// Param is a learnable tensor and its gradient, as the trainer sees it.
type Param struct {
	Name  string       // for checkpoints and messages, such as "conv1.W"
	W     *core.Tensor // the values
	DW    *core.Tensor // the gradient, same shape
	Decay bool         // whether weight decay applies (weights yes, biases no)
	Init  InitRule     // how Net.Init fills W
	FanIn int          // inputs per output unit, for He initialisation
}

// InitRule says how a parameter starts.
type InitRule int

// Initialisation rules.
const (
	InitZero InitRule = iota // zeros (biases, BatchNorm shift)
	InitOne                  // ones (BatchNorm scale)
	InitHe                   // normal with variance 2/fan-in, for ReLU networks
)

// newParam allocates a parameter of the given shape with a zero gradient.
func newParam(name string, init InitRule, fanIn int, decay bool, shape ...int) Param {
	return Param{Name: name, W: core.NewTensor(shape...), DW: core.NewTensor(shape...), Decay: decay, Init: init, FanIn: fanIn}
}

// shareParam returns a Param with p's values and a fresh gradient.
func shareParam(p Param) Param {
	p.DW = core.NewTensor(p.W.Shape...)
	return p
}

// initParam fills p.W by its rule.
func initParam(p Param, r *rand.Rand) {
	switch p.Init {
	case InitZero:
		clear(p.W.Data)
	case InitOne:
		for i := range p.W.Data {
			p.W.Data[i] = 1
		}
	case InitHe:
		std := sqrt32(2 / float32(max(1, p.FanIn)))
		for i := range p.W.Data {
			p.W.Data[i] = float32(r.NormFloat64()) * std
		}
	}
}
