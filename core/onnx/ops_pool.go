package onnx

import (
	"math"

	"wasmcnn/core"
)

// This file plans MaxPool and AveragePool over one, two or three spatial
// axes: 1-D pooling runs on the 2-D kernels as an image of height 1, 3-D on
// poolND. MaxPool's Indices output is computed when a model declares it.

//
//go:noinline
func compilePool(isMax bool) func(x *nodeCtx) ([]*val, func(), error) {
	return func(x *nodeCtx) ([]*val, func(), error) {
		in := x.input(0)
		if !isMax || in.isInt {
			var err error
			if in, err = x.floatIn(0); err != nil {
				return nil, nil, err
			}
		}
		if len(in.shape) == 5 {
			return x.pool3D(in, isMax)
		}
		in, shape4, err := x.image(0, isMax)
		if err != nil {
			return nil, nil, err
		}
		ws, err := x.windowND(len(in.shape)-2, true)
		if err != nil {
			return nil, nil, err
		}
		g, err := core.NewPoolGeom(x.n.opType, shape4, ws.window2D())
		if err != nil {
			return nil, nil, x.errorf("%v", err)
		}
		out, err := x.outFloat(flatShape(g.OutShape(), len(in.shape)))
		if err != nil {
			return nil, nil, err
		}
		out.elem = in.elem
		if !isMax {
			cip := x.attrInt("count_include_pad", 0) != 0
			return []*val{out}, func() { core.AvgPool2D(out.f, in.f, &g, cip) }, nil
		}
		order := x.attrInt("storage_order", 0)
		if order != 0 && order != 1 {
			return nil, nil, x.errorf("storage_order %d, want 0 or 1", order)
		}
		if len(x.n.outputs) < 2 || x.n.outputs[1] == "" {
			return []*val{out}, func() { core.MaxPool2D(out.f, in.f, nil, &g) }, nil
		}
		// Indices: the flat index in the input of each maximum, over
		// rows (storage_order 0) or columns (1) of each plane.
		idx, err := x.outFloat(out.shape)
		if err != nil {
			return nil, nil, err
		}
		idx.elem = onnxInt64
		if g.N*g.C*g.H*g.W > 1<<24 {
			return nil, nil, x.errorf("indices beyond 2^24 are not supported")
		}
		arg := make([]int32, core.Product(out.shape))
		return []*val{out, idx}, func() {
			core.MaxPool2D(out.f, in.f, arg, &g)
			per := g.OH * g.OW
			for o, a := range arg {
				plane := o / per
				h, w := int(a)/g.W, int(a)%g.W
				at := plane*g.H*g.W + h*g.W + w
				if order == 1 {
					at = plane*g.H*g.W + w*g.H + h
				}
				idx.f[o] = float32(at)
			}
		}, nil
	}
}

// poolAxis is the geometry of pooling along one spatial axis.
type poolAxis struct {
	in, out, k, s, d, pb, pe int
}

// pool3D plans pooling over [N, C, D, H, W]. Each axis's geometry (with
// auto_pad and ceil_mode) is computed by core, as a 2-D pooling of one
// column, so that every rank follows the same rules.
func (x *nodeCtx) pool3D(in *val, isMax bool) ([]*val, func(), error) {
	if len(x.n.outputs) > 1 && x.n.outputs[1] != "" {
		return nil, nil, x.errorf("the Indices output of 3-D pooling is not supported")
	}
	ws, err := x.windowND(3, true)
	if err != nil {
		return nil, nil, err
	}
	axes := make([]poolAxis, 3)
	shape := []int{in.shape[0], in.shape[1], 0, 0, 0}
	for a := range axes {
		pick := func(v []int, def int) int {
			if v == nil {
				return def
			}
			return v[a]
		}
		win := core.Window{AutoPad: ws.autoPad, CeilMode: ws.ceil, KernelH: ws.kernel[a], KernelW: 1,
			StrideH: pick(ws.stride, 1), StrideW: 1, DilationH: pick(ws.dilate, 1), DilationW: 1,
			PadTop: pick(ws.padBegin, 0), PadBottom: pick(ws.padEnd, 0)}
		g, err := core.NewPoolGeom(x.n.opType, []int{1, 1, in.shape[2+a], 1}, win)
		if err != nil {
			return nil, nil, x.errorf("axis %d: %v", a, err)
		}
		axes[a] = poolAxis{in: in.shape[2+a], out: g.OH, k: g.KH, s: g.SH, d: g.DH, pb: g.PT, pe: g.PB}
		shape[2+a] = g.OH
	}
	if err := x.addMACs(int64(core.Product(shape)) * int64(axes[0].k*axes[1].k*axes[2].k)); err != nil {
		return nil, nil, err
	}
	out, err := x.outFloat(shape)
	if err != nil {
		return nil, nil, err
	}
	out.elem = in.elem
	include := x.attrInt("count_include_pad", 0) != 0
	planes := in.shape[0] * in.shape[1]
	return []*val{out}, func() { poolND(out.f, in.f, planes, axes, isMax, include) }, nil
}

// poolND pools every plane of x over the given axes into y, one window at
// a time: the largest value inside the input (padding never wins), or the
// mean over the taps inside the input (or inside the padded extent, with
// includePad).
func poolND(y, x []float32, planes int, axes []poolAxis, isMax, includePad bool) {
	inSize, outSize := 1, 1
	for _, a := range axes {
		inSize *= a.in
		outSize *= a.out
	}
	r := len(axes)
	o := make([]int, r)
	t := make([]int, r)
	for p := 0; p < planes; p++ {
		src := x[p*inSize : (p+1)*inSize]
		for i := range o {
			o[i] = 0
		}
		for k := 0; k < outSize; k++ {
			best, sum, count := float32(-math.MaxFloat32), float32(0), 1
			if includePad {
				for i, a := range axes {
					c := 0
					for j := 0; j < a.k; j++ {
						if pos := o[i]*a.s - a.pb + j*a.d; pos < a.in+a.pe {
							c++
						}
					}
					count *= c
				}
			} else {
				count = 0
			}
			for i := range t {
				t[i] = 0
			}
			for {
				at, inside := 0, true
				for i, a := range axes {
					pos := o[i]*a.s - a.pb + t[i]*a.d
					if pos < 0 || pos >= a.in {
						inside = false
						break
					}
					at = at*a.in + pos
				}
				if inside {
					v := src[at]
					best = max(best, v)
					sum += v
					if !includePad {
						count++
					}
				}
				i := r - 1
				for ; i >= 0; i-- {
					t[i]++
					if t[i] < axes[i].k {
						break
					}
					t[i] = 0
				}
				if i < 0 {
					break
				}
			}
			if isMax {
				y[p*outSize+k] = best
			} else if count > 0 {
				y[p*outSize+k] = sum / float32(count)
			} else {
				y[p*outSize+k] = 0
			}
			for i := r - 1; i >= 0; i-- {
				o[i]++
				if o[i] < axes[i].out {
					break
				}
				o[i] = 0
			}
		}
	}
}

// compileConvTranspose plans a 1-D or 2-D transposed convolution as the
// adjoint of the convolution that maps its output back to its input.
func compileConvTranspose(x *nodeCtx) ([]*val, func(), error) {
	in, shape4, err := x.image(0, false)
	if err != nil {
		return nil, nil, err
	}
	w, err := x.floatIn(1)
	if err != nil {
		return nil, nil, err
	}
	spatial := len(in.shape) - 2
	wshape := w.shape
	if spatial == 1 && len(wshape) == 3 {
		wshape = []int{wshape[0], wshape[1], 1, wshape[2]}
	}
	group := x.attrInt("group", 1)
	if len(wshape) != 4 || group < 1 || group > 1<<20 || wshape[0] != shape4[1] || shape4[1]%int(group) != 0 {
		return nil, nil, x.errorf("weights %v, group %d for input %v: want [C_in, C_out/group, kH, kW]", w.shape, group, in.shape)
	}
	ws, err := x.windowND(spatial, false)
	if err != nil {
		return nil, nil, err
	}
	outPad, err := x.intsAttr("output_padding", spatial, 0, 1<<16)
	if err != nil {
		return nil, nil, err
	}
	outShape, err := x.intsAttr("output_shape", -spatial, 1, core.MaxElements)
	if err != nil {
		return nil, nil, err
	}
	// Per axis (as 2-D: the height of a 1-D image is 1): kernel, stride,
	// dilation, pads and the output size.
	k := []int{wshape[2], wshape[3]}
	lift := func(v []int, def int) []int {
		switch {
		case v == nil:
			return []int{def, def}
		case spatial == 1:
			return []int{def, v[0]}
		}
		return v
	}
	if ws.kernel != nil && (lift(ws.kernel, 1)[0] != k[0] || lift(ws.kernel, 1)[1] != k[1]) {
		return nil, nil, x.errorf("kernel_shape %v disagrees with the weights %v", ws.kernel, w.shape)
	}
	s, d := lift(ws.stride, 1), lift(ws.dilate, 1)
	pb, pe, op := lift(ws.padBegin, 0), lift(ws.padEnd, 0), lift(outPad, 0)
	size := make([]int, 2)
	for a := 0; a < 2; a++ {
		if op[a] >= max(s[a], d[a]) {
			return nil, nil, x.errorf("output_padding %v must be less than the stride or the dilation", outPad)
		}
		full := s[a]*(shape4[2+a]-1) + op[a] + (k[a]-1)*d[a] + 1
		switch {
		case outShape != nil:
			// The output shape decides the padding, split as ONNX says:
			// the odd one at the end with SAME_UPPER, at the start
			// otherwise.
			want := lift(outShape[len(outShape)-spatial:], 1)[a]
			total := full - want
			if total < 0 {
				return nil, nil, x.errorf("output_shape %v is larger than the transposed convolution makes", outShape)
			}
			pb[a], pe[a] = splitPad(total, ws.autoPad)
		case ws.autoPad == "SAME_UPPER" || ws.autoPad == "SAME_LOWER":
			pb[a], pe[a] = splitPad(max(full-shape4[2+a]*s[a], 0), ws.autoPad)
		}
		size[a] = full - pb[a] - pe[a]
		if size[a] < 1 {
			return nil, nil, x.errorf("the output would be empty along axis %d", a)
		}
	}
	// The convolution whose adjoint this is: from the output to the input.
	conv := []int{shape4[0], wshape[1] * int(group), size[0], size[1]}
	win := core.Window{KernelH: k[0], KernelW: k[1], StrideH: s[0], StrideW: s[1], DilationH: d[0], DilationW: d[1],
		PadTop: pb[0], PadLeft: pb[1], PadBottom: pe[0], PadRight: pe[1]}
	g, err := core.NewConvGeom(conv, wshape, win, int(group))
	if err != nil {
		return nil, nil, x.errorf("%v", err)
	}
	if g.OH != shape4[2] || g.OW != shape4[3] {
		return nil, nil, x.errorf("internal: the adjoint convolution maps %v to %dx%d", conv, g.OH, g.OW)
	}
	if err := x.addMACs(g.MACs()); err != nil {
		return nil, nil, err
	}
	bv := x.input(2)
	if bv != nil && (!bv.isFloat() || len(bv.shape) != 1 || bv.shape[0] != g.C) {
		return nil, nil, x.errorf("bias %q has shape %v, want [%d]", bv.name, bv.shape, g.C)
	}
	out, err := x.outFloat(flatShape(conv, len(in.shape)))
	if err != nil {
		return nil, nil, err
	}
	col, err := x.scratch("col2im", g.C/g.Group*g.KH*g.KW*g.OH*g.OW)
	if err != nil {
		return nil, nil, err
	}
	return []*val{out}, func() {
		var b []float32
		if bv != nil {
			b = bv.f
		}
		core.ConvTranspose2D(out.f, in.f, w.f, b, &g, col.f)
	}, nil
}

// splitPad splits a transposed convolution's total padding between the
// start and the end of an axis.
func splitPad(total int, autoPad string) (int, int) {
	if autoPad == "SAME_UPPER" {
		return total / 2, total - total/2
	}
	return total - total/2, total / 2
}

// intsAttr reads an integer-list attribute of n values (of at least −n
// values when n is negative), or nil when it is absent.
func (x *nodeCtx) intsAttr(name string, n int, lo, hi int64) ([]int, error) {
	vs, ok := x.attrInts(name)
	if !ok {
		return nil, nil
	}
	if (n >= 0 && len(vs) != n) || (n < 0 && len(vs) < -n) {
		return nil, x.errorf("%s has %d values", name, len(vs))
	}
	return x.toInts(name, vs, lo, hi)
}
