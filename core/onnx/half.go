package onnx

import "math"

// floatToHalf rounds a float32 to the nearest IEEE 754 half-precision value
// (ties to even), as a cast to FLOAT16 does; out of range becomes infinity.
func floatToHalf(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int32(b>>23) & 0xff
	mant := b & 0x7fffff
	if exp == 0xff { // infinity or NaN (kept quiet)
		if mant != 0 {
			return sign | 0x7e00
		}
		return sign | 0x7c00
	}
	e := exp - 127 + 15
	if e >= 0x1f {
		return sign | 0x7c00
	}
	if e <= 0 {
		// Subnormal or zero: shift the mantissa (with its implicit bit) into
		// place and round to nearest even.
		if e < -10 {
			return sign
		}
		m := mant | 0x800000
		shift := uint32(14 - e)
		half := uint32(1) << (shift - 1)
		r := m >> shift
		rem := m & (1<<shift - 1)
		if rem > half || rem == half && r&1 == 1 {
			r++
		}
		return sign | uint16(r)
	}
	r := uint32(e)<<10 | mant>>13
	rem := mant & 0x1fff
	if rem > 0x1000 || rem == 0x1000 && r&1 == 1 {
		r++ // may carry into the exponent, up to infinity: still right
	}
	return sign | uint16(r)
}

// floatToBfloat rounds a float32 to bfloat16 (ties to even).
func floatToBfloat(f float32) uint16 {
	b := math.Float32bits(f)
	if b&0x7fffffff > 0x7f800000 {
		return uint16(b>>16) | 0x40 // NaN stays NaN
	}
	return uint16((b + 0x7fff + (b>>16)&1) >> 16)
}

// roundHalf and roundBfloat round float32 values to the precision of the
// 16-bit float types, for casts to them.
func roundHalf(f float32) float32   { return halfToFloat(floatToHalf(f)) }
func roundBfloat(f float32) float32 { return math.Float32frombits(uint32(floatToBfloat(f)) << 16) }

// HalfToFloat converts IEEE 754 half-precision bits to a float32, exactly
// (for readers of float16 data, such as .npy files).
func HalfToFloat(h uint16) float32 { return halfToFloat(h) }
