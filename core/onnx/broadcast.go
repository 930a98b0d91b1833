package onnx

import "wasmcnn/core"

// bcast is an element-wise operation of two tensors that broadcast the
// NumPy way, for the operations [core.Broadcast] does not compute (Pow,
// PRelu, Max, Min, comparisons, Where): each output element is a function
// of one element of each input, found by strides that are 0 along the
// dimensions an input repeats.
type bcast struct {
	out    []int
	n      int
	sa, sb []int
}

// newBcast plans the broadcast of shapes a and b for node x.
func (x *nodeCtx) newBcast(a, b []int) (*bcast, error) {
	out, err := core.BroadcastShape(x.n.opType, a, b)
	if err != nil {
		return nil, x.errorf("%v", err)
	}
	return &bcast{out: out, n: core.Product(out), sa: bstrides(a, out), sb: bstrides(b, out)}, nil
}

// bstrides returns the strides of a tensor of shape s read at every index
// of out, 0 along broadcast dimensions.
func bstrides(s, out []int) []int {
	st := make([]int, len(out))
	stride := 1
	for k := len(s) - 1; k >= 0; k-- {
		d := len(out) - len(s) + k
		if s[k] != 1 {
			st[d] = stride
		}
		stride *= s[k]
	}
	return st
}

// apply computes y[i] = f(a[…], b[…]) over the output.
func (p *bcast) apply(y, a, b []float32, f func(a, b float32) float32) {
	p.rows(y, a, b, func(y, a, b []float32, ia, ib int) {
		pa, pb := 0, 0
		for i := range y {
			y[i] = f(a[pa], b[pb])
			pa += ia
			pb += ib
		}
	})
}

// rows calls f on each row of the output (its last dimension) with the
// inputs where the row reads them and their strides, 0 or 1.
func (p *bcast) rows(y, a, b []float32, f func(y, a, b []float32, ia, ib int)) {
	if p.n == 0 {
		return
	}
	r := len(p.out)
	if r == 0 {
		f(y[:1], a, b, 1, 1)
		return
	}
	inner, ia, ib := p.out[r-1], p.sa[r-1], p.sb[r-1]
	var idx [core.MaxRank]int
	offA, offB := 0, 0
	for o := 0; o < p.n; o += inner {
		f(y[o:o+inner], a[offA:], b[offB:], ia, ib)
		for d := r - 2; d >= 0; d-- {
			idx[d]++
			offA += p.sa[d]
			offB += p.sb[d]
			if idx[d] < p.out[d] {
				break
			}
			offA -= p.sa[d] * p.out[d]
			offB -= p.sb[d] * p.out[d]
			idx[d] = 0
		}
	}
}

// bcastRef is the reference for [bcast.apply]: every output index is
// decomposed and mapped into each input on its own.
func bcastRef(y, a []float32, as []int, b []float32, bs []int, out []int, f func(a, b float32) float32) {
	idx := make([]int, len(out))
	for o := range y[:core.Product(out)] {
		r := o
		for d := len(out) - 1; d >= 0; d-- {
			idx[d] = r % out[d]
			r /= out[d]
		}
		y[o] = f(a[core.BroadcastIndex(idx, as)], b[core.BroadcastIndex(idx, bs)])
	}
}
