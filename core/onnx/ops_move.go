package onnx

import (
	"math"
	"slices"

	"wasmcnn/core"
)

// moveOps are the operators that copy parts of tensors: slicing,
// splitting, padding, repeating and rearranging, and the constants that
// exporters build shapes with. They keep their input's element type.
func moveOps() map[string]opSpec {
	return map[string]opSpec{
		"Slice": {attrs: map[string]attrRule{"starts": until(attrInts, 9), "ends": until(attrInts, 9), "axes": until(attrInts, 9)},
			minIn: 1, maxIn: 5, minOut: 1, maxOut: 1, compile: compileSlice},
		"Split": {attrs: map[string]attrRule{"axis": always(attrInt), "split": until(attrInts, 12), "num_outputs": since(attrInt, 18)},
			minIn: 1, maxIn: 2, minOut: 1, maxOut: 1 << 16, compile: compileSplit},
		"Expand":       {minIn: 2, maxIn: 2, minOut: 1, maxOut: 1, compile: compileExpand},
		"Tile":         {minIn: 2, maxIn: 2, minOut: 1, maxOut: 1, compile: compileTile},
		"DepthToSpace": {attrs: map[string]attrRule{"blocksize": always(attrInt), "mode": since(attrString, 11)}, minIn: 1, maxIn: 1, minOut: 1, maxOut: 1, compile: compileDepthToSpace},
		"SpaceToDepth": {attrs: map[string]attrRule{"blocksize": always(attrInt)}, minIn: 1, maxIn: 1, minOut: 1, maxOut: 1, compile: compileSpaceToDepth},
		"Pad": {attrs: map[string]attrRule{"mode": always(attrString), "pads": until(attrInts, 10), "value": until(attrFloat, 10)},
			minIn: 1, maxIn: 4, minOut: 1, maxOut: 1, compile: compilePad},
		"ConstantOfShape": {attrs: map[string]attrRule{"value": always(attrTensor)}, minIn: 1, maxIn: 1, minOut: 1, maxOut: 1, compile: compileConstantOfShape},
		"Range":           {minIn: 3, maxIn: 3, minOut: 1, maxOut: 1, compile: compileRange},
		"Size":            {minIn: 1, maxIn: 1, minOut: 1, maxOut: 1, compile: compileSize},
		"CastLike":        {attrs: map[string]attrRule{"saturate": since(attrInt, 19)}, minIn: 2, maxIn: 2, minOut: 1, maxOut: 1, compile: compileCastLike},
	}
}

// optInts returns constant input i as integers, or nil when it is absent.
func (x *nodeCtx) optInts(i int) ([]int64, bool, error) {
	if x.input(i) == nil {
		return nil, false, nil
	}
	v, err := x.constInts(i)
	return v, true, err
}

// axesList resolves axes against rank r, refusing repeats; nil means every
// axis in order.
func (x *nodeCtx) axesList(axes []int64, given bool, r int) ([]int, error) {
	if !given {
		out := make([]int, r)
		for i := range out {
			out[i] = i
		}
		return out, nil
	}
	seen := make([]bool, r)
	out := make([]int, len(axes))
	for i, a := range axes {
		ax, err := x.normAxis(a, r)
		if err != nil {
			return nil, err
		}
		if seen[ax] {
			return nil, x.errorf("axis %d repeated", ax)
		}
		seen[ax], out[i] = true, ax
	}
	return out, nil
}

func compileSlice(x *nodeCtx) ([]*val, func(), error) {
	in := x.input(0)
	r := len(in.shape)
	var starts, ends, axes, steps []int64
	var haveAxes bool
	if x.opset < 10 {
		starts, _ = x.attrInts("starts")
		ends, _ = x.attrInts("ends")
		axes, haveAxes = x.attrInts("axes")
	} else {
		var err error
		if starts, err = x.constInts(1); err != nil {
			return nil, nil, err
		}
		if ends, err = x.constInts(2); err != nil {
			return nil, nil, err
		}
		if axes, haveAxes, err = x.optInts(3); err != nil {
			return nil, nil, err
		}
		if steps, _, err = x.optInts(4); err != nil {
			return nil, nil, err
		}
	}
	if len(starts) != len(ends) || (haveAxes && len(axes) != len(starts)) || (steps != nil && len(steps) != len(starts)) {
		return nil, nil, x.errorf("starts, ends, axes and steps have %d, %d, %d and %d values", len(starts), len(ends), len(axes), len(steps))
	}
	if !haveAxes && len(starts) > r {
		return nil, nil, x.errorf("%d starts for rank %d", len(starts), r)
	}
	ax, err := x.axesList(axes, haveAxes, len(starts))
	if haveAxes {
		ax, err = x.axesList(axes, true, r)
	}
	if err != nil {
		return nil, nil, err
	}
	v := contiguous(in.shape)
	for i, a := range ax {
		step := int64(1)
		if steps != nil {
			step = steps[i]
		}
		if step == 0 {
			return nil, nil, x.errorf("step 0 on axis %d", a)
		}
		dim := int64(in.shape[a])
		s, e := starts[i], ends[i]
		if s < 0 {
			s += dim
		}
		if e < 0 {
			e += dim
		}
		var n int64
		if step > 0 {
			s, e = min(max(s, 0), dim), min(max(e, 0), dim)
			if e > s {
				n = (e - s + step - 1) / step
			}
		} else {
			s, e = min(max(s, 0), dim-1), min(max(e, -1), dim-1)
			if s > e {
				n = (s - e - step - 1) / -step
			}
		}
		if n == 0 {
			s = 0
		}
		v.off += int(s) * v.strides[a]
		v.shape[a] = int(n)
		v.strides[a] *= int(step)
	}
	out, run, err := x.viewOut(in, v.shape, v)
	return []*val{out}, run, err
}

func compileSplit(x *nodeCtx) ([]*val, func(), error) {
	in := x.input(0)
	axis, err := x.normAxis(x.attrInt("axis", 0), len(in.shape))
	if err != nil {
		return nil, nil, err
	}
	dim := in.shape[axis]
	parts := len(x.n.outputs)
	var split []int64
	given := false
	if x.opset < 13 {
		split, given = x.attrInts("split")
	} else if split, given, err = x.optInts(1); err != nil {
		return nil, nil, err
	}
	if k := x.attrInt("num_outputs", 0); x.attr("num_outputs") != nil {
		if given {
			return nil, nil, x.errorf("both split and num_outputs given")
		}
		if k != int64(parts) {
			return nil, nil, x.errorf("num_outputs %d for %d outputs", k, parts)
		}
	}
	sizes := make([]int, parts)
	switch {
	case given:
		if len(split) != parts {
			return nil, nil, x.errorf("split has %d values for %d outputs", len(split), parts)
		}
		total := 0
		for i, s := range split {
			if s < 0 || s > int64(dim) {
				return nil, nil, x.errorf("split %v does not fit axis %d of size %d", split, axis, dim)
			}
			sizes[i] = int(s)
			total += int(s)
		}
		if total != dim {
			return nil, nil, x.errorf("split %v does not add up to axis %d of size %d", split, axis, dim)
		}
	case x.opset >= 18:
		// Equal parts, the last smaller when the axis does not divide.
		each := (dim + parts - 1) / parts
		for i := range sizes {
			sizes[i] = min(each, dim-i*each)
			if sizes[i] < 0 {
				return nil, nil, x.errorf("axis %d of size %d cannot be split into %d parts", axis, dim, parts)
			}
		}
	default:
		if dim%parts != 0 {
			return nil, nil, x.errorf("axis %d of size %d does not split into %d equal parts", axis, dim, parts)
		}
		for i := range sizes {
			sizes[i] = dim / parts
		}
	}
	outs := make([]*val, parts)
	var runs []func()
	start := 0
	for i, n := range sizes {
		v := contiguous(in.shape)
		v.off = start * v.strides[axis]
		v.shape[axis] = n
		start += n
		if x.n.outputs[i] == "" {
			continue
		}
		o, run, err := x.viewOut(in, v.shape, v)
		if err != nil {
			return nil, nil, err
		}
		outs[i] = o
		if run != nil {
			runs = append(runs, run)
		}
	}
	if len(runs) == 0 {
		return outs, nil, nil
	}
	return outs, func() {
		for _, r := range runs {
			r()
		}
	}, nil
}

func compileExpand(x *nodeCtx) ([]*val, func(), error) {
	in := x.input(0)
	target, err := x.constInts(1)
	if err != nil {
		return nil, nil, err
	}
	ts, err := x.toInts("shape", target, 0, core.MaxElements)
	if err != nil {
		return nil, nil, err
	}
	shape, err := core.BroadcastShape("Expand", in.shape, ts)
	if err != nil {
		return nil, nil, x.errorf("%v", err)
	}
	if _, err := core.ShapeSize(shape); err != nil {
		return nil, nil, x.errorf("%v", err)
	}
	v := view{shape: shape, strides: bstrides(in.shape, shape)}
	out, run, err := x.viewOut(in, shape, v)
	return []*val{out}, run, err
}

func compileTile(x *nodeCtx) ([]*val, func(), error) {
	in := x.input(0)
	reps, err := x.constInts(1)
	if err != nil {
		return nil, nil, err
	}
	if len(reps) != len(in.shape) {
		return nil, nil, x.errorf("repeats has %d values for rank %d", len(reps), len(in.shape))
	}
	src := contiguous(in.shape)
	var v view
	shape := make([]int, len(in.shape))
	for d, rep := range reps {
		if rep < 0 || rep > core.MaxElements {
			return nil, nil, x.errorf("repeats %v", reps)
		}
		// Axis d becomes (repeat, element): the repeat steps by 0.
		v.shape = append(v.shape, int(rep), in.shape[d])
		v.strides = append(v.strides, 0, src.strides[d])
		if in.shape[d] != 0 && int(rep) > core.MaxElements/in.shape[d] {
			return nil, nil, x.errorf("result too large")
		}
		shape[d] = int(rep) * in.shape[d]
	}
	if _, err := core.ShapeSize(shape); err != nil {
		return nil, nil, x.errorf("%v", err)
	}
	out, run, err := x.viewOut(in, shape, v)
	return []*val{out}, run, err
}

// blockSize reads DepthToSpace's and SpaceToDepth's blocksize.
func (x *nodeCtx) blockSize() (int, error) {
	b := x.attrInt("blocksize", 0)
	if b < 1 || b > 1<<12 {
		return 0, x.errorf("blocksize %d", b)
	}
	return int(b), nil
}

func compileDepthToSpace(x *nodeCtx) ([]*val, func(), error) {
	in := x.input(0)
	b, err := x.blockSize()
	if err != nil {
		return nil, nil, err
	}
	if len(in.shape) != 4 || in.shape[1]%(b*b) != 0 {
		return nil, nil, x.errorf("input %v: want [N, C, H, W] with C a multiple of %d", in.shape, b*b)
	}
	n, c, h, w := in.shape[0], in.shape[1]/(b*b), in.shape[2], in.shape[3]
	var v view
	switch mode := x.attrString("mode", "DCR"); mode {
	case "DCR": // channels read as [b, b, C']
		v = contiguous([]int{n, b, b, c, h, w}).permute([]int{0, 3, 4, 1, 5, 2})
	case "CRD": // channels read as [C', b, b]
		v = contiguous([]int{n, c, b, b, h, w}).permute([]int{0, 1, 4, 2, 5, 3})
	default:
		return nil, nil, x.errorf("mode %q, want DCR or CRD", mode)
	}
	out, run, err := x.viewOut(in, []int{n, c, h * b, w * b}, v)
	return []*val{out}, run, err
}

func compileSpaceToDepth(x *nodeCtx) ([]*val, func(), error) {
	in := x.input(0)
	b, err := x.blockSize()
	if err != nil {
		return nil, nil, err
	}
	if len(in.shape) != 4 || in.shape[2]%b != 0 || in.shape[3]%b != 0 {
		return nil, nil, x.errorf("input %v: want [N, C, H, W] with H and W multiples of %d", in.shape, b)
	}
	n, c, h, w := in.shape[0], in.shape[1], in.shape[2]/b, in.shape[3]/b
	v := contiguous([]int{n, c, h, b, w, b}).permute([]int{0, 3, 5, 1, 2, 4})
	out, run, err := x.viewOut(in, []int{n, c * b * b, h, w}, v)
	return []*val{out}, run, err
}

// compilePad plans Pad in its four modes. Each output coordinate along an
// axis maps to an input coordinate, or to none (the constant); negative
// pads crop.
func compilePad(x *nodeCtx) ([]*val, func(), error) {
	in := x.input(0)
	r := len(in.shape)
	mode := x.attrString("mode", "constant")
	var pads []int64
	var value float64
	var err error
	if x.opset < 11 {
		pads, _ = x.attrInts("pads")
		value = float64(x.attrFloat("value", 0))
	} else {
		if pads, err = x.constInts(1); err != nil {
			return nil, nil, err
		}
		if c := x.input(2); c != nil {
			if !c.konst || c.len() != 1 {
				return nil, nil, x.errorf("constant_value must be a constant scalar")
			}
			if c.isInt {
				value = float64(c.i[0])
			} else {
				value = float64(c.f[0])
			}
		}
	}
	axes, haveAxes, err := x.optInts(3)
	if err != nil {
		return nil, nil, err
	}
	ax, err := x.axesList(axes, haveAxes, r)
	if err != nil {
		return nil, nil, err
	}
	if len(pads) != 2*len(ax) {
		return nil, nil, x.errorf("pads has %d values for %d axes", len(pads), len(ax))
	}
	switch mode {
	case "constant", "reflect", "edge", "wrap":
	default:
		return nil, nil, x.errorf("mode %q, want constant, reflect, edge or wrap", mode)
	}
	if mode == "wrap" && x.opset < 19 {
		return nil, nil, x.errorf("mode wrap exists from opset 19")
	}
	begin, end := make([]int, r), make([]int, r)
	for i, a := range ax {
		for _, p := range []int64{pads[i], pads[i+len(ax)]} {
			if p < -core.MaxElements || p > core.MaxElements {
				return nil, nil, x.errorf("pads %v", pads)
			}
		}
		begin[a], end[a] = int(pads[i]), int(pads[i+len(ax)])
	}
	shape := make([]int, r)
	maps := make([][]int, r)
	for d := 0; d < r; d++ {
		dim := in.shape[d]
		shape[d] = dim + begin[d] + end[d]
		if shape[d] < 0 {
			return nil, nil, x.errorf("pads %v crop axis %d of size %d below zero", pads, d, dim)
		}
		if mode != "constant" && dim == 0 && shape[d] > 0 {
			return nil, nil, x.errorf("mode %s cannot pad an empty axis", mode)
		}
		if mode == "reflect" && (begin[d] >= dim || end[d] >= dim) && (begin[d] > 0 || end[d] > 0) {
			return nil, nil, x.errorf("reflect pads %v need more than %d values along axis %d", pads, max(begin[d], end[d]), d)
		}
	}
	if _, err := core.ShapeSize(shape); err != nil {
		return nil, nil, x.errorf("%v", err)
	}
	for d := 0; d < r; d++ {
		dim := in.shape[d]
		maps[d] = make([]int, shape[d])
		for o := range maps[d] {
			i := o - begin[d]
			if i < 0 || i >= dim {
				switch mode {
				case "constant":
					i = -1
				case "edge":
					i = min(max(i, 0), dim-1)
				case "wrap":
					i = ((i % dim) + dim) % dim
				default: // reflect, without repeating the edge
					period := 2 * (dim - 1)
					if period == 0 {
						i = 0
					} else {
						i = ((i % period) + period) % period
						if i >= dim {
							i = period - i
						}
					}
				}
			}
			maps[d][o] = i
		}
	}
	strides := contiguous(in.shape).strides
	pad := func(dst, src []float32, fill float32) {
		n := core.Product(shape)
		idx := make([]int, r)
		for o := 0; o < n; o++ {
			at := 0
			for d := 0; d < r && at >= 0; d++ {
				if i := maps[d][idx[d]]; i < 0 {
					at = -1
				} else {
					at += i * strides[d]
				}
			}
			if at < 0 {
				dst[o] = fill
			} else {
				dst[o] = src[at]
			}
			for d := r - 1; d >= 0; d-- {
				idx[d]++
				if idx[d] < shape[d] {
					break
				}
				idx[d] = 0
			}
		}
	}
	if in.isInt {
		if err := x.foldBudget(core.Product(shape)); err != nil {
			return nil, nil, err
		}
		src := intsToFloats(in.i)
		dst := make([]float32, core.Product(shape))
		pad(dst, src, float32(value))
		out := make([]int64, len(dst))
		for i, f := range dst {
			out[i] = int64(f)
		}
		c := intConst(shape, out)
		c.elem = in.elem
		return []*val{c}, nil, nil
	}
	out, err := x.outFloat(shape)
	if err != nil {
		return nil, nil, err
	}
	out.elem = in.elem
	fill := float32(value)
	return []*val{out}, func() { pad(out.f, in.f, fill) }, nil
}

func compileConstantOfShape(x *nodeCtx) ([]*val, func(), error) {
	dims, err := x.constInts(0)
	if err != nil {
		return nil, nil, err
	}
	shape, err := x.toInts("shape", dims, 0, core.MaxElements)
	if err != nil {
		return nil, nil, err
	}
	n, err := core.ShapeSize(shape)
	if err != nil {
		return nil, nil, x.errorf("%v", err)
	}
	value := &val{f: []float32{0}}
	if a := x.attr("value"); a != nil {
		if value, err = decodeTensor(a.t, nil, nil); err != nil {
			return nil, nil, x.errorf("%v", err)
		}
		if value.len() != 1 {
			return nil, nil, x.errorf("value holds %d values, want 1", value.len())
		}
	}
	if value.isInt {
		if err := x.foldBudget(n); err != nil {
			return nil, nil, err
		}
		out := make([]int64, n)
		for i := range out {
			out[i] = value.i[0]
		}
		c := intConst(shape, out)
		c.elem = value.elem
		return []*val{c}, nil, nil
	}
	out, err := x.c.newFolded(x.n.outputs[0], shape)
	if err != nil {
		return nil, nil, x.errorf("%v", err)
	}
	for i := range out.f {
		out.f[i] = value.f[0]
	}
	out.konst = true
	return []*val{out}, nil, nil
}

func compileRange(x *nodeCtx) ([]*val, func(), error) {
	var vs [3]float64
	allInt := true
	for i := range vs {
		v := x.input(i)
		if !v.konst || v.len() != 1 {
			return nil, nil, x.errorf("start, limit and delta must be constant scalars")
		}
		if v.isInt {
			vs[i] = float64(v.i[0])
		} else {
			vs[i], allInt = float64(v.f[0]), false
		}
	}
	start, limit, delta := vs[0], vs[1], vs[2]
	if delta == 0 {
		return nil, nil, x.errorf("delta 0")
	}
	n := math.Max(math.Ceil((limit-start)/delta), 0)
	if n > core.MaxElements {
		return nil, nil, x.errorf("%v values", n)
	}
	if allInt {
		if err := x.foldBudget(int(n)); err != nil {
			return nil, nil, err
		}
		out := make([]int64, int(n))
		for i := range out {
			out[i] = int64(start) + int64(i)*int64(delta)
		}
		c := intConst([]int{len(out)}, out)
		c.elem = x.input(0).elem
		return []*val{c}, nil, nil
	}
	out, err := x.c.newFolded(x.n.outputs[0], []int{int(n)})
	if err != nil {
		return nil, nil, x.errorf("%v", err)
	}
	for i := range out.f {
		out.f[i] = float32(start + float64(i)*delta)
	}
	out.konst = true
	return []*val{out}, nil, nil
}

func compileSize(x *nodeCtx) ([]*val, func(), error) {
	return []*val{intConst([]int{}, []int64{int64(core.Product(x.input(0).shape))})}, nil, nil
}

func compileCastLike(x *nodeCtx) ([]*val, func(), error) {
	like := x.input(1)
	to := like.elem
	switch {
	case like.isFloat():
		to = onnxFloat
	case to == 0:
		to = onnxInt64
	}
	return castTo(x, x.input(0), to)
}

func compileCast(x *nodeCtx) ([]*val, func(), error) {
	return castTo(x, x.input(0), x.attrInt("to", 0))
}

// castTo plans a cast of in to element type to. wasmcnn computes every
// float type in float32 (a cast to a 16-bit float rounds to its precision)
// and holds integers of run-time tensors in floats. A cast from float to
// integer truncates toward zero and then converts as onnxruntime's C++
// casts do on x86: through a 32-bit integer for the types of 32 bits or
// fewer except UINT32 (out of its range, NaN included, the value is
// −2³¹), keeping the low bits; from integer to a narrower integer it
// wraps.
func castTo(x *nodeCtx, in *val, to int64) ([]*val, func(), error) {
	size, toFloat := elemSize(to)
	if size == 0 {
		return nil, nil, x.errorf("cast to %s is not supported", onnxTypeName(int(to)))
	}
	if toFloat {
		round := func(f float32) float32 { return f }
		switch to {
		case onnxFloat16:
			round = roundHalf
		case onnxBfloat16:
			round = roundBfloat
		}
		if in.isInt {
			out := &val{shape: in.shape, f: make([]float32, len(in.i)), konst: true}
			for k, v := range in.i {
				out.f[k] = round(float32(v))
			}
			return []*val{out}, nil, nil
		}
		if to == onnxFloat || to == onnxDouble {
			a := x.alias(in, in.shape)
			a.elem = 0
			return []*val{a}, nil, nil
		}
		out, err := x.outFloat(in.shape)
		if err != nil {
			return nil, nil, err
		}
		return []*val{out}, func() {
			for i, v := range in.f[:len(out.f)] {
				out.f[i] = round(v)
			}
		}, nil
	}
	if in.isInt {
		out := make([]int64, len(in.i))
		for k, v := range in.i {
			out[k] = wrapTo(v, to)
		}
		c := intConst(in.shape, out)
		c.elem = to
		return []*val{c}, nil, nil
	}
	conv := func(f float32) float64 { return float64(floatToInt(f, to)) }
	if in.konst {
		out := make([]int64, len(in.f))
		for k, f := range in.f {
			out[k] = int64(conv(f))
		}
		c := intConst(in.shape, out)
		c.elem = to
		return []*val{c}, nil, nil
	}
	if !in.isFloat() && slices.Contains([]int64{onnxInt32, onnxInt64}, to) {
		a := x.alias(in, in.shape) // every value held already fits
		a.elem = to
		return []*val{a}, nil, nil
	}
	out, err := x.outFloat(in.shape)
	if err != nil {
		return nil, nil, err
	}
	out.elem = to
	return []*val{out}, func() {
		for i, v := range in.f[:len(out.f)] {
			out.f[i] = float32(conv(v))
		}
	}, nil
}

// floatToInt converts f to integer type t the way x86's truncating
// conversions do (see castTo).
func floatToInt(f float32, t int64) int64 {
	if t == onnxBool {
		if f != 0 {
			return 1
		}
		return 0
	}
	v := math.Trunc(float64(f))
	if t == onnxInt64 || t == onnxUint64 || t == onnxUint32 {
		if !(v >= -(1<<63) && v < 1<<63) {
			return wrapTo(math.MinInt64, t)
		}
		return wrapTo(int64(v), t)
	}
	if !(v >= math.MinInt32 && v <= math.MaxInt32) {
		v = math.MinInt32
	}
	return wrapTo(int64(v), t)
}

// wrapTo converts an integer to type t as a C cast does.
func wrapTo(v int64, t int64) int64 {
	switch t {
	case onnxUint32:
		return int64(uint32(v))
	case onnxInt64, onnxUint64:
		return v
	}
	return wrapInt(v, t)
}
