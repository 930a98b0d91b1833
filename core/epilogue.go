package core

import "math"

// ActKind names an activation that a convolution applies to its output as
// it stores it ([Activation]).
type ActKind uint8

// The activations a fused convolution applies; their codes are shared with
// the WebAssembly kernels.
const (
	ActNone        ActKind = iota // v
	ActClip                       // min(max(v, Lo), Hi): Relu is Clip(0, +Inf), Relu6 Clip(0, 6)
	ActLeakyReLU                  // v < 0 ? Alpha·v : v
	ActHardSwish                  // v · min(max(Alpha·v + Beta, 0), 1)
	ActHardSigmoid                // min(max(Alpha·v + Beta, 0), 1)
	actKinds
)

// Activation is an element-wise function that a [ConvPlan] applies to each
// output as it stores it, instead of a pass of its own over the tensor
// afterwards: the activations that follow the convolutions of the CNNs
// people deploy, with ONNX's parameters (HardSwish has Alpha 1/6, Beta
// 1/2; HardSigmoid's defaults are 0.2 and 0.5, PyTorch exports 1/6 and
// 1/2). The zero value is no activation.
type Activation struct {
	Kind   ActKind
	Lo, Hi float32 // Clip's bounds
	Alpha  float32 // LeakyReLU's slope; HardSwish's and HardSigmoid's scale
	Beta   float32 // HardSwish's and HardSigmoid's offset
}

// ReLUActivation is max(v, 0), as Clip(0, +Inf).
func ReLUActivation() Activation {
	return Activation{Kind: ActClip, Lo: 0, Hi: float32(math.Inf(1))}
}

// ClipActivation is min(max(v, lo), hi); Relu6 is ClipActivation(0, 6).
func ClipActivation(lo, hi float32) Activation { return Activation{Kind: ActClip, Lo: lo, Hi: hi} }

// LeakyReLUActivation is v for v ≥ 0 and alpha·v below.
func LeakyReLUActivation(alpha float32) Activation {
	return Activation{Kind: ActLeakyReLU, Alpha: alpha}
}

// HardSwishActivation is ONNX's HardSwish, v·min(max(v/6 + 1/2, 0), 1).
func HardSwishActivation() Activation {
	return Activation{Kind: ActHardSwish, Alpha: 1.0 / 6, Beta: 0.5}
}

// HardSigmoidActivation is ONNX's HardSigmoid, min(max(alpha·v + beta, 0), 1).
func HardSigmoidActivation(alpha, beta float32) Activation {
	return Activation{Kind: ActHardSigmoid, Alpha: alpha, Beta: beta}
}

// Valid reports whether a is a known kind with parameters a kernel can
// apply: no NaN, and Clip's bounds in order.
func (a Activation) Valid() bool {
	for _, v := range [...]float32{a.Lo, a.Hi, a.Alpha, a.Beta} {
		if v != v {
			return false
		}
	}
	return a.Kind < actKinds && (a.Kind != ActClip || a.Lo <= a.Hi)
}

// Apply returns the activation of v: the definition every kernel's
// epilogue is tested against. NaN stays NaN, as in the separate passes
// ([Clip], [LeakyReLU]).
func (a Activation) Apply(v float32) float32 {
	switch a.Kind {
	case ActClip:
		return clamp(v, a.Lo, a.Hi)
	case ActLeakyReLU:
		if v < 0 {
			return a.Alpha * v
		}
	case ActHardSwish:
		return v * clamp(a.Alpha*v+a.Beta, 0, 1)
	case ActHardSigmoid:
		return clamp(a.Alpha*v+a.Beta, 0, 1)
	}
	return v
}

// clamp is min(max(v, lo), hi) as [Clip] computes it, keeping NaN.
func clamp(v, lo, hi float32) float32 {
	if v < lo {
		v = lo
	}
	if v > hi {
		v = hi
	}
	return v
}

// applyAct applies a to every element of y in place.
func applyAct(a Activation, y []float32) {
	switch a.Kind {
	case ActNone:
	case ActClip:
		lo, hi := a.Lo, a.Hi
		for i, v := range y {
			y[i] = clamp(v, lo, hi)
		}
	default:
		for i, v := range y {
			y[i] = a.Apply(v)
		}
	}
}

// actParams lays an activation's parameters out for the kernels: Lo, Hi,
// Alpha, Beta, as four floats at a fixed place.
func (a Activation) params() [4]float32 { return [4]float32{a.Lo, a.Hi, a.Alpha, a.Beta} }
