package bridge

import (
	"encoding/binary"
	"math"
	"strings"
	"testing"

	"wasmcnn/core"
	"wasmcnn/core/nn"
	"wasmcnn/core/onnx"
)

func testModel(t *testing.T) []byte {
	t.Helper()
	b, err := nn.ReferenceNetS(1).ExportONNX(nn.ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// examples returns n Float32Array examples of size values and their labels
// cycling through classes.
func examples(n, size, classes int) (Value, Value) {
	labels := make([]int, n)
	for i := range labels {
		labels[i] = i % classes
	}
	return f32n(n*size, 0.5), ints(labels...)
}

func i32(xs ...int32) Value {
	b := make([]byte, 4*len(xs))
	for i, x := range xs {
		binary.LittleEndian.PutUint32(b[4*i:], uint32(x))
	}
	return &fake{kind: Object, typed: "Int32Array", data: b}
}

func TestFineTuneExamples(t *testing.T) {
	x, y := examples(4, 6, 3)
	got, err := FineTuneExamples(x, y, obj("steps", num(30), "lr", num(0.5), "augment", num(0), "seed", num(7)), 6, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Inputs) != 24 || len(got.Labels) != 4 || got.Labels[3] != 0 || got.Labels[2] != 2 {
		t.Errorf("got %d inputs, labels %v", len(got.Inputs), got.Labels)
	}
	// Options come back in the table's order, whatever the object's.
	want := []FineTuneSetting{{"steps", 30}, {"lr", 0.5}, {"augment", 0}, {"seed", 7}}
	if len(got.Options) != len(want) {
		t.Fatalf("options %v, want %v", got.Options, want)
	}
	for i, w := range want {
		if got.Options[i] != w {
			t.Errorf("option %d = %v, want %v", i, got.Options[i], w)
		}
	}
	// Labels as typed arrays, and no options at all.
	for _, labels := range []Value{i32(0, 1, 2, 0), u8([]byte{2, 2, 1, 0})} {
		got, err := FineTuneExamples(x, labels, undef(), 6, 3)
		if err != nil {
			t.Errorf("%s labels: %v", labels.TypedArray(), err)
			continue
		}
		if len(got.Labels) != 4 || got.Options != nil {
			t.Errorf("%s labels: got %v, options %v", labels.TypedArray(), got.Labels, got.Options)
		}
	}
	if _, err := FineTuneExamples(x, y, null(), 6, 3); err != nil {
		t.Errorf("null options: %v", err)
	}
}

func TestFineTuneExamplesRefuses(t *testing.T) {
	x4, y4 := examples(4, 6, 3)
	nanAt := make([]float32, 24)
	nanAt[13] = float32(math.NaN())
	infAt := make([]float32, 24)
	infAt[5] = float32(math.Inf(-1))
	detached := &fake{kind: Object, typed: "Int32Array", data: make([]byte, 16), detached: true}
	cases := []struct {
		name                   string
		inputs, labels, opts   Value
		size, classes          int
		want                   string
		isNoExamples, isOneCls bool
	}{
		{name: "no examples", inputs: f32(), labels: ints(), size: 6, classes: 3, isNoExamples: true},
		{name: "one class", inputs: f32n(12, 0.5), labels: ints(1, 1), size: 6, classes: 3, isOneCls: true},
		{name: "one example", inputs: f32n(6, 0.5), labels: ints(2), size: 6, classes: 3, isOneCls: true},
		{name: "inputs not float32", inputs: ints(1, 2), labels: y4, size: 6, classes: 3, want: "inputs: got an array, want a Float32Array"},
		{name: "inputs missing", inputs: undef(), labels: y4, size: 6, classes: 3, want: "inputs: got undefined"},
		{name: "partial example", inputs: f32n(25, 0.5), labels: y4, size: 6, classes: 3, want: "25 values, not a whole number of examples of 6"},
		{name: "too few labels", inputs: x4, labels: ints(0, 1, 2), size: 6, classes: 3, want: "3 entries for 4 examples"},
		{name: "too many labels", inputs: x4, labels: ints(0, 1, 2, 0, 1), size: 6, classes: 3, want: "5 entries for 4 examples"},
		{name: "label too big", inputs: x4, labels: ints(0, 1, 3, 0), size: 6, classes: 3, want: "entry 2 is 3, out of range: the model has classes 0 to 2"},
		{name: "label negative", inputs: x4, labels: ints(0, -1, 2, 0), size: 6, classes: 3, want: "entry 1 is -1, out of range"},
		{name: "label fraction", inputs: x4, labels: arr(num(0), num(1.5), num(2), num(0)), size: 6, classes: 3, want: "entry 1 is 1.5, want an integer"},
		{name: "label NaN", inputs: x4, labels: arr(num(0), num(1), num(math.NaN()), num(0)), size: 6, classes: 3, want: "entry 2 is NaN, want an integer"},
		{name: "label Inf", inputs: x4, labels: arr(num(math.Inf(1)), num(1), num(2), num(0)), size: 6, classes: 3, want: "entry 0 is +Inf, out of range"},
		{name: "label string", inputs: x4, labels: arr(num(0), str("1"), num(2), num(0)), size: 6, classes: 3, want: "entry 1 is string"},
		{name: "labels a string", inputs: x4, labels: str("0123"), size: 6, classes: 3, want: "labels: got string, want an array of integers"},
		{name: "labels float32", inputs: x4, labels: f32(0, 1, 2, 0), size: 6, classes: 3, want: "labels: got Float32Array"},
		{name: "int32 label out of range", inputs: x4, labels: i32(0, 1, -7, 0), size: 6, classes: 3, want: "entry 2 is -7, out of range"},
		{name: "uint8 label out of range", inputs: x4, labels: u8([]byte{0, 1, 9, 0}), size: 6, classes: 3, want: "entry 2 is 9"},
		{name: "int32 labels detached", inputs: x4, labels: detached, size: 6, classes: 3, want: "detached"},
		{name: "NaN input", inputs: f32(nanAt...), labels: y4, size: 6, classes: 3, want: "example 2 has NaN at value 1; inputs must be finite"},
		{name: "Inf input", inputs: f32(infAt...), labels: y4, size: 6, classes: 3, want: "example 0 has -Inf at value 5"},
		{name: "too many examples", inputs: f32n(2*(MaxFineTuneExamples+1), 0), labels: ints(), size: 2, classes: 3, want: "holds 10001 examples, at most 10000"},
		{name: "model without batch", inputs: x4, labels: y4, size: 0, classes: 3, want: "model: takes 0 values per example"},
		{name: "one-class model", inputs: x4, labels: y4, size: 6, classes: 1, want: "gives 1 scores per example"},
		{name: "options not an object", inputs: x4, labels: y4, opts: num(3), size: 6, classes: 3, want: "options: got number, want an options object"},
		{name: "options an array", inputs: x4, labels: y4, opts: ints(1), size: 6, classes: 3, want: "want an options object"},
		{name: "unknown option", inputs: x4, labels: y4, opts: obj("step", num(3)), size: 6, classes: 3, want: `unknown option "step"`},
		{name: "steps zero", inputs: x4, labels: y4, opts: obj("steps", num(0)), size: 6, classes: 3, want: "options.steps: got 0, want an integer from 1 to 10000"},
		{name: "steps too many", inputs: x4, labels: y4, opts: obj("steps", num(1e6)), size: 6, classes: 3, want: "options.steps: got 1e+06"},
		{name: "steps fraction", inputs: x4, labels: y4, opts: obj("steps", num(2.5)), size: 6, classes: 3, want: "got 2.5, want an integer"},
		{name: "steps string", inputs: x4, labels: y4, opts: obj("steps", str("60")), size: 6, classes: 3, want: "options.steps: got string, want a number"},
		{name: "steps null", inputs: x4, labels: y4, opts: obj("steps", null()), size: 6, classes: 3, want: "options.steps: got null"},
		{name: "lr zero", inputs: x4, labels: y4, opts: obj("lr", num(0)), size: 6, classes: 3, want: "options.lr: got 0, want a number in (0, 1]"},
		{name: "lr NaN", inputs: x4, labels: y4, opts: obj("lr", num(math.NaN())), size: 6, classes: 3, want: "options.lr: got NaN, want a finite number"},
		{name: "lr Inf", inputs: x4, labels: y4, opts: obj("lr", num(math.Inf(1))), size: 6, classes: 3, want: "want a finite number"},
		{name: "smoothing one", inputs: x4, labels: y4, opts: obj("labelSmoothing", num(1)), size: 6, classes: 3, want: "want a number in [0, 1)"},
		{name: "copies zero", inputs: x4, labels: y4, opts: obj("copies", num(0)), size: 6, classes: 3, want: "options.copies: got 0"},
		{name: "augment negative", inputs: x4, labels: y4, opts: obj("augment", num(-1)), size: 6, classes: 3, want: "options.augment: got -1, want a number in [0, 4]"},
		{name: "seed negative", inputs: x4, labels: y4, opts: obj("seed", num(-1)), size: 6, classes: 3, want: "options.seed: got -1"},
		{name: "trainLayers zero", inputs: x4, labels: y4, opts: obj("trainLayers", num(0)), size: 6, classes: 3, want: "options.trainLayers: got 0"},
		{name: "replayBatch negative", inputs: x4, labels: y4, opts: obj("replayBatch", num(-2)), size: 6, classes: 3, want: "options.replayBatch: got -2"},
	}
	for _, c := range cases {
		opts := c.opts
		if opts == nil {
			opts = undef()
		}
		_, err := FineTuneExamples(c.inputs, c.labels, opts, c.size, c.classes)
		switch {
		case err == nil:
			t.Errorf("%s: accepted", c.name)
		case c.isNoExamples && err != ErrFineTuneNoExamples:
			t.Errorf("%s: %v, want ErrFineTuneNoExamples", c.name, err)
		case c.isOneCls && err != ErrFineTuneOneClass:
			t.Errorf("%s: %v, want ErrFineTuneOneClass", c.name, err)
		case c.want != "" && !strings.Contains(err.Error(), c.want):
			t.Errorf("%s: %q, want %q", c.name, err, c.want)
		case !strings.HasPrefix(err.Error(), "fineTune"):
			t.Errorf("%s: %q does not name fineTune", c.name, err)
		}
	}
}

func TestCheckFineTune(t *testing.T) {
	var ms Models
	h, _, err := ms.Load([]Value{u8(testModel(t))})
	if err != nil {
		t.Fatal(err)
	}
	size := exampleShape(ms.m[h].model.InputShape(0))
	x, y := examples(3, size, 2)
	if _, err := ms.CheckFineTune([]Value{num(float64(h)), x, y}); err != nil {
		t.Errorf("a good call: %v", err)
	}
	for _, c := range []struct {
		args []Value
		want string
	}{
		{[]Value{num(float64(h)), x}, "takes (model, inputs, labels, options?), got 2 arguments"},
		{[]Value{num(float64(h)), x, y, undef(), undef()}, "got 5 arguments"},
		{[]Value{num(999), x, y}, "disposed"},
		{[]Value{str("1"), x, y}, "handle: got string"},
		{[]Value{num(float64(h)), f32n(size+1, 0), ints(0, 1)}, "not a whole number of examples"},
		{[]Value{num(float64(h)), x, ints(0, 1, 99)}, "out of range"},
		{[]Value{num(float64(h)), x, y, obj("steps", num(-3))}, "options.steps: got -3"},
	} {
		_, err := ms.CheckFineTune(c.args)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%d arguments: %v, want %q", len(c.args), err, c.want)
		}
	}
}

// TestCheckFineTuneModelWithoutInput checks that a model with no input (it
// loads: its output is a constant) is refused by fineTune with a clear
// error, not a panic.
func TestCheckFineTuneModelWithoutInput(t *testing.T) {
	b := onnx.NewModelBuilder(13)
	b.Initializer("w", &core.Tensor{Shape: []int{1, 10}, Data: make([]float32, 10)})
	b.Node("Relu", "", []string{"w"}, []string{"y"})
	b.Output("y", nil)
	var ms Models
	h, _, err := ms.Load([]Value{u8(b.Bytes())})
	if err != nil {
		t.Fatal(err)
	}
	x, y := examples(3, 784, 2)
	_, err = ms.CheckFineTune([]Value{num(float64(h)), x, y})
	if err == nil || !strings.Contains(err.Error(), "0 inputs") {
		t.Errorf("error %v, want one saying the model has 0 inputs", err)
	}
}

// FuzzFineTuneExamples decodes fineTune's arguments built from the fuzz
// input: never a panic, and whatever is accepted holds whole, finite
// examples with labels in range, of at least two classes, and options in
// their ranges.
func FuzzFineTuneExamples(f *testing.F) {
	f.Add([]byte{8, 8, 5, 0x30, 3, 0, 3, 1, 7, 0x10, 2}, uint8(2), uint8(3))
	f.Add([]byte{8, 4, 0, 0, 0x7f, 0x7f, 5, 0x20, 3, 3, 3}, uint8(1), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, size, classes uint8) {
		var args [3]Value
		b := data
		for i := range args {
			args[i], b = valueFromBytes(b, 0)
		}
		got, err := FineTuneExamples(args[0], args[1], args[2], int(size), int(classes))
		if err != nil {
			return
		}
		n := len(got.Labels)
		if n == 0 || len(got.Inputs) != n*int(size) {
			t.Fatalf("accepted %d values for %d labels of size %d", len(got.Inputs), n, size)
		}
		two := false
		for _, y := range got.Labels {
			if y < 0 || y >= int(classes) {
				t.Fatalf("accepted label %d of %d classes", y, classes)
			}
			two = two || y != got.Labels[0]
		}
		if !two {
			t.Fatal("accepted one class")
		}
		if i := core.FirstNonFinite(got.Inputs); i >= 0 {
			t.Fatalf("accepted a non-finite input at %d", i)
		}
		for _, s := range got.Options {
			for _, o := range FineTuneOptions {
				if o.Name == s.Name && (s.Value < o.Lo || s.Value > o.Hi || math.IsNaN(s.Value)) {
					t.Fatalf("accepted %s = %v", s.Name, s.Value)
				}
			}
		}
	})
}
