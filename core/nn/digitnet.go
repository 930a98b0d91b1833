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
	"digits-v2": digitsV2,
	"digits-v3": digitsV3,
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
func digitsV1() *Net { return digitNet([]int{32, 48, 64, 96}, 0) }

// digitsV2 is digitsV1 wider in its last three convolutions, about 1.7
// times its work (12.0 M multiply-accumulates, 186,858 parameters): room to
// tell a digit from the many drawings that are none without reading digits
// worse.
//
//	28×28×1 → conv 32 → pool → 14×14×32 → conv 64 → pool → 7×7×64
//	        → conv 96 → conv 128 → global average → dense 10
func digitsV2() *Net {
	return digitNet([]int{32, 64, 96, 128}, 0)
}

// digitsV3 is digitsV2 with a second convolution at 14×14, where the
// strokes of a digit meet (19.2 M multiply-accumulates): one more step of
// reading shapes before the last pooling, for MNIST's hard cases.
//
//	28×28×1 → conv 32 → pool → 14×14×32 → conv 64 → conv 64 → pool → 7×7×64
//	        → conv 96 → conv 128 → global average → dense 10
func digitsV3() *Net {
	return digitNet([]int{32, 64, 96, 128}, 64)
}

// digitNet builds the digits-v1 layout with the given widths of its four
// convolutions, and a convolution of width extra after the second if extra
// is above 0.
func digitNet(width []int, extra int) *Net {
	conv := func(name string, c, k int) []Layer {
		return []Layer{NewConvLayer(name, c, k, 3, 3, true), NewBatchNormLayer(name+".bn", k), &ReLULayer{Name: name + ".relu"}}
	}
	var ls []Layer
	ls = append(ls, conv("conv1", 1, width[0])...)
	ls = append(ls, NewMaxPool("pool1", 2, 2))
	ls = append(ls, conv("conv2", width[0], width[1])...)
	pooled := width[1] // the channels the second pooling passes on
	if extra > 0 {
		ls = append(ls, conv("conv2b", width[1], extra)...)
		pooled = extra
	}
	ls = append(ls, NewMaxPool("pool2", 2, 2))
	ls = append(ls, conv("conv3", pooled, width[2])...)
	ls = append(ls, conv("conv4", width[2], width[3])...)
	ls = append(ls, &GlobalAvgPoolLayer{Name: "gap"}, &FlattenLayer{Name: "flatten"}, NewDenseLayer("fc", width[3], 10))
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
