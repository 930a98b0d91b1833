package nn

import (
	"errors"
	"math/rand/v2"
	"slices"

	"wasmcnn/internal/fmtlite"

	"wasmcnn/core"
)

// Net is a sequential network: each layer's output is the next one's input.
// It plans its activations per batch size, so repeated calls with the same
// batch size allocate nothing.
type Net struct {
	In     []int   // shape of one example, such as [1, 28, 28]
	Layers []Layer // in order

	batch int
	acts  []*core.Tensor // acts[0] is the input copy, acts[i+1] the output of layer i
	grads []*core.Tensor // gradients of acts, same shapes
}

// NewNet builds a network for examples of shape in and checks that the
// layers fit together.
func NewNet(in []int, layers ...Layer) (*Net, error) {
	if len(layers) == 0 {
		return nil, errors.New("nn: a network needs at least one layer")
	}
	n := &Net{In: append([]int(nil), in...), Layers: layers}
	if err := n.plan(1); err != nil {
		return nil, err
	}
	return n, nil
}

// plan sets up every layer for a batch of size batch and allocates the activations.
func (n *Net) plan(batch int) error {
	if batch == n.batch {
		return nil
	}
	shape := append([]int{batch}, n.In...)
	if _, err := core.ShapeSize(shape); err != nil {
		return err
	}
	acts := []*core.Tensor{core.NewTensor(shape...)}
	for _, l := range n.Layers {
		out, err := l.Setup(shape)
		if err != nil {
			return err
		}
		if _, err := core.ShapeSize(out); err != nil {
			return fmtlite.Errorf("nn: layer %s output: %w", l.Kind(), err)
		}
		acts = append(acts, core.NewTensor(out...))
		shape = out
	}
	n.acts, n.grads, n.batch = acts, nil, batch
	return nil
}

// OutShape returns the output shape for one example.
func (n *Net) OutShape() []int { return n.acts[len(n.acts)-1].Shape[1:] }

// Init fills every parameter by its rule from the generator r.
func (n *Net) Init(r *rand.Rand) {
	for _, p := range n.Params() {
		initParam(p, r)
	}
}

// Forward runs the network on x ([batch, In…]) and returns the output, which
// stays valid until the next call. train selects training behaviour.
func (n *Net) Forward(x *core.Tensor, train bool) (*core.Tensor, error) {
	if len(x.Shape) != len(n.In)+1 || !slices.Equal(x.Shape[1:], n.In) {
		return nil, fmtlite.Errorf("nn: network input %v, want [N %v]", x.Shape, n.In)
	}
	if err := n.plan(x.Shape[0]); err != nil {
		return nil, err
	}
	copy(n.acts[0].Data, x.Data)
	for i, l := range n.Layers {
		l.Forward(n.acts[i+1], n.acts[i], train)
	}
	return n.acts[len(n.acts)-1], nil
}

// Activations returns the input and every layer's output of the last Forward:
// element i+1 is the output of Layers[i].
func (n *Net) Activations() []*core.Tensor { return n.acts }

// Backward propagates dout, the gradient of the loss with respect to the
// output of the last Forward, and adds every parameter's gradient into its
// DW. It does not compute the gradient of the input.
func (n *Net) Backward(dout *core.Tensor) {
	if n.grads == nil {
		n.grads = make([]*core.Tensor, len(n.acts))
		for i := 1; i < len(n.acts); i++ {
			n.grads[i] = core.NewTensor(n.acts[i].Shape...)
		}
	}
	last := len(n.Layers)
	copy(n.grads[last].Data, dout.Data)
	for i := last - 1; i >= 0; i-- {
		n.Layers[i].Backward(n.grads[i], n.grads[i+1], n.acts[i], n.acts[i+1])
	}
}

// Params returns every learnable parameter, layer by layer.
func (n *Net) Params() []Param {
	var ps []Param
	for _, l := range n.Layers {
		ps = append(ps, l.Params()...)
	}
	return ps
}

// ZeroGrad clears every parameter gradient.
func (n *Net) ZeroGrad() {
	for _, p := range n.Params() {
		clear(p.DW.Data)
	}
}

// Replica returns a network sharing n's parameters, with its own gradients,
// activations and scratch, for another goroutine.
func (n *Net) Replica() *Net {
	r := &Net{In: n.In, Layers: make([]Layer, len(n.Layers))}
	for i, l := range n.Layers {
		r.Layers[i] = l.replica()
	}
	return r
}

// MACs returns the multiply-accumulates of one forward pass of one example.
func (n *Net) MACs() int64 {
	if err := n.plan(1); err != nil {
		return 0
	}
	var total int64
	for _, l := range n.Layers {
		switch l := l.(type) {
		case *ConvLayer:
			total += l.geom.MACs()
		case *DenseLayer:
			total += int64(l.W.W.Len())
		}
	}
	return total
}

// ParamCount returns the number of learnable values.
func (n *Net) ParamCount() int {
	total := 0
	for _, p := range n.Params() {
		total += p.W.Len()
	}
	return total
}
