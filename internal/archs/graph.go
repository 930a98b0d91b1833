package archs

import (
	"math"
	"math/rand/v2"
	"strconv"

	"wasmcnn/core"
	"wasmcnn/core/onnx"
)

// graph is a network being built: nodes in execution order over named
// tensors, float initializers, and what the quantized forms need to know
// about each node.
type graph struct {
	r      *rand.Rand
	nodes  []*node
	inits  map[string]*core.Tensor
	order  []string // initializer names in the order they were made
	input  string
	shape  []int // the input's shape, batch first (−1: open)
	output string
	count  int
	width  float64
	isInt  map[string]bool // initializers written as INT64
}

// node is one ONNX node. kind says how the quantized forms treat it.
type node struct {
	op      string
	in, out []string
	attrs   []onnx.Attr
	kind    nodeKind
	// For Conv and Gemm: the weight and bias initializers (bias may be "").
	weight, bias string
	transB       bool
	// For BatchNormalization: its epsilon.
	eps float32
}

type nodeKind int

const (
	kindFloat nodeKind = iota // any op: the quantized forms dequantize around it
	kindConv                  // Conv: QLinearConv
	kindGemm                  // Gemm with a constant B: QGemm
	kindBN                    // folded into the Conv before it
	kindRelu                  // Relu or Clip(0, 6) after a Conv: its range replaces it
	kindAdd                   // Add, Mul: QLinearAdd, QLinearMul
	kindMul
	kindConcat // QLinearConcat
	kindPool   // GlobalAveragePool, AveragePool: their QLinear forms
	kindMove   // MaxPool, Reshape, Flatten, Transpose, Split, Slice, Dropout: run on the integers
	kindShape  // Shape: an integer output, computed while planning
)

func newGraph(seed uint64, shape []int, width float64) *graph {
	return &graph{r: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)), inits: map[string]*core.Tensor{}, input: "input", shape: shape, width: width, isInt: map[string]bool{}}
}

// name returns a fresh tensor name with a readable prefix.
func (g *graph) name(prefix string) string {
	g.count++
	return prefix + "_" + strconv.Itoa(g.count)
}

// ch scales a channel count by the width multiplier (at least 1, and to a
// multiple of 8 above 8 as torchvision's make_divisible does).
func (g *graph) ch(c int) int {
	if g.width == 1 {
		return c
	}
	v := int(math.Round(float64(c) * g.width))
	if v > 8 {
		v = (v + 4) / 8 * 8
	}
	return max(v, 1)
}

func (g *graph) add(n *node) string {
	g.nodes = append(g.nodes, n)
	return n.out[0]
}

// init adds a float initializer of normal values with the given standard
// deviation and mean.
func (g *graph) init(prefix string, shape []int, std, mean float64) string {
	name := g.name(prefix)
	t := core.NewTensor(shape...)
	for i := range t.Data {
		t.Data[i] = float32(g.r.NormFloat64()*std + mean)
	}
	g.inits[name] = t
	g.order = append(g.order, name)
	return name
}

// constant adds a float initializer with the given values.
func (g *graph) constant(prefix string, shape []int, v ...float32) string {
	name := g.name(prefix)
	g.inits[name] = &core.Tensor{Shape: shape, Data: v}
	g.order = append(g.order, name)
	return name
}

// ints adds an INT64 initializer (a shape, split sizes).
func (g *graph) ints(prefix string, v ...int64) string {
	name := g.name(prefix)
	t := &core.Tensor{Shape: []int{len(v)}, Data: make([]float32, len(v))}
	for i, x := range v {
		t.Data[i] = float32(x)
	}
	g.inits[name] = t
	g.order = append(g.order, name)
	g.isInt[name] = true
	return name
}

func (g *graph) op(op string, kind nodeKind, in []string, attrs ...onnx.Attr) string {
	return g.add(&node{op: op, in: in, out: []string{g.name(op)}, attrs: attrs, kind: kind})
}

// conv adds a convolution with He-normal weights (so that activations keep
// their scale through the depth), an optional bias, square kernel k,
// stride s, padding p and groups.
func (g *graph) conv(x string, cin, cout, k, s, p, groups int, bias bool) string {
	fanIn := cin / groups * k * k
	w := g.init("w", []int{cout, cin / groups, k, k}, math.Sqrt(2/float64(fanIn)), 0)
	n := &node{op: "Conv", in: []string{x, w}, out: []string{g.name("conv")}, kind: kindConv, weight: w,
		attrs: []onnx.Attr{onnx.AttrInts("kernel_shape", int64(k), int64(k)), onnx.AttrInts("strides", int64(s), int64(s)),
			onnx.AttrInts("pads", int64(p), int64(p), int64(p), int64(p)), onnx.AttrInt("group", int64(groups))}}
	if bias {
		n.bias = g.init("b", []int{cout}, 0.05, 0)
		n.in = append(n.in, n.bias)
	}
	return g.add(n)
}

// bn adds an inference batch normalisation with random statistics.
func (g *graph) bn(x string, c int, eps float32) string {
	in := []string{x, g.init("gamma", []int{c}, 0.1, 1), g.init("beta", []int{c}, 0.1, 0), g.init("mean", []int{c}, 0.1, 0)}
	v := g.init("var", []int{c}, 0, 0)
	for i := range g.inits[v].Data {
		g.inits[v].Data[i] = 0.5 + g.r.Float32()
	}
	in = append(in, v)
	return g.add(&node{op: "BatchNormalization", in: in, out: []string{g.name("bn")}, kind: kindBN, eps: eps,
		attrs: []onnx.Attr{onnx.AttrFloat("epsilon", eps)}})
}

func (g *graph) relu(x string) string { return g.op("Relu", kindRelu, []string{x}) }

// relu6 is torchvision's ReLU6, exported as Clip(0, 6).
func (g *graph) relu6(x string) string {
	return g.op("Clip", kindRelu, []string{x, g.constant("zero", []int{}, 0), g.constant("six", []int{}, 6)})
}

func (g *graph) hardSwish(x string) string { return g.op("HardSwish", kindFloat, []string{x}) }
func (g *graph) hardSigmoid(x string) string {
	return g.op("HardSigmoid", kindFloat, []string{x}, onnx.AttrFloat("alpha", 1.0/6))
}
func (g *graph) addT(a, b string) string { return g.op("Add", kindAdd, []string{a, b}) }
func (g *graph) mulT(a, b string) string { return g.op("Mul", kindMul, []string{a, b}) }
func (g *graph) gap(x string) string     { return g.op("GlobalAveragePool", kindPool, []string{x}) }
func (g *graph) flatten(x string) string { return g.op("Flatten", kindMove, []string{x}) }

func (g *graph) concat(axis int64, xs ...string) string {
	return g.op("Concat", kindConcat, xs, onnx.AttrInt("axis", axis))
}

// pool adds MaxPool or AveragePool with a square window.
func (g *graph) pool(op, x string, k, s, p int, ceil bool) string {
	attrs := []onnx.Attr{onnx.AttrInts("kernel_shape", int64(k), int64(k)), onnx.AttrInts("strides", int64(s), int64(s)),
		onnx.AttrInts("pads", int64(p), int64(p), int64(p), int64(p))}
	if ceil {
		attrs = append(attrs, onnx.AttrInt("ceil_mode", 1))
	}
	kind := kindMove
	if op == "AveragePool" {
		kind = kindPool
	}
	return g.op(op, kind, []string{x}, attrs...)
}

// gemm adds a fully connected layer y = x·Wᵀ + b, as PyTorch exports
// nn.Linear.
func (g *graph) gemm(x string, in, out int) string {
	w := g.init("fc_w", []int{out, in}, math.Sqrt(1/float64(in)), 0)
	b := g.init("fc_b", []int{out}, 0.05, 0)
	return g.add(&node{op: "Gemm", in: []string{x, w, b}, out: []string{g.name("fc")}, kind: kindGemm, weight: w, bias: b, transB: true,
		attrs: []onnx.Attr{onnx.AttrInt("transB", 1)}})
}

// dropout adds an inference Dropout that declares its mask, as
// torchvision's SqueezeNet and GoogLeNet exports do (nothing reads it).
func (g *graph) dropout(x string) string {
	return g.add(&node{op: "Dropout", in: []string{x}, out: []string{g.name("drop"), g.name("mask")}, kind: kindMove})
}

// convBN is Conv (no bias) + BatchNormalization, optionally activated.
func (g *graph) convBN(x string, cin, cout, k, s, p, groups int, act func(string) string) string {
	y := g.bn(g.conv(x, cin, cout, k, s, p, groups, false), cout, 1e-5)
	if act != nil {
		y = act(y)
	}
	return y
}

// emitFloat writes the float model; exposeAll also declares every node's
// output a graph output (for calibration).
func (g *graph) emitFloat(exposeAll bool) []byte {
	b := onnx.NewModelBuilder(17)
	b.Producer, b.GraphName = "wasmcnn archs", "archs"
	b.Input(g.input, g.shape)
	for _, name := range g.order {
		g.writeInit(b, name)
	}
	for _, n := range g.nodes {
		b.Node(n.op, n.out[0], n.in, n.out, n.attrs...)
	}
	b.Output(g.output, nil)
	if exposeAll {
		for _, n := range g.nodes {
			if n.out[0] != g.output {
				b.Output(n.out[0], nil)
			}
		}
	}
	return b.Bytes()
}

func (g *graph) writeInit(b *onnx.ModelBuilder, name string) {
	t := g.inits[name]
	if g.isInt[name] {
		v := make([]int64, len(t.Data))
		for i, f := range t.Data {
			v[i] = int64(f)
		}
		b.InitializerInts(name, t.Shape, v)
		return
	}
	b.Initializer(name, t)
}
