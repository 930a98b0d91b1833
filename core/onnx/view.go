package onnx

import "wasmcnn/core"

// view reads a tensor through strides: element (i₀, …, iₖ) of the view is
// element off + Σ iₐ·strides[a] of the tensor's data. Slice, Expand, Tile,
// Split, DepthToSpace and SpaceToDepth are each one view of their input,
// copied out in order by [copyView]; a stride of 0 repeats an element.
type view struct {
	shape, strides []int
	off            int
}

// contiguous returns the view of a whole tensor of the given shape.
func contiguous(shape []int) view {
	st := make([]int, len(shape))
	s := 1
	for d := len(shape) - 1; d >= 0; d-- {
		st[d] = s
		s *= shape[d]
	}
	return view{shape: append([]int(nil), shape...), strides: st}
}

// permute returns the view with its dimensions in the order perm.
func (v view) permute(perm []int) view {
	out := view{off: v.off, shape: make([]int, len(perm)), strides: make([]int, len(perm))}
	for i, p := range perm {
		out.shape[i], out.strides[i] = v.shape[p], v.strides[p]
	}
	return out
}

// merged returns the view with neighbouring dimensions that step as one
// merged, and dimensions of size 1 dropped, so that copying runs along
// the longest rows it can.
func (v view) merged() view {
	out := view{off: v.off}
	for d := range v.shape {
		if v.shape[d] == 1 {
			continue
		}
		if n := len(out.shape); n > 0 && out.strides[n-1] == v.strides[d]*v.shape[d] {
			out.shape[n-1] *= v.shape[d]
			out.strides[n-1] = v.strides[d]
			continue
		}
		out.shape = append(out.shape, v.shape[d])
		out.strides = append(out.strides, v.strides[d])
	}
	return out
}

// copyView copies the elements of v over src into dst, in order.
func copyView[T any](dst, src []T, v view) {
	v = v.merged()
	n := core.Product(v.shape)
	if n == 0 {
		return
	}
	r := len(v.shape)
	if r == 0 {
		dst[0] = src[v.off]
		return
	}
	inner, step := v.shape[r-1], v.strides[r-1]
	var idx [2 * core.MaxRank]int
	off := v.off
	for o := 0; o < n; o += inner {
		row := dst[o : o+inner]
		switch step {
		case 1:
			copy(row, src[off:off+inner])
		case 0:
			e := src[off]
			for i := range row {
				row[i] = e
			}
		default:
			p := off
			for i := range row {
				row[i] = src[p]
				p += step
			}
		}
		for d := r - 2; d >= 0; d-- {
			idx[d]++
			off += v.strides[d]
			if idx[d] < v.shape[d] {
				break
			}
			off -= v.strides[d] * v.shape[d]
			idx[d] = 0
		}
	}
}

// copyViewRef is the reference for [copyView]: each element's source
// computed from its index on its own.
func copyViewRef[T any](dst, src []T, v view) {
	n := core.Product(v.shape)
	for o := 0; o < n; o++ {
		r, at := o, v.off
		for d := len(v.shape) - 1; d >= 0; d-- {
			at += (r % v.shape[d]) * v.strides[d]
			r /= v.shape[d]
		}
		dst[o] = src[at]
	}
}

// viewOut plans the output of a node that copies view v of in, with the
// given output shape: integer constants are copied now, other tensors at
// run time (folded by the planner when constant). The element type is
// kept.
func (x *nodeCtx) viewOut(in *val, shape []int, v view) (*val, func(), error) {
	if core.Product(shape) != core.Product(v.shape) {
		return nil, nil, x.errorf("internal: view of %d values for an output of %d", core.Product(v.shape), core.Product(shape))
	}
	if len(v.shape) > 2*core.MaxRank {
		return nil, nil, x.errorf("rank %d is too large", len(v.shape))
	}
	if in.isInt {
		if err := x.foldBudget(core.Product(shape)); err != nil {
			return nil, nil, err
		}
		out := make([]int64, core.Product(shape))
		copyView(out, in.i, v)
		c := intConst(shape, out)
		c.elem = in.elem
		return c, nil, nil
	}
	out, err := x.outFloat(shape)
	if err != nil {
		return nil, nil, err
	}
	out.elem = in.elem
	return out, func() { copyView(out.f, in.f, v) }, nil
}
