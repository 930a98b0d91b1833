package convshapes_test

import (
	"fmt"
	"maps"
	"slices"
	"testing"

	"wasmcnn/core/onnx"
	"wasmcnn/internal/archs"
	"wasmcnn/internal/convshapes"
)

// TestTablesMatchArchitectures holds each table to the network
// wasmcnn/internal/archs builds at full size: every convolution of the
// built graph, with the activation after it (past its batch norm) and
// whether an Add joins it, is a row run as often as the row's Count, and
// the dense layers' MACs agree. The tables stay a package of their own
// because core's kernel benchmarks read them, and core cannot import what
// imports it; this keeps the two descriptions one. A row's input size is
// checked through the output size it gives.
func TestTablesMatchArchitectures(t *testing.T) {
	if testing.Short() {
		t.Skip("plans full-size networks")
	}
	for _, a := range convshapes.Archs {
		model, err := archs.Build(archs.Arch(a.Name), archs.Options{Seed: 1})
		if err != nil {
			t.Fatalf("%s: %v", a.Name, err)
		}
		m, err := onnx.LoadModel(model, &onnx.LoadOptions{KeepTensors: true})
		if err == nil {
			err = m.Plan([]int{1, 3, 224, 224})
		}
		if err != nil {
			t.Fatalf("%s: %v", a.Name, err)
		}
		built, dense := builtLayers(t, m)
		want := map[string]int{}
		for _, l := range a.Layers {
			want[key(l.C, l.OH(), l.OW(), l.K, l.KH, l.KW, l.Stride, l.Pad, l.Group, l.Act, l.Residual)] += l.Count
		}
		for _, k := range slices.Sorted(maps.Keys(want)) {
			if built[k] != want[k] {
				t.Errorf("%s: %s: the table runs it %d times, the network %d", a.Name, k, want[k], built[k])
			}
		}
		for _, k := range slices.Sorted(maps.Keys(built)) {
			if _, ok := want[k]; !ok {
				t.Errorf("%s: %s: run %d times by the network, not in the table", a.Name, k, built[k])
			}
		}
		if dense != a.DenseMACs {
			t.Errorf("%s: dense layers of %d MACs, the table %d", a.Name, dense, a.DenseMACs)
		}
	}
}

func key(c, oh, ow, k, kh, kw, stride, pad, group int, act convshapes.Act, residual bool) string {
	return fmt.Sprintf("C%d→%dx%d K%d %dx%d/%d pad %d group %d %v residual %v", c, oh, ow, k, kh, kw, stride, pad, group, act, residual)
}

// builtLayers returns the convolutions of m's graph as keys, with the
// times each runs, and the MACs of its Gemms.
func builtLayers(t *testing.T, m *onnx.Model) (map[string]int, int64) {
	t.Helper()
	readers := map[string][]int{}
	producer := map[string]int{}
	for i, n := range m.Nodes {
		for _, in := range n.Inputs {
			readers[in] = append(readers[in], i)
		}
		for _, o := range n.Outputs {
			producer[o] = i
		}
	}
	// sole returns the one node reading tensor name, if it is op.
	sole := func(name string, ops ...string) (int, bool) {
		r := readers[name]
		if len(r) != 1 || !slices.Contains(ops, m.Nodes[r[0]].Op) {
			return 0, false
		}
		return r[0], true
	}
	built := map[string]int{}
	added := map[int]bool{}
	var dense int64
	for _, s := range m.Steps() {
		i := producer[s.Node.Outputs[0]]
		switch s.Node.Op {
		case "Gemm":
			w, _ := m.Initializer(s.Node.Inputs[1])
			dense += int64(len(w.Data))
		case "Conv":
			w, ok := m.Initializer(s.Node.Inputs[1])
			if !ok || len(w.Shape) != 4 {
				t.Fatalf("node %s: weights %v", s.Node.Name, w)
			}
			stride, pad, group := 1, 0, 1
			for _, a := range m.NodeAttrs(i) {
				v, _ := a.Ints()
				switch a.Name {
				case "strides":
					stride = int(v[0])
				case "pads":
					pad = int(v[0])
				case "group":
					g, _ := a.Int()
					group = int(g)
				}
			}
			out := s.Node.Outputs[0]
			if r, ok := sole(out, "BatchNormalization"); ok {
				out = m.Nodes[r].Outputs[0]
			}
			residual := false
			if r, ok := sole(out, "Add"); ok && !added[r] {
				// The first convolution to reach an Add takes it, as
				// the planner fuses it (a shortcut's projection is
				// then the plain convolution before it).
				out, residual, added[r] = m.Nodes[r].Outputs[0], true, true
			}
			act := convshapes.None
			if r, ok := sole(out, "Relu", "Clip", "HardSwish", "HardSigmoid"); ok {
				act = map[string]convshapes.Act{"Relu": convshapes.ReLU, "Clip": convshapes.ReLU6, "HardSwish": convshapes.HardSwish, "HardSigmoid": convshapes.HardSigmoid}[m.Nodes[r].Op]
			}
			sh := s.Output.Shape
			built[key(w.Shape[1]*group, sh[2], sh[3], w.Shape[0], w.Shape[2], w.Shape[3], stride, pad, group, act, residual)]++
		}
	}
	return built, dense
}
