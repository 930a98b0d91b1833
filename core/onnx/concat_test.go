package onnx_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"wasmcnn/core"
	"wasmcnn/core/onnx"
	"wasmcnn/internal/archs"
	"wasmcnn/internal/floattest"
)

// runConcats runs model on inputs with concatenations written in place or
// not, and returns its outputs (copied), its activation peak and what
// was written in place (undone: not all, for it would raise the peak).
func runConcats(t *testing.T, model []byte, opts *onnx.LoadOptions, inPlace bool, inputs ...*core.Tensor) (outs [][]float32, peak int64, homed, views int, undone bool) {
	t.Helper()
	onnx.SetConcatsInPlace(inPlace)
	defer onnx.SetConcatsInPlace(true)
	m, err := onnx.LoadModel(model, opts)
	if err != nil {
		t.Fatal(err)
	}
	res, err := m.Run(inputs...)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		outs = append(outs, slices.Clone(r.Data))
	}
	homed, views, undone = onnx.ConcatsInPlace(m)
	return outs, m.Activations(), homed, views, undone
}

// allSameBits reports whether two lists of outputs hold the same bits.
func allSameBits(a, b [][]float32) bool {
	return slices.EqualFunc(a, b, func(x, y []float32) bool {
		return slices.EqualFunc(x, y, func(p, q float32) bool { return math.Float32bits(p) == math.Float32bits(q) })
	})
}

// TestConcatsInPlaceArchitectures runs the small DenseNet, GoogLeNet,
// SqueezeNet and ShuffleNetV2, whose blocks end in concatenations, with
// their inputs written in place and as copies: the outputs are the same
// bits and the activation peak is no larger. At batch 1 the branches are
// written in place (DenseNet's earlier concatenations become views of
// its last one); at batch 2 a channel's slice is not contiguous and
// nothing is.
func TestConcatsInPlaceArchitectures(t *testing.T) {
	for i, a := range []archs.Arch{archs.DenseNet121Arch, archs.GoogLeNetArch, archs.GoogLeNetLRNArch, archs.SqueezeNet11Arch, archs.ShuffleNetV2Arch} {
		model, err := archs.Tiny(a, uint64(i+31), archs.Float)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{1, 2} {
			x := &core.Tensor{Shape: []int{n, 3, 64, 64}, Data: floattest.Seeded(uint64(i+41), n*3*64*64)}
			want, before, _, _, _ := runConcats(t, model, nil, false, x)
			got, after, homed, views, undone := runConcats(t, model, nil, true, x)
			if !allSameBits(got, want) {
				t.Errorf("%s at batch %d: the outputs differ from the plan that copies", a, n)
			}
			if after > before {
				t.Errorf("%s at batch %d: peak %d activation values, %d copying", a, n, after, before)
			}
			switch {
			case n == 2 && homed+views != 0:
				t.Errorf("%s at batch 2: %d inputs and %d concatenations in place", a, homed, views)
			case n == 1 && !undone && (homed == 0 || a == archs.DenseNet121Arch && views == 0):
				t.Errorf("%s at batch 1: %d inputs and %d concatenations in place", a, homed, views)
			}
			t.Logf("%s at batch %d: peak %d → %d, %d inputs in place, %d views, undone %v", a, n, before, after, homed, views, undone)
		}
	}
}

// TestConcatsInPlaceFullSize plans the full-size DenseNet-121 and
// GoogLeNet at batch 1 both ways: the peak `info` reports is no larger in
// place, and DenseNet's, which holds each feature map of a block once
// instead of twice, is smaller.
func TestConcatsInPlaceFullSize(t *testing.T) {
	if testing.Short() {
		t.Skip("plans full-size networks")
	}
	for _, a := range []archs.Arch{archs.DenseNet121Arch, archs.GoogLeNetArch} {
		model, err := archs.Build(a, archs.Options{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		var peaks [2]int64
		var homed, views int
		var undone bool
		for k, on := range []bool{false, true} {
			onnx.SetConcatsInPlace(on)
			m, err := onnx.LoadModel(model, nil)
			if err == nil {
				err = m.Plan([]int{1, 3, 224, 224})
			}
			onnx.SetConcatsInPlace(true)
			if err != nil {
				t.Fatal(err)
			}
			peaks[k] = m.Activations()
			homed, views, undone = onnx.ConcatsInPlace(m)
		}
		if peaks[1] > peaks[0] || a == archs.DenseNet121Arch && (peaks[1] == peaks[0] || views == 0) {
			t.Errorf("%s: peak %d activation values in place, %d copying; %d inputs and %d concatenations in place", a, peaks[1], peaks[0], homed, views)
		}
		t.Logf("%s: peak %d → %d activation values (%.2f×), %d inputs and %d concatenations in place, undone %v", a, peaks[0], peaks[1], float64(peaks[1])/float64(peaks[0]), homed, views, undone)
	}
}

// TestConcatsInPlaceRefused builds graphs whose concatenations must not
// take some of their inputs in place: an input read again after the
// concatenation, an input that is a graph output, the same input twice, a
// graph input, a plan that keeps its tensors, and an input whose slice
// would keep the output alive over a larger tensor (the peak would grow),
// alone and beside a concatenation that stays in place. Each runs as the
// plan that copies, bit for bit, with exactly the inputs expected in
// place.
func TestConcatsInPlaceRefused(t *testing.T) {
	type graph struct {
		name   string
		build  func(b *onnx.ModelBuilder)
		outs   []string
		keep   bool
		homed  int
		views  int
		shapes [][]int // of the outputs
	}
	cat := func(b *onnx.ModelBuilder, name string, ins ...string) {
		b.Node("Concat", name, ins, []string{name}, onnx.AttrInt("axis", 1))
	}
	un := func(b *onnx.ModelBuilder, op, name, in string) { b.Node(op, name, []string{in}, []string{name}) }
	ab := func(b *onnx.ModelBuilder) { // two branches, a and b
		un(b, "Relu", "a", "x")
		un(b, "Neg", "b", "x")
	}
	s := []int{1, 2, 4, 4}
	cases := []graph{
		{name: "both in place", build: func(b *onnx.ModelBuilder) {
			ab(b)
			cat(b, "c", "a", "b")
			un(b, "Sigmoid", "y", "c")
		}, outs: []string{"y"}, homed: 2, shapes: [][]int{{1, 4, 4, 4}}},
		{name: "read after", build: func(b *onnx.ModelBuilder) {
			ab(b)
			cat(b, "c", "a", "b")
			un(b, "Sigmoid", "y", "c")
			b.Node("Mul", "z", []string{"a", "a"}, []string{"z"})
		}, outs: []string{"y", "z"}, homed: 1, shapes: [][]int{{1, 4, 4, 4}, s}},
		{name: "graph output inside", build: func(b *onnx.ModelBuilder) {
			ab(b)
			cat(b, "c", "a", "b")
			un(b, "Sigmoid", "y", "c")
		}, outs: []string{"y", "a"}, homed: 1, shapes: [][]int{{1, 4, 4, 4}, s}},
		{name: "reshaped graph output inside", build: func(b *onnx.ModelBuilder) {
			ab(b)
			b.Node("Flatten", "f", []string{"a"}, []string{"f"})
			cat(b, "c", "a", "b")
			un(b, "Sigmoid", "y", "c")
		}, outs: []string{"y", "f"}, homed: 1, shapes: [][]int{{1, 4, 4, 4}, {1, 32}}},
		{name: "twice", build: func(b *onnx.ModelBuilder) {
			ab(b)
			cat(b, "c", "a", "b", "a")
			un(b, "Sigmoid", "y", "c")
		}, outs: []string{"y"}, homed: 1, shapes: [][]int{{1, 6, 4, 4}}},
		{name: "graph input", build: func(b *onnx.ModelBuilder) {
			un(b, "Neg", "b", "x")
			cat(b, "c", "x", "b")
			un(b, "Sigmoid", "y", "c")
		}, outs: []string{"y"}, homed: 1, shapes: [][]int{{1, 4, 4, 4}}},
		{name: "kept tensors", keep: true, build: func(b *onnx.ModelBuilder) {
			ab(b)
			cat(b, "c", "a", "b")
			un(b, "Sigmoid", "y", "c")
		}, outs: []string{"y"}, shapes: [][]int{{1, 4, 4, 4}}},
		{name: "nested, then a view", build: func(b *onnx.ModelBuilder) {
			ab(b)
			cat(b, "c", "a", "b")
			un(b, "Tanh", "d", "x")
			cat(b, "e", "c", "d")
			cat(b, "f", "a", "b") // holds a and b, and c becomes its view
			b.Node("Add", "y", []string{"f", "c"}, []string{"y"})
			un(b, "Sigmoid", "z", "e")
		}, outs: []string{"y", "z"}, homed: 3, views: 1, shapes: [][]int{{1, 4, 4, 4}, {1, 6, 4, 4}}},
		{name: "nested, the view a graph output", build: func(b *onnx.ModelBuilder) {
			ab(b)
			cat(b, "c", "a", "b")
			un(b, "Tanh", "d", "x")
			cat(b, "e", "c", "d")
			cat(b, "f", "a", "b")
			un(b, "Sigmoid", "z", "e")
			b.Node("Add", "y", []string{"f", "f"}, []string{"y"})
		}, outs: []string{"y", "z", "c"}, homed: 3, shapes: [][]int{{1, 4, 4, 4}, {1, 6, 4, 4}, {1, 4, 4, 4}}},
		{name: "peak would grow: undone", build: func(b *onnx.ModelBuilder) {
			un(b, "Neg", "t", "x")
			wide := make([]string, 32)
			for i := range wide {
				wide[i] = "x"
			}
			cat(b, "big", wide...)
			un(b, "Sigmoid", "big2", "big")
			b.InitializerInts("starts", []int{1}, []int64{0})
			b.InitializerInts("ends", []int{1}, []int64{16})
			b.InitializerInts("axes", []int{1}, []int64{1})
			b.Node("Slice", "m", []string{"big2", "starts", "ends", "axes"}, []string{"m"})
			cat(b, "c", "t", "m")
			un(b, "Sigmoid", "y", "c")
		}, outs: []string{"y"}, shapes: [][]int{{1, 18, 4, 4}}},
	}
	grow := cases[len(cases)-1].build
	cases = append(cases, graph{name: "one of two undone", build: func(b *onnx.ModelBuilder) {
		grow(b)
		ab(b)
		cat(b, "c2", "a", "b")
		un(b, "Sigmoid", "y2", "c2")
	}, outs: []string{"y", "y2"}, homed: 2, shapes: [][]int{{1, 18, 4, 4}, {1, 4, 4, 4}}})
	for i, c := range cases {
		b := onnx.NewModelBuilder(13)
		b.Input("x", s)
		c.build(b)
		for k, o := range c.outs {
			b.Output(o, c.shapes[k])
		}
		model := b.Bytes()
		x := &core.Tensor{Shape: s, Data: floattest.Seeded(uint64(i+1), core.Product(s))}
		opts := &onnx.LoadOptions{KeepTensors: c.keep}
		want, before, _, _, _ := runConcats(t, model, opts, false, x)
		got, after, homed, views, undone := runConcats(t, model, opts, true, x)
		if !allSameBits(got, want) {
			t.Errorf("%s: the outputs differ from the plan that copies", c.name)
		}
		if undone != strings.Contains(c.name, "undone") {
			t.Errorf("%s: undone %v", c.name, undone)
		}
		if homed != c.homed || views != c.views {
			t.Errorf("%s: %d inputs and %d concatenations in place, want %d and %d", c.name, homed, views, c.homed, c.views)
		}
		if after > before {
			t.Errorf("%s: peak %d activation values, %d copying", c.name, after, before)
		}
	}
}
