package onnx

import (
	"math"

	"wasmcnn/core"
)

// reduceOps are the reductions over axes, ArgMax and ArgMin, and the
// normalisations computed from statistics of their input (LRN,
// InstanceNormalization, LayerNormalization, GroupNormalization).
func reduceOps() map[string]opSpec {
	reduce := func(k reduceKind, axesInputFrom int64) opSpec {
		return opSpec{attrs: map[string]attrRule{"keepdims": always(attrInt), "axes": until(attrInts, axesInputFrom-1), "noop_with_empty_axes": since(attrInt, axesInputFrom)},
			minIn: 1, maxIn: 2, minOut: 1, maxOut: 1, compile: compileReduce(k, axesInputFrom)}
	}
	arg := func(isMax bool) opSpec {
		return opSpec{attrs: map[string]attrRule{"axis": always(attrInt), "keepdims": always(attrInt), "select_last_index": since(attrInt, 12)},
			minIn: 1, maxIn: 1, minOut: 1, maxOut: 1, compile: compileArg(isMax)}
	}
	return map[string]opSpec{
		"ReduceSum":       reduce(reduceSum, 13),
		"ReduceMean":      reduce(reduceMean, 18),
		"ReduceMax":       reduce(reduceMax, 18),
		"ReduceMin":       reduce(reduceMin, 18),
		"ReduceProd":      reduce(reduceProd, 18),
		"ReduceL1":        reduce(reduceL1, 18),
		"ReduceL2":        reduce(reduceL2, 18),
		"ReduceSumSquare": reduce(reduceSumSquare, 18),
		"ReduceLogSum":    reduce(reduceLogSum, 18),
		"ReduceLogSumExp": reduce(reduceLogSumExp, 18),
		"ArgMax":          arg(true),
		"ArgMin":          arg(false),
		"LRN": {attrs: map[string]attrRule{"alpha": always(attrFloat), "beta": always(attrFloat), "bias": always(attrFloat), "size": always(attrInt)},
			minIn: 1, maxIn: 1, minOut: 1, maxOut: 1, compile: compileLRN},
		"InstanceNormalization": {attrs: map[string]attrRule{"epsilon": always(attrFloat)}, minIn: 3, maxIn: 3, minOut: 1, maxOut: 1, compile: compileInstanceNorm},
		"LayerNormalization": {attrs: map[string]attrRule{"axis": always(attrInt), "epsilon": always(attrFloat), "stash_type": always(attrInt)},
			minIn: 2, maxIn: 3, minOut: 1, maxOut: 3, compile: compileLayerNorm},
		"GroupNormalization": {attrs: map[string]attrRule{"epsilon": always(attrFloat), "num_groups": always(attrInt), "stash_type": since(attrInt, 21)},
			minIn: 3, maxIn: 3, minOut: 1, maxOut: 1, compile: compileGroupNorm},
	}
}

type reduceKind int

const (
	reduceSum reduceKind = iota
	reduceMean
	reduceMax
	reduceMin
	reduceProd
	reduceL1
	reduceL2
	reduceSumSquare
	reduceLogSum
	reduceLogSumExp
)

// compileReduce plans a reduction. Axes are an attribute before opset
// axesInputFrom and an optional input from it on; no axes reduce every
// axis, unless noop_with_empty_axes makes the node a copy.
//
//go:noinline
func compileReduce(kind reduceKind, axesInputFrom int64) func(x *nodeCtx) ([]*val, func(), error) {
	return func(x *nodeCtx) ([]*val, func(), error) {
		in, err := x.floatIn(0)
		if err != nil {
			return nil, nil, err
		}
		r := len(in.shape)
		var axes []int64
		var given bool
		if x.opset < axesInputFrom {
			axes, given = x.attrInts("axes")
		} else if axes, given, err = x.optInts(1); err != nil {
			return nil, nil, err
		}
		if given && len(axes) == 0 {
			given = false
		}
		if !given && x.attrInt("noop_with_empty_axes", 0) != 0 {
			return []*val{x.alias(in, in.shape)}, nil, nil
		}
		ax, err := x.axesList(axes, given, r)
		if err != nil {
			return nil, nil, err
		}
		reduced := make([]bool, r)
		for _, a := range ax {
			reduced[a] = true
		}
		keep := x.attrInt("keepdims", 1) != 0
		var shape []int
		outStrides := make([]int, r)
		count := 1
		for d := 0; d < r; d++ {
			if reduced[d] {
				count *= in.shape[d]
				if keep {
					shape = append(shape, 1)
				}
				continue
			}
			shape = append(shape, in.shape[d])
		}
		// The stride in the output of every input axis, 0 for reduced ones.
		s := 1
		for d := r - 1; d >= 0; d-- {
			if !reduced[d] {
				outStrides[d] = s
				s *= in.shape[d]
			}
		}
		out, err := x.outFloat(shape)
		if err != nil {
			return nil, nil, err
		}
		acc := make([]float64, core.Product(shape))
		return []*val{out}, func() { reduceRun(kind, out.f, in.f, in.shape, outStrides, count, acc) }, nil
	}
}

// reduceRun reduces x, of the given shape, into y: each input element is
// folded into the output element its outStrides lead to, in float64.
func reduceRun(kind reduceKind, y, x []float32, shape, outStrides []int, count int, acc []float64) {
	init := 0.0
	switch kind {
	case reduceMax:
		init = math.Inf(-1)
	case reduceMin:
		init = math.Inf(1)
	case reduceProd:
		init = 1
	}
	for i := range acc {
		acc[i] = init
	}
	var maxes []float64
	if kind == reduceLogSumExp {
		// Subtract each output's largest input before exponentiating.
		reduceRun(reduceMax, y, x, shape, outStrides, count, acc)
		maxes = make([]float64, len(acc))
		for i := range maxes {
			maxes[i] = float64(y[i])
			if math.IsInf(maxes[i], 0) {
				maxes[i] = 0
			}
			acc[i] = 0
		}
	}
	r := len(shape)
	idx := make([]int, r)
	o := 0
	for _, f := range x[:core.Product(shape)] {
		v := float64(f)
		switch kind {
		case reduceMax:
			acc[o] = math.Max(acc[o], v)
		case reduceMin:
			acc[o] = math.Min(acc[o], v)
		case reduceProd:
			acc[o] *= v
		case reduceL1:
			acc[o] += math.Abs(v)
		case reduceL2, reduceSumSquare:
			acc[o] += v * v
		case reduceLogSumExp:
			acc[o] += math.Exp(v - maxes[o])
		default:
			acc[o] += v
		}
		for d := r - 1; d >= 0; d-- {
			idx[d]++
			o += outStrides[d]
			if idx[d] < shape[d] {
				break
			}
			o -= outStrides[d] * shape[d]
			idx[d] = 0
		}
	}
	for i, a := range acc {
		switch kind {
		case reduceMean:
			a /= float64(count)
		case reduceL2:
			a = math.Sqrt(a)
		case reduceLogSum:
			a = math.Log(a)
		case reduceLogSumExp:
			a = math.Log(a) + maxes[i]
		}
		y[i] = float32(a)
	}
}

// compileArg plans ArgMax or ArgMin along an axis: the index of the first
// (or, with select_last_index, the last) extreme value, as INT64.
//
//go:noinline
func compileArg(isMax bool) func(x *nodeCtx) ([]*val, func(), error) {
	return func(x *nodeCtx) ([]*val, func(), error) {
		in, err := x.floatIn(0)
		if err != nil {
			return nil, nil, err
		}
		axis, err := x.normAxis(x.attrInt("axis", 0), max(len(in.shape), 1))
		if err != nil {
			return nil, nil, err
		}
		if len(in.shape) == 0 {
			return nil, nil, x.errorf("scalar input")
		}
		shape := append([]int(nil), in.shape...)
		shape[axis] = 1
		if x.attrInt("keepdims", 1) == 0 {
			shape = append(shape[:axis:axis], shape[axis+1:]...)
		}
		out, err := x.outFloat(shape)
		if err != nil {
			return nil, nil, err
		}
		out.elem = onnxInt64
		last := x.attrInt("select_last_index", 0) != 0
		outer, n, inner := core.Product(in.shape[:axis]), in.shape[axis], core.Product(in.shape[axis+1:])
		return []*val{out}, func() {
			for o := 0; o < outer; o++ {
				for i := 0; i < inner; i++ {
					best, at := in.f[o*n*inner+i], 0
					for k := 1; k < n; k++ {
						v := in.f[(o*n+k)*inner+i]
						if better := (isMax && v > best) || (!isMax && v < best); better || (last && v == best) {
							best, at = v, k
						}
					}
					out.f[o*inner+i] = float32(at)
				}
			}
		}, nil
	}
}

// compileLRN plans local response normalisation across channels:
// y = x / (bias + alpha/size · Σ x²)^beta over the size channels around
// each one.
func compileLRN(x *nodeCtx) ([]*val, func(), error) {
	in, err := x.floatIn(0)
	if err != nil {
		return nil, nil, err
	}
	if len(in.shape) < 3 {
		return nil, nil, x.errorf("input %v, want [N, C, …]", in.shape)
	}
	size := x.attrInt("size", 0)
	if size < 1 || size > 1<<16 {
		return nil, nil, x.errorf("size %d", size)
	}
	if err := x.addMACs(int64(core.Product(in.shape)) * size); err != nil {
		return nil, nil, err
	}
	alpha, beta, bias := x.attrFloat("alpha", 1e-4), x.attrFloat("beta", 0.75), x.attrFloat("bias", 1)
	out, err := x.outFloat(in.shape)
	if err != nil {
		return nil, nil, err
	}
	n, c, hw := in.shape[0], in.shape[1], core.Product(in.shape[2:])
	lo, hi := int(size-1)/2, int(size)/2 // channels before and after
	return []*val{out}, func() {
		for b := 0; b < n; b++ {
			for ch := 0; ch < c; ch++ {
				for p := 0; p < hw; p++ {
					var sq float64
					for k := max(ch-lo, 0); k <= min(ch+hi, c-1); k++ {
						v := float64(in.f[(b*c+k)*hw+p])
						sq += v * v
					}
					i := (b*c+ch)*hw + p
					out.f[i] = float32(float64(in.f[i]) / math.Pow(float64(bias)+float64(alpha)/float64(size)*sq, float64(beta)))
				}
			}
		}
	}, nil
}

// normalize sets y = (x − mean)/√(var + eps) over each of the groups of
// size n that x is made of, then y·scale + bias with scale and bias chosen
// per element by at(group, i).
func normalize(y, x []float32, n int, eps float32, affine func(g, i int) (float32, float32)) {
	for g := 0; g < len(x)/max(n, 1); g++ {
		seg := x[g*n : (g+1)*n]
		var sum, sq float64
		for _, v := range seg {
			sum += float64(v)
		}
		mean := sum / float64(n)
		for _, v := range seg {
			d := float64(v) - mean
			sq += d * d
		}
		inv := 1 / math.Sqrt(sq/float64(n)+float64(eps))
		for i, v := range seg {
			s, b := affine(g, i)
			y[g*n+i] = float32((float64(v)-mean)*inv)*s + b
		}
	}
}

// channelParams checks inputs i and i+1 are float vectors of length c.
func (x *nodeCtx) channelParams(i, c int) (*val, *val, error) {
	s, err := x.floatIn(i)
	if err != nil {
		return nil, nil, err
	}
	b, err := x.floatIn(i + 1)
	if err != nil {
		return nil, nil, err
	}
	if len(s.shape) != 1 || s.shape[0] != c || len(b.shape) != 1 || b.shape[0] != c {
		return nil, nil, x.errorf("scale %v and bias %v, want [%d]", s.shape, b.shape, c)
	}
	return s, b, nil
}

func compileInstanceNorm(x *nodeCtx) ([]*val, func(), error) {
	in, err := x.floatIn(0)
	if err != nil {
		return nil, nil, err
	}
	if len(in.shape) < 3 {
		return nil, nil, x.errorf("input %v, want [N, C, …]", in.shape)
	}
	c, hw := in.shape[1], core.Product(in.shape[2:])
	scale, bias, err := x.channelParams(1, c)
	if err != nil {
		return nil, nil, err
	}
	eps := x.attrFloat("epsilon", 1e-5)
	out, err := x.outFloat(in.shape)
	if err != nil {
		return nil, nil, err
	}
	return []*val{out}, func() {
		normalize(out.f, in.f, hw, eps, func(g, _ int) (float32, float32) { return scale.f[g%c], bias.f[g%c] })
	}, nil
}

func compileGroupNorm(x *nodeCtx) ([]*val, func(), error) {
	in, err := x.floatIn(0)
	if err != nil {
		return nil, nil, err
	}
	if len(in.shape) < 3 {
		return nil, nil, x.errorf("input %v, want [N, C, …]", in.shape)
	}
	groups := x.attrInt("num_groups", 0)
	c, hw := in.shape[1], core.Product(in.shape[2:])
	if groups < 1 || int64(c)%groups != 0 {
		return nil, nil, x.errorf("num_groups %d does not divide %d channels", groups, c)
	}
	per := c / int(groups)
	// Opset 18 scales each group, 21 each channel.
	n := int(groups)
	if x.opset >= 21 {
		n = c
	}
	scale, bias, err := x.channelParams(1, n)
	if err != nil {
		return nil, nil, err
	}
	eps := x.attrFloat("epsilon", 1e-5)
	out, err := x.outFloat(in.shape)
	if err != nil {
		return nil, nil, err
	}
	return []*val{out}, func() {
		normalize(out.f, in.f, per*hw, eps, func(g, i int) (float32, float32) {
			k := g % int(groups)
			if n == c {
				k = k*per + i/hw
			}
			return scale.f[k], bias.f[k]
		})
	}, nil
}

// compileLayerNorm normalises over the axes from axis on; scale and bias
// broadcast to those axes. The optional Mean and InvStdDev outputs keep
// the leading axes and 1 for the others.
func compileLayerNorm(x *nodeCtx) ([]*val, func(), error) {
	in, err := x.floatIn(0)
	if err != nil {
		return nil, nil, err
	}
	r := len(in.shape)
	axis, err := x.normAxis(x.attrInt("axis", -1), max(r, 1))
	if err != nil || r == 0 {
		return nil, nil, x.errorf("axis %d for input %v", x.attrInt("axis", -1), in.shape)
	}
	norm := in.shape[axis:]
	n := core.Product(norm)
	var params [2]*val
	var strides [2][]int
	for k := range params {
		if x.input(1+k) == nil {
			continue
		}
		p, err := x.floatIn(1 + k)
		if err != nil {
			return nil, nil, err
		}
		if len(p.shape) > len(norm) {
			return nil, nil, x.errorf("%q %v does not broadcast to %v", p.name, p.shape, norm)
		}
		for i, d := range p.shape {
			if want := norm[len(norm)-len(p.shape)+i]; d != want && d != 1 {
				return nil, nil, x.errorf("%q %v does not broadcast to %v", p.name, p.shape, norm)
			}
		}
		params[k], strides[k] = p, bstrides(p.shape, norm)
	}
	eps := x.attrFloat("epsilon", 1e-5)
	out, err := x.outFloat(in.shape)
	if err != nil {
		return nil, nil, err
	}
	statShape := append([]int(nil), in.shape...)
	for d := axis; d < r; d++ {
		statShape[d] = 1
	}
	outs := []*val{out, nil, nil}
	for k := 1; k < 3 && k < len(x.n.outputs); k++ {
		if x.n.outputs[k] != "" {
			if outs[k], err = x.outFloat(statShape); err != nil {
				return nil, nil, err
			}
		}
	}
	// The flat index in a parameter of element i of a normalised group.
	idx := func(k, i int) int {
		at, rem := 0, i
		for d := len(norm) - 1; d >= 0; d-- {
			at += (rem % norm[d]) * strides[k][d]
			rem /= norm[d]
		}
		return at
	}
	pos := [2][]int{}
	for k := range params {
		if params[k] != nil {
			pos[k] = make([]int, n)
			for i := range pos[k] {
				pos[k][i] = idx(k, i)
			}
		}
	}
	return outs, func() {
		normalize(out.f, in.f, n, eps, func(_, i int) (float32, float32) {
			s, b := float32(1), float32(0)
			if params[0] != nil {
				s = params[0].f[pos[0][i]]
			}
			if params[1] != nil {
				b = params[1].f[pos[1][i]]
			}
			return s, b
		})
		if outs[1] == nil && outs[2] == nil {
			return
		}
		for g := 0; g < len(in.f)/max(n, 1); g++ {
			var sum, sq float64
			seg := in.f[g*n : (g+1)*n]
			for _, v := range seg {
				sum += float64(v)
			}
			mean := sum / float64(n)
			for _, v := range seg {
				sq += (float64(v) - mean) * (float64(v) - mean)
			}
			if outs[1] != nil {
				outs[1].f[g] = float32(mean)
			}
			if outs[2] != nil {
				outs[2].f[g] = float32(1 / math.Sqrt(sq/float64(n)+float64(eps)))
			}
		}
	}, nil
}
