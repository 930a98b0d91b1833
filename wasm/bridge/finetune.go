package bridge

import (
	"math"

	"wasmcnn/core"
	"wasmcnn/core/onnx"
	"wasmcnn/internal/fmtlite"
)

// FineTuneArgs are the decoded examples and options of a fine-tuning call,
// (inputs, labels, options) of wasmcnn.fineTune. Only the training build
// (lib/wasmcnn-train.wasm) decodes them: the other builds leave this code
// out.
type FineTuneArgs struct {
	// Inputs holds len(Labels) examples of the model's input size each.
	Inputs []float32
	Labels []int
	// Options are the numeric options given, in the order of
	// [FineTuneOptions]; those not given keep the training build's defaults.
	Options []FineTuneSetting
}

// FineTuneSetting is one option given to fineTune.
type FineTuneSetting struct {
	Name  string
	Value float64
}

// FineTuneOption is a numeric option of fineTune and the values it takes:
// from Lo to Hi, either end excluded where Open says so, whole numbers
// only where Integer is set.
type FineTuneOption struct {
	Name           string
	Lo, Hi         float64
	OpenLo, OpenHi bool
	Integer        bool
}

// Limits of fineTune's examples. Those of the options are in
// [FineTuneOptions]; both match nn.FineTune's own (a test holds them to it).
const (
	MaxFineTuneExamples = 10000
	MaxFineTuneClasses  = 1 << 16
)

// FineTuneOptions are the numeric options of fineTune, named as in
// JavaScript; the training build maps each onto nn.FineTuneOptions.
var FineTuneOptions = []FineTuneOption{
	{Name: "trainLayers", Lo: 1, Hi: 1000, Integer: true},
	{Name: "steps", Lo: 1, Hi: 10000, Integer: true},
	{Name: "batchSize", Lo: 1, Hi: 1024, Integer: true},
	{Name: "lr", Lo: 0, Hi: 1, OpenLo: true},
	{Name: "anchor", Lo: 0, Hi: 1e6},
	{Name: "copies", Lo: 1, Hi: 64, Integer: true},
	// augment scales the default distortions of the copies: 0 none, 1 the
	// default ones, 2 twice as strong.
	{Name: "augment", Lo: 0, Hi: 4},
	{Name: "replayBatch", Lo: 0, Hi: 1024, Integer: true},
	{Name: "labelSmoothing", Lo: 0, Hi: 1, OpenHi: true},
	{Name: "seed", Lo: 0, Hi: math.MaxUint32, Integer: true},
}

// ErrFineTuneNoExamples and ErrFineTuneOneClass are the refusals a page
// turns into advice for the person teaching.
var (
	ErrFineTuneNoExamples = &ArgError{Arg: "fineTune", Msg: "no examples: teach at least one example of each of two different classes"}
	ErrFineTuneOneClass   = &ArgError{Arg: "fineTune: labels", Msg: "every example has the same class: teach examples of at least two different classes, or the model would learn to answer that class for everything"}
)

// FineTuneExamples decodes fineTune's (inputs, labels, options) for a model
// taking size values per example and giving classes scores: inputs is a
// Float32Array of whole examples, labels an array of integers (or an
// Int32Array or Uint8Array) with one class per example, options undefined,
// null or an object of [FineTuneOptions]. Every value must be finite and
// the examples must show at least two classes.
func FineTuneExamples(inputs, labels, options Value, size, classes int) (*FineTuneArgs, error) {
	if size < 1 || size > core.MaxElements {
		return nil, argErrorf("fineTune: model", "takes %d values per example; fine-tuning needs a model with a batch dimension and a fixed example size", size)
	}
	if classes < 2 || classes > MaxFineTuneClasses {
		return nil, argErrorf("fineTune: model", "gives %d scores per example, want 2 to %d classes", classes, MaxFineTuneClasses)
	}
	x, err := Floats(inputs, "fineTune: inputs", nil)
	if err != nil {
		return nil, err
	}
	if len(x)%size != 0 {
		return nil, argErrorf("fineTune: inputs", "has %d values, not a whole number of examples of %d values", len(x), size)
	}
	n := len(x) / size
	if n > MaxFineTuneExamples {
		return nil, argErrorf("fineTune: inputs", "holds %d examples, at most %d are allowed", n, MaxFineTuneExamples)
	}
	y, err := fineTuneLabels(labels, n, classes)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, ErrFineTuneNoExamples
	}
	if i := core.FirstNonFinite(x); i >= 0 {
		return nil, argErrorf("fineTune: inputs", "example %d has %v at value %d; inputs must be finite", i/size, x[i], i%size)
	}
	distinct := false
	for _, c := range y {
		distinct = distinct || c != y[0]
	}
	if !distinct {
		return nil, ErrFineTuneOneClass
	}
	opts, err := fineTuneOptions(options)
	if err != nil {
		return nil, err
	}
	return &FineTuneArgs{Inputs: x, Labels: y, Options: opts}, nil
}

// fineTuneLabels reads n labels, each in 0..classes-1.
func fineTuneLabels(v Value, n, classes int) ([]int, error) {
	const arg = "fineTune: labels"
	var y []int
	switch ta := v.TypedArray(); {
	case v.Kind() == Object && v.IsArray():
		if v.Length() != n {
			return nil, argErrorf(arg, "has %d entries for %d examples; want one class per example", v.Length(), n)
		}
		y = make([]int, n)
		for i := range y {
			e := v.Index(i)
			if e.Kind() != Number {
				return nil, argErrorf(arg, "entry %d is %s, want an integer from 0 to %d", i, describe(e), classes-1)
			}
			f := e.Float()
			if !(f == math.Trunc(f)) { // NaN and ±Inf too
				return nil, argErrorf(arg, "entry %d is %v, want an integer from 0 to %d", i, f, classes-1)
			}
			if f < 0 || f >= float64(classes) {
				return nil, argErrorf(arg, "entry %d is %v, out of range: the model has classes 0 to %d", i, f, classes-1)
			}
			y[i] = int(f)
		}
	case v.Kind() == Object && (ta == "Int32Array" || ta == "Uint8Array"):
		width := 1
		if ta == "Int32Array" {
			width = 4
		}
		if v.Length() != n {
			return nil, argErrorf(arg, "has %d entries for %d examples; want one class per example", v.Length(), n)
		}
		if v.ByteLength() != width*n {
			return nil, argErrorf(arg, "its buffer is detached or resized")
		}
		b := make([]byte, width*n)
		if got := v.Bytes(b); got != len(b) {
			return nil, argErrorf(arg, "copied %d bytes of %d: its buffer changed during the call", got, len(b))
		}
		y = make([]int, n)
		for i := range y {
			if width == 1 {
				y[i] = int(b[i])
			} else {
				y[i] = int(int32(uint32(b[4*i]) | uint32(b[4*i+1])<<8 | uint32(b[4*i+2])<<16 | uint32(b[4*i+3])<<24))
			}
			if y[i] < 0 || y[i] >= classes {
				return nil, argErrorf(arg, "entry %d is %d, out of range: the model has classes 0 to %d", i, y[i], classes-1)
			}
		}
	default:
		return nil, argErrorf(arg, "got %s, want an array of integers (or an Int32Array or Uint8Array)", describe(v))
	}
	return y, nil
}

// fineTuneOptions reads the options object: every key must be one of
// [FineTuneOptions], with a value in its range.
func fineTuneOptions(v Value) ([]FineTuneSetting, error) {
	names := make([]string, len(FineTuneOptions))
	for i, o := range FineTuneOptions {
		names[i] = o.Name
	}
	present, err := options(v, "fineTune: options", names...)
	if err != nil || !present {
		return nil, err
	}
	var out []FineTuneSetting
	for _, o := range FineTuneOptions {
		e := v.Get(o.Name)
		if k := e.Kind(); k == Undefined {
			continue
		}
		arg := "fineTune: options." + o.Name
		f, err := Float(e, arg)
		if err != nil {
			return nil, err
		}
		if o.Integer && f != math.Trunc(f) {
			return nil, argErrorf(arg, "got %v, want an integer", f)
		}
		if f < o.Lo || f > o.Hi || (o.OpenLo && f == o.Lo) || (o.OpenHi && f == o.Hi) {
			return nil, argErrorf(arg, "got %v, want %s", f, o.rangeText())
		}
		out = append(out, FineTuneSetting{Name: o.Name, Value: f})
	}
	return out, nil
}

// rangeText describes the values o takes, as in "a number in (0, 1]".
func (o FineTuneOption) rangeText() string {
	if o.Integer {
		return fmtlite.Sprintf("an integer from %v to %v", o.Lo, o.Hi)
	}
	lo, hi := "[", "]"
	if o.OpenLo {
		lo = "("
	}
	if o.OpenHi {
		hi = ")"
	}
	return fmtlite.Sprintf("a number in %s%v, %v%s", lo, o.Lo, o.Hi, hi)
}

// FineTuneFor decodes fineTune's (inputs, labels, options) for model m.
func FineTuneFor(m *onnx.Model, inputs, labels, options Value) (*FineTuneArgs, error) {
	if len(m.Inputs) != 1 || len(m.Outputs) == 0 {
		return nil, argErrorf("fineTune: model", "got a model with %d inputs and %d outputs, want one input and an output", len(m.Inputs), len(m.Outputs))
	}
	size, classes := exampleShape(m.InputShape(0)), exampleShape(m.OutputShape(0))
	return FineTuneExamples(inputs, labels, options, size, classes)
}

// exampleShape is the number of values of one example of a batch of shape
// s (0 if s has no batch dimension).
func exampleShape(s []int) int {
	if len(s) < 2 {
		return 0
	}
	return core.Product(s[1:])
}

// CheckFineTune decodes the arguments (handle, inputs, labels, options) of
// a fine-tuning of loaded model handle.
func (ms *Models) CheckFineTune(args []Value) (*FineTuneArgs, error) {
	if len(args) < 3 || len(args) > 4 {
		return nil, argErrorf("fineTune", "takes (model, inputs, labels, options?), got %d arguments", len(args))
	}
	h, err := Int(args[0], "fineTune: model handle", 1, 1<<30)
	if err != nil {
		return nil, err
	}
	e, ok := ms.m[h]
	if !ok {
		return nil, fmtlite.Errorf("fineTune: the model has been disposed")
	}
	var opts Value = undefinedValue{}
	if len(args) == 4 {
		opts = args[3]
	}
	return FineTuneFor(e.model, args[1], args[2], opts)
}
