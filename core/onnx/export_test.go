package onnx

// Internals that the external tests (package onnx_test, which may import
// the packages built on onnx) need.
var (
	RandInput     = randInput
	ExternalModel = externalModel
)

// The TensorProto element types the tests write.
const (
	ElemFloat = onnxFloat
	ElemInt64 = onnxInt64
)

// LastOutput returns the first output of m's last run, in place.
func LastOutput(m *Model) []float32 { return m.plan.outputs[0].f }

// FusedDiff and FusedTolerance hold a fused plan to the graph as written.
var FusedDiff = fusedDiff

const FusedTolerance = fusedTolerance

// ConvPlans returns how many convolution plans m's plan holds and how
// many of them share the filters of the plan before it.
func ConvPlans(m *Model) (all, reused int) { return len(m.plan.convs), m.plan.reused }

// ForgetConvPlans makes m's next plan pack its filters anew.
func ForgetConvPlans(m *Model) { m.plan.convs = nil }

// SetConcatsInPlace turns on or off the writing of concatenations'
// inputs in place (concat.go) for the plans made after it.
func SetConcatsInPlace(on bool) { concatsInPlace = on }

// ConcatsInPlace returns how many inputs of m's concatenations are
// written in place and how many concatenations became views, and whether
// writing them in place was undone for raising the peak.
func ConcatsInPlace(m *Model) (homed, views int, undone bool) {
	for _, c := range m.plan.concats {
		for _, h := range c.homed {
			if h {
				homed++
			}
		}
		if c.view {
			views++
		}
	}
	return homed, views, m.plan.copying
}
