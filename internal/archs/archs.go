// Package archs builds the convolutional networks people deploy — ResNet,
// MobileNetV2, MobileNetV3-small, SqueezeNet 1.1, ShuffleNetV2, GoogLeNet,
// DenseNet — after torchvision's definitions, as ONNX models written with
// wasmcnn's own writer ([onnx.ModelBuilder]) with random weights from a
// seed, in float or in the two int8 forms onnxruntime's quantizer writes:
// QDQ (QuantizeLinear/DequantizeLinear around float operators, as
// quantize_static writes) and QOperator (QLinearConv and onnxruntime's
// com.microsoft operators). The conformance tests build small variants and
// compare wasmcnn with onnxruntime on them; the bench builds them at full
// size and runs the same file in every runtime.
//
// Weights are He-normal so that activations keep their scale through the
// depth; the int8 forms are calibrated by running the float model in
// wasmcnn on a seeded input. Nothing here is trained: the networks compute
// what their architecture computes, not what they would recognise.
package archs

import (
	"errors"

	"wasmcnn/internal/fmtlite"
)

// Arch names an architecture.
type Arch string

// The architectures.
const (
	ResNet18Arch         Arch = "resnet18"
	ResNet50Arch         Arch = "resnet50"
	MobileNetV2Arch      Arch = "mobilenetv2"
	MobileNetV3SmallArch Arch = "mobilenetv3small"
	SqueezeNet11Arch     Arch = "squeezenet1.1"
	ShuffleNetV2Arch     Arch = "shufflenetv2"      // channel split by Split
	ShuffleNetV2Slice    Arch = "shufflenetv2slice" // channel split by Slice
	GoogLeNetArch        Arch = "googlenet"
	GoogLeNetLRNArch     Arch = "googlenet-lrn" // with the local response normalisations
	DenseNet121Arch      Arch = "densenet121"
)

// All lists every architecture.
var All = []Arch{ResNet18Arch, ResNet50Arch, MobileNetV2Arch, MobileNetV3SmallArch, SqueezeNet11Arch, ShuffleNetV2Arch, ShuffleNetV2Slice, GoogLeNetArch, GoogLeNetLRNArch, DenseNet121Arch}

// Quant is the numeric form of a built model.
type Quant int

const (
	Float     Quant = iota // float32 throughout
	QDQ                    // int8: QuantizeLinear/DequantizeLinear around float operators
	QOperator              // int8: QLinearConv, QGemm and com.microsoft's QLinear operators
)

// Options size a network. The zero value of a field means its default.
type Options struct {
	Seed    uint64
	Image   int     // input height and width (default 224)
	Width   float64 // channel multiplier (default 1)
	Depth   float64 // block-count multiplier, at least one block per stage (default 1)
	Classes int     // default 1000
	Quant   Quant
}

// Build writes architecture a as an ONNX model with input "input" of shape
// [N, 3, Image, Image] (N open) and one output.
func Build(a Arch, o Options) ([]byte, error) {
	if o.Image == 0 {
		o.Image = 224
	}
	if o.Width == 0 {
		o.Width = 1
	}
	if o.Depth == 0 {
		o.Depth = 1
	}
	if o.Classes == 0 {
		o.Classes = 1000
	}
	if o.Image < 16 || o.Image > 1024 || o.Width <= 0 || o.Width > 4 || o.Depth <= 0 || o.Depth > 1 || o.Classes < 1 || o.Classes > 100000 {
		return nil, errors.New("archs: options out of range")
	}
	g := newGraph(o.Seed, []int{-1, 3, o.Image, o.Image}, o.Width)
	switch a {
	case ResNet18Arch:
		resnet(g, depths([]int{2, 2, 2, 2}, o.Depth), false, o.Classes)
	case ResNet50Arch:
		resnet(g, depths([]int{3, 4, 6, 3}, o.Depth), true, o.Classes)
	case MobileNetV2Arch:
		mobileNetV2(g, o.Depth, o.Classes)
	case MobileNetV3SmallArch:
		mobileNetV3Small(g, o.Depth, o.Classes)
	case SqueezeNet11Arch:
		squeezeNet11(g, o.Classes)
	case ShuffleNetV2Arch, ShuffleNetV2Slice:
		shuffleNetV2(g, o.Depth, o.Classes, a == ShuffleNetV2Slice)
	case GoogLeNetArch, GoogLeNetLRNArch:
		googLeNet(g, o.Depth, o.Classes, a == GoogLeNetLRNArch)
	case DenseNet121Arch:
		denseNet(g, depths([]int{6, 12, 24, 16}, o.Depth), 32, o.Classes)
	default:
		return nil, fmtlite.Errorf("archs: unknown architecture %q", string(a))
	}
	switch o.Quant {
	case Float:
		return g.emitFloat(false), nil
	case QDQ, QOperator:
		r, err := g.calibrate(o.Seed)
		if err != nil {
			return nil, err
		}
		q := g.quantized(r)
		if o.Quant == QDQ {
			return q.emitQDQ(), nil
		}
		return q.emitQOperator(), nil
	}
	return nil, fmtlite.Errorf("archs: unknown quantization %d", int(o.Quant))
}

func depths(n []int, depth float64) []int {
	out := make([]int, len(n))
	for i, v := range n {
		out[i] = scaleDepth(v, depth)
	}
	return out
}

// Tiny is architecture a at the size the tests use: 64×64 images, a
// quarter of the channels, about a third of the blocks, 10 classes.
func Tiny(a Arch, seed uint64, q Quant) ([]byte, error) {
	return Build(a, Options{Seed: seed, Image: 64, Width: 0.25, Depth: 0.34, Classes: 10, Quant: q})
}

// The full-size networks of the bench, 224×224 inputs and 1000 classes.

func ResNet50(seed uint64) ([]byte, error)     { return Build(ResNet50Arch, Options{Seed: seed}) }
func MobileNetV2(seed uint64) ([]byte, error)  { return Build(MobileNetV2Arch, Options{Seed: seed}) }
func SqueezeNet11(seed uint64) ([]byte, error) { return Build(SqueezeNet11Arch, Options{Seed: seed}) }
func ShuffleNetV2(seed uint64) ([]byte, error) { return Build(ShuffleNetV2Arch, Options{Seed: seed}) }
func GoogLeNet(seed uint64) ([]byte, error)    { return Build(GoogLeNetArch, Options{Seed: seed}) }
func DenseNet121(seed uint64) ([]byte, error)  { return Build(DenseNet121Arch, Options{Seed: seed}) }
func MobileNetV3Small(seed uint64) ([]byte, error) {
	return Build(MobileNetV3SmallArch, Options{Seed: seed})
}

// MobileNetV2QDQ is MobileNetV2 quantized to int8 the way onnxruntime's
// quantize_static writes it (QDQ), the bench's int8 network.
func MobileNetV2QDQ(seed uint64) ([]byte, error) {
	return Build(MobileNetV2Arch, Options{Seed: seed, Quant: QDQ})
}

// ResNet50QDQ is ResNet-50 quantized as QDQ.
func ResNet50QDQ(seed uint64) ([]byte, error) {
	return Build(ResNet50Arch, Options{Seed: seed, Quant: QDQ})
}
