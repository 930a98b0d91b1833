package nn

import "math/rand/v2"

// ReferenceNetS returns the small benchmark network S (ConvNetJS style,
// 786,560 MACs per 28×28 image): conv 5×5×8 same, ReLU, max-pool 2/2,
// conv 5×5×16 same, ReLU, max-pool 3/3, flatten (16×4×4), dense 10, softmax.
// Weights are drawn from a generator seeded with seed.
func ReferenceNetS(seed uint64) *Net {
	n, err := NewNet([]int{1, 28, 28},
		NewConvLayer("conv1", 1, 8, 5, 5, true), &ReLULayer{Name: "relu1"}, NewMaxPool("pool1", 2, 2),
		NewConvLayer("conv2", 8, 16, 5, 5, true), &ReLULayer{Name: "relu2"}, NewMaxPool("pool2", 3, 3),
		&FlattenLayer{Name: "flatten"}, NewDenseLayer("fc", 16*4*4, 10), &SoftmaxLayer{Name: "softmax"})
	if err != nil {
		panic(err) // the layers are fixed; an error is a bug
	}
	n.Init(rand.New(rand.NewPCG(seed, 0)))
	return n
}

// ReferenceNetM returns the medium benchmark network M (Keras mnist_cnn
// style, 11,992,448 MACs per image): conv 3×3×32 valid, ReLU, conv 3×3×64
// valid, ReLU, max-pool 2/2, flatten, dense 128, ReLU, dense 10, softmax.
func ReferenceNetM(seed uint64) *Net {
	n, err := NewNet([]int{1, 28, 28},
		NewConvLayer("conv1", 1, 32, 3, 3, false), &ReLULayer{Name: "relu1"},
		NewConvLayer("conv2", 32, 64, 3, 3, false), &ReLULayer{Name: "relu2"}, NewMaxPool("pool", 2, 2),
		&FlattenLayer{Name: "flatten"}, NewDenseLayer("fc1", 64*12*12, 128), &ReLULayer{Name: "relu3"},
		NewDenseLayer("fc2", 128, 10), &SoftmaxLayer{Name: "softmax"})
	if err != nil {
		panic(err)
	}
	n.Init(rand.New(rand.NewPCG(seed, 0)))
	return n
}
