package bridge

import (
	"errors"

	"wasmcnn/core"
)

// MaxOpMACs bounds the work of one op call from JavaScript (2^32
// multiply-accumulates, seconds of work), so a mistaken shape cannot freeze
// the page for minutes.
const MaxOpMACs = 1 << 32

// window reads the window options shared by conv2d and the poolings:
// strides, pads ([top, left, bottom, right]), dilations and autoPad, plus
// kernel for pooling.
func window(v Value, arg string, pool bool) (core.Window, error) {
	var w core.Window
	allowed := []string{"strides", "pads", "dilations", "autoPad"}
	if pool {
		allowed = append(allowed, "kernel", "ceilMode", "countIncludePad")
	} else {
		allowed = append(allowed, "group")
	}
	present, err := options(v, arg, allowed...)
	if err != nil {
		return w, err
	}
	if !present {
		if pool {
			return w, argErrorf(arg, "missing: pooling needs {kernel: [kh, kw]}")
		}
		return w, nil
	}
	pair := func(name string, lo int) ([]int, error) {
		x := v.Get(name)
		if k := x.Kind(); k == Undefined || k == Null {
			return nil, nil
		}
		if x.Kind() == Number {
			n, err := Int(x, arg+"."+name, lo, 1<<16)
			return []int{n, n}, err
		}
		return Ints(x, arg+"."+name, 2, lo, 1<<16)
	}
	if pool {
		k, err := pair("kernel", 1)
		if err != nil {
			return w, err
		}
		if k == nil {
			return w, argErrorf(arg+".kernel", "missing: pooling needs a kernel size, like [2, 2]")
		}
		w.KernelH, w.KernelW = k[0], k[1]
		if c := v.Get("ceilMode"); c.Kind() == Boolean {
			w.CeilMode = c.Bool()
		} else if c.Kind() != Undefined {
			return w, argErrorf(arg+".ceilMode", "got %s, want a boolean", describe(c))
		}
	}
	if s, err := pair("strides", 1); err != nil {
		return w, err
	} else if s != nil {
		w.StrideH, w.StrideW = s[0], s[1]
	} else if pool {
		w.StrideH, w.StrideW = w.KernelH, w.KernelW // pooling steps by its window unless told otherwise
	}
	if d, err := pair("dilations", 1); err != nil {
		return w, err
	} else if d != nil {
		w.DilationH, w.DilationW = d[0], d[1]
	}
	if p := v.Get("pads"); p.Kind() != Undefined && p.Kind() != Null {
		if p.Kind() == Number {
			n, err := Int(p, arg+".pads", 0, 1<<16)
			if err != nil {
				return w, err
			}
			w.PadTop, w.PadLeft, w.PadBottom, w.PadRight = n, n, n, n
		} else {
			ps, err := Ints(p, arg+".pads", 4, 0, 1<<16)
			if err != nil {
				return w, argErrorf(arg+".pads", "want a number or [top, left, bottom, right]: %v", err)
			}
			w.PadTop, w.PadLeft, w.PadBottom, w.PadRight = ps[0], ps[1], ps[2], ps[3]
		}
	}
	if a := v.Get("autoPad"); a.Kind() != Undefined && a.Kind() != Null {
		if a.Kind() != String {
			return w, argErrorf(arg+".autoPad", "got %s, want \"valid\", \"same\", \"same_upper\" or \"same_lower\"", describe(a))
		}
		switch a.Str() {
		case "valid", "VALID":
			w.AutoPad = core.AutoPadValid
		case "same", "same_upper", "SAME_UPPER":
			w.AutoPad = core.AutoPadSameUpper
		case "same_lower", "SAME_LOWER":
			w.AutoPad = core.AutoPadSameLower
		default:
			return w, argErrorf(arg+".autoPad", "got %q, want \"valid\", \"same\", \"same_upper\" or \"same_lower\"", a.Str())
		}
	}
	return w, nil
}

// Conv2D runs conv2d(x, w, bias?, options?): x is [N, C, H, W], w is
// [K, C/group, KH, KW], bias [K]; options {strides, pads, dilations, group,
// autoPad}.
func Conv2D(args []Value) (*core.Tensor, error) {
	if len(args) < 2 || len(args) > 4 {
		return nil, argErrorf("conv2d", "takes (x, w, bias?, options?), got %d arguments", len(args))
	}
	x, err := Tensor(args[0], "conv2d: x")
	if err != nil {
		return nil, err
	}
	w, err := Tensor(args[1], "conv2d: w")
	if err != nil {
		return nil, err
	}
	var b *core.Tensor
	if len(args) > 2 {
		if b, err = OptionalTensor(args[2], "conv2d: bias"); err != nil {
			return nil, err
		}
	}
	var opts Value = undefinedValue{}
	if len(args) > 3 {
		opts = args[3]
	}
	win, err := window(opts, "conv2d: options", false)
	if err != nil {
		return nil, err
	}
	group := 1
	if opts.Kind() == Object {
		if group, err = IntOr(opts.Get("group"), "conv2d: options.group", 1, 1, 1<<16); err != nil {
			return nil, err
		}
	}
	g, err := core.NewConvGeom(x.Shape, w.Shape, win, group)
	if err != nil {
		return nil, argErrorf("conv2d", "%v", err)
	}
	if b != nil && (len(b.Shape) != 1 || b.Shape[0] != g.K) {
		return nil, argErrorf("conv2d: bias", "has shape %v, want [%d] (one per filter)", b.Shape, g.K)
	}
	if g.MACs() > MaxOpMACs {
		return nil, argErrorf("conv2d", "needs %d multiply-accumulates, more than the limit of %d", g.MACs(), int64(MaxOpMACs))
	}
	y := core.NewTensor(g.OutShape()...)
	var bias []float32
	if b != nil {
		bias = b.Data
	}
	core.Conv2D(y.Data, x.Data, w.Data, bias, &g, make([]float32, g.ColSize()))
	return y, nil
}

// Pool2D runs maxPool2d(x, options) or avgPool2d(x, options): options
// {kernel, strides (default: the kernel), pads, dilations, ceilMode,
// countIncludePad (average only), autoPad}.
func Pool2D(isMax bool, args []Value) (*core.Tensor, error) {
	name := "avgPool2d"
	if isMax {
		name = "maxPool2d"
	}
	if len(args) != 2 {
		return nil, argErrorf(name, "takes (x, options), got %d arguments", len(args))
	}
	x, err := Tensor(args[0], name+": x")
	if err != nil {
		return nil, err
	}
	win, err := window(args[1], name+": options", true)
	if err != nil {
		return nil, err
	}
	g, err := core.NewPoolGeom(name, x.Shape, win)
	if err != nil {
		return nil, argErrorf(name, "%v", err)
	}
	if int64(g.N*g.C*g.OH*g.OW)*int64(g.KH*g.KW) > MaxOpMACs {
		return nil, argErrorf(name, "too much work for one call")
	}
	y := core.NewTensor(g.OutShape()...)
	if isMax {
		core.MaxPool2D(y.Data, x.Data, nil, &g)
		return y, nil
	}
	cip := false
	if c := args[1].Get("countIncludePad"); c.Kind() == Boolean {
		cip = c.Bool()
	} else if c.Kind() != Undefined {
		return nil, argErrorf(name+": options.countIncludePad", "got %s, want a boolean", describe(c))
	}
	core.AvgPool2D(y.Data, x.Data, &g, cip)
	return y, nil
}

// Dense runs dense(x, w, bias?): x is [N, in] (or [in]), w is [out, in],
// bias [out]; y = x·wᵀ + bias.
func Dense(args []Value) (*core.Tensor, error) {
	if len(args) < 2 || len(args) > 3 {
		return nil, argErrorf("dense", "takes (x, w, bias?), got %d arguments", len(args))
	}
	x, err := Tensor(args[0], "dense: x")
	if err != nil {
		return nil, err
	}
	w, err := Tensor(args[1], "dense: w")
	if err != nil {
		return nil, err
	}
	var b *core.Tensor
	if len(args) > 2 {
		if b, err = OptionalTensor(args[2], "dense: bias"); err != nil {
			return nil, err
		}
	}
	if len(w.Shape) != 2 {
		return nil, argErrorf("dense: w", "has shape %v, want [out, in]", w.Shape)
	}
	out, in := w.Shape[0], w.Shape[1]
	vector := len(x.Shape) == 1
	n := 1
	switch {
	case vector && x.Shape[0] == in:
	case len(x.Shape) == 2 && x.Shape[1] == in:
		n = x.Shape[0]
	default:
		return nil, argErrorf("dense", "x has shape %v, want [N, %d] or [%d] to match w %v", x.Shape, in, in, w.Shape)
	}
	if b != nil && (len(b.Shape) != 1 || b.Shape[0] != out) {
		return nil, argErrorf("dense: bias", "has shape %v, want [%d]", b.Shape, out)
	}
	if int64(n)*int64(in)*int64(out) > MaxOpMACs {
		return nil, argErrorf("dense", "too much work for one call")
	}
	shape := []int{n, out}
	if vector {
		shape = []int{out}
	}
	y := core.NewTensor(shape...)
	var bias []float32
	if b != nil {
		bias = b.Data
	}
	core.Dense(y.Data, x.Data, w.Data, bias, n, in, out)
	return y, nil
}

// ReLU runs relu(x).
func ReLU(args []Value) (*core.Tensor, error) {
	if len(args) != 1 {
		return nil, argErrorf("relu", "takes (x), got %d arguments", len(args))
	}
	x, err := Tensor(args[0], "relu: x")
	if err != nil {
		return nil, err
	}
	y := core.NewTensor(x.Shape...)
	core.ReLU(y.Data, x.Data)
	return y, nil
}

// Softmax runs softmax(x, axis?) along axis (default the last).
func Softmax(args []Value) (*core.Tensor, error) {
	if len(args) < 1 || len(args) > 2 {
		return nil, argErrorf("softmax", "takes (x, axis?), got %d arguments", len(args))
	}
	x, err := Tensor(args[0], "softmax: x")
	if err != nil {
		return nil, err
	}
	r := len(x.Shape)
	if r == 0 {
		return nil, errors.New("softmax: x: a scalar has no axis")
	}
	axis := r - 1
	if len(args) == 2 {
		a, err := IntOr(args[1], "softmax: axis", r-1, -r, r-1)
		if err != nil {
			return nil, err
		}
		axis = (a + r) % r
	}
	outer, n, inner := 1, x.Shape[axis], 1
	for _, d := range x.Shape[:axis] {
		outer *= d
	}
	for _, d := range x.Shape[axis+1:] {
		inner *= d
	}
	y := core.NewTensor(x.Shape...)
	core.Softmax(y.Data, x.Data, outer, n, inner, false)
	return y, nil
}

// undefinedValue stands for a JavaScript undefined (a left-out argument).
type undefinedValue struct{}

func (undefinedValue) Kind() Kind           { return Undefined }
func (undefinedValue) IsArray() bool        { return false }
func (undefinedValue) TypedArray() string   { return "" }
func (undefinedValue) Get(string) Value     { return undefinedValue{} }
func (undefinedValue) Index(int) Value      { return undefinedValue{} }
func (undefinedValue) Length() int          { return 0 }
func (undefinedValue) Float() float64       { return 0 }
func (undefinedValue) Bool() bool           { return false }
func (undefinedValue) Str() string          { return "" }
func (undefinedValue) Bytes(dst []byte) int { return 0 }
func (undefinedValue) ByteLength() int      { return 0 }
func (undefinedValue) Keys() []string       { return nil }
func (undefinedValue) Shared() bool         { return false }
