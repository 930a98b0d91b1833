package onnx

import (
	"math"
	"slices"

	"wasmcnn/core"
)

// elementwiseOps are the activations and element-wise functions beyond
// those of mathOps, the variadic Sum, Mean, Max and Min, and the
// comparisons and Where that exporters use in shape computations.
func elementwiseOps() map[string]opSpec {
	unary := func(f func(v float32) float32) opSpec {
		return opSpec{minIn: 1, maxIn: 1, minOut: 1, maxOut: 1, compile: compileUnary(func(*nodeCtx) (func(y, x []float32), error) { return each(f), nil })}
	}
	withAttrs := func(attrs map[string]attrRule, make func(x *nodeCtx) (func(v float32) float32, error)) opSpec {
		return opSpec{attrs: attrs, minIn: 1, maxIn: 1, minOut: 1, maxOut: 1, compile: compileUnary(func(x *nodeCtx) (func(y, x []float32), error) {
			f, err := make(x)
			if err != nil {
				return nil, err
			}
			return each(f), nil
		})}
	}
	alpha := map[string]attrRule{"alpha": always(attrFloat)}
	f64 := func(f func(float64) float64) func(v float32) float32 {
		return func(v float32) float32 { return float32(f(float64(v))) }
	}
	variadic := func(kind variadicKind) opSpec {
		return opSpec{minIn: 1, maxIn: -1, minOut: 1, maxOut: 1, compile: compileVariadic(kind)}
	}
	compare := func(f func(a, b float64) bool) opSpec {
		return opSpec{minIn: 2, maxIn: 2, minOut: 1, maxOut: 1, compile: compileCompare(f)}
	}
	return map[string]opSpec{
		"Exp":        unary(f64(math.Exp)),
		"Log":        unary(f64(math.Log)),
		"Sqrt":       unary(f64(math.Sqrt)),
		"Neg":        unary(func(v float32) float32 { return -v }),
		"Abs":        unary(func(v float32) float32 { return float32(math.Abs(float64(v))) }),
		"Reciprocal": unary(func(v float32) float32 { return 1 / v }),
		"Floor":      unary(f64(math.Floor)),
		"Ceil":       unary(f64(math.Ceil)),
		"Round":      unary(f64(math.RoundToEven)),
		"Sign":       unary(sign),
		"Erf":        unary(f64(math.Erf)),
		"Softsign":   unary(func(v float32) float32 { return v / (1 + float32(math.Abs(float64(v)))) }),
		"Softplus":   unary(f64(softplus)),
		"Mish":       unary(f64(func(v float64) float64 { return v * math.Tanh(softplus(v)) })),
		"HardSwish":  unary(func(v float32) float32 { return v * min(1, max(0, v/6+0.5)) }),
		"HardSigmoid": withAttrs(map[string]attrRule{"alpha": always(attrFloat), "beta": always(attrFloat)}, func(x *nodeCtx) (func(float32) float32, error) {
			a, b := x.attrFloat("alpha", 0.2), x.attrFloat("beta", 0.5)
			return func(v float32) float32 { return min(1, max(0, a*v+b)) }, nil
		}),
		"Elu": withAttrs(alpha, func(x *nodeCtx) (func(float32) float32, error) {
			a := float64(x.attrFloat("alpha", 1))
			return f64(func(v float64) float64 {
				if v < 0 {
					return a * math.Expm1(v)
				}
				return v
			}), nil
		}),
		"Selu": withAttrs(map[string]attrRule{"alpha": always(attrFloat), "gamma": always(attrFloat)}, func(x *nodeCtx) (func(float32) float32, error) {
			a, g := float64(x.attrFloat("alpha", 1.67326319217681884765625)), float64(x.attrFloat("gamma", 1.05070102214813232421875))
			return f64(func(v float64) float64 {
				if v <= 0 {
					return g * (a*math.Exp(v) - a)
				}
				return g * v
			}), nil
		}),
		"Celu": withAttrs(alpha, func(x *nodeCtx) (func(float32) float32, error) {
			a := float64(x.attrFloat("alpha", 1))
			if a == 0 {
				return nil, x.errorf("alpha 0")
			}
			return f64(func(v float64) float64 { return math.Max(0, v) + math.Min(0, a*math.Expm1(v/a)) }), nil
		}),
		"ThresholdedRelu": withAttrs(alpha, func(x *nodeCtx) (func(float32) float32, error) {
			a := x.attrFloat("alpha", 1)
			return func(v float32) float32 {
				if v > a {
					return v
				}
				return 0
			}, nil
		}),
		"Gelu": withAttrs(map[string]attrRule{"approximate": always(attrString)}, func(x *nodeCtx) (func(float32) float32, error) {
			switch x.attrString("approximate", "none") {
			case "none":
				return f64(func(v float64) float64 { return 0.5 * v * (1 + math.Erf(v/math.Sqrt2)) }), nil
			case "tanh":
				return f64(func(v float64) float64 {
					return 0.5 * v * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(v+0.044715*v*v*v)))
				}), nil
			}
			return nil, x.errorf("approximate %q, want none or tanh", x.attrString("approximate", ""))
		}),
		"PRelu":          {minIn: 2, maxIn: 2, minOut: 1, maxOut: 1, compile: compilePRelu},
		"Pow":            {minIn: 2, maxIn: 2, minOut: 1, maxOut: 1, compile: compilePow},
		"Sum":            variadic(variadicSum),
		"Mean":           variadic(variadicMean),
		"Max":            variadic(variadicMax),
		"Min":            variadic(variadicMin),
		"Equal":          compare(func(a, b float64) bool { return a == b }),
		"Less":           compare(func(a, b float64) bool { return a < b }),
		"Greater":        compare(func(a, b float64) bool { return a > b }),
		"LessOrEqual":    compare(func(a, b float64) bool { return a <= b }),
		"GreaterOrEqual": compare(func(a, b float64) bool { return a >= b }),
		"And":            compare(func(a, b float64) bool { return a != 0 && b != 0 }),
		"Or":             compare(func(a, b float64) bool { return a != 0 || b != 0 }),
		"Not":            {minIn: 1, maxIn: 1, minOut: 1, maxOut: 1, compile: compileNot},
		"Where":          {minIn: 3, maxIn: 3, minOut: 1, maxOut: 1, compile: compileWhere},
	}
}

// each applies f to every element.
func each(f func(v float32) float32) func(y, x []float32) {
	return func(y, x []float32) {
		for i, v := range x[:len(y)] {
			y[i] = f(v)
		}
	}
}

func sign(v float32) float32 {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return v // 0, −0 and NaN stay
}

// softplus is log(1 + eˣ) without overflow for large x.
func softplus(v float64) float64 {
	if v > 0 {
		return v + math.Log1p(math.Exp(-v))
	}
	return math.Log1p(math.Exp(v))
}

// compilePRelu plans y = x where x ≥ 0, slope·x elsewhere, the slope
// broadcast to x.
func compilePRelu(x *nodeCtx) ([]*val, func(), error) {
	in, err := x.floatIn(0)
	if err != nil {
		return nil, nil, err
	}
	slope, err := x.floatIn(1)
	if err != nil {
		return nil, nil, err
	}
	p, err := x.newBcast(in.shape, slope.shape)
	if err != nil {
		return nil, nil, err
	}
	if !slices.Equal(p.out, in.shape) {
		return nil, nil, x.errorf("slope %v does not broadcast to the input %v", slope.shape, in.shape)
	}
	out, err := x.outFloat(in.shape)
	if err != nil {
		return nil, nil, err
	}
	return []*val{out}, func() { p.apply(out.f, in.f, slope.f, prelu) }, nil
}

func prelu(v, s float32) float32 {
	if v < 0 {
		return s * v
	}
	return v
}

// compilePow plans an element-wise power; an integer exponent (allowed from
// opset 12) is read as a float.
func compilePow(x *nodeCtx) ([]*val, func(), error) {
	a, b := x.input(0), x.input(1)
	if a.isInt && b.isInt {
		return nil, nil, x.errorf("integer powers are not supported")
	}
	if !a.isFloat() {
		return nil, nil, x.errorf("input %q is of type %s, want FLOAT", a.name, a.typeName())
	}
	exp := b
	if b.isInt {
		exp = &val{name: b.name, shape: b.shape, f: intsToFloats(b.i), konst: true}
	} else if !b.isFloat() {
		return nil, nil, x.errorf("exponent %q is an integer tensor computed at run time", b.name)
	}
	p, err := x.newBcast(a.shape, exp.shape)
	if err != nil {
		return nil, nil, err
	}
	out, err := x.outFloat(p.out)
	if err != nil {
		return nil, nil, err
	}
	return []*val{out}, func() { p.apply(out.f, a.f, exp.f, pow32) }, nil
}

func pow32(a, b float32) float32 {
	switch b {
	case 2:
		return a * a
	case 0.5:
		return float32(math.Sqrt(float64(a)))
	}
	return float32(math.Pow(float64(a), float64(b)))
}

func intsToFloats(v []int64) []float32 {
	f := make([]float32, len(v))
	for i, x := range v {
		f[i] = float32(x)
	}
	return f
}

type variadicKind int

const (
	variadicSum variadicKind = iota
	variadicMean
	variadicMax
	variadicMin
)

// compileVariadic plans Sum, Mean, Max and Min of any number of inputs
// that broadcast together: the output starts as the first input, broadcast
// to the output's shape, and each further input is combined into it in
// order (as onnxruntime sums them).
//
//go:noinline
func compileVariadic(kind variadicKind) func(x *nodeCtx) ([]*val, func(), error) {
	return func(x *nodeCtx) ([]*val, func(), error) {
		ins := make([]*val, len(x.n.inputs))
		shape := []int{}
		allInt := true
		for i := range ins {
			v := x.input(i)
			if v == nil {
				return nil, nil, x.errorf("input %d is empty", i)
			}
			allInt = allInt && v.isInt
			ins[i] = v
			s, err := core.BroadcastShape(x.n.opType, shape, v.shape)
			if err != nil {
				return nil, nil, x.errorf("%v", err)
			}
			shape = s
		}
		if allInt {
			return foldIntVariadic(x, kind, ins, shape)
		}
		for _, v := range ins {
			if !v.isFloat() {
				return nil, nil, x.errorf("input %q is of type %s, want FLOAT", v.name, v.typeName())
			}
		}
		out, err := x.outFloat(shape)
		if err != nil {
			return nil, nil, err
		}
		f := map[variadicKind]func(a, b float32) float32{
			variadicSum: func(a, b float32) float32 { return a + b }, variadicMean: func(a, b float32) float32 { return a + b },
			variadicMax: func(a, b float32) float32 { return max(a, b) }, variadicMin: func(a, b float32) float32 { return min(a, b) },
		}[kind]
		plans := make([]*bcast, len(ins))
		same := true
		for i, v := range ins {
			plans[i] = &bcast{out: shape, n: core.Product(shape), sa: bstrides(shape, shape), sb: bstrides(v.shape, shape)}
			same = same && slices.Equal(v.shape, shape)
		}
		second := func(_, b float32) float32 { return b }
		scale := float32(1) / float32(len(ins))
		return []*val{out}, func() {
			y := out.f
			if same && (kind == variadicSum || kind == variadicMean) && len(ins) > 1 {
				// The common case, a residual sum: the add kernel.
				addSame(y, ins[0].f, ins[1].f)
				for _, v := range ins[2:] {
					addSame(y, y, v.f)
				}
			} else {
				plans[0].apply(y, y, ins[0].f, second)
				for i, v := range ins[1:] {
					plans[i+1].apply(y, y, v.f, f)
				}
			}
			if kind == variadicMean {
				for i := range y {
					y[i] *= scale
				}
			}
		}, nil
	}
}

// addSame is y = a + b for tensors of one shape.
func addSame(y, a, b []float32) {
	a, b = a[:len(y)], b[:len(y)]
	for i := range y {
		y[i] = a[i] + b[i]
	}
}

// foldIntVariadic computes Sum, Mean, Max or Min of integer constants.
func foldIntVariadic(x *nodeCtx, kind variadicKind, ins []*val, shape []int) ([]*val, func(), error) {
	if kind == variadicMean {
		return nil, nil, x.errorf("Mean of integer tensors is not supported")
	}
	n := core.Product(shape)
	if err := x.foldBudget(n); err != nil {
		return nil, nil, err
	}
	out := make([]int64, n)
	idx := make([]int, len(shape))
	for o := range out {
		r := o
		for d := len(shape) - 1; d >= 0; d-- {
			idx[d] = r % shape[d]
			r /= shape[d]
		}
		for k, v := range ins {
			e := v.i[core.BroadcastIndex(idx, v.shape)]
			switch {
			case k == 0:
				out[o] = e
			case kind == variadicSum:
				out[o] += e
			case kind == variadicMax:
				out[o] = max(out[o], e)
			default:
				out[o] = min(out[o], e)
			}
		}
	}
	return []*val{intConst(shape, out)}, nil, nil
}

// compileCompare plans a comparison or a logical And/Or: folded on
// constants (shape computations), at run time on float tensors, the BOOL
// result held as 0 and 1.
//
//go:noinline
func compileCompare(f func(a, b float64) bool) func(x *nodeCtx) ([]*val, func(), error) {
	return func(x *nodeCtx) ([]*val, func(), error) {
		a, b := x.input(0), x.input(1)
		if a.isInt != b.isInt {
			return nil, nil, x.errorf("inputs %q and %q have different element types", a.name, b.name)
		}
		p, err := x.newBcast(a.shape, b.shape)
		if err != nil {
			return nil, nil, err
		}
		if a.isInt {
			if err := x.foldBudget(p.n); err != nil {
				return nil, nil, err
			}
			out := make([]int64, p.n)
			af, bf := intsToFloats64(a.i), intsToFloats64(b.i)
			idx := make([]int, len(p.out))
			for o := range out {
				r := o
				for d := len(p.out) - 1; d >= 0; d-- {
					idx[d] = r % p.out[d]
					r /= p.out[d]
				}
				if f(af[core.BroadcastIndex(idx, a.shape)], bf[core.BroadcastIndex(idx, b.shape)]) {
					out[o] = 1
				}
			}
			v := intConst(p.out, out)
			v.elem = onnxBool
			return []*val{v}, nil, nil
		}
		out, err := x.outFloat(p.out)
		if err != nil {
			return nil, nil, err
		}
		out.elem = onnxBool
		g := func(a, b float32) float32 {
			if f(float64(a), float64(b)) {
				return 1
			}
			return 0
		}
		return []*val{out}, func() { p.apply(out.f, a.f, b.f, g) }, nil
	}
}

func intsToFloats64(v []int64) []float64 {
	f := make([]float64, len(v))
	for i, x := range v {
		f[i] = float64(x)
	}
	return f
}

func compileNot(x *nodeCtx) ([]*val, func(), error) {
	in := x.input(0)
	if in.isInt {
		out := make([]int64, len(in.i))
		for i, v := range in.i {
			if v == 0 {
				out[i] = 1
			}
		}
		v := intConst(in.shape, out)
		v.elem = onnxBool
		return []*val{v}, nil, nil
	}
	out, err := x.outFloat(in.shape)
	if err != nil {
		return nil, nil, err
	}
	out.elem = onnxBool
	return []*val{out}, func() {
		for i, v := range in.f[:len(out.f)] {
			out.f[i] = 0
			if v == 0 {
				out.f[i] = 1
			}
		}
	}, nil
}

// compileWhere plans Where(condition, X, Y), the three broadcast together.
func compileWhere(x *nodeCtx) ([]*val, func(), error) {
	c, a, b := x.input(0), x.input(1), x.input(2)
	if a.isInt != b.isInt {
		return nil, nil, x.errorf("X %q and Y %q have different element types", a.name, b.name)
	}
	shape, err := core.BroadcastShape("Where", c.shape, a.shape)
	if err == nil {
		shape, err = core.BroadcastShape("Where", shape, b.shape)
	}
	if err != nil {
		return nil, nil, x.errorf("%v", err)
	}
	n := core.Product(shape)
	idx := make([]int, len(shape))
	at := func(o int, s []int) int {
		r := o
		for d := len(shape) - 1; d >= 0; d-- {
			idx[d] = r % shape[d]
			r /= shape[d]
		}
		return core.BroadcastIndex(idx, s)
	}
	cond := func(o int) bool {
		if c.isInt {
			return c.i[at(o, c.shape)] != 0
		}
		return c.f[at(o, c.shape)] != 0
	}
	if a.isInt && c.konst {
		if err := x.foldBudget(n); err != nil {
			return nil, nil, err
		}
		out := make([]int64, n)
		for o := range out {
			if cond(o) {
				out[o] = a.i[at(o, a.shape)]
			} else {
				out[o] = b.i[at(o, b.shape)]
			}
		}
		v := intConst(shape, out)
		v.elem = a.elem
		return []*val{v}, nil, nil
	}
	if a.isInt {
		return nil, nil, x.errorf("choosing between integer tensors on a condition computed at run time is not supported")
	}
	out, err := x.outFloat(shape)
	if err != nil {
		return nil, nil, err
	}
	out.elem = a.elem
	return []*val{out}, func() {
		for o := range out.f {
			if cond(o) {
				out.f[o] = a.f[at(o, a.shape)]
			} else {
				out.f[o] = b.f[at(o, b.shape)]
			}
		}
	}, nil
}
