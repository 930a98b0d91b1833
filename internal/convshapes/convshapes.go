// Package convshapes lists the convolutions of the image classifiers that
// people deploy — ResNet-50, MobileNetV2, MobileNetV3-small, SqueezeNet 1.1
// and ShuffleNetV2 ×1.0 at 224×224, batch 1, as torchvision defines them —
// so that the kernels are measured, and chosen, on the shapes where these
// models spend their time rather than on shapes that flatter them. Each row
// is one distinct convolution with the number of times the network runs it
// and what follows it (batch norm is folded into the weights and bias at
// load, so it is not listed). A test holds every table to the network
// wasmcnn/internal/archs builds: a table, not a graph, because core's
// kernel benchmarks read it and core cannot import what imports core.
package convshapes

// Act is the activation that follows a convolution.
type Act uint8

// The activations of the listed networks.
const (
	None        Act = iota // linear (projections, shortcuts, ShuffleNet's depthwise)
	ReLU                   // max(v, 0)
	ReLU6                  // min(max(v, 0), 6)
	HardSwish              // v·min(max(v/6 + 1/2, 0), 1)
	HardSigmoid            // min(max(v/6 + 1/2, 0), 1)
)

var actNames = [...]string{"none", "relu", "relu6", "hardswish", "hardsigmoid"}

func (a Act) String() string { return actNames[a] }

// Layer is one distinct convolution: input [1, C, H, W], K filters of
// KH×KW, symmetric stride and padding, Group groups. Residual says that the
// output is added to an earlier tensor of its shape before the activation
// (ResNet's last 1×1 of a block) or, with Act None, after the projection
// (the inverted residual blocks): what the planner fuses into the epilogue.
type Layer struct {
	Name               string
	C, H, W, K, KH, KW int
	Stride, Pad, Group int
	Act                Act
	Residual           bool
	Count              int // times the network runs this convolution
}

// OH returns the output height.
func (l Layer) OH() int { return (l.H+2*l.Pad-l.KH)/l.Stride + 1 }

// OW returns the output width.
func (l Layer) OW() int { return (l.W+2*l.Pad-l.KW)/l.Stride + 1 }

// MACs returns the multiply-accumulates of one run of the layer.
func (l Layer) MACs() int64 {
	return int64(l.K) * int64(l.OH()*l.OW()) * int64(l.C/l.Group*l.KH*l.KW)
}

// Depthwise reports whether every channel has its own filter.
func (l Layer) Depthwise() bool { return l.Group == l.C && l.K == l.C && l.Group > 1 }

// Arch is a network's convolutions and its fully connected layers' MACs
// (not convolutions, counted so the total can be held to the published one).
type Arch struct {
	Name      string
	Layers    []Layer
	DenseMACs int64
}

// MACs returns the multiply-accumulates of one image: every convolution
// as often as it runs, plus the dense layers.
func (a Arch) MACs() int64 {
	s := a.DenseMACs
	for _, l := range a.Layers {
		s += int64(l.Count) * l.MACs()
	}
	return s
}

// conv is a dense convolution row; dw a depthwise one.
func conv(name string, c, hw, k, ks, stride, pad int, act Act, count int) Layer {
	return Layer{Name: name, C: c, H: hw, W: hw, K: k, KH: ks, KW: ks, Stride: stride, Pad: pad, Group: 1, Act: act, Count: count}
}

func pw(name string, c, hw, k int, act Act, count int) Layer {
	return conv(name, c, hw, k, 1, 1, 0, act, count)
}

func res(l Layer) Layer { l.Residual = true; return l }

func dw(name string, c, hw, ks, stride int, act Act, count int) Layer {
	return Layer{Name: name, C: c, H: hw, W: hw, K: c, KH: ks, KW: ks, Stride: stride, Pad: (ks - 1) / 2, Group: c, Act: act, Count: count}
}

// ResNet50 is torchvision's resnet50 (v1.5: the stride on the 3×3).
var ResNet50 = Arch{Name: "resnet50", DenseMACs: 2048 * 1000, Layers: []Layer{
	conv("conv1", 3, 224, 64, 7, 2, 3, ReLU, 1),
	pw("layer1.0.conv1", 64, 56, 64, ReLU, 1),
	pw("layer1.x.conv1", 256, 56, 64, ReLU, 2),
	conv("layer1.conv2", 64, 56, 64, 3, 1, 1, ReLU, 3),
	res(pw("layer1.conv3", 64, 56, 256, ReLU, 3)),
	pw("layer1.0.downsample", 64, 56, 256, None, 1),
	pw("layer2.0.conv1", 256, 56, 128, ReLU, 1),
	conv("layer2.0.conv2", 128, 56, 128, 3, 2, 1, ReLU, 1),
	res(pw("layer2.conv3", 128, 28, 512, ReLU, 4)),
	conv("layer2.0.downsample", 256, 56, 512, 1, 2, 0, None, 1),
	pw("layer2.x.conv1", 512, 28, 128, ReLU, 3),
	conv("layer2.x.conv2", 128, 28, 128, 3, 1, 1, ReLU, 3),
	pw("layer3.0.conv1", 512, 28, 256, ReLU, 1),
	conv("layer3.0.conv2", 256, 28, 256, 3, 2, 1, ReLU, 1),
	res(pw("layer3.conv3", 256, 14, 1024, ReLU, 6)),
	conv("layer3.0.downsample", 512, 28, 1024, 1, 2, 0, None, 1),
	pw("layer3.x.conv1", 1024, 14, 256, ReLU, 5),
	conv("layer3.x.conv2", 256, 14, 256, 3, 1, 1, ReLU, 5),
	pw("layer4.0.conv1", 1024, 14, 512, ReLU, 1),
	conv("layer4.0.conv2", 512, 14, 512, 3, 2, 1, ReLU, 1),
	res(pw("layer4.conv3", 512, 7, 2048, ReLU, 3)),
	conv("layer4.0.downsample", 1024, 14, 2048, 1, 2, 0, None, 1),
	pw("layer4.x.conv1", 2048, 7, 512, ReLU, 2),
	conv("layer4.x.conv2", 512, 7, 512, 3, 1, 1, ReLU, 2),
}}

// MobileNetV2 is torchvision's mobilenet_v2 (width 1.0).
var MobileNetV2 = Arch{Name: "mobilenetv2", DenseMACs: 1280 * 1000, Layers: []Layer{
	conv("features.0", 3, 224, 32, 3, 2, 1, ReLU6, 1),
	dw("b1.dw", 32, 112, 3, 1, ReLU6, 1),
	pw("b1.project", 32, 112, 16, None, 1),
	pw("c24.0.expand", 16, 112, 96, ReLU6, 1),
	dw("c24.0.dw", 96, 112, 3, 2, ReLU6, 1),
	pw("c24.0.project", 96, 56, 24, None, 1),
	pw("c24.1.expand+c32.0.expand", 24, 56, 144, ReLU6, 2),
	dw("c24.1.dw", 144, 56, 3, 1, ReLU6, 1),
	res(pw("c24.1.project", 144, 56, 24, None, 1)),
	dw("c32.0.dw", 144, 56, 3, 2, ReLU6, 1),
	pw("c32.0.project", 144, 28, 32, None, 1),
	pw("c32.x.expand+c64.0.expand", 32, 28, 192, ReLU6, 3),
	dw("c32.x.dw", 192, 28, 3, 1, ReLU6, 2),
	res(pw("c32.x.project", 192, 28, 32, None, 2)),
	dw("c64.0.dw", 192, 28, 3, 2, ReLU6, 1),
	pw("c64.0.project", 192, 14, 64, None, 1),
	pw("c64.x.expand+c96.0.expand", 64, 14, 384, ReLU6, 4),
	dw("c64.x.dw+c96.0.dw", 384, 14, 3, 1, ReLU6, 4),
	res(pw("c64.x.project", 384, 14, 64, None, 3)),
	pw("c96.0.project", 384, 14, 96, None, 1),
	pw("c96.x.expand+c160.0.expand", 96, 14, 576, ReLU6, 3),
	dw("c96.x.dw", 576, 14, 3, 1, ReLU6, 2),
	res(pw("c96.x.project", 576, 14, 96, None, 2)),
	dw("c160.0.dw", 576, 14, 3, 2, ReLU6, 1),
	pw("c160.0.project", 576, 7, 160, None, 1),
	pw("c160.x.expand+c320.expand", 160, 7, 960, ReLU6, 3),
	dw("c160.x.dw+c320.dw", 960, 7, 3, 1, ReLU6, 3),
	res(pw("c160.x.project", 960, 7, 160, None, 2)),
	pw("c320.project", 960, 7, 320, None, 1),
	pw("features.18", 320, 7, 1280, ReLU6, 1),
}}

// MobileNetV3Small is torchvision's mobilenet_v3_small: the squeeze-and-
// excitation blocks' two 1×1 convolutions run on 1×1 maps.
var MobileNetV3Small = Arch{Name: "mobilenetv3small", DenseMACs: 576*1024 + 1024*1000, Layers: []Layer{
	conv("features.0", 3, 224, 16, 3, 2, 1, HardSwish, 1),
	dw("b1.dw", 16, 112, 3, 2, ReLU, 1),
	pw("b1.se.fc1", 16, 1, 8, ReLU, 1),
	pw("b1.se.fc2", 8, 1, 16, HardSigmoid, 1),
	pw("b1.project", 16, 56, 16, None, 1),
	pw("b2.expand", 16, 56, 72, ReLU, 1),
	dw("b2.dw", 72, 56, 3, 2, ReLU, 1),
	pw("b2.project", 72, 28, 24, None, 1),
	pw("b3.expand", 24, 28, 88, ReLU, 1),
	dw("b3.dw", 88, 28, 3, 1, ReLU, 1),
	res(pw("b3.project", 88, 28, 24, None, 1)),
	pw("b4.expand", 24, 28, 96, HardSwish, 1),
	dw("b4.dw", 96, 28, 5, 2, HardSwish, 1),
	pw("b4.se.fc1", 96, 1, 24, ReLU, 1),
	pw("b4.se.fc2", 24, 1, 96, HardSigmoid, 1),
	pw("b4.project", 96, 14, 40, None, 1),
	pw("b5-6.expand", 40, 14, 240, HardSwish, 2),
	dw("b5-6.dw", 240, 14, 5, 1, HardSwish, 2),
	pw("b5-6.se.fc1", 240, 1, 64, ReLU, 2),
	pw("b5-6.se.fc2", 64, 1, 240, HardSigmoid, 2),
	res(pw("b5-6.project", 240, 14, 40, None, 2)),
	pw("b7.expand", 40, 14, 120, HardSwish, 1),
	dw("b7.dw", 120, 14, 5, 1, HardSwish, 1),
	pw("b7.se.fc1", 120, 1, 32, ReLU, 1),
	pw("b7.se.fc2", 32, 1, 120, HardSigmoid, 1),
	pw("b7.project", 120, 14, 48, None, 1),
	pw("b8.expand", 48, 14, 144, HardSwish, 1),
	dw("b8.dw", 144, 14, 5, 1, HardSwish, 1),
	pw("b8.se.fc1", 144, 1, 40, ReLU, 1),
	pw("b8.se.fc2", 40, 1, 144, HardSigmoid, 1),
	res(pw("b8.project", 144, 14, 48, None, 1)),
	pw("b9.expand", 48, 14, 288, HardSwish, 1),
	dw("b9.dw", 288, 14, 5, 2, HardSwish, 1),
	pw("b9.se.fc1", 288, 1, 72, ReLU, 1),
	pw("b9.se.fc2", 72, 1, 288, HardSigmoid, 1),
	pw("b9.project", 288, 7, 96, None, 1),
	pw("b10-11.expand+features.12", 96, 7, 576, HardSwish, 3),
	dw("b10-11.dw", 576, 7, 5, 1, HardSwish, 2),
	pw("b10-11.se.fc1", 576, 1, 144, ReLU, 2),
	pw("b10-11.se.fc2", 144, 1, 576, HardSigmoid, 2),
	res(pw("b10-11.project", 576, 7, 96, None, 2)),
}}

// SqueezeNet11 is torchvision's squeezenet1_1: its classifier is a
// convolution, and every convolution has a bias and a ReLU.
var SqueezeNet11 = Arch{Name: "squeezenet1.1", Layers: []Layer{
	conv("conv1", 3, 224, 64, 3, 2, 0, ReLU, 1),
	pw("fire2.squeeze", 64, 55, 16, ReLU, 1),
	pw("fire3.squeeze", 128, 55, 16, ReLU, 1),
	pw("fire2-3.expand1x1", 16, 55, 64, ReLU, 2),
	conv("fire2-3.expand3x3", 16, 55, 64, 3, 1, 1, ReLU, 2),
	pw("fire4.squeeze", 128, 27, 32, ReLU, 1),
	pw("fire5.squeeze", 256, 27, 32, ReLU, 1),
	pw("fire4-5.expand1x1", 32, 27, 128, ReLU, 2),
	conv("fire4-5.expand3x3", 32, 27, 128, 3, 1, 1, ReLU, 2),
	pw("fire6.squeeze", 256, 13, 48, ReLU, 1),
	pw("fire7.squeeze", 384, 13, 48, ReLU, 1),
	pw("fire6-7.expand1x1", 48, 13, 192, ReLU, 2),
	conv("fire6-7.expand3x3", 48, 13, 192, 3, 1, 1, ReLU, 2),
	pw("fire8.squeeze", 384, 13, 64, ReLU, 1),
	pw("fire9.squeeze", 512, 13, 64, ReLU, 1),
	pw("fire8-9.expand1x1", 64, 13, 256, ReLU, 2),
	conv("fire8-9.expand3x3", 64, 13, 256, 3, 1, 1, ReLU, 2),
	pw("classifier.1", 512, 13, 1000, ReLU, 1),
}}

// ShuffleNetV2 is torchvision's shufflenet_v2_x1_0: its depthwise
// convolutions have no activation.
var ShuffleNetV2 = Arch{Name: "shufflenetv2", DenseMACs: 1024 * 1000, Layers: []Layer{
	conv("conv1", 3, 224, 24, 3, 2, 1, ReLU, 1),
	dw("stage2.0.branch1.dw", 24, 56, 3, 2, None, 1),
	pw("stage2.0.branch1.pw", 24, 28, 58, ReLU, 1),
	pw("stage2.0.branch2.pw1", 24, 56, 58, ReLU, 1),
	dw("stage2.0.branch2.dw", 58, 56, 3, 2, None, 1),
	pw("stage2.pw", 58, 28, 58, ReLU, 7),
	dw("stage2.x.dw", 58, 28, 3, 1, None, 3),
	dw("stage3.0.dw", 116, 28, 3, 2, None, 2),
	pw("stage3.0.branch2.pw1", 116, 28, 116, ReLU, 1),
	pw("stage3.pw", 116, 14, 116, ReLU, 16),
	dw("stage3.x.dw", 116, 14, 3, 1, None, 7),
	dw("stage4.0.dw", 232, 14, 3, 2, None, 2),
	pw("stage4.0.branch2.pw1", 232, 14, 232, ReLU, 1),
	pw("stage4.pw", 232, 7, 232, ReLU, 8),
	dw("stage4.x.dw", 232, 7, 3, 1, None, 3),
	pw("conv5", 464, 7, 1024, ReLU, 1),
}}

// Archs lists the networks, in the order of the bench.
var Archs = []Arch{ResNet50, MobileNetV2, MobileNetV3Small, SqueezeNet11, ShuffleNetV2}
