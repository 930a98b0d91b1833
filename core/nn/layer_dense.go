package nn

import (
	"wasmcnn/internal/fmtlite"

	"wasmcnn/core"
)

// DenseLayer is a fully connected layer: y = x·Wᵀ + B for x of shape
// [N, In] and W of shape [Out, In]; see [core.Dense].
type DenseLayer struct {
	Name string
	W, B Param
}

// NewDenseLayer returns a dense layer from in to out units.
func NewDenseLayer(name string, in, out int) *DenseLayer {
	return &DenseLayer{
		Name: name,
		W:    newParam(name+".W", InitHe, in, true, out, in),
		B:    newParam(name+".B", InitZero, 0, false, out),
	}
}

// Kind returns "Dense".
func (l *DenseLayer) Kind() string { return "Dense" }

// Setup checks in = [N, In].
func (l *DenseLayer) Setup(in []int) ([]int, error) {
	if len(in) != 2 || in[1] != l.W.W.Shape[1] {
		return nil, fmtlite.Errorf("layer %s: input %v, want [N, %d] (add a Flatten before it)", l.Name, in, l.W.W.Shape[1])
	}
	return []int{in[0], l.W.W.Shape[0]}, nil
}

// Forward computes x·Wᵀ + B.
func (l *DenseLayer) Forward(y, x *core.Tensor, train bool) {
	core.Dense(y.Data, x.Data, l.W.W.Data, l.B.W.Data, x.Shape[0], l.W.W.Shape[1], l.W.W.Shape[0])
}

// Backward accumulates dW, dB and computes dx.
func (l *DenseLayer) Backward(dx, dy, x, y *core.Tensor) {
	var dxd []float32
	if dx != nil {
		dxd = dx.Data
	}
	core.DenseBackward(dxd, l.W.DW.Data, l.B.DW.Data, dy.Data, x.Data, l.W.W.Data, x.Shape[0], l.W.W.Shape[1], l.W.W.Shape[0])
}

// Params returns W and B.
func (l *DenseLayer) Params() []Param { return []Param{l.W, l.B} }

func (l *DenseLayer) replica() Layer {
	r := *l
	r.W, r.B = shareParam(l.W), shareParam(l.B)
	return &r
}

// FlattenLayer reshapes [N, …] to [N, rest]; the data does not move.
type FlattenLayer struct{ Name string }

// Kind returns "Flatten".
func (l *FlattenLayer) Kind() string { return "Flatten" }

// Setup returns [N, product of the rest].
func (l *FlattenLayer) Setup(in []int) ([]int, error) {
	if len(in) < 1 {
		return nil, fmtlite.Errorf("layer %s: scalar input", l.Name)
	}
	return []int{in[0], core.Product(in[1:])}, nil
}

// Forward copies x into y.
func (l *FlattenLayer) Forward(y, x *core.Tensor, train bool) { copy(y.Data, x.Data) }

// Backward copies dy into dx.
func (l *FlattenLayer) Backward(dx, dy, x, y *core.Tensor) {
	if dx != nil {
		copy(dx.Data, dy.Data)
	}
}

// Params returns nothing.
func (l *FlattenLayer) Params() []Param { return nil }

func (l *FlattenLayer) replica() Layer { r := *l; return &r }

// ReLULayer applies max(x, 0).
type ReLULayer struct{ Name string }

// Kind returns "ReLU".
func (l *ReLULayer) Kind() string { return "ReLU" }

// Setup keeps the shape.
func (l *ReLULayer) Setup(in []int) ([]int, error) { return append([]int(nil), in...), nil }

// Forward applies [core.ReLU].
func (l *ReLULayer) Forward(y, x *core.Tensor, train bool) { core.ReLU(y.Data, x.Data) }

// Backward passes dy where the output was positive.
func (l *ReLULayer) Backward(dx, dy, x, y *core.Tensor) {
	if dx != nil {
		core.ReLUBackward(dx.Data, dy.Data, y.Data)
	}
}

// Params returns nothing.
func (l *ReLULayer) Params() []Param { return nil }

func (l *ReLULayer) replica() Layer { r := *l; return &r }

// SoftmaxLayer turns the scores of [N, K] into probabilities along K.
type SoftmaxLayer struct{ Name string }

// Kind returns "Softmax".
func (l *SoftmaxLayer) Kind() string { return "Softmax" }

// Setup checks in = [N, K].
func (l *SoftmaxLayer) Setup(in []int) ([]int, error) {
	if len(in) != 2 {
		return nil, fmtlite.Errorf("layer %s: input %v, want [N, K]", l.Name, in)
	}
	return append([]int(nil), in...), nil
}

// Forward applies [core.Softmax] to each row.
func (l *SoftmaxLayer) Forward(y, x *core.Tensor, train bool) {
	core.Softmax(y.Data, x.Data, x.Shape[0], x.Shape[1], 1, false)
}

// Backward applies the softmax Jacobian: dx = y ⊙ (dy − Σ_j dy_j·y_j).
func (l *SoftmaxLayer) Backward(dx, dy, x, y *core.Tensor) {
	if dx == nil {
		return
	}
	k := y.Shape[1]
	for i := 0; i < y.Shape[0]; i++ {
		yr, dr, xr := y.Data[i*k:(i+1)*k], dy.Data[i*k:(i+1)*k], dx.Data[i*k:(i+1)*k]
		var s float32
		for j := range yr {
			s += dr[j] * yr[j]
		}
		for j := range yr {
			xr[j] = yr[j] * (dr[j] - s)
		}
	}
}

// Params returns nothing.
func (l *SoftmaxLayer) Params() []Param { return nil }

func (l *SoftmaxLayer) replica() Layer { r := *l; return &r }
