package onnx

import (
	"math"

	"wasmcnn/core"
)

// This file holds the integer arithmetic of quantized models as
// onnxruntime computes it on x86 (its MLAS library): quantization divides
// by the scale in float32, clamps to the type's range less the zero point
// and rounds half to even; integer products accumulate exactly (in int32,
// which wasmcnn reproduces exactly in float64 or in float32 below 2²⁴);
// requantization multiplies the accumulator, converted to float32, by
// float32 scales computed in onnxruntime's order. Quantized tensors
// computed at run time hold their integers in float32 buffers, where every
// 8- and 16-bit value is exact.

// qtype is the integer type of a quantized tensor.
type qtype struct {
	elem   int64
	lo, hi int32
}

// quantType returns the range of a quantized element type.
func quantType(elem int64) (qtype, bool) {
	switch elem {
	case onnxUint8:
		return qtype{elem, 0, 255}, true
	case onnxInt8:
		return qtype{elem, -128, 127}, true
	case onnxUint16:
		return qtype{elem, 0, 65535}, true
	case onnxInt16:
		return qtype{elem, -32768, 32767}, true
	case onnxInt32:
		return qtype{elem, math.MinInt32, math.MaxInt32}, true
	}
	return qtype{}, false
}

// qparams are the scales and zero points of a quantized tensor: one of
// each, or one per index along axis.
type qparams struct {
	scale []float32
	zp    []int32
	t     qtype
	axis  int // −1: per tensor
}

// at returns the scale and zero point of index i along the axis.
func (p *qparams) at(i int) (float32, int32) {
	if len(p.scale) == 1 {
		return p.scale[0], p.zp[0]
	}
	return p.scale[i], p.zp[i]
}

// quantParams reads the scale (input si) and zero point (input zi, which
// may be absent: zero of type def) of a quantized tensor of the given
// shape. Both must be constants; the scales positive normal floats, the
// zero points in their type's range; per-axis parameters are vectors as
// long as the axis (axis < 0: per tensor only).
//
// # Security Considerations
//
// Hostile parameters are refused here, at load: a zero, negative,
// subnormal, infinite or NaN scale would make the arithmetic meaningless
// (division by zero, overflow to infinity), and a zero point outside its
// type's range cannot be represented.
func (x *nodeCtx) quantParams(si, zi int, def int64, shape []int, axis int) (*qparams, error) {
	s := x.input(si)
	if s == nil {
		return nil, x.errorf("input %d (a scale) is missing", si)
	}
	if !s.konst || !s.isFloat() {
		return nil, x.errorf("scale %q must be a float constant", s.name)
	}
	p := &qparams{axis: -1}
	elem := def
	z := x.input(zi)
	if z != nil {
		if !z.konst || !z.isInt {
			return nil, x.errorf("zero point %q must be an integer constant", z.name)
		}
		elem = z.elem
		if len(z.i) != len(s.f) || len(z.shape) != len(s.shape) {
			return nil, x.errorf("zero point %q %v and scale %q %v differ in shape", z.name, z.shape, s.name, s.shape)
		}
	}
	t, ok := quantType(elem)
	if !ok {
		return nil, x.errorf("quantized type %s is not supported (UINT8, INT8, UINT16, INT16 and INT32 are)", onnxTypeName(int(elem)))
	}
	p.t = t
	n := len(s.f)
	switch {
	case len(s.shape) == 0 || (len(s.shape) == 1 && n == 1):
	case len(s.shape) == 1 && axis >= 0 && axis < len(shape) && shape[axis] == n:
		p.axis = axis
	default:
		return nil, x.errorf("scale %q has shape %v; want a scalar, or a vector of %d for axis %d of %v", s.name, s.shape, axisLen(shape, axis), axis, shape)
	}
	p.scale = s.f
	p.zp = make([]int32, n)
	for i, v := range s.f {
		if !(v > 0) || math.IsInf(float64(v), 0) || v < math.SmallestNonzeroFloat32*(1<<23) {
			return nil, x.errorf("scale %q holds %v; quantization scales must be positive normal floats", s.name, v)
		}
		if z != nil {
			zv := z.i[i]
			if zv < int64(t.lo) || zv > int64(t.hi) {
				return nil, x.errorf("zero point %d is outside the range of %s", zv, onnxTypeName(int(elem)))
			}
			p.zp[i] = int32(zv)
		}
	}
	return p, nil
}

func axisLen(shape []int, axis int) int {
	if axis >= 0 && axis < len(shape) {
		return shape[axis]
	}
	return 1
}

// quantizeValue is onnxruntime's QuantizeLinear of one value: v/scale in
// float32, clamped to the type's range less the zero point (NaN becomes
// the lowest value, as the SSE max instruction makes it), rounded half to
// even, plus the zero point.
func quantizeValue(v, scale float32, zp int32, t qtype) float32 {
	f := v / scale
	lo, hi := float32(t.lo-zp), float32(t.hi-zp)
	if !(f >= lo) { // also NaN
		f = lo
	}
	f = min(f, hi)
	return float32(int32(math.RoundToEven(float64(f))) + zp)
}

// requantize maps an exact integer accumulator to the output type:
// float32(acc)·scale, clamped, rounded half to even, plus the zero point
// (MLAS's MlasRequantizeOutput).
func requantize(acc int64, scale float32, zp int32, t qtype) float32 {
	f := float32(int32(acc)) * scale
	lo, hi := float32(t.lo-zp), float32(t.hi-zp)
	if !(f >= lo) {
		f = lo
	}
	f = min(f, hi)
	return float32(int32(math.RoundToEven(float64(f))) + zp)
}

// roundSaturate converts f to the type as x86's cvtps2dq and the packing
// instructions do: round half to even, then saturate (out of the int32
// range the conversion gives −2³¹, which saturates to the type's lowest).
func roundSaturate(f float32, t qtype) float32 {
	r := math.RoundToEven(float64(f))
	if !(r >= math.MinInt32 && r <= math.MaxInt32) {
		return float32(t.lo)
	}
	return float32(min(max(int32(r), t.lo), t.hi))
}

// fma32 is a fused multiply-add in float32, a·b + c rounded once, as the
// FMA instructions compute it. a·b is exact in float64; the sum's rounding
// error is recovered (TwoSum) so that rounding to float32 is not done
// twice.
func fma32(a, b, c float32) float32 {
	p := float64(a) * float64(b)
	s := p + float64(c)
	bb := s - p
	e := (p - (s - bb)) + (float64(c) - bb)
	r := float32(s)
	if e == 0 || float64(r) == s {
		return r
	}
	// s lies between two float32 values; if it is exactly their midpoint,
	// the exact sum is on the side of e.
	lo, hi := r, r
	if float64(r) < s {
		hi = math.Nextafter32(r, float32(math.Inf(1)))
	} else {
		lo = math.Nextafter32(r, float32(math.Inf(-1)))
	}
	if (float64(lo)+float64(hi))/2 != s {
		return r
	}
	if e > 0 {
		return hi
	}
	return lo
}

// exactLimit bounds the partial sums of integer products that float32
// accumulation keeps exact.
const exactLimit = 1 << 24

// maxAbsFrom returns the largest |v − zp| over a quantized type's values.
func maxAbsFrom(t qtype, zp int32) int64 {
	return max(int64(zp)-int64(t.lo), int64(t.hi)-int64(zp))
}

// checkRuntimeQuant refuses a run-time input of a quantized node whose
// element type is not a quantized one.
func (x *nodeCtx) quantIn(i int, want qtype) (*val, error) {
	v := x.input(i)
	if v == nil {
		return nil, x.errorf("input %d is missing", i)
	}
	elem := v.elem
	if elem == 0 && v.isInt {
		elem = onnxInt64
	}
	if elem != want.elem {
		return nil, x.errorf("input %q is of type %s, its zero point's type is %s", v.name, v.typeName(), onnxTypeName(int(want.elem)))
	}
	return v, nil
}

// quantValues returns a quantized tensor's integers as float32 (a constant
// held as integers is converted once).
func quantValues(v *val) []float32 {
	if v.isInt {
		return intsToFloats(v.i)
	}
	return v.f
}

// axisIndex returns, for every element of a tensor of the given shape, a
// function giving its index along axis (or 0 per tensor).
func axisIndexer(shape []int, axis int) func(i int) int {
	if axis < 0 {
		return func(int) int { return 0 }
	}
	inner := core.Product(shape[axis+1:])
	n := shape[axis]
	return func(i int) int { return i / inner % n }
}
