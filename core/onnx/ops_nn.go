package onnx

import (
	"slices"

	"wasmcnn/core"
)

// nnOps are the network layers: convolution, pooling, dense and normalisation.
func nnOps() map[string]opSpec {
	window := map[string]attrRule{
		"auto_pad":     always(attrString),
		"dilations":    always(attrInts),
		"kernel_shape": always(attrInts),
		"pads":         always(attrInts),
		"strides":      always(attrInts),
	}
	with := func(base map[string]attrRule, extra map[string]attrRule) map[string]attrRule {
		out := map[string]attrRule{}
		for k, v := range base {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	return map[string]opSpec{
		"Conv":    {attrs: with(window, map[string]attrRule{"group": always(attrInt)}), minIn: 2, maxIn: 3, minOut: 1, maxOut: 1, compile: compileConv},
		"MaxPool": {attrs: with(window, map[string]attrRule{"ceil_mode": since(attrInt, 10), "storage_order": since(attrInt, 8), "dilations": since(attrInts, 10)}), minIn: 1, maxIn: 1, minOut: 1, maxOut: 2, compile: compilePool(true)},
		"ConvTranspose": {attrs: with(window, map[string]attrRule{"group": always(attrInt), "output_padding": always(attrInts), "output_shape": always(attrInts)}),
			minIn: 2, maxIn: 3, minOut: 1, maxOut: 1, compile: compileConvTranspose},
		"AveragePool":       {attrs: with(window, map[string]attrRule{"ceil_mode": since(attrInt, 10), "count_include_pad": always(attrInt), "dilations": since(attrInts, 19)}), minIn: 1, maxIn: 1, minOut: 1, maxOut: 1, compile: compilePool(false)},
		"GlobalAveragePool": {minIn: 1, maxIn: 1, minOut: 1, maxOut: 1, compile: compileGlobalPool(false)},
		"GlobalMaxPool":     {minIn: 1, maxIn: 1, minOut: 1, maxOut: 1, compile: compileGlobalPool(true)},
		"Gemm":              {attrs: map[string]attrRule{"alpha": always(attrFloat), "beta": always(attrFloat), "transA": always(attrInt), "transB": always(attrInt)}, minIn: 2, maxIn: 3, minOut: 1, maxOut: 1, compile: compileGemm},
		"MatMul":            {minIn: 2, maxIn: 2, minOut: 1, maxOut: 1, compile: compileMatMul},
		"BatchNormalization": {attrs: map[string]attrRule{"epsilon": always(attrFloat), "momentum": always(attrFloat), "spatial": until(attrInt, 8), "training_mode": since(attrInt, 14)},
			minIn: 5, maxIn: 5, minOut: 1, maxOut: 5, compile: func(x *nodeCtx) ([]*val, func(), error) { return compileBatchNormAct(x, false) }},
		"Dropout": {attrs: map[string]attrRule{"ratio": until(attrFloat, 11), "seed": since(attrInt, 12), "is_test": until(attrInt, 6)}, minIn: 1, maxIn: 3, minOut: 1, maxOut: 2, compile: compileDropout},
	}
}

// window reads the sliding-window attributes of a 2-D Conv or pooling node.
func (x *nodeCtx) window(needKernel bool) (core.Window, error) {
	ws, err := x.windowND(2, needKernel)
	if err != nil {
		return core.Window{}, err
	}
	return ws.window2D(), nil
}

// windowND is a sliding window over any number of spatial axes, as the
// attributes give it: zero where an attribute is absent.
type windowND struct {
	autoPad                string
	kernel, stride, dilate []int
	padBegin, padEnd       []int
	ceil                   bool
}

// window2D returns the 2-D window of a 1-D or 2-D windowND: a 1-D window
// runs as a 2-D one of height 1.
func (w windowND) window2D() core.Window {
	at := func(v []int, i int) int {
		if v == nil {
			return 0
		}
		if len(v) == 1 {
			if i == 0 {
				return 0 // the height of a 1-D window's image is 1
			}
			return v[0]
		}
		return v[i]
	}
	one := func(v []int, i int) int {
		if len(v) == 1 && i == 0 {
			return 1
		}
		return at(v, i)
	}
	return core.Window{
		AutoPad: w.autoPad, CeilMode: w.ceil,
		KernelH: one(w.kernel, 0), KernelW: at(w.kernel, 1),
		StrideH: one(w.stride, 0), StrideW: at(w.stride, 1),
		DilationH: one(w.dilate, 0), DilationW: at(w.dilate, 1),
		PadTop: at(w.padBegin, 0), PadLeft: at(w.padBegin, 1), PadBottom: at(w.padEnd, 0), PadRight: at(w.padEnd, 1),
	}
}

// windowND reads the sliding-window attributes of a node over spatial axes.
func (x *nodeCtx) windowND(spatial int, needKernel bool) (windowND, error) {
	w := windowND{autoPad: x.attrString("auto_pad", core.AutoPadNotSet), ceil: x.attrInt("ceil_mode", 0) != 0}
	list := func(name string, n int, lo, hi int64) ([]int, error) {
		vs, ok := x.attrInts(name)
		if !ok {
			return nil, nil
		}
		if len(vs) != n {
			return nil, x.errorf("%s has %d values, want %d for %d spatial axes", name, len(vs), n, spatial)
		}
		return x.toInts(name, vs, lo, hi)
	}
	var err error
	if w.kernel, err = list("kernel_shape", spatial, 1, 1<<16); err != nil {
		return w, err
	}
	if w.kernel == nil && needKernel {
		return w, x.errorf("kernel_shape is required")
	}
	if w.stride, err = list("strides", spatial, 1, 1<<16); err != nil {
		return w, err
	}
	if w.dilate, err = list("dilations", spatial, 1, 1<<16); err != nil {
		return w, err
	}
	pads, err := list("pads", 2*spatial, 0, 1<<16)
	if err != nil {
		return w, err
	}
	if pads != nil {
		nonzero := false
		for _, p := range pads {
			nonzero = nonzero || p != 0
		}
		if w.autoPad != core.AutoPadNotSet && w.autoPad != "" && nonzero {
			return w, x.errorf("pads given together with auto_pad %s", w.autoPad)
		}
		w.padBegin, w.padEnd = pads[:spatial], pads[spatial:]
	}
	return w, nil
}

// image checks that input i is an [N, C, H, W] tensor, or an [N, C, L]
// one, and returns it with its shape as a 2-D image ([N, C, 1, L]).
func (x *nodeCtx) image(i int, anyType bool) (*val, []int, error) {
	v := x.input(i)
	if !anyType {
		var err error
		if v, err = x.floatIn(i); err != nil {
			return nil, nil, err
		}
	}
	switch len(v.shape) {
	case 4:
		return v, v.shape, nil
	case 3:
		return v, []int{v.shape[0], v.shape[1], 1, v.shape[2]}, nil
	}
	return nil, nil, x.errorf("input %q has shape %v; wasmcnn implements the 1-D form [N, C, L] and the 2-D form [N, C, H, W]", v.name, v.shape)
}

// image4 checks that input i is a float [N, C, H, W] tensor.
func (x *nodeCtx) image4(i int) (*val, error) {
	v, err := x.floatIn(i)
	if err != nil {
		return nil, err
	}
	if len(v.shape) != 4 {
		return nil, x.errorf("input %q has shape %v; wasmcnn implements the 2-D form, [N, C, H, W]", v.name, v.shape)
	}
	return v, nil
}

// flatShape returns a 2-D result's shape in the rank of the node's input:
// [N, C, 1, L] becomes [N, C, L] for a 1-D node.
func flatShape(s []int, rank int) []int {
	if rank == 3 {
		return []int{s[0], s[1], s[3]}
	}
	return s
}

//
//go:noinline
func compileGlobalPool(isMax bool) func(x *nodeCtx) ([]*val, func(), error) {
	return func(x *nodeCtx) ([]*val, func(), error) {
		in, err := x.floatIn(0)
		if err != nil {
			return nil, nil, err
		}
		if len(in.shape) < 3 {
			return nil, nil, x.errorf("input %q has shape %v, want [N, C, spatial…]", in.name, in.shape)
		}
		n, c, hw := in.shape[0], in.shape[1], core.Product(in.shape[2:])
		shape := []int{n, c}
		for range in.shape[2:] {
			shape = append(shape, 1)
		}
		out, err := x.outFloat(shape)
		if err != nil {
			return nil, nil, err
		}
		if !isMax {
			return []*val{out}, func() { core.GlobalAvgPool2D(out.f, in.f, n, c, hw) }, nil
		}
		return []*val{out}, func() {
			y, xd := out.f, in.f
			for pl := 0; pl < n*c; pl++ {
				m := xd[pl*hw]
				for _, v := range xd[pl*hw : (pl+1)*hw] {
					m = max(m, v)
				}
				y[pl] = m
			}
		}, nil
	}
}

func compileGemm(x *nodeCtx) ([]*val, func(), error) {
	a, err := x.floatIn(0)
	if err != nil {
		return nil, nil, err
	}
	b, err := x.floatIn(1)
	if err != nil {
		return nil, nil, err
	}
	if len(a.shape) != 2 || len(b.shape) != 2 {
		return nil, nil, x.errorf("A %v and B %v must be matrices", a.shape, b.shape)
	}
	transA, transB := x.attrInt("transA", 0) != 0, x.attrInt("transB", 0) != 0
	alpha, beta := x.attrFloat("alpha", 1), x.attrFloat("beta", 1)
	m, k := a.shape[0], a.shape[1]
	if transA {
		m, k = k, m
	}
	k2, n := b.shape[0], b.shape[1]
	if transB {
		k2, n = n, k2
	}
	if k != k2 {
		return nil, nil, x.errorf("A %v and B %v do not multiply (transA=%v, transB=%v)", a.shape, b.shape, transA, transB)
	}
	if err := x.addMACs(int64(m) * int64(n) * int64(k)); err != nil {
		return nil, nil, err
	}
	out, err := x.outFloat([]int{m, n})
	if err != nil {
		return nil, nil, err
	}
	// C is broadcast to [M, N] once if constant, at run time otherwise.
	var fill func()
	gemmBeta := float32(0)
	if c := x.input(2); c != nil && beta != 0 {
		if c.isInt {
			return nil, nil, x.errorf("C %q is an integer tensor", c.name)
		}
		bc, err := core.NewBroadcast("Gemm", []int{m, n}, c.shape)
		if err != nil || !slices.Equal(bc.Out, []int{m, n}) {
			return nil, nil, x.errorf("C %v does not broadcast to [%d %d]", c.shape, m, n)
		}
		zeros := make([]float32, m*n)
		scaled := func(dst []float32) {
			bc.Apply(core.OpAdd, dst, zeros, c.f)
			if beta != 1 {
				for i := range dst {
					dst[i] *= beta
				}
			}
		}
		if c.konst {
			pre := make([]float32, m*n)
			scaled(pre)
			fill = func() { copy(out.f, pre) }
		} else {
			fill = func() { scaled(out.f) }
		}
		gemmBeta = 1
	}
	lda, ldb := a.shape[1], b.shape[1]
	bt := b
	if pk := x.c.plan.kernel; m == 1 && !transB && b.konst && pk != nil && pk.Dots != nil {
		// At batch 1 the product is n dot products with the columns of B:
		// stored as rows once, they stream through the kernel for Dots.
		t := make([]float32, n*k)
		for p := 0; p < k; p++ {
			for j := 0; j < n; j++ {
				t[j*k+p] = b.f[p*ldb+j]
			}
		}
		bt, ldb, transB = &val{shape: []int{n, k}, f: t, konst: true}, k, true
	}
	return []*val{out}, func() {
		if fill != nil {
			fill()
		}
		core.Gemm(transA, transB, m, n, k, alpha, a.f, max(1, lda), bt.f, max(1, ldb), gemmBeta, out.f, max(1, n))
	}, nil
}

func compileMatMul(x *nodeCtx) ([]*val, func(), error) {
	a, err := x.floatIn(0)
	if err != nil {
		return nil, nil, err
	}
	b, err := x.floatIn(1)
	if err != nil {
		return nil, nil, err
	}
	p, err := core.NewMatMul(a.shape, b.shape)
	if err != nil {
		return nil, nil, x.errorf("%v", err)
	}
	if err := x.addMACs(p.MACs()); err != nil {
		return nil, nil, err
	}
	out, err := x.outFloat(p.Out)
	if err != nil {
		return nil, nil, err
	}
	return []*val{out}, func() { p.Apply(out.f, a.f, b.f) }, nil
}

// compileBatchNormAct plans an inference BatchNormalization, with the Relu
// after it merged when relu is set (fuse.go).
func compileBatchNormAct(x *nodeCtx, relu bool) ([]*val, func(), error) {
	in, err := x.floatIn(0)
	if err != nil {
		return nil, nil, err
	}
	if x.attrInt("spatial", 1) != 1 {
		return nil, nil, x.errorf("spatial 0 is not supported")
	}
	if x.attrInt("training_mode", 0) != 0 {
		return nil, nil, x.errorf("training_mode 1 is not supported; export the model for inference")
	}
	for i := 1; i < len(x.n.outputs); i++ {
		if x.n.outputs[i] != "" {
			return nil, nil, x.errorf("the training outputs (running mean and variance) are not supported")
		}
	}
	if len(in.shape) < 2 {
		return nil, nil, x.errorf("input %q has shape %v, want [N, C, …]", in.name, in.shape)
	}
	c := in.shape[1]
	params := make([]*val, 4)
	for i := range params {
		p, err := x.floatIn(i + 1)
		if err != nil {
			return nil, nil, err
		}
		if len(p.shape) != 1 || p.shape[0] != c {
			return nil, nil, x.errorf("input %q has shape %v, want [%d]", p.name, p.shape, c)
		}
		params[i] = p
	}
	eps := x.attrFloat("epsilon", 1e-5)
	out, err := x.outFloat(in.shape)
	if err != nil {
		return nil, nil, err
	}
	n, hw := in.shape[0], core.Product(in.shape[2:])
	if relu {
		return []*val{out}, func() {
			core.BatchNormReLU(out.f, in.f, n, c, hw, params[0].f, params[1].f, params[2].f, params[3].f, eps)
		}, nil
	}
	return []*val{out}, func() {
		core.BatchNormInference(out.f, in.f, n, c, hw, params[0].f, params[1].f, params[2].f, params[3].f, eps)
	}, nil
}

// compileDropout plans Dropout at inference: a copy of its input, and a
// mask of ones (nothing dropped) when the model declares one.
func compileDropout(x *nodeCtx) ([]*val, func(), error) {
	in := x.input(0)
	outs := []*val{x.alias(in, in.shape)}
	if len(x.n.outputs) > 1 && x.n.outputs[1] != "" {
		n := core.Product(in.shape)
		if err := x.foldBudget(n); err != nil {
			return nil, nil, err
		}
		ones := make([]int64, n)
		for i := range ones {
			ones[i] = 1
		}
		mask := intConst(in.shape, ones)
		mask.elem = onnxBool
		outs = append(outs, mask)
	}
	if t := x.input(2); t != nil {
		mode, err := x.constInts(2)
		if err != nil {
			return nil, nil, err
		}
		if len(mode) != 1 || mode[0] != 0 {
			return nil, nil, x.errorf("training_mode must be false for inference")
		}
	}
	return outs, nil, nil
}
