package core

// TransposeShape returns the shape of x transposed by perm (empty perm
// reverses the dimensions), checking that perm is a permutation.
func TransposeShape(x, perm []int) ([]int, []int, error) {
	if len(perm) == 0 {
		perm = make([]int, len(x))
		for i := range perm {
			perm[i] = len(x) - 1 - i
		}
	}
	if len(perm) != len(x) {
		return nil, nil, shapeErrorf("Transpose", "perm %v has %d entries for a rank-%d input", perm, len(perm), len(x))
	}
	seen := make([]bool, len(x))
	out := make([]int, len(x))
	for i, p := range perm {
		if p < 0 || p >= len(x) || seen[p] {
			return nil, nil, shapeErrorf("Transpose", "perm %v is not a permutation of 0..%d", perm, len(x)-1)
		}
		seen[p] = true
		out[i] = x[p]
	}
	return out, perm, nil
}

// Transpose writes x (shape xs) with its dimensions permuted into y:
// dimension i of y is dimension perm[i] of x. perm must be valid (see
// [TransposeShape]). The result is identical to TransposeRef.
func Transpose(y, x []float32, xs, perm []int) {
	n := len(xs)
	total := Product(xs)
	if len(x) < total || len(y) < total {
		panic(panicShortSlice)
	}
	if total == 0 {
		return
	}
	// Strides of x for each output dimension.
	var stride, dims, idx [MaxRank]int
	s := 1
	var xstride [MaxRank]int
	for d := n - 1; d >= 0; d-- {
		xstride[d] = s
		s *= xs[d]
	}
	for i, p := range perm {
		stride[i] = xstride[p]
		dims[i] = xs[p]
	}
	if n == 0 {
		y[0] = x[0]
		return
	}
	last := n - 1
	inner, is := dims[last], stride[last]
	off := 0
	for o := 0; o < total; o += inner {
		dst := y[o : o+inner]
		if is == 1 {
			copy(dst, x[off:off+inner])
		} else {
			for k, j := 0, off; k < inner; k, j = k+1, j+is {
				dst[k] = x[j]
			}
		}
		for d := last - 1; d >= 0; d-- {
			idx[d]++
			off += stride[d]
			if idx[d] < dims[d] {
				break
			}
			off -= stride[d] * dims[d]
			idx[d] = 0
		}
	}
}

// TransposeRef is the reference for [Transpose]: each output index is
// decomposed and mapped back to x.
func TransposeRef(y, x []float32, xs, perm []int) {
	n := len(xs)
	ys := make([]int, n)
	for i, p := range perm {
		ys[i] = xs[p]
	}
	idx := make([]int, n)
	xi := make([]int, n)
	for o := range y[:Product(xs)] {
		r := o
		for d := n - 1; d >= 0; d-- {
			idx[d] = r % ys[d]
			r /= ys[d]
		}
		for i, p := range perm {
			xi[p] = idx[i]
		}
		off := 0
		for d := 0; d < n; d++ {
			off = off*xs[d] + xi[d]
		}
		y[o] = x[off]
	}
}

// ConcatShape checks that shapes agree except along axis (which may be
// negative, counting from the end) and returns the concatenated shape and the
// normalised axis.
func ConcatShape(shapes [][]int, axis int) ([]int, int, error) {
	if len(shapes) == 0 {
		return nil, 0, shapeErrorf("Concat", "no inputs")
	}
	r := len(shapes[0])
	if axis < -r || axis >= r {
		return nil, 0, shapeErrorf("Concat", "axis %d out of range for rank %d", axis, r)
	}
	if axis < 0 {
		axis += r
	}
	out := append([]int(nil), shapes[0]...)
	for _, s := range shapes[1:] {
		if len(s) != r {
			return nil, 0, shapeErrorf("Concat", "inputs of ranks %d and %d", r, len(s))
		}
		for d := range s {
			if d != axis && s[d] != out[d] {
				return nil, 0, shapeErrorf("Concat", "shapes %v and %v differ outside axis %d", shapes[0], s, axis)
			}
		}
		out[axis] += s[axis]
	}
	if _, err := ShapeSize(out); err != nil {
		return nil, 0, err
	}
	return out, axis, nil
}

// Concat joins the inputs xs (with shapes shapes) along axis into y.
func Concat(y []float32, xs [][]float32, shapes [][]int, axis int) {
	outer := Product(shapes[0][:axis])
	inner := Product(shapes[0][axis+1:])
	rowLen := 0
	for _, s := range shapes {
		rowLen += s[axis] * inner
	}
	if len(y) < outer*rowLen {
		panic(panicShortSlice)
	}
	off := 0
	for i, x := range xs {
		n := shapes[i][axis] * inner
		if len(x) < outer*n {
			panic(panicShortSlice)
		}
		for o := 0; o < outer; o++ {
			copy(y[o*rowLen+off:o*rowLen+off+n], x[o*n:(o+1)*n])
		}
		off += n
	}
}
