package onnx

import (
	"strings"
	"testing"
)

// TestNewOpsRefuseBadAttributes loads one-node models whose attributes or
// constant inputs are wrong: each must be refused at load with a message
// naming the node, never panic.
func TestNewOpsRefuseBadAttributes(t *testing.T) {
	type bad struct {
		op     string
		opset  int64
		shape  []int
		ints   map[string][]int64 // INT64 constant inputs, in order after x
		attrs  []Attr
		want   string
		floats map[string][]float32
		inputs []string // overrides the inputs
		outs   int
	}
	cases := []bad{
		{op: "Resize", opset: 13, shape: []int{1, 1, 4, 4}, attrs: []Attr{AttrString("mode", "bogus")}, want: "mode"},
		{op: "Resize", opset: 13, shape: []int{1, 1, 4, 4}, floats: map[string][]float32{"b": {1, 1, 2, 2}}, inputs: []string{"x", "", "b"}, attrs: []Attr{AttrString("coordinate_transformation_mode", "sideways")}, want: "coordinate_transformation_mode"},
		{op: "Resize", opset: 18, shape: []int{1, 1, 4, 4}, attrs: []Attr{AttrInt("antialias", 1), AttrString("mode", "linear")}, want: "antialias"},
		{op: "Pad", opset: 13, shape: []int{2, 3}, ints: map[string][]int64{"pads": {0, 0, 1, 1}}, attrs: []Attr{AttrString("mode", "mirror")}, want: "mode"},
		{op: "Pad", opset: 13, shape: []int{2, 3}, ints: map[string][]int64{"pads": {0, 0, 1}}, want: "pads has 3 values"},
		{op: "Pad", opset: 13, shape: []int{2, 3}, ints: map[string][]int64{"pads": {0, 0, 0, 5}}, attrs: []Attr{AttrString("mode", "reflect")}, want: "reflect"},
		{op: "Pad", opset: 13, shape: []int{2, 3}, ints: map[string][]int64{"pads": {-5, 0, 0, 0}}, want: "below zero"},
		{op: "Slice", opset: 13, shape: []int{4}, ints: map[string][]int64{"s": {0}, "e": {4}, "a": {0}, "st": {0}}, want: "step 0"},
		{op: "Slice", opset: 13, shape: []int{4}, ints: map[string][]int64{"s": {0}, "e": {4}, "a": {3}}, want: "out of range"},
		{op: "Split", opset: 13, shape: []int{4}, ints: map[string][]int64{"split": {1, 2}}, outs: 2, want: "does not add up"},
		{op: "Tile", opset: 13, shape: []int{2, 2}, ints: map[string][]int64{"r": {2}}, want: "repeats has 1 values"},
		{op: "Tile", opset: 13, shape: []int{2, 2}, ints: map[string][]int64{"r": {1 << 40, 1 << 40}}, want: "repeats"},
		{op: "Expand", opset: 13, shape: []int{2, 3}, ints: map[string][]int64{"s": {4, 3}}, want: "broadcast"},
		{op: "DepthToSpace", opset: 13, shape: []int{1, 3, 2, 2}, attrs: []Attr{AttrInt("blocksize", 2)}, want: "multiple of 4"},
		{op: "DepthToSpace", opset: 13, shape: []int{1, 4, 2, 2}, attrs: []Attr{AttrInt("blocksize", -1)}, want: "blocksize"},
		{op: "SpaceToDepth", opset: 13, shape: []int{1, 1, 3, 3}, attrs: []Attr{AttrInt("blocksize", 2)}, want: "multiples of 2"},
		{op: "LRN", opset: 13, shape: []int{1, 3, 2, 2}, attrs: []Attr{AttrInt("size", 0)}, want: "size 0"},
		{op: "LRN", opset: 13, shape: []int{1, 3, 2, 2}, attrs: []Attr{AttrInt("size", 1<<20)}, want: "size"},
		{op: "Gelu", opset: 20, shape: []int{3}, attrs: []Attr{AttrString("approximate", "erf")}, want: "approximate"},
		{op: "ReduceMean", opset: 13, shape: []int{2, 3}, attrs: []Attr{AttrInts("axes", 2)}, want: "out of range"},
		{op: "ReduceMean", opset: 13, shape: []int{2, 3}, attrs: []Attr{AttrInts("axes", 1, -1)}, want: "repeated"},
		{op: "ArgMax", opset: 13, shape: []int{2, 3}, attrs: []Attr{AttrInt("axis", 5)}, want: "axis"},
		{op: "MaxPool", opset: 13, shape: []int{1, 1, 4, 4, 4}, attrs: []Attr{AttrInts("kernel_shape", 2, 2)}, want: "kernel_shape has 2 values"},
		{op: "MaxPool", opset: 13, shape: []int{1, 1, 4, 4}, attrs: []Attr{AttrInts("kernel_shape", 2, 2), AttrInt("storage_order", 3)}, want: ""},
		{op: "InstanceNormalization", opset: 13, shape: []int{1, 3, 2, 2}, floats: map[string][]float32{"s": {1, 1}, "b": {0, 0}}, want: "want [3]"},
		{op: "GroupNormalization", opset: 21, shape: []int{1, 3, 2, 2}, floats: map[string][]float32{"s": {1, 1, 1}, "b": {0, 0, 0}}, attrs: []Attr{AttrInt("num_groups", 2)}, want: "does not divide"},
		{op: "ConvTranspose", opset: 13, shape: []int{1, 2, 3, 3}, floats: map[string][]float32{"w": make([]float32, 3*1*2*2)}, want: "C_in"},
		{op: "Celu", opset: 13, shape: []int{3}, attrs: []Attr{AttrFloat("alpha", 0)}, want: "alpha 0"},
		{op: "Range", opset: 13, ints: map[string][]int64{"a": {0}, "b": {1 << 40}, "c": {1}}, want: "values"},
		{op: "ConstantOfShape", opset: 13, shape: nil, ints: map[string][]int64{"s": {-1}}, want: "out of range"},
	}
	for _, c := range cases {
		b := NewModelBuilder(c.opset)
		ins := []string{}
		if c.shape != nil {
			b.Input("x", c.shape)
			ins = append(ins, "x")
		}
		// Constant inputs in a fixed order: s, e, a, st, pads, split, r, b, w.
		for _, n := range []string{"s", "e", "a", "st", "pads", "split", "r", "b", "c", "w"} {
			if v, ok := c.ints[n]; ok {
				b.InitializerInts(n, []int{len(v)}, v)
				ins = append(ins, n)
			}
			if v, ok := c.floats[n]; ok {
				shape := []int{len(v)}
				if n == "w" {
					shape = []int{3, 1, 2, 2}
				}
				b.InitializerTyped(n, onnxFloat, shape, toF64(v))
				ins = append(ins, n)
			}
		}
		if c.inputs != nil {
			ins = c.inputs
		}
		outs := []string{"y"}
		for i := 1; i < c.outs; i++ {
			outs = append(outs, "y"+string(rune('0'+i)))
		}
		b.Node(c.op, "bad", ins, outs, c.attrs...)
		for _, o := range outs {
			b.Output(o, nil)
		}
		_, err := LoadModel(b.Bytes(), nil)
		if err == nil || !strings.Contains(err.Error(), `"bad"`) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %v: %v, want an error naming the node and %q", c.op, c.attrs, err, c.want)
		}
	}
}

func toF64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, f := range v {
		out[i] = float64(f)
	}
	return out
}
