package onnx

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"wasmcnn/core"
	"wasmcnn/internal/floattest"
	"wasmcnn/web/models"
)

// explainTol is how far an explained value may be from the engine's: the
// explanation sums in float64, the engine's kernels in float32 in another
// order.
const explainTol = 1e-5

// explainModels are graphs covering the geometry Explain must get right:
// every kind of padding, strides, dilations, groups, the element-wise nodes
// a map is followed through, pooling with and without padding, and dense
// layers written as Gemm and as MatMul + Add.
func explainModels() []builderCase {
	w := func(seed uint64, shape ...int) *core.Tensor { return randInput(seed, shape...) }
	return []builderCase{
		{desc: "conv 3×3 same padding, ReLU, max pool 2×2", opset: 13, in: randInput(1, 2, 2, 9, 9), build: func(b *ModelBuilder) {
			b.Input("x", []int{-1, 2, 9, 9})
			b.Initializer("w", w(2, 4, 2, 3, 3))
			b.Initializer("b", w(3, 4))
			b.Node("Conv", "conv", []string{"x", "w", "b"}, []string{"c"}, AttrInts("pads", 1, 1, 1, 1))
			b.Node("Relu", "relu", []string{"c"}, []string{"r"})
			b.Node("MaxPool", "pool", []string{"r"}, []string{"p"}, AttrInts("kernel_shape", 2, 2), AttrInts("strides", 2, 2))
			b.Output("p", nil)
		}},
		{desc: "conv 5×5 asymmetric pads, stride 2, no bias; batch norm then LeakyRelu", opset: 13, in: randInput(4, 1, 3, 11, 10), build: func(b *ModelBuilder) {
			b.Input("x", []int{1, 3, 11, 10})
			b.Initializer("w", w(5, 6, 3, 5, 5))
			for i, n := range []string{"scale", "bias", "mean"} {
				b.Initializer(n, w(uint64(6+i), 6))
			}
			v := w(9, 6)
			for i := range v.Data {
				v.Data[i] = 0.5 + v.Data[i]*v.Data[i]
			}
			b.Initializer("var", v)
			b.Node("Conv", "conv", []string{"x", "w"}, []string{"c"}, AttrInts("pads", 2, 0, 1, 3), AttrInts("strides", 2, 2))
			b.Node("BatchNormalization", "bn", []string{"c", "scale", "bias", "mean", "var"}, []string{"n"})
			b.Node("LeakyRelu", "leaky", []string{"n"}, []string{"y"}, AttrFloat("alpha", 0.1))
			b.Output("y", nil)
		}},
		{desc: "SAME_LOWER with an even kernel, dilation 2, group 2, Add then Mul by constants, Clip", opset: 13, in: randInput(10, 1, 4, 8, 8), build: func(b *ModelBuilder) {
			b.Input("x", []int{1, 4, 8, 8})
			b.Initializer("w", w(11, 6, 2, 2, 2))
			b.Initializer("b", w(12, 6))
			b.Initializer("shift", w(13, 6, 1, 1))
			b.Initializer("gain", w(14, 1))
			b.Initializer("lo", &core.Tensor{Shape: []int{}, Data: []float32{-0.2}})
			b.Initializer("hi", &core.Tensor{Shape: []int{}, Data: []float32{0.3}})
			b.Node("Conv", "conv", []string{"x", "w", "b"}, []string{"c"}, AttrString("auto_pad", "SAME_LOWER"), AttrInts("dilations", 2, 2), AttrInt("group", 2))
			b.Node("Add", "add", []string{"shift", "c"}, []string{"a"})
			b.Node("Mul", "mul", []string{"a", "gain"}, []string{"m"})
			b.Node("Clip", "clip", []string{"m", "lo", "hi"}, []string{"y"})
			b.Output("y", nil)
		}},
		{desc: "SAME_UPPER stride 2, valid conv, Sigmoid; a tensor read twice is not followed", opset: 13, in: randInput(15, 1, 1, 7, 7), build: func(b *ModelBuilder) {
			b.Input("x", []int{1, 1, 7, 7})
			b.Initializer("w1", w(16, 3, 1, 3, 3))
			b.Initializer("w2", w(17, 2, 3, 2, 2))
			b.Node("Conv", "same", []string{"x", "w1"}, []string{"c1"}, AttrString("auto_pad", "SAME_UPPER"), AttrInts("strides", 2, 2))
			b.Node("Conv", "valid", []string{"c1", "w2"}, []string{"c2"}, AttrString("auto_pad", "VALID"))
			b.Node("Sigmoid", "sig", []string{"c2"}, []string{"s"})
			b.Node("Add", "twice", []string{"s", "s"}, []string{"y"})
			b.Output("y", nil)
		}},
		{desc: "average pooling with and without the padding counted, ceil mode; max pool with pads; global pools", opset: 13, in: randInput(18, 2, 3, 7, 6), build: func(b *ModelBuilder) {
			b.Input("x", []int{-1, 3, 7, 6})
			b.Node("AveragePool", "avg_in", []string{"x"}, []string{"a1"}, AttrInts("kernel_shape", 3, 3), AttrInts("pads", 1, 1, 1, 1), AttrInts("strides", 2, 2), AttrInt("count_include_pad", 1), AttrInt("ceil_mode", 1))
			b.Node("AveragePool", "avg_ex", []string{"x"}, []string{"a2"}, AttrInts("kernel_shape", 3, 2), AttrInts("pads", 1, 0, 2, 1), AttrInt("ceil_mode", 1), AttrInts("strides", 2, 2))
			b.Node("MaxPool", "max_pad", []string{"x"}, []string{"m"}, AttrInts("kernel_shape", 3, 3), AttrInts("pads", 1, 1, 1, 1), AttrInts("strides", 2, 1))
			b.Node("GlobalAveragePool", "gap", []string{"x"}, []string{"g"})
			b.Node("GlobalMaxPool", "gmp", []string{"x"}, []string{"gm"})
			b.Output("a1", nil)
			b.Output("a2", nil)
			b.Output("m", nil)
			b.Output("g", nil)
			b.Output("gm", nil)
		}},
		{desc: "dense: Gemm with transB, alpha, beta and a row bias; MatMul + Add + Tanh", opset: 13, in: randInput(19, 3, 12), build: func(b *ModelBuilder) {
			b.Input("x", []int{-1, 12})
			b.Initializer("w", w(20, 5, 12))
			b.Initializer("c", w(21, 1, 5))
			b.Initializer("w2", w(22, 5, 4))
			b.Initializer("b2", w(23, 4))
			b.Node("Gemm", "fc", []string{"x", "w", "c"}, []string{"h"}, AttrInt("transB", 1), AttrFloat("alpha", 0.5), AttrFloat("beta", 2))
			b.Node("MatMul", "mm", []string{"h", "w2"}, []string{"mmo"})
			b.Node("Add", "bias", []string{"mmo", "b2"}, []string{"z"})
			b.Node("Tanh", "tanh", []string{"z"}, []string{"y"})
			b.Output("y", nil)
		}},
	}
}

// checkExplained explains positions of every explainable step of m, which
// has just run: corners and edges (where padding counts) and random ones,
// all of them for small outputs. Each explained value must equal the
// engine's output of the node, and the value after the followers the
// engine's output of the last follower. It returns how many it checked and
// the largest difference it saw.
func checkExplained(t *testing.T, desc string, m *Model, seed uint64) (checked int, worst float64) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 3))
	// A model that shares buffers between tensors keeps its tensors from
	// now on, running the last input again: the maps must be that run's.
	if err := m.KeepAllTensors(); err != nil {
		t.Fatal(err)
	}
	steps := m.Steps()
	for i, s := range steps {
		if !m.Explainable(i) {
			if _, err := m.Explain(i, 0, 0, 0, 0); err == nil {
				t.Errorf("%s: Explain(%s %s) did not refuse", desc, s.Node.Op, s.Node.Name)
			}
			continue
		}
		shape := s.Output.Shape
		if len(shape) == 2 {
			shape = []int{shape[0], shape[1], 1, 1}
		}
		var pos [][4]int
		n, c, h, w := shape[0], shape[1], shape[2], shape[3]
		if n*c*h*w <= 400 {
			for a := 0; a < n*c*h*w; a++ {
				pos = append(pos, [4]int{a / (c * h * w), a / (h * w) % c, a / w % h, a % w})
			}
		} else {
			for k := 0; k < 60; k++ {
				p := [4]int{r.IntN(n), r.IntN(c), r.IntN(h), r.IntN(w)}
				switch k % 4 { // every edge, where the window meets the padding
				case 0:
					p[2] = 0
				case 1:
					p[2] = h - 1
				case 2:
					p[3] = 0
				case 3:
					p[3] = w - 1
				}
				pos = append(pos, p)
			}
		}
		follow := m.Followers(i)
		last := s.Output
		if len(follow) > 0 {
			last = steps[follow[len(follow)-1]].Output
		}
		for _, p := range pos {
			e, err := m.Explain(i, p[0], p[1], p[2], p[3])
			if err != nil {
				t.Fatalf("%s: Explain(%s, %v): %v", desc, s.Node.Name, p, err)
			}
			at := ((p[0]*c+p[1])*h+p[2])*w + p[3]
			d := math.Abs(float64(e.Value - s.Output.Data[at]))
			worst = max(worst, d, math.Abs(float64(e.Output-last.Data[at])))
			if !(d <= explainTol) {
				t.Errorf("%s: %s at %v: explained %v, the engine computed %v (off by %.2g)", desc, s.Node.Name, p, e.Value, s.Output.Data[at], d)
			}
			if d := math.Abs(float64(e.Output - last.Data[at])); !(d <= explainTol) || e.Map != last.Data[at] {
				t.Errorf("%s: %s at %v after %d followers: explained %v, map %v, engine %v", desc, s.Node.Name, p, len(e.Then), e.Output, e.Map, last.Data[at])
			}
			if len(e.Then) != len(follow) {
				t.Errorf("%s: %s: %d followers explained, Followers lists %d", desc, s.Node.Name, len(e.Then), len(follow))
			}
			checkParts(t, desc, e)
			checked++
		}
	}
	return checked, worst
}

// checkParts checks that an explanation adds up: products are window times
// weights, padded taps hold 0, the sum is the sum of the products, and a
// max pool's winner holds the value.
func checkParts(t *testing.T, desc string, e *Explanation) {
	t.Helper()
	taps := len(e.Window)
	if want := max(1, len(e.Channels)) * e.KH * e.KW; taps != want {
		t.Fatalf("%s: %s: window of %d taps, want %d", desc, e.Node, taps, want)
	}
	var sum float64
	for i, v := range e.Window {
		if e.IsPadding(i) && v != 0 {
			t.Errorf("%s: %s: padded tap %d holds %v", desc, e.Node, i, v)
		}
		if e.Products != nil {
			if e.Products[i] != float32(float64(v)*float64(e.Weights[i])) {
				t.Errorf("%s: %s: product %d is %v, want %v·%v", desc, e.Node, i, e.Products[i], v, e.Weights[i])
			}
			sum += float64(e.Products[i])
		}
	}
	if e.Products != nil && math.Abs(sum-float64(e.Sum)) > 1e-5*(1+math.Abs(sum)) {
		t.Errorf("%s: %s: sum %v, products add to %v", desc, e.Node, e.Sum, sum)
	}
	if e.Winner >= 0 && (e.Window[e.Winner] != e.Value || e.IsPadding(e.Winner)) {
		t.Errorf("%s: %s: winner %d holds %v, value %v", desc, e.Node, e.Winner, e.Window[e.Winner], e.Value)
	}
}

func TestExplainMatchesEngine(t *testing.T) {
	for _, c := range explainModels() {
		b := NewModelBuilder(c.opset)
		c.build(b)
		m, err := LoadModel(b.Bytes(), &LoadOptions{KeepTensors: true})
		if err != nil {
			t.Fatalf("%s: %v", c.desc, err)
		}
		if _, err := m.Explain(0, 0, 0, 0, 0); !errors.Is(err, ErrNotRun) {
			t.Errorf("%s: before a run Explain says %v, want ErrNotRun", c.desc, err)
		}
		if _, err := m.Run(c.in); err != nil {
			t.Fatalf("%s: %v", c.desc, err)
		}
		n, worst := checkExplained(t, c.desc, m, 1)
		t.Logf("%s: %d positions explained, largest difference %.2g", c.desc, n, worst)
	}
}

// TestExplainFollowers pins which nodes a map is followed through.
func TestExplainFollowers(t *testing.T) {
	ms := explainModels()
	want := map[string][]string{
		ms[0].desc: {"conv:relu", "pool:"},
		ms[1].desc: {"conv:bn,leaky"},
		ms[2].desc: {"conv:add,mul,clip"},
		ms[3].desc: {"same:", "valid:sig"},
		ms[5].desc: {"fc:", "mm:bias,tanh"},
	}
	for _, c := range ms {
		if want[c.desc] == nil {
			continue
		}
		b := NewModelBuilder(c.opset)
		c.build(b)
		m, err := LoadModel(b.Bytes(), nil)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		steps := m.Steps()
		for i, s := range steps {
			if !m.Explainable(i) {
				continue
			}
			var names []string
			for _, f := range m.Followers(i) {
				names = append(names, steps[f].Node.Name)
			}
			got = append(got, s.Node.Name+":"+strings.Join(names, ","))
		}
		if strings.Join(got, " ") != strings.Join(want[c.desc], " ") {
			t.Errorf("%s: followers %v, want %v", c.desc, got, want[c.desc])
		}
	}
}

// TestExplainShippedModel explains the shipped digit model on a digit-like
// input at batch 1 and batch 3, through the kernels the planner picks (the
// implicit convolution, the batch-1 dense dots).
func TestExplainShippedModel(t *testing.T) {
	m, err := LoadModel(models.Digits, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, batch := range []int{1, 3} {
		x := floattest.Seeded(uint64(batch), batch*784)
		for i := range x {
			x[i] = max(0, x[i]) // ink on black, as the page feeds it
		}
		if _, err := m.Predict(x); err != nil {
			t.Fatal(err)
		}
		n, worst := checkExplained(t, "digits", m, uint64(batch))
		t.Logf("batch %d: %d positions explained, largest difference %.2g", batch, n, worst)
	}
}

func TestExplainRefusesBadPositions(t *testing.T) {
	c := explainModels()[0]
	b := NewModelBuilder(c.opset)
	c.build(b)
	m, err := LoadModel(b.Bytes(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Run(c.in); err != nil {
		t.Fatal(err)
	}
	for _, p := range [][5]int{{-1, 0, 0, 0, 0}, {3, 0, 0, 0, 0}, {0, 2, 0, 0, 0}, {0, 0, 4, 0, 0}, {0, 0, 0, 9, 0}, {0, 0, 0, 0, -1}, {0, -1, 0, 0, 0}, {1, 0, 0, 0, 0}} {
		if _, err := m.Explain(p[0], p[1], p[2], p[3], p[4]); err == nil {
			t.Errorf("Explain%v did not refuse", p)
		}
	}
	// A new plan (another batch size) has not run yet.
	if err := m.Plan([]int{1, 2, 9, 9}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Explain(0, 0, 0, 0, 0); !errors.Is(err, ErrNotRun) {
		t.Errorf("after a new plan Explain says %v, want ErrNotRun", err)
	}
}
