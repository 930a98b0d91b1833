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
