package nn

import (
	"sort"

	"wasmcnn/internal/fmtlite"

	"wasmcnn/core/ink"
)

// DigitArchs are the digit-classifier architectures the CLI can train, by
// name. Every one takes [N, 1, 28, 28] and gives 10 scores (logits).
var DigitArchs = map[string]func() *Net{
	"digits-v1": digitsV1,
	"lenet-s":   func() *Net { return withoutSoftmax(ReferenceNetS(0)) },
}

// NewDigitNet returns a fresh (uninitialised) network of the named architecture.
func NewDigitNet(arch string) (*Net, error) {
	f, ok := DigitArchs[arch]
	if !ok {
		names := make([]string, 0, len(DigitArchs))
		for n := range DigitArchs {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, fmtlite.Errorf("nn: unknown architecture %q (have %v)", arch, names)
	}
	return f(), nil
}

// digitsV1 is the shipped digit model: four 3×3 convolutions with batch
// normalisation, two poolings, global average pooling and one dense layer,
// under 100,000 parameters.
//
//	28×28×1 → conv 32 → pool → 14×14×32 → conv 48 → pool → 7×7×48
//	        → conv 64 → conv 96 → global average → dense 10
func digitsV1() *Net {
	conv := func(name string, c, k int) []Layer {
		return []Layer{NewConvLayer(name, c, k, 3, 3, true), NewBatchNormLayer(name+".bn", k), &ReLULayer{Name: name + ".relu"}}
	}
	var ls []Layer
	ls = append(ls, conv("conv1", 1, 32)...)
	ls = append(ls, NewMaxPool("pool1", 2, 2))
	ls = append(ls, conv("conv2", 32, 48)...)
	ls = append(ls, NewMaxPool("pool2", 2, 2))
	ls = append(ls, conv("conv3", 48, 64)...)
	ls = append(ls, conv("conv4", 64, 96)...)
	ls = append(ls, &GlobalAvgPoolLayer{Name: "gap"}, &FlattenLayer{Name: "flatten"}, NewDenseLayer("fc", 96, 10))
	n, err := NewNet([]int{1, ink.FieldSize, ink.FieldSize}, ls...)
	if err != nil {
		panic(err)
	}
	return n
}

// withoutSoftmax drops a final softmax layer: training works on logits.
func withoutSoftmax(n *Net) *Net {
	if _, ok := n.Layers[len(n.Layers)-1].(*SoftmaxLayer); ok {
		m, err := NewNet(n.In, n.Layers[:len(n.Layers)-1]...)
		if err != nil {
			panic(err)
		}
		return m
	}
	return n
}
