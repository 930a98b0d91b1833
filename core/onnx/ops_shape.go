package onnx

import (
	"slices"

	"wasmcnn/core"
)

// shapeOps are the operators that move or describe data without arithmetic.
func shapeOps() map[string]opSpec {
	return map[string]opSpec{
		"Identity":  {minIn: 1, maxIn: 1, minOut: 1, maxOut: 1, compile: compileIdentity},
		"Flatten":   {attrs: map[string]attrRule{"axis": always(attrInt)}, minIn: 1, maxIn: 1, minOut: 1, maxOut: 1, compile: compileFlatten},
		"Reshape":   {attrs: map[string]attrRule{"allowzero": since(attrInt, 14)}, minIn: 2, maxIn: 2, minOut: 1, maxOut: 1, compile: compileReshape},
		"Squeeze":   {attrs: map[string]attrRule{"axes": until(attrInts, 12)}, minIn: 1, maxIn: 2, minOut: 1, maxOut: 1, compile: compileSqueeze},
		"Unsqueeze": {attrs: map[string]attrRule{"axes": until(attrInts, 12)}, minIn: 1, maxIn: 2, minOut: 1, maxOut: 1, compile: compileUnsqueeze},
		"Transpose": {attrs: map[string]attrRule{"perm": always(attrInts)}, minIn: 1, maxIn: 1, minOut: 1, maxOut: 1, compile: compileTranspose},
		"Concat":    {attrs: map[string]attrRule{"axis": always(attrInt)}, minIn: 1, maxIn: -1, minOut: 1, maxOut: 1, compile: compileConcat},
		"Shape":     {attrs: map[string]attrRule{"start": since(attrInt, 15), "end": since(attrInt, 15)}, minIn: 1, maxIn: 1, minOut: 1, maxOut: 1, compile: compileShape},
		"Gather":    {attrs: map[string]attrRule{"axis": always(attrInt)}, minIn: 2, maxIn: 2, minOut: 1, maxOut: 1, compile: compileGather},
		"Cast":      {attrs: map[string]attrRule{"to": always(attrInt), "saturate": since(attrInt, 19), "round_mode": since(attrString, 24)}, minIn: 1, maxIn: 1, minOut: 1, maxOut: 1, compile: compileCast},
		"Constant": {attrs: map[string]attrRule{"value": always(attrTensor), "value_float": since(attrFloat, 12), "value_floats": since(attrFloats, 12),
			"value_int": since(attrInt, 12), "value_ints": since(attrInts, 12)}, minIn: 0, maxIn: 0, minOut: 1, maxOut: 1, compile: compileConstant},
	}
}

func compileIdentity(x *nodeCtx) ([]*val, func(), error) {
	in := x.input(0)
	return []*val{x.alias(in, in.shape)}, nil, nil
}

func compileFlatten(x *nodeCtx) ([]*val, func(), error) {
	in := x.input(0)
	r := len(in.shape)
	axis := x.attrInt("axis", 1)
	if axis < -int64(r) || axis > int64(r) {
		return nil, nil, x.errorf("axis %d out of range for rank %d", axis, r)
	}
	if axis < 0 {
		axis += int64(r)
	}
	return []*val{x.alias(in, []int{core.Product(in.shape[:axis]), core.Product(in.shape[axis:])})}, nil, nil
}

func compileReshape(x *nodeCtx) ([]*val, func(), error) {
	in := x.input(0)
	spec, err := x.constInts(1)
	if err != nil {
		return nil, nil, err
	}
	if len(spec) > core.MaxRank {
		return nil, nil, x.errorf("target shape has %d dimensions", len(spec))
	}
	allowZero := x.attrInt("allowzero", 0) != 0
	shape := make([]int, len(spec))
	infer := -1
	known := 1
	for i, d := range spec {
		switch {
		case d == -1:
			if infer >= 0 {
				return nil, nil, x.errorf("target shape %v has more than one -1", spec)
			}
			infer = i
			continue
		case d == 0 && !allowZero:
			if i >= len(in.shape) {
				return nil, nil, x.errorf("target shape %v copies dimension %d of %v, which does not exist", spec, i, in.shape)
			}
			shape[i] = in.shape[i]
		case d < 0 || d > core.MaxElements:
			return nil, nil, x.errorf("target shape %v has dimension %d", spec, d)
		default:
			shape[i] = int(d)
		}
		if shape[i] != 0 && known > core.MaxElements/shape[i] {
			return nil, nil, x.errorf("target shape %v is too large", spec)
		}
		known *= shape[i]
	}
	n := in.len()
	if infer >= 0 {
		if known == 0 || n%known != 0 {
			return nil, nil, x.errorf("cannot reshape %v (%d values) to %v", in.shape, n, spec)
		}
		shape[infer] = n / known
	} else if known != n {
		return nil, nil, x.errorf("cannot reshape %v (%d values) to %v", in.shape, n, spec)
	}
	return []*val{x.alias(in, shape)}, nil, nil
}

// axesArg reads the axes of Squeeze and Unsqueeze: an attribute before
// opset 13, an optional constant input from 13 on.
func (x *nodeCtx) axesArg() ([]int64, bool, error) {
	if x.opset < 13 {
		a, ok := x.attrInts("axes")
		return a, ok, nil
	}
	if x.input(1) == nil {
		return nil, false, nil
	}
	a, err := x.constInts(1)
	return a, true, err
}

func compileSqueeze(x *nodeCtx) ([]*val, func(), error) {
	in := x.input(0)
	axes, given, err := x.axesArg()
	if err != nil {
		return nil, nil, err
	}
	drop := make([]bool, len(in.shape))
	for _, a := range axes {
		ax, err := x.normAxis(a, len(in.shape))
		if err != nil {
			return nil, nil, err
		}
		if in.shape[ax] != 1 {
			return nil, nil, x.errorf("cannot squeeze axis %d of %v: it is not 1", ax, in.shape)
		}
		drop[ax] = true
	}
	var shape []int
	for i, d := range in.shape {
		if drop[i] || (!given && d == 1) {
			continue
		}
		shape = append(shape, d)
	}
	return []*val{x.alias(in, shape)}, nil, nil
}

func compileUnsqueeze(x *nodeCtx) ([]*val, func(), error) {
	in := x.input(0)
	axes, given, err := x.axesArg()
	if err != nil {
		return nil, nil, err
	}
	if !given {
		return nil, nil, x.errorf("axes are required")
	}
	r := len(in.shape) + len(axes)
	if r > core.MaxRank {
		return nil, nil, x.errorf("result would have rank %d", r)
	}
	ins := make([]bool, r)
	for _, a := range axes {
		ax, err := x.normAxis(a, r)
		if err != nil {
			return nil, nil, err
		}
		if ins[ax] {
			return nil, nil, x.errorf("axis %d repeated", ax)
		}
		ins[ax] = true
	}
	shape := make([]int, 0, r)
	k := 0
	for i := 0; i < r; i++ {
		if ins[i] {
			shape = append(shape, 1)
			continue
		}
		shape = append(shape, in.shape[k])
		k++
	}
	return []*val{x.alias(in, shape)}, nil, nil
}

func compileTranspose(x *nodeCtx) ([]*val, func(), error) {
	in := x.input(0)
	perm64, _ := x.attrInts("perm")
	perm, err := x.toInts("perm", perm64, 0, core.MaxRank)
	if err != nil {
		return nil, nil, err
	}
	shape, perm, err := core.TransposeShape(in.shape, perm)
	if err != nil {
		return nil, nil, x.errorf("%v", err)
	}
	if in.isInt {
		out, run, err := x.viewOut(in, shape, contiguous(in.shape).permute(perm))
		return []*val{out}, run, err
	}
	out, err := x.outFloat(shape)
	if err != nil {
		return nil, nil, err
	}
	out.elem = in.elem
	return []*val{out}, func() { core.Transpose(out.f, in.f, in.shape, perm) }, nil
}

func compileConcat(x *nodeCtx) ([]*val, func(), error) {
	var shapes [][]int
	isInt := x.input(0).isInt
	for i := range x.n.inputs {
		v := x.input(i)
		if v == nil {
			return nil, nil, x.errorf("input %d is empty", i)
		}
		if v.isInt != isInt {
			return nil, nil, x.errorf("inputs mix integer and float tensors")
		}
		shapes = append(shapes, v.shape)
	}
	if x.attr("axis") == nil {
		return nil, nil, x.errorf("axis is required")
	}
	shape, axis, err := core.ConcatShape(shapes, int(x.attrInt("axis", 0)))
	if err != nil {
		return nil, nil, x.errorf("%v", err)
	}
	if isInt {
		if err := x.foldBudget(core.Product(shape)); err != nil {
			return nil, nil, err
		}
		outer := core.Product(shape[:axis])
		var out []int64
		for o := 0; o < outer; o++ {
			for i := range x.n.inputs {
				v := x.input(i)
				n := core.Product(v.shape[axis:])
				out = append(out, v.i[o*n:(o+1)*n]...)
			}
		}
		return []*val{intConst(shape, out)}, nil, nil
	}
	out, err := x.outFloat(shape)
	if err != nil {
		return nil, nil, err
	}
	out.elem = x.input(0).elem
	for i := range x.n.inputs {
		if x.input(i).elem != out.elem {
			return nil, nil, x.errorf("inputs of types %s and %s", x.input(0).typeName(), x.input(i).typeName())
		}
	}
	if !x.fold && core.Product(shape[:axis]) == 1 {
		// Each input is one contiguous slice of the output: its producer
		// may write it there (concat.go).
		site := &concatSite{step: len(x.c.plan.steps), out: out, ins: x.in, offs: make([]int, len(x.in)), homed: make([]bool, len(x.in))}
		for i := 1; i < len(x.in); i++ {
			site.offs[i] = site.offs[i-1] + x.in[i-1].size
		}
		x.c.plan.concats = append(x.c.plan.concats, site)
		return []*val{out}, site.run, nil
	}
	srcs := make([][]float32, len(x.n.inputs))
	return []*val{out}, func() {
		for i := range srcs {
			srcs[i] = x.in[i].f
		}
		core.Concat(out.f, srcs, shapes, axis)
	}, nil
}

func compileShape(x *nodeCtx) ([]*val, func(), error) {
	in := x.input(0)
	r := int64(len(in.shape))
	clampAxis := func(a int64) int64 {
		if a < 0 {
			a += r
		}
		return min(max(a, 0), r)
	}
	start, end := clampAxis(x.attrInt("start", 0)), clampAxis(x.attrInt("end", r))
	out := []int64{}
	for i := start; i < end; i++ {
		out = append(out, int64(in.shape[i]))
	}
	return []*val{intConst([]int{len(out)}, out)}, nil, nil
}

func compileGather(x *nodeCtx) ([]*val, func(), error) {
	data := x.input(0)
	idx, err := x.constInts(1)
	if err != nil {
		return nil, nil, err
	}
	ishape := x.input(1).shape
	r := len(data.shape)
	if r == 0 {
		return nil, nil, x.errorf("cannot gather from a scalar")
	}
	axis, err := x.normAxis(x.attrInt("axis", 0), r)
	if err != nil {
		return nil, nil, err
	}
	d := data.shape[axis]
	pos := make([]int, len(idx))
	for k, v := range idx {
		if v < -int64(d) || v >= int64(d) {
			return nil, nil, x.errorf("index %d out of range for axis %d of size %d", v, axis, d)
		}
		if v < 0 {
			v += int64(d)
		}
		pos[k] = int(v)
	}
	shape := slices.Concat(data.shape[:axis], ishape, data.shape[axis+1:])
	if len(shape) > core.MaxRank {
		return nil, nil, x.errorf("result would have rank %d", len(shape))
	}
	outer, inner := core.Product(data.shape[:axis]), core.Product(data.shape[axis+1:])
	gather := func(dst, src []float32) {
		for o := 0; o < outer; o++ {
			for k, p := range pos {
				copy(dst[(o*len(pos)+k)*inner:(o*len(pos)+k+1)*inner], src[(o*d+p)*inner:(o*d+p+1)*inner])
			}
		}
	}
	if data.isInt {
		if err := x.foldBudget(outer * len(pos) * inner); err != nil {
			return nil, nil, err
		}
		out := make([]int64, outer*len(pos)*inner)
		for o := 0; o < outer; o++ {
			for k, p := range pos {
				copy(out[(o*len(pos)+k)*inner:(o*len(pos)+k+1)*inner], data.i[(o*d+p)*inner:(o*d+p+1)*inner])
			}
		}
		return []*val{intConst(shape, out)}, nil, nil
	}
	out, err := x.outFloat(shape)
	if err != nil {
		return nil, nil, err
	}
	out.elem = data.elem
	return []*val{out}, func() { gather(out.f, data.f) }, nil
}

func compileConstant(x *nodeCtx) ([]*val, func(), error) {
	if len(x.n.attrs) != 1 {
		return nil, nil, x.errorf("needs exactly one value attribute, has %d", len(x.n.attrs))
	}
	a := x.n.attrs[0]
	switch a.name {
	case "value":
		v, err := decodeTensor(a.t, nil, nil)
		if err != nil {
			return nil, nil, x.errorf("%v", err)
		}
		return []*val{v}, nil, nil
	case "value_float":
		return []*val{{shape: []int{}, f: []float32{a.f}, konst: true}}, nil, nil
	case "value_floats":
		return []*val{{shape: []int{len(a.floats)}, f: a.floats, konst: true}}, nil, nil
	case "value_int":
		return []*val{intConst([]int{}, []int64{a.i})}, nil, nil
	default:
		return []*val{intConst([]int{len(a.ints)}, a.ints)}, nil, nil
	}
}
