package archs

import "wasmcnn/core/onnx"

// The architectures, after torchvision's definitions (torchvision.models),
// as its ONNX export writes them: Conv and BatchNormalization as separate
// nodes, ReLU6 as Clip, flattening before the classifier.

// resnet builds ResNet with basic blocks (ResNet-18/34) or bottlenecks
// (ResNet-50/101/152): layers blocks per stage.
func resnet(g *graph, blocks []int, bottleneck bool, classes int) {
	x := g.convBN(g.input, 3, g.ch(64), 7, 2, 3, 1, g.relu)
	x = g.pool("MaxPool", x, 3, 2, 1, false)
	in := g.ch(64)
	expansion := 1
	if bottleneck {
		expansion = 4
	}
	for stage, n := range blocks {
		width := g.ch(64 << stage)
		for i := 0; i < n; i++ {
			stride := 1
			if i == 0 && stage > 0 {
				stride = 2
			}
			out := width * expansion
			var y string
			if bottleneck {
				y = g.convBN(x, in, width, 1, 1, 0, 1, g.relu)
				y = g.convBN(y, width, width, 3, stride, 1, 1, g.relu)
				y = g.convBN(y, width, out, 1, 1, 0, 1, nil)
			} else {
				y = g.convBN(x, in, width, 3, stride, 1, 1, g.relu)
				y = g.convBN(y, width, out, 3, 1, 1, 1, nil)
			}
			// The projection of the shortcut after the block's own
			// convolutions, as torchvision's forward runs them and its
			// exports write them: the block's last convolution then takes
			// the Add when the planner fuses.
			identity := x
			if stride != 1 || in != out {
				identity = g.convBN(x, in, out, 1, stride, 0, 1, nil)
			}
			x = g.relu(g.addT(y, identity))
			in = out
		}
	}
	g.output = g.gemm(g.flatten(g.gap(x)), in, classes)
}

// mobileNetV2 builds MobileNetV2: inverted residual blocks (expand 1×1,
// depthwise 3×3, project 1×1) with ReLU6.
func mobileNetV2(g *graph, depth float64, classes int) {
	x := g.convBN(g.input, 3, g.ch(32), 3, 2, 1, 1, g.relu6)
	in := g.ch(32)
	for _, c := range [][4]int{{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}} {
		t, out, n, s := c[0], g.ch(c[1]), scaleDepth(c[2], depth), c[3]
		for i := 0; i < n; i++ {
			stride := 1
			if i == 0 {
				stride = s
			}
			hidden := in * t
			y := x
			if t != 1 {
				y = g.convBN(y, in, hidden, 1, 1, 0, 1, g.relu6)
			}
			y = g.convBN(y, hidden, hidden, 3, stride, 1, hidden, g.relu6)
			y = g.convBN(y, hidden, out, 1, 1, 0, 1, nil)
			if stride == 1 && in == out {
				y = g.addT(x, y)
			}
			x, in = y, out
		}
	}
	last := g.ch(1280)
	x = g.convBN(x, in, last, 1, 1, 0, 1, g.relu6)
	g.output = g.gemm(g.dropout(g.flatten(g.gap(x))), last, classes)
}

// mobileNetV3Small builds MobileNetV3-small: HardSwish, and
// squeeze-and-excitation blocks gated by HardSigmoid.
func mobileNetV3Small(g *graph, depth float64, classes int) {
	x := g.convBN(g.input, 3, g.ch(16), 3, 2, 1, 1, g.hardSwish)
	in := g.ch(16)
	type bneck struct {
		k, exp, out int
		se, hs      bool
		s           int
	}
	cfg := []bneck{{3, 16, 16, true, false, 2}, {3, 72, 24, false, false, 2}, {3, 88, 24, false, false, 1},
		{5, 96, 40, true, true, 2}, {5, 240, 40, true, true, 1}, {5, 240, 40, true, true, 1}, {5, 120, 48, true, true, 1},
		{5, 144, 48, true, true, 1}, {5, 288, 96, true, true, 2}, {5, 576, 96, true, true, 1}, {5, 576, 96, true, true, 1}}
	for i, c := range cfg {
		if depth < 1 && i > 0 && cfg[i-1].out == c.out && c.s == 1 && float64(i%3)/3 >= depth {
			continue // fewer repeated blocks in small variants
		}
		act := g.relu
		if c.hs {
			act = g.hardSwish
		}
		exp, out := g.ch(c.exp), g.ch(c.out)
		y := x
		if exp != in {
			y = g.convBN(y, in, exp, 1, 1, 0, 1, act)
		}
		y = g.convBN(y, exp, exp, c.k, c.s, c.k/2, exp, act)
		if c.se {
			sq := makeDivisible(exp/4, 8)
			s := g.gap(y)
			s = g.relu(g.conv(s, exp, sq, 1, 1, 0, 1, true))
			s = g.hardSigmoid(g.conv(s, sq, exp, 1, 1, 0, 1, true))
			y = g.mulT(s, y)
		}
		y = g.convBN(y, exp, out, 1, 1, 0, 1, nil)
		if c.s == 1 && in == out {
			y = g.addT(y, x)
		}
		x, in = y, out
	}
	last := g.ch(576)
	x = g.convBN(x, in, last, 1, 1, 0, 1, g.hardSwish)
	x = g.flatten(g.gap(x))
	hidden := g.ch(1024)
	x = g.dropout(g.hardSwish(g.gemm(x, last, hidden)))
	g.output = g.gemm(x, hidden, classes)
}

// squeezeNet11 builds SqueezeNet 1.1: Fire modules (squeeze 1×1, expand
// 1×1 and 3×3 concatenated), ceil-mode pooling, a Dropout that declares
// its mask, and a convolutional classifier.
func squeezeNet11(g *graph, classes int) {
	x := g.relu(g.conv(g.input, 3, g.ch(64), 3, 2, 0, 1, true))
	x = g.pool("MaxPool", x, 3, 2, 0, true)
	in := g.ch(64)
	fire := func(x string, sq, e int) string {
		s := g.relu(g.conv(x, in, g.ch(sq), 1, 1, 0, 1, true))
		a := g.relu(g.conv(s, g.ch(sq), g.ch(e), 1, 1, 0, 1, true))
		b := g.relu(g.conv(s, g.ch(sq), g.ch(e), 3, 1, 1, 1, true))
		in = 2 * g.ch(e)
		return g.concat(1, a, b)
	}
	x = fire(fire(x, 16, 64), 16, 64)
	x = g.pool("MaxPool", x, 3, 2, 0, true)
	x = fire(fire(x, 32, 128), 32, 128)
	x = g.pool("MaxPool", x, 3, 2, 0, true)
	x = fire(fire(fire(fire(x, 48, 192), 48, 192), 64, 256), 64, 256)
	x = g.dropout(x)
	x = g.relu(g.conv(x, in, classes, 1, 1, 0, 1, true))
	g.output = g.flatten(g.gap(x))
}

// shuffleNetV2 builds ShuffleNetV2 x1.0: blocks that split their channels
// (Split, or Slice when useSlice), transform one half and shuffle the
// halves back together (Reshape, Transpose, Reshape); a ReduceMean over
// the image at the end, as torchvision writes x.mean([2, 3]).
func shuffleNetV2(g *graph, depth float64, classes int, useSlice bool) {
	x := g.convBN(g.input, 3, g.ch(24), 3, 2, 1, 1, g.relu)
	x = g.pool("MaxPool", x, 3, 2, 1, false)
	in := g.ch(24)
	shuffle := func(x string, c int) string {
		// torchvision's view(N, 2, C/2, H, W), transpose(1, 2), view(N, C,
		// H, W), with the image's dimensions folded into one and the
		// shape read back from the tensor, as dynamic exports write it.
		r := g.op("Reshape", kindMove, []string{x, g.ints("shape", 0, 2, int64(c/2), -1)})
		t := g.op("Transpose", kindMove, []string{r}, onnx.AttrInts("perm", 0, 2, 1, 3))
		return g.op("Reshape", kindMove, []string{t, g.op("Shape", kindShape, []string{x})})
	}
	for stage, n := range []int{4, 8, 4} {
		out := g.ch([]int{116, 232, 464}[stage])
		half := out / 2
		out = 2 * half
		for i := 0; i < scaleDepth(n, depth); i++ {
			var y string
			if i == 0 {
				a := g.convBN(x, in, in, 3, 2, 1, in, nil)
				a = g.convBN(a, in, half, 1, 1, 0, 1, g.relu)
				b := g.convBN(x, in, half, 1, 1, 0, 1, g.relu)
				b = g.convBN(b, half, half, 3, 2, 1, half, nil)
				b = g.convBN(b, half, half, 1, 1, 0, 1, g.relu)
				y = g.concat(1, a, b)
			} else {
				var a, b string
				if useSlice {
					a = g.op("Slice", kindMove, []string{x, g.ints("start", 0), g.ints("end", int64(half)), g.ints("axis", 1)})
					b = g.op("Slice", kindMove, []string{x, g.ints("start", int64(half)), g.ints("end", int64(out)), g.ints("axis", 1)})
				} else {
					split := g.add(&node{op: "Split", in: []string{x, g.ints("split", int64(half), int64(half))}, out: []string{g.name("half"), g.name("half")},
						attrs: []onnx.Attr{onnx.AttrInt("axis", 1)}, kind: kindMove})
					a, b = split, g.nodes[len(g.nodes)-1].out[1]
				}
				b = g.convBN(b, half, half, 1, 1, 0, 1, g.relu)
				b = g.convBN(b, half, half, 3, 1, 1, half, nil)
				b = g.convBN(b, half, half, 1, 1, 0, 1, g.relu)
				y = g.concat(1, a, b)
			}
			x, in = shuffle(y, out), out
		}
	}
	last := g.ch(1024)
	x = g.convBN(x, in, last, 1, 1, 0, 1, g.relu)
	x = g.op("ReduceMean", kindFloat, []string{x}, onnx.AttrInts("axes", 2, 3), onnx.AttrInt("keepdims", 0))
	g.output = g.gemm(x, last, classes)
}

// googLeNet builds GoogLeNet (Inception v1) as torchvision defines it,
// without the auxiliary classifiers: inception modules of four branches
// concatenated; lrn adds the local response normalisations of the
// original network (and of the ONNX model zoo's export).
func googLeNet(g *graph, depth float64, classes int, lrn bool) {
	basic := func(x string, cin, cout, k, s, p int) string {
		y := g.bn(g.conv(x, cin, cout, k, s, p, 1, false), cout, 0.001)
		return g.relu(y)
	}
	norm := func(x string) string {
		if !lrn {
			return x
		}
		return g.op("LRN", kindFloat, []string{x}, onnx.AttrInt("size", 5), onnx.AttrFloat("alpha", 1e-4), onnx.AttrFloat("beta", 0.75), onnx.AttrFloat("bias", 1))
	}
	x := basic(g.input, 3, g.ch(64), 7, 2, 3)
	x = norm(g.pool("MaxPool", x, 3, 2, 0, true))
	x = basic(x, g.ch(64), g.ch(64), 1, 1, 0)
	x = basic(x, g.ch(64), g.ch(192), 3, 1, 1)
	x = g.pool("MaxPool", norm(x), 3, 2, 0, true)
	in := g.ch(192)
	inception := func(x string, c1, c3r, c3, c5r, c5, pp int) string {
		b1 := basic(x, in, g.ch(c1), 1, 1, 0)
		b2 := basic(basic(x, in, g.ch(c3r), 1, 1, 0), g.ch(c3r), g.ch(c3), 3, 1, 1)
		b3 := basic(basic(x, in, g.ch(c5r), 1, 1, 0), g.ch(c5r), g.ch(c5), 3, 1, 1)
		b4 := basic(g.pool("MaxPool", x, 3, 1, 1, true), in, g.ch(pp), 1, 1, 0)
		in = g.ch(c1) + g.ch(c3) + g.ch(c5) + g.ch(pp)
		return g.concat(1, b1, b2, b3, b4)
	}
	x = inception(inception(x, 64, 96, 128, 16, 32, 32), 128, 128, 192, 32, 96, 64)
	x = g.pool("MaxPool", x, 3, 2, 0, true)
	four := [][6]int{{192, 96, 208, 16, 48, 64}, {160, 112, 224, 24, 64, 64}, {128, 128, 256, 24, 64, 64}, {112, 144, 288, 32, 64, 64}, {256, 160, 320, 32, 128, 128}}
	for i, c := range four {
		if i > 0 && i < len(four)-1 && float64(i)/float64(len(four)-1) > depth {
			continue
		}
		x = inception(x, c[0], c[1], c[2], c[3], c[4], c[5])
	}
	x = g.pool("MaxPool", x, 2, 2, 0, true)
	x = inception(inception(x, 256, 160, 320, 32, 128, 128), 384, 192, 384, 48, 128, 128)
	x = g.dropout(g.flatten(g.gap(x)))
	g.output = g.gemm(x, in, classes)
}

// denseNet builds DenseNet: each layer of a dense block reads the
// concatenation of every feature map before it (BN, ReLU, 1×1, BN, ReLU,
// 3×3 adding growth channels); transitions halve channels and size.
func denseNet(g *graph, blocks []int, growth int, classes int) {
	x := g.convBN(g.input, 3, g.ch(64), 7, 2, 3, 1, g.relu)
	x = g.pool("MaxPool", x, 3, 2, 1, false)
	in := g.ch(64)
	k := g.ch(growth)
	for bi, n := range blocks {
		features := []string{x}
		for i := 0; i < n; i++ {
			cat := features[0]
			if len(features) > 1 {
				cat = g.concat(1, features...)
			}
			c := in + i*k
			y := g.relu(g.bn(cat, c, 1e-5))
			y = g.conv(y, c, 4*k, 1, 1, 0, 1, false)
			y = g.relu(g.bn(y, 4*k, 1e-5))
			y = g.conv(y, 4*k, k, 3, 1, 1, 1, false)
			features = append(features, y)
		}
		x = g.concat(1, features...)
		in += n * k
		if bi < len(blocks)-1 {
			y := g.relu(g.bn(x, in, 1e-5))
			y = g.conv(y, in, in/2, 1, 1, 0, 1, false)
			x = g.pool("AveragePool", y, 2, 2, 0, false)
			in /= 2
		}
	}
	x = g.relu(g.bn(x, in, 1e-5))
	g.output = g.gemm(g.flatten(g.gap(x)), in, classes)
}

// scaleDepth scales a block count, keeping at least one.
func scaleDepth(n int, depth float64) int {
	if depth >= 1 {
		return n
	}
	return max(1, int(float64(n)*depth+0.5))
}

// makeDivisible rounds v to a multiple of d, not below 90 % of v
// (torchvision's _make_divisible).
func makeDivisible(v, d int) int {
	n := max(d, (v+d/2)/d*d)
	if float64(n) < 0.9*float64(v) {
		n += d
	}
	return n
}
