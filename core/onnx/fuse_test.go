package onnx

import (
	"math"
	"strings"
	"testing"

	"wasmcnn/core"
)

const fusedTolerance = FusionTolerance

// fusedDiff returns the largest difference between got and want relative
// to want's largest magnitude (+Inf when the lengths or NaNs differ).
func fusedDiff(got, want []float32) float64 {
	if len(got) != len(want) {
		return math.Inf(1)
	}
	var d, scale float64
	for i, w := range want {
		g := got[i]
		if (g != g) != (w != w) {
			return math.Inf(1)
		}
		if w == w {
			d = max(d, math.Abs(float64(g)-float64(w)))
			scale = max(scale, math.Abs(float64(w)))
		}
	}
	if d == 0 {
		return 0
	}
	return d / scale
}

// TestFuseConvs plans small graphs with shared buffers and checks which
// nodes each convolution merged (the steps that run) and that the outputs
// equal the graph's as written (kept buffers) within fusedTolerance: the
// patterns fused, and those that must not be (a tensor read twice or
// exposed, a broadcast Add, a depthwise convolution with a residual); a
// batch norm with its ReLU the same way.
func TestFuseConvs(t *testing.T) {
	w := func(seed uint64, shape ...int) *core.Tensor { return randInput(seed, shape...) }
	bn := func(b *ModelBuilder, p string, c int) []string {
		names := []string{p + "scale", p + "bias", p + "mean", p + "var"}
		for i, n := range names[:3] {
			b.Initializer(n, w(uint64(40+i), c))
		}
		v := w(44, c)
		for i := range v.Data {
			v.Data[i] = 0.5 + v.Data[i]*v.Data[i]
		}
		b.Initializer(names[3], v)
		return names
	}
	// block: x [1, 4, 8, 8] through a 3×3 convolution "c" of k filters.
	block := func(b *ModelBuilder, k int) {
		b.Input("x", []int{1, 4, 8, 8})
		b.Initializer("w", w(2, k, 4, 3, 3))
		b.Initializer("b", w(3, k))
		b.Node("Conv", "conv", []string{"x", "w", "b"}, []string{"c"}, AttrInts("pads", 1, 1, 1, 1))
	}
	for _, c := range []struct {
		desc  string
		opset int64
		build func(b *ModelBuilder)
		steps string
	}{
		{"residual block: conv, batch norm, Add of another branch, ReLU", 13, func(b *ModelBuilder) {
			block(b, 4)
			b.Node("BatchNormalization", "bn", append([]string{"c"}, bn(b, "n", 4)...), []string{"n"})
			b.Node("Add", "add", []string{"x", "n"}, []string{"a"})
			b.Node("Relu", "relu", []string{"a"}, []string{"y"})
			b.Output("y", nil)
		}, "Conv+BatchNormalization+Add+Relu"},
		{"both branches convolved reach one Add", 13, func(b *ModelBuilder) {
			block(b, 4)
			b.Initializer("w2", w(5, 4, 4, 1, 1))
			b.Node("Conv", "down", []string{"x", "w2"}, []string{"d"})
			b.Node("BatchNormalization", "bn", append([]string{"d"}, bn(b, "n", 4)...), []string{"n"})
			b.Node("Add", "add", []string{"c", "n"}, []string{"a"})
			b.Node("Relu", "relu", []string{"a"}, []string{"y"})
			b.Output("y", nil)
		}, "Conv+BatchNormalization Conv+Add+Relu"},
		{"ReLU6 as Clip with attributes (opset 7)", 7, func(b *ModelBuilder) {
			block(b, 5)
			b.Node("Clip", "clip", []string{"c"}, []string{"y"}, AttrFloat("min", 0), AttrFloat("max", 6))
			b.Output("y", nil)
		}, "Conv+Clip"},
		{"Clip with bounds from Constant nodes, then HardSwish unfused", 14, func(b *ModelBuilder) {
			block(b, 5)
			b.Node("Constant", "lo", nil, []string{"lo"}, AttrTensor("value", &core.Tensor{Shape: []int{}, Data: []float32{-0.5}}))
			b.Node("Constant", "hi", nil, []string{"hi"}, AttrTensor("value", &core.Tensor{Shape: []int{}, Data: []float32{0.25}}))
			b.Node("Clip", "clip", []string{"c", "lo", "hi"}, []string{"k"})
			b.Node("HardSwish", "hs", []string{"k"}, []string{"y"})
			b.Output("y", nil)
		}, "Conv+Clip HardSwish"},
		{"HardSwish", 14, func(b *ModelBuilder) {
			block(b, 3)
			b.Node("HardSwish", "hs", []string{"c"}, []string{"y"})
			b.Output("y", nil)
		}, "Conv+HardSwish"},
		{"HardSigmoid and LeakyRelu after a batch norm", 13, func(b *ModelBuilder) {
			block(b, 3)
			b.Node("HardSigmoid", "hs", []string{"c"}, []string{"y"}, AttrFloat("alpha", 0.01), AttrFloat("beta", 0.4))
			b.Output("y", nil)
			b.Initializer("w2", w(6, 2, 4, 1, 1))
			b.Node("Conv", "conv2", []string{"x", "w2"}, []string{"c2"})
			b.Node("BatchNormalization", "bn", append([]string{"c2"}, bn(b, "n", 2)...), []string{"n"}, AttrFloat("epsilon", 0.01))
			b.Node("LeakyRelu", "leaky", []string{"n"}, []string{"z"}, AttrFloat("alpha", 0.2))
			b.Output("z", nil)
		}, "Conv+HardSigmoid Conv+BatchNormalization+LeakyRelu"},
		{"the convolution's output is a graph output", 13, func(b *ModelBuilder) {
			block(b, 4)
			b.Node("Relu", "relu", []string{"c"}, []string{"y"})
			b.Output("y", nil)
			b.Output("c", nil)
		}, "Conv Relu"},
		{"the convolution's output has two readers", 13, func(b *ModelBuilder) {
			block(b, 4)
			b.Node("Relu", "relu", []string{"c"}, []string{"r"})
			b.Node("Sigmoid", "sig", []string{"c"}, []string{"s"})
			b.Node("Mul", "mul", []string{"r", "s"}, []string{"y"})
			b.Output("y", nil)
		}, "Conv Relu Sigmoid Mul"},
		{"Add of the output to itself", 13, func(b *ModelBuilder) {
			block(b, 4)
			b.Node("Add", "add", []string{"c", "c"}, []string{"y"})
			b.Output("y", nil)
		}, "Conv Add"},
		{"a broadcast Add is planned as written", 13, func(b *ModelBuilder) {
			block(b, 4)
			b.Node("Relu", "relu0", []string{"x"}, []string{"r0"})
			b.Node("ReduceMean", "mean", []string{"r0"}, []string{"m"}, AttrInts("axes", 2, 3))
			b.Node("Add", "add", []string{"c", "m"}, []string{"a"})
			b.Node("Relu", "relu", []string{"a"}, []string{"y"})
			b.Output("y", nil)
		}, "Conv Relu ReduceMean Add Relu"},
		{"a batch norm after a concatenation takes its ReLU (DenseNet)", 13, func(b *ModelBuilder) {
			b.Input("x", []int{1, 4, 8, 8})
			b.Node("Concat", "cat", []string{"x", "x"}, []string{"k"}, AttrInt("axis", 1))
			b.Node("BatchNormalization", "bn", append([]string{"k"}, bn(b, "n", 8)...), []string{"n"})
			b.Node("Relu", "relu", []string{"n"}, []string{"y"})
			b.Output("y", nil)
		}, "Concat BatchNormalization+Relu"},
		{"a convolution takes the batch norm and the ReLU first", 13, func(b *ModelBuilder) {
			block(b, 4)
			b.Node("BatchNormalization", "bn", append([]string{"c"}, bn(b, "n", 4)...), []string{"n"})
			b.Node("Relu", "relu", []string{"n"}, []string{"y"})
			b.Output("y", nil)
		}, "Conv+BatchNormalization+Relu"},
		{"a batch norm read twice keeps its ReLU apart", 13, func(b *ModelBuilder) {
			b.Input("x", []int{1, 4, 8, 8})
			b.Node("BatchNormalization", "bn", append([]string{"x"}, bn(b, "n", 4)...), []string{"n"})
			b.Node("Relu", "relu", []string{"n"}, []string{"r"})
			b.Node("Sigmoid", "sig", []string{"n"}, []string{"s"})
			b.Node("Mul", "mul", []string{"r", "s"}, []string{"y"})
			b.Output("y", nil)
		}, "BatchNormalization Relu Sigmoid Mul"},
		{"a batch norm whose output is a graph output keeps its ReLU apart", 13, func(b *ModelBuilder) {
			b.Input("x", []int{1, 4, 8, 8})
			b.Node("BatchNormalization", "bn", append([]string{"x"}, bn(b, "n", 4)...), []string{"n"})
			b.Node("Relu", "relu", []string{"n"}, []string{"y"})
			b.Output("y", nil)
			b.Output("n", nil)
		}, "BatchNormalization Relu"},
		{"a depthwise convolution with a residual is planned as written", 13, func(b *ModelBuilder) {
			b.Input("x", []int{1, 4, 8, 8})
			b.Initializer("w", w(2, 4, 1, 3, 3))
			b.Node("Conv", "conv", []string{"x", "w"}, []string{"c"}, AttrInts("pads", 1, 1, 1, 1), AttrInt("group", 4))
			b.Node("Add", "add", []string{"c", "x"}, []string{"a"})
			b.Node("Relu", "relu", []string{"a"}, []string{"y"})
			b.Output("y", nil)
		}, "Conv Add Relu"},
	} {
		b := NewModelBuilder(c.opset)
		c.build(b)
		var outs [2][][]float32
		for i, keep := range []bool{false, true} {
			m, err := LoadModel(b.Bytes(), &LoadOptions{KeepTensors: keep})
			if err != nil {
				t.Fatalf("%s: %v", c.desc, err)
			}
			got, err := m.Run(randInput(9, 1, 4, 8, 8))
			if err != nil {
				t.Fatalf("%s: %v", c.desc, err)
			}
			for _, o := range got {
				outs[i] = append(outs[i], append([]float32(nil), o.Data...))
			}
			if keep {
				continue
			}
			var ops []string
			for _, s := range m.plan.steps {
				ops = append(ops, s.node.info().Op)
			}
			if got := strings.Join(ops, " "); got != c.steps {
				t.Errorf("%s: steps %q, want %q", c.desc, got, c.steps)
			}
		}
		for i := range outs[0] {
			if d := fusedDiff(outs[0][i], outs[1][i]); d > fusedTolerance {
				t.Errorf("%s: output %d fused is %.3g (of the largest magnitude) from the graph as written", c.desc, i, d)
			}
		}
	}
}

// TestStepsBeforeRunAreAsWritten: a model planned fused lists the graph's
// nodes as written even before it has run, so that the step indexes a
// caller takes from Steps are those Explain reads after a run.
func TestStepsBeforeRunAreAsWritten(t *testing.T) {
	b := NewModelBuilder(13)
	b.Input("x", []int{1, 2, 5, 5})
	b.Initializer("w", randInput(1, 3, 2, 3, 3))
	b.Node("Conv", "conv", []string{"x", "w"}, []string{"c"})
	b.Node("Relu", "relu", []string{"c"}, []string{"y"})
	b.Output("y", nil)
	m, err := LoadModel(b.Bytes(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !m.plan.fused {
		t.Fatal("the convolution and its ReLU were not fused")
	}
	steps := m.Steps()
	if len(steps) != 2 || steps[0].Node.Op != "Conv" || steps[1].Node.Op != "Relu" || !m.KeepsTensors() {
		t.Fatalf("steps before a run: %+v", steps)
	}
}
