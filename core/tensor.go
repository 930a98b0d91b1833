package core

import (
	"math/bits"

	"wasmcnn/internal/fmtlite"
)

// MaxElements bounds the number of elements of any one tensor (2^28, 1 GiB of
// float32). Shapes from outside (model files, JavaScript calls) are checked
// against it before anything is allocated.
const MaxElements = 1 << 28

// MaxRank bounds the number of dimensions of a tensor.
const MaxRank = 8

// Tensor is a dense float32 array with a shape, stored in row-major order:
// the last dimension varies fastest. For an image batch of shape
// [N, C, H, W] the element (n, c, h, w) is Data[((n*C+c)*H+h)*W+w].
type Tensor struct {
	Shape []int
	Data  []float32
}

// NewTensor returns a zeroed tensor of the given shape. It panics if the shape
// has a negative dimension; use [ShapeSize] first for shapes from outside.
func NewTensor(shape ...int) *Tensor {
	n, err := ShapeSize(shape)
	if err != nil {
		panic(panicBadDimension)
	}
	return &Tensor{Shape: append([]int(nil), shape...), Data: make([]float32, n)}
}

// TensorFrom wraps data (not copied) in a tensor of the given shape, checking
// that the shape is valid and that data has exactly as many elements.
func TensorFrom(shape []int, data []float32) (*Tensor, error) {
	n, err := ShapeSize(shape)
	if err != nil {
		return nil, err
	}
	if len(data) != n {
		return nil, fmtlite.Errorf("core: shape %v needs %d values, got %d", shape, n, len(data))
	}
	return &Tensor{Shape: append([]int(nil), shape...), Data: data}, nil
}

// ShapeSize returns the number of elements of a tensor of the given shape.
// It returns an error for negative dimensions, ranks above [MaxRank] and
// products above [MaxElements] (checked without overflow).
func ShapeSize(shape []int) (int, error) {
	if len(shape) > MaxRank {
		return 0, fmtlite.Errorf("core: rank %d exceeds the limit of %d", len(shape), MaxRank)
	}
	n := uint64(1)
	for _, d := range shape {
		if d < 0 {
			return 0, fmtlite.Errorf("core: negative dimension in shape %v", shape)
		}
		hi, lo := bits.Mul64(n, uint64(d))
		if hi != 0 || lo > MaxElements {
			return 0, fmtlite.Errorf("%w: shape %v has more than %d elements", ErrTooLarge, shape, MaxElements)
		}
		n = lo
	}
	return int(n), nil
}

// Len returns the number of elements, the product of the shape.
func (t *Tensor) Len() int { return len(t.Data) }

// Rank returns the number of dimensions.
func (t *Tensor) Rank() int { return len(t.Shape) }

// Offset returns the index in Data of element (n, c, h, w) of a rank-4 tensor.
func (t *Tensor) Offset(n, c, h, w int) int {
	s := t.Shape
	return ((n*s[1]+c)*s[2]+h)*s[3] + w
}

// Clone returns a deep copy of t.
func (t *Tensor) Clone() *Tensor {
	return &Tensor{Shape: append([]int(nil), t.Shape...), Data: append([]float32(nil), t.Data...)}
}

// Reshaped returns a tensor sharing t's data with another shape of the same
// number of elements.
func (t *Tensor) Reshaped(shape ...int) (*Tensor, error) {
	n, err := ShapeSize(shape)
	if err != nil {
		return nil, err
	}
	if n != len(t.Data) {
		return nil, fmtlite.Errorf("core: cannot reshape %v (%d elements) to %v (%d elements)", t.Shape, len(t.Data), shape, n)
	}
	return &Tensor{Shape: append([]int(nil), shape...), Data: t.Data}, nil
}

// String describes the tensor's shape, for messages and debugging.
func (t *Tensor) String() string { return fmtlite.Sprintf("Tensor%v", t.Shape) }

// Product returns the product of dims, for shapes already checked with
// [ShapeSize]: it does not guard against overflow.
func Product(dims []int) int {
	n := 1
	for _, d := range dims {
		n *= d
	}
	return n
}

// FirstNonFinite returns the index of the first NaN or ±Inf in x, or -1.
func FirstNonFinite(x []float32) int {
	for i, v := range x {
		if v-v != 0 { // NaN and ±Inf give NaN
			return i
		}
	}
	return -1
}
