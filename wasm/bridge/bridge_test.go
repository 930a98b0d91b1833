package bridge

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"wasmcnn/core"
	"wasmcnn/core/nn"
)

// badCall is an API call that must be refused with a message containing want.
type badCall struct {
	desc string
	call func() error
	want string
}

func opCall(f func([]Value) (*core.Tensor, error), args ...Value) func() error {
	return func() error { _, err := f(args); return err }
}

func pool(isMax bool) func([]Value) (*core.Tensor, error) {
	return func(a []Value) (*core.Tensor, error) { return Pool2D(isMax, a) }
}

// badCalls lists wrong calls of the ops: wrong types, missing and extra
// arguments, wrong lengths and shapes, zero, negative and huge dimensions,
// NaN and infinities in options, detached buffers.
func badCalls() []badCall {
	x := tensor([]int{1, 1, 5, 5}, f32n(25, 1))
	w := tensor([]int{2, 1, 3, 3}, f32n(18, 1))
	nan, inf := math.NaN(), math.Inf(1)
	detached := &fake{kind: Object, typed: "Float32Array", data: make([]byte, 100), detached: true}
	cs := []badCall{
		{"conv2d without arguments", opCall(Conv2D), "takes (x, w, bias?, options?)"},
		{"conv2d with one argument", opCall(Conv2D, x), "takes (x, w"},
		{"conv2d with five arguments", opCall(Conv2D, x, w, null(), undef(), undef()), "got 5 arguments"},
		{"x is a number", opCall(Conv2D, num(3), w), "conv2d: x: got number, want a tensor"},
		{"x is a string", opCall(Conv2D, str("x"), w), "got string"},
		{"x is null", opCall(Conv2D, null(), w), "got null"},
		{"x is undefined", opCall(Conv2D, undef(), w), "got undefined"},
		{"x is a function", opCall(Conv2D, fn(), w), "got function"},
		{"x is a bare Float32Array", opCall(Conv2D, f32n(25, 1), w), "got Float32Array, want a tensor"},
		{"x is an array", opCall(Conv2D, ints(1, 2), w), "got an array"},
		{"x without shape", opCall(Conv2D, obj("data", f32n(25, 1)), w), "x.shape: got undefined"},
		{"x without data", opCall(Conv2D, obj("shape", ints(1, 1, 5, 5)), w), "x.data: got undefined"},
		{"data is a plain array", opCall(Conv2D, obj("data", ints(1, 2), "shape", ints(2)), w), "want a Float32Array"},
		{"data is a Float64Array", opCall(Conv2D, obj("data", typed("Float64Array", 200), "shape", ints(1, 1, 5, 5)), w), "got Float64Array"},
		{"data is a Uint8Array", opCall(Conv2D, obj("data", typed("Uint8Array", 25), "shape", ints(1, 1, 5, 5)), w), "got Uint8Array"},
		{"shape is a string", opCall(Conv2D, obj("data", f32n(25, 1), "shape", str("1,1,5,5")), w), "x.shape: got string"},
		{"shape has a string entry", opCall(Conv2D, obj("data", f32n(25, 1), "shape", arr(num(1), str("1"), num(5), num(5))), w), "x.shape[1]: got string"},
		{"shape has a fraction", opCall(Conv2D, tensorF([]float64{1, 1, 5.5, 5}, f32n(25, 1)), w), "got 5.5, want an integer"},
		{"shape has NaN", opCall(Conv2D, tensorF([]float64{1, 1, nan, 5}, f32n(25, 1)), w), "want an integer"},
		{"shape has Infinity", opCall(Conv2D, tensorF([]float64{1, 1, inf, 5}, f32n(25, 1)), w), "want an integer"},
		{"shape has zero", opCall(Conv2D, tensor([]int{1, 0, 5, 5}, f32n(0, 1)), w), "got 0, want 1 to"},
		{"shape has a negative", opCall(Conv2D, tensor([]int{1, -1, 5, 5}, f32n(25, 1)), w), "got -1"},
		{"shape is huge", opCall(Conv2D, tensor([]int{1 << 20, 1 << 20, 1 << 20, 1}, f32n(25, 1)), w), "too large"},
		{"shape overflows", opCall(Conv2D, tensorF([]float64{1 << 40, 1 << 40, 1, 1}, f32n(25, 1)), w), "want 1 to"},
		{"shape of rank 9", opCall(Conv2D, tensor([]int{1, 1, 1, 1, 1, 1, 1, 1, 1}, f32n(1, 1)), w), "at most 8"},
		{"data shorter than shape", opCall(Conv2D, tensor([]int{1, 1, 5, 5}, f32n(24, 1)), w), "needs 25 values, data has 24"},
		{"data longer than shape", opCall(Conv2D, tensor([]int{1, 1, 5, 5}, f32n(26, 1)), w), "needs 25 values, data has 26"},
		{"detached buffer", opCall(Conv2D, obj("data", detached, "shape", ints(5, 5)), w), "detached"},
		{"NaN data", opCall(Conv2D, tensor([]int{1, 1, 5, 5}, f32n(25, float32(nan))), w), "must be finite"},
		{"Infinity in weights", opCall(Conv2D, x, tensor([]int{2, 1, 3, 3}, f32n(18, float32(inf)))), "must be finite"},
		{"x of rank 3", opCall(Conv2D, tensor([]int{1, 5, 5}, f32n(25, 1)), w), "want rank 4"},
		{"w of rank 2", opCall(Conv2D, x, tensor([]int{3, 3}, f32n(9, 1))), "want rank 4"},
		{"channels disagree", opCall(Conv2D, x, tensor([]int{2, 2, 3, 3}, f32n(36, 1))), "reach through 2 channels"},
		{"kernel larger than input", opCall(Conv2D, x, tensor([]int{1, 1, 7, 7}, f32n(49, 1))), "does not fit"},
		{"bias of wrong length", opCall(Conv2D, x, w, tensor([]int{3}, f32n(3, 0))), "want [2]"},
		{"bias is a number", opCall(Conv2D, x, w, num(1)), "conv2d: bias: got number"},
		{"options is a number", opCall(Conv2D, x, w, null(), num(1)), "want an options object"},
		{"options is an array", opCall(Conv2D, x, w, null(), ints(1)), "want an options object"},
		{"unknown option", opCall(Conv2D, x, w, null(), obj("stride", num(2))), `unknown option "stride"`},
		{"strides zero", opCall(Conv2D, x, w, null(), obj("strides", num(0))), "got 0, want 1 to"},
		{"strides negative", opCall(Conv2D, x, w, null(), obj("strides", ints(-1, 1))), "got -1"},
		{"strides NaN", opCall(Conv2D, x, w, null(), obj("strides", num(nan))), "want an integer"},
		{"strides of three", opCall(Conv2D, x, w, null(), obj("strides", ints(1, 1, 1))), "has 3 entries, want 2"},
		{"pads of three", opCall(Conv2D, x, w, null(), obj("pads", ints(1, 1, 1))), "has 3 entries, want 4"},
		{"pads negative", opCall(Conv2D, x, w, null(), obj("pads", num(-2))), "got -2"},
		{"pads Infinity", opCall(Conv2D, x, w, null(), obj("pads", num(inf))), "want an integer"},
		{"pads huge", opCall(Conv2D, x, w, null(), obj("pads", num(1e9))), "want 0 to"},
		{"dilations zero", opCall(Conv2D, x, w, null(), obj("dilations", ints(0, 1))), "got 0"},
		{"group zero", opCall(Conv2D, x, w, null(), obj("group", num(0))), "group: got 0"},
		{"group not dividing", opCall(Conv2D, tensor([]int{1, 3, 5, 5}, f32n(75, 1)), tensor([]int{2, 1, 3, 3}, f32n(18, 1)), null(), obj("group", num(2))), "multiples of group"},
		{"autoPad unknown", opCall(Conv2D, x, w, null(), obj("autoPad", str("full"))), `got "full"`},
		{"autoPad a number", opCall(Conv2D, x, w, null(), obj("autoPad", num(1))), "autoPad: got number"},
		{"too much work", opCall(Conv2D, tensor([]int{1, 512, 64, 64}, f32n(512*64*64, 0)), tensor([]int{512, 512, 3, 3}, f32n(512*512*9, 0)), null(), obj("autoPad", str("same"))), "more than the limit"},
		{"too large an im2col", opCall(Conv2D, tensor([]int{1, 64, 256, 256}, f32n(64*256*256, 0)), tensor([]int{8, 64, 9, 9}, f32n(8*64*81, 0)), null(), obj("autoPad", str("same"))), "too large"},

		{"maxPool2d without options", opCall(pool(true), x), "takes (x, options)"},
		{"maxPool2d options undefined", opCall(pool(true), x, undef()), "pooling needs {kernel"},
		{"maxPool2d without kernel", opCall(pool(true), x, obj("strides", num(2))), "kernel: missing"},
		{"maxPool2d kernel zero", opCall(pool(true), x, obj("kernel", num(0))), "got 0"},
		{"maxPool2d kernel too large", opCall(pool(true), x, obj("kernel", num(6))), "does not fit"},
		{"maxPool2d ceilMode a number", opCall(pool(true), x, obj("kernel", num(2), "ceilMode", num(1))), "want a boolean"},
		{"maxPool2d countIncludePad unknown to max", opCall(pool(true), x, obj("kernel", num(2), "countIncludePad", boolean(true))), ""},
		{"avgPool2d countIncludePad a string", opCall(pool(false), x, obj("kernel", num(2), "countIncludePad", str("yes"))), "want a boolean"},
		{"avgPool2d x rank 2", opCall(pool(false), tensor([]int{5, 5}, f32n(25, 1)), obj("kernel", num(2))), "want rank 4"},
		{"avgPool2d unknown option", opCall(pool(false), x, obj("kernel", num(2), "size", num(2))), `unknown option "size"`},

		{"dense with one argument", opCall(Dense, x), "takes (x, w, bias?)"},
		{"dense w of rank 1", opCall(Dense, tensor([]int{3}, f32n(3, 1)), tensor([]int{3}, f32n(3, 1))), "want [out, in]"},
		{"dense sizes disagree", opCall(Dense, tensor([]int{2, 4}, f32n(8, 1)), tensor([]int{3, 5}, f32n(15, 1))), "want [N, 5]"},
		{"dense bias wrong", opCall(Dense, tensor([]int{2, 5}, f32n(10, 1)), tensor([]int{3, 5}, f32n(15, 1)), tensor([]int{5}, f32n(5, 1))), "want [3]"},
		{"relu without x", opCall(ReLU), "takes (x)"},
		{"relu with two", opCall(ReLU, x, x), "takes (x)"},
		{"relu of a number", opCall(ReLU, num(1)), "relu: x: got number"},
		{"softmax axis out of range", opCall(Softmax, x, num(4)), "softmax: axis: got 4"},
		{"softmax axis fraction", opCall(Softmax, x, num(0.5)), "want an integer"},
		{"softmax axis a string", opCall(Softmax, x, str("last")), "got string"},
	}
	// The maxPool2d countIncludePad case is valid for max pooling? It is an
	// option only averages take; the window reader accepts it for both, so it
	// is left out of the bad calls.
	out := cs[:0]
	for _, c := range cs {
		if c.want != "" {
			out = append(out, c)
		}
	}
	return out
}

// tensorF builds a tensor whose shape holds arbitrary numbers.
func tensorF(shape []float64, data Value) Value {
	vs := make([]Value, len(shape))
	for i, s := range shape {
		vs[i] = num(s)
	}
	return obj("data", data, "shape", arr(vs...))
}

func TestBadCalls(t *testing.T) {
	for _, c := range badCalls() {
		err := func() (err error) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("%s: panicked: %v", c.desc, r)
				}
			}()
			return c.call()
		}()
		if err == nil {
			t.Errorf("%s: no error", c.desc)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q, want it to contain %q", c.desc, err, c.want)
		}
	}
}

// TestOpsMatchCore checks that the ops compute what core computes.
func TestOpsMatchCore(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	rnd := func(n int) ([]float32, Value) {
		xs := make([]float32, n)
		for i := range xs {
			xs[i] = r.Float32()*2 - 1
		}
		return xs, f32(xs...)
	}
	xd, xv := rnd(2 * 3 * 7 * 6)
	wd, wv := rnd(4 * 3 * 3 * 3)
	bd, bv := rnd(4)
	y, err := Conv2D([]Value{tensor([]int{2, 3, 7, 6}, xv), tensor([]int{4, 3, 3, 3}, wv), tensor([]int{4}, bv), obj("strides", num(2), "pads", ints(1, 0, 1, 2))})
	if err != nil {
		t.Fatal(err)
	}
	g, _ := core.NewConvGeom([]int{2, 3, 7, 6}, []int{4, 3, 3, 3}, core.Window{StrideH: 2, StrideW: 2, PadTop: 1, PadBottom: 1, PadRight: 2}, 1)
	want := make([]float32, len(y.Data))
	core.Conv2D(want, xd, wd, bd, &g, make([]float32, g.ColSize()))
	if !equal(y.Data, want) || y.Shape[2] != g.OH || y.Shape[3] != g.OW {
		t.Errorf("conv2d differs from core")
	}
	p, err := Pool2D(true, []Value{tensor([]int{2, 3, 7, 6}, xv), obj("kernel", ints(2, 2))})
	if err != nil {
		t.Fatal(err)
	}
	if p.Shape[2] != 3 || p.Shape[3] != 3 {
		t.Errorf("max pooling 7×6 by 2 gives %v, want 3×3 (stride defaults to the kernel)", p.Shape)
	}
	s, err := Softmax([]Value{tensor([]int{2, 3}, f32(1, 2, 3, 0, 0, 0))})
	if err != nil {
		t.Fatal(err)
	}
	if d := s.Data[3] - 1.0/3; d > 1e-6 || d < -1e-6 {
		t.Errorf("softmax of zeros: %v", s.Data)
	}
	d, err := Dense([]Value{tensor([]int{2}, f32(1, 2)), tensor([]int{3, 2}, f32(1, 0, 0, 1, 1, 1)), tensor([]int{3}, f32(0, 0, 10))})
	if err != nil {
		t.Fatal(err)
	}
	if !equal(d.Data, []float32{1, 2, 13}) || len(d.Shape) != 1 {
		t.Errorf("dense of a vector: %v %v", d.Shape, d.Data)
	}
}

func equal(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if d := a[i] - b[i]; d > 1e-5 || d < -1e-5 {
			return false
		}
	}
	return true
}

func TestModels(t *testing.T) {
	onnx, err := nn.ReferenceNetS(1).ExportONNX(nn.ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var ms Models
	bad := []struct {
		desc string
		args []Value
		want string
	}{
		{"no bytes", nil, "takes (bytes"},
		{"a string", []Value{str("model.onnx")}, "want a Uint8Array or an ArrayBuffer"},
		{"a Float32Array", []Value{f32(1, 2)}, "got Float32Array"},
		{"garbage bytes", []Value{u8([]byte("not a model"))}, "corrupt model"},
		{"empty bytes", []Value{u8(nil)}, "empty model"},
		{"truncated", []Value{u8(onnx[:len(onnx)/3])}, "corrupt model"},
		{"options a number", []Value{u8(onnx), num(1)}, "want an options object"},
		{"unknown option", []Value{u8(onnx), obj("limits", num(1))}, `unknown option "limits"`},
		{"externalData an array", []Value{u8(onnx), obj("externalData", ints(1))}, "want an object"},
	}
	for _, c := range bad {
		if _, _, err := ms.Load(c.args); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.desc, err, c.want)
		}
	}
	h, m, err := ms.Load([]Value{u8(onnx)})
	if err != nil {
		t.Fatal(err)
	}
	in := make([]float32, 784)
	for i := range in {
		in[i] = float32(i%29) / 29
	}
	b, shape, err := ms.Predict(h, f32(in...))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := m.Predict(in)
	if len(b) != 40 || shape[1] != 10 || math.Float32frombits(uint32(b[0])|uint32(b[1])<<8|uint32(b[2])<<16|uint32(b[3])<<24) != want[0] {
		t.Errorf("predict gave %d bytes, shape %v", len(b), shape)
	}
	for _, c := range []struct {
		desc string
		x    Value
		want string
	}{
		{"wrong length", f32n(783, 0), "783 values"},
		{"NaN input", f32n(784, float32(math.NaN())), "must be finite"},
		{"Infinity input", f32n(784, float32(math.Inf(-1))), "must be finite"},
		{"not a typed array", ints(1, 2, 3), "want a Float32Array"},
	} {
		if _, _, err := ms.Predict(h, c.x); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("predict %s: %v, want %q", c.desc, err, c.want)
		}
	}
	// A batch of two works, and one example again after it.
	if _, shape, err := ms.Predict(h, f32n(2*784, 0.5)); err != nil || shape[0] != 2 {
		t.Errorf("batch of 2: %v %v", shape, err)
	}
	x := f32(in...)
	if allocs := testing.AllocsPerRun(20, func() { _, _, _ = ms.Predict(h, x) }); allocs != 0 {
		t.Errorf("predict allocates %v times per call", allocs)
	}
	ms.Dispose(h)
	if _, _, err := ms.Predict(h, f32(in...)); err == nil || !strings.Contains(err.Error(), "disposed") {
		t.Errorf("predict after dispose: %v", err)
	}
	ms.Dispose(h)
}

// TestPreparedRuns checks predict's fast path: a staging buffer per
// generation that is never dropped, runs that name a stale generation or
// too many values refused, two models sharing the stage, answers equal to
// the model's own, and disposed models refused.
func TestPreparedRuns(t *testing.T) {
	onnx, err := nn.ReferenceNetS(1).ExportONNX(nn.ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var ms Models
	h1, m1, _ := ms.Load([]Value{u8(onnx)})
	h2, _, _ := ms.Load([]Value{u8(onnx)})
	if _, _, _, err := ms.Prepare(h1, 783); err == nil || !strings.Contains(err.Error(), "783 values") {
		t.Errorf("prepare 783: %v", err)
	}
	if _, _, _, err := ms.Prepare(99, 784); err == nil || !strings.Contains(err.Error(), "disposed") {
		t.Errorf("prepare of an unknown handle: %v", err)
	}
	stage, gen, outLen, err := ms.Prepare(h1, 784)
	if err != nil || gen != 1 || outLen != 10 || len(stage) != 784 {
		t.Fatalf("prepare: %d values, generation %d, output %d, %v", len(stage), gen, outLen, err)
	}
	for i := range stage {
		stage[i] = float32(i%31) / 31
	}
	x := append([]float32(nil), stage...)
	got, err := ms.RunPrepared(h1, 784, gen)
	if err != nil {
		t.Fatal(err)
	}
	got = append([]float32(nil), got...)
	want, _ := m1.Predict(x)
	if !equal(got, want) {
		t.Errorf("run %v, want %v", got, want)
	}
	// A larger batch for the other model grows the stage: the old
	// generation is refused, the old buffer stays allocated.
	old := stage
	stage2, gen2, outLen2, err := ms.Prepare(h2, 3*784)
	if err != nil || gen2 != 2 || outLen2 != 30 || &stage2[0] == &old[0] {
		t.Fatalf("prepare of a batch of 3: generation %d, output %d, %v", gen2, outLen2, err)
	}
	if _, err := ms.RunPrepared(h1, 784, gen); err == nil || !strings.Contains(err.Error(), "generation 1") {
		t.Errorf("run with a stale generation: %v", err)
	}
	if _, err := ms.RunPrepared(h1, len(stage2)+1, gen2); err == nil {
		t.Error("run past the stage was not refused")
	}
	stage2[5] = float32(math.NaN())
	if _, err := ms.RunPrepared(h2, 3*784, gen2); err == nil || !strings.Contains(err.Error(), "must be finite") {
		t.Errorf("run on NaN: %v", err)
	}
	// Both models run from the one stage.
	copy(stage2, x)
	if got, err := ms.RunPrepared(h1, 784, gen2); err != nil || !equal(got, want) {
		t.Errorf("model 1 from the new stage: %v %v", got, err)
	}
	ms.Dispose(h1)
	if _, err := ms.RunPrepared(h1, 784, gen2); err == nil || !strings.Contains(err.Error(), "disposed") {
		t.Errorf("run after dispose: %v", err)
	}
}

// TestExplainArgs checks explain's argument reading: the node by name or by
// index, positions inside the output, the optional example, and errors that
// say what was wrong for everything else.
func TestExplainArgs(t *testing.T) {
	onnx, err := nn.ReferenceNetS(5).ExportONNX(nn.ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var ms Models
	h, m, err := ms.Load([]Value{u8(onnx)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ms.Explain(h, []Value{num(0), num(0), num(0), num(0)}); err == nil || !strings.Contains(err.Error(), "not run yet") {
		t.Errorf("explain before predict: %v", err)
	}
	if _, _, err := ms.Predict(h, f32n(2*784, 0.5)); err != nil {
		t.Fatal(err)
	}
	byName, err := ms.Explain(h, []Value{str("conv2"), num(3), num(0), num(7)})
	if err != nil {
		t.Fatal(err)
	}
	steps := m.Steps()
	idx := -1
	for i, s := range steps {
		if s.Node.Name == "conv2" {
			idx = i
		}
	}
	byIndex, err := ms.Explain(h, []Value{num(float64(idx)), num(3), num(0), num(7), num(1)})
	if err != nil {
		t.Fatal(err)
	}
	if byName.Node != "conv2" || byName.Channel != 3 || byName.X != 7 || byName.Example != 0 || byIndex.Example != 1 || byIndex.Node != "conv2" {
		t.Errorf("explain by name gave %s %d,%d,%d ex %d; by index ex %d", byName.Node, byName.Channel, byName.Y, byName.X, byName.Example, byIndex.Example)
	}
	fc, err := ms.Explain(h, []Value{str("fc"), num(9), num(0), num(0), undef()})
	if err != nil || fc.Op != "Gemm" || len(fc.Window) != 256 {
		t.Errorf("explain fc: %v %v", fc, err)
	}
	for _, c := range []struct {
		desc string
		args []Value
		want string
	}{
		{"no arguments", nil, "takes (node, channel, y, x, example?)"},
		{"three arguments", []Value{num(0), num(0), num(0)}, "got 3 arguments"},
		{"six arguments", []Value{num(0), num(0), num(0), num(0), num(0), num(0)}, "got 6 arguments"},
		{"unknown name", []Value{str("nope"), num(0), num(0), num(0)}, `no node "nope"`},
		{"long unknown name", []Value{str(strings.Repeat("n", 500)), num(0), num(0), num(0)}, "…"},
		{"node an object", []Value{obj(), num(0), num(0), num(0)}, "node: got object, want a node name or an index"},
		{"node null", []Value{null(), num(0), num(0), num(0)}, "node: got null"},
		{"negative node", []Value{num(-1), num(0), num(0), num(0)}, "node: got -1"},
		{"node past the end", []Value{num(99), num(0), num(0), num(0)}, "node: got 99"},
		{"fractional node", []Value{num(0.5), num(0), num(0), num(0)}, "want an integer"},
		{"a ReLU", []Value{str("relu1"), num(0), num(0), num(0)}, "is a Relu; explain covers"},
		{"channel too large", []Value{str("conv1"), num(8), num(0), num(0)}, `position (example 0, channel 8, y 0, x 0) is outside node "conv1"'s output [2 8 28 28]`},
		{"channel a string", []Value{str("conv1"), str("0"), num(0), num(0)}, "channel: got string"},
		{"y negative", []Value{str("conv1"), num(0), num(-1), num(0)}, "y: got -1"},
		{"x NaN", []Value{str("conv1"), num(0), num(0), num(math.NaN())}, "x: got NaN"},
		{"x past the map", []Value{str("pool1"), num(0), num(0), num(14)}, "x 14) is outside node \"pool1\"'s output [2 8 14 14]"},
		{"dense y", []Value{str("fc"), num(0), num(1), num(0)}, "y 1, x 0) is outside node \"fc\"'s output [2 10]"},
		{"example past the batch", []Value{str("conv1"), num(0), num(0), num(0), num(2)}, "position (example 2,"},
		{"x too large for anything", []Value{str("conv1"), num(0), num(0), num(1 << 31)}, "x: got 2.147483648e+09, want 0 to 1073741824"},
		{"example a string", []Value{str("conv1"), num(0), num(0), num(0), str("1")}, "example: got string"},
	} {
		if _, err := ms.Explain(h, c.args); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("explain %s: %v, want %q", c.desc, err, c.want)
		}
	}
	ms.Dispose(h)
	if _, err := ms.Explain(h, []Value{num(0), num(0), num(0), num(0)}); err == nil || !strings.Contains(err.Error(), "disposed") {
		t.Errorf("explain after dispose: %v", err)
	}
}

func TestDeclaredShape(t *testing.T) {
	for _, c := range []struct {
		declared, planned []int
		batchOpen         bool
		want              string
	}{
		{[]int{-1, 1, 28, 28}, []int{1, 1, 28, 28}, false, "[-1 1 28 28]"},
		{[]int{1, 1, 28, 28}, []int{1, 1, 28, 28}, true, "[1 1 28 28]"},
		{[]int{-1, -1, 3}, []int{1, 1, 3}, false, "[-1 -1 3]"},
		{nil, []int{1, 10}, true, "[-1 10]"},
		{nil, []int{1, 10}, false, "[1 10]"},
		{[]int{-1}, []int{1, 10}, true, "[1 10]"},
	} {
		if got := fmt.Sprint(DeclaredShape(c.declared, c.planned, c.batchOpen)); got != c.want {
			t.Errorf("DeclaredShape(%v, %v, %v) = %s, want %s", c.declared, c.planned, c.batchOpen, got, c.want)
		}
	}
}
