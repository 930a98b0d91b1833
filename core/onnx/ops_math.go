package onnx

import (
	"math"

	"wasmcnn/core"
)

// mathOps are the element-wise operations and activations.
func mathOps() map[string]opSpec {
	unary := func(f func(y, x []float32)) opSpec {
		return opSpec{minIn: 1, maxIn: 1, minOut: 1, maxOut: 1, compile: compileUnary(func(*nodeCtx) (func(y, x []float32), error) { return f, nil })}
	}
	binary := func(op core.BinaryOp) opSpec {
		return opSpec{minIn: 2, maxIn: 2, minOut: 1, maxOut: 1, compile: compileBinary(op)}
	}
	softmax := func(log bool) opSpec {
		return opSpec{attrs: map[string]attrRule{"axis": always(attrInt)}, minIn: 1, maxIn: 1, minOut: 1, maxOut: 1, compile: compileSoftmax(log)}
	}
	return map[string]opSpec{
		"Add":     binary(core.OpAdd),
		"Sub":     binary(core.OpSub),
		"Mul":     binary(core.OpMul),
		"Div":     binary(core.OpDiv),
		"Relu":    unary(core.ReLU),
		"Sigmoid": unary(core.Sigmoid),
		"Tanh":    unary(core.Tanh),
		"LeakyRelu": {attrs: map[string]attrRule{"alpha": always(attrFloat)}, minIn: 1, maxIn: 1, minOut: 1, maxOut: 1,
			compile: compileUnary(func(x *nodeCtx) (func(y, x []float32), error) {
				alpha := x.attrFloat("alpha", 0.01)
				return func(y, v []float32) { core.LeakyReLU(y, v, alpha) }, nil
			})},
		"Clip": {attrs: map[string]attrRule{"min": until(attrFloat, 10), "max": until(attrFloat, 10)}, minIn: 1, maxIn: 3, minOut: 1, maxOut: 1,
			compile: compileUnary(clipBounds)},
		"Softmax":    softmax(false),
		"LogSoftmax": softmax(true),
	}
}

// compileUnary plans an element-wise function of one float tensor.
//
//go:noinline
func compileUnary(makeFunc func(*nodeCtx) (func(y, x []float32), error)) func(x *nodeCtx) ([]*val, func(), error) {
	return func(x *nodeCtx) ([]*val, func(), error) {
		if v := x.input(0); v != nil && v.isInt && intUnary[x.n.opType] != nil {
			g := intUnary[x.n.opType]
			out := make([]int64, len(v.i))
			for i, e := range v.i {
				out[i] = g(e)
			}
			c := intConst(v.shape, out)
			c.elem = v.elem
			return []*val{c}, nil, nil
		}
		in, err := x.floatIn(0)
		if err != nil {
			return nil, nil, err
		}
		f, err := makeFunc(x)
		if err != nil {
			return nil, nil, err
		}
		out, err := x.outFloat(in.shape)
		if err != nil {
			return nil, nil, err
		}
		return []*val{out}, func() { f(out.f, in.f) }, nil
	}
}

// intUnary are the element-wise functions of integer constants that shape
// computations use, folded while planning.
var intUnary = map[string]func(int64) int64{
	"Neg":   func(v int64) int64 { return -v },
	"Abs":   func(v int64) int64 { return max(v, -v) },
	"Relu":  func(v int64) int64 { return max(v, 0) },
	"Floor": func(v int64) int64 { return v },
	"Ceil":  func(v int64) int64 { return v },
	"Round": func(v int64) int64 { return v },
	"Sign": func(v int64) int64 {
		switch {
		case v > 0:
			return 1
		case v < 0:
			return -1
		}
		return 0
	},
}

// clipBounds reads Clip's bounds: attributes before opset 11, optional
// constant inputs from 11 on.
func clipBounds(x *nodeCtx) (func(y, v []float32), error) {
	lo, hi, err := clipRange(x)
	if err != nil {
		return nil, err
	}
	return func(y, v []float32) { core.Clip(y, v, lo, hi) }, nil
}

// clipRange reads a Clip node's bounds: attributes before opset 11,
// constant scalar inputs since.
func clipRange(x *nodeCtx) (lo, hi float32, err error) {
	lo, hi = float32(-math.MaxFloat32), float32(math.MaxFloat32)
	if x.opset < 11 {
		return x.attrFloat("min", lo), x.attrFloat("max", hi), nil
	}
	for i, dst := range []*float32{&lo, &hi} {
		b := x.input(i + 1)
		if b == nil {
			continue
		}
		if !b.konst || b.len() != 1 {
			return 0, 0, x.errorf("bound %q must be a constant scalar", b.name)
		}
		if b.isInt {
			*dst = float32(b.i[0])
		} else {
			*dst = b.f[0]
		}
	}
	return lo, hi, nil
}

//
//go:noinline
func compileBinary(op core.BinaryOp) func(x *nodeCtx) ([]*val, func(), error) {
	return func(x *nodeCtx) ([]*val, func(), error) {
		a, b := x.input(0), x.input(1)
		if a.isInt != b.isInt {
			return nil, nil, x.errorf("inputs %q and %q have different element types", a.name, b.name)
		}
		bc, err := core.NewBroadcast(op.String(), a.shape, b.shape)
		if err != nil {
			return nil, nil, x.errorf("%v", err)
		}
		if a.isInt {
			if err := x.foldBudget(core.Product(bc.Out)); err != nil {
				return nil, nil, err
			}
			return []*val{intBinary(op, bc, a, b)}, nil, nil
		}
		if !a.isFloat() || !b.isFloat() {
			return x.intArith(op, a, b)
		}
		out, err := x.outFloat(bc.Out)
		if err != nil {
			return nil, nil, err
		}
		return []*val{out}, func() { bc.Apply(op, out.f, a.f, b.f) }, nil
	}
}

// intArith plans Add, Sub, Mul or Div of integer tensors computed at run
// time (held in floats) with integer semantics: the result wraps to the
// type as C arithmetic does, division truncates toward zero (and by zero
// gives 0). Operands and results of 8- and 16-bit types are exact; wider
// ones are exact below 2^24.
func (x *nodeCtx) intArith(op core.BinaryOp, a, b *val) ([]*val, func(), error) {
	if a.typeName() != b.typeName() {
		return nil, nil, x.errorf("inputs of types %s and %s", a.typeName(), b.typeName())
	}
	elem := a.elem
	if elem == 0 {
		elem = b.elem
	}
	p, err := x.newBcast(a.shape, b.shape)
	if err != nil {
		return nil, nil, err
	}
	out, err := x.outFloat(p.out)
	if err != nil {
		return nil, nil, err
	}
	out.elem = elem
	f := func(u, v float32) float32 {
		i, j := int64(u), int64(v)
		var r int64
		switch op {
		case core.OpAdd:
			r = i + j
		case core.OpSub:
			r = i - j
		case core.OpMul:
			r = i * j
		default:
			if j != 0 {
				r = i / j
			}
		}
		return float32(wrapTo(r, elem))
	}
	ac, bc := a, b
	return []*val{out}, func() { p.apply(out.f, quantValues(ac), quantValues(bc), f) }, nil
}

// intBinary computes a constant integer operation (shape arithmetic);
// division truncates toward zero, as in C.
func intBinary(op core.BinaryOp, bc *core.Broadcast, a, b *val) *val {
	out := make([]int64, core.Product(bc.Out))
	n := len(bc.Out)
	idx := make([]int, n)
	for o := range out {
		r := o
		for d := n - 1; d >= 0; d-- {
			idx[d] = r % bc.Out[d]
			r /= bc.Out[d]
		}
		av, bv := a.i[core.BroadcastIndex(idx, a.shape)], b.i[core.BroadcastIndex(idx, b.shape)]
		switch op {
		case core.OpAdd:
			out[o] = av + bv
		case core.OpSub:
			out[o] = av - bv
		case core.OpMul:
			out[o] = av * bv
		default:
			if bv != 0 {
				out[o] = av / bv
			}
		}
	}
	return intConst(bc.Out, out)
}

//
//go:noinline
func compileSoftmax(log bool) func(x *nodeCtx) ([]*val, func(), error) {
	return func(x *nodeCtx) ([]*val, func(), error) {
		in, err := x.floatIn(0)
		if err != nil {
			return nil, nil, err
		}
		r := len(in.shape)
		if r == 0 {
			return nil, nil, x.errorf("scalar input")
		}
		def := int64(-1)
		if x.opset < 13 {
			def = 1
		}
		axis, err := x.normAxis(x.attrInt("axis", def), r)
		if err != nil {
			return nil, nil, err
		}
		var outer, n, inner int
		if x.opset < 13 {
			// Before opset 13 the input is flattened to 2-D at axis and the
			// softmax runs over the whole second part.
			outer, n, inner = core.Product(in.shape[:axis]), core.Product(in.shape[axis:]), 1
		} else {
			outer, n, inner = core.Product(in.shape[:axis]), in.shape[axis], core.Product(in.shape[axis+1:])
		}
		out, err := x.outFloat(in.shape)
		if err != nil {
			return nil, nil, err
		}
		return []*val{out}, func() { core.Softmax(out.f, in.f, outer, n, inner, log) }, nil
	}
}
