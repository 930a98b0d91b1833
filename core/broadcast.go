package core

import "math"

// BinaryOp is an element-wise arithmetic operation of two tensors.
type BinaryOp int

// The element-wise operations, as ONNX Add, Sub, Mul and Div define them.
const (
	OpAdd BinaryOp = iota
	OpSub
	OpMul
	OpDiv
)

// String returns the ONNX name of the operation.
func (op BinaryOp) String() string {
	switch op {
	case OpAdd:
		return "Add"
	case OpSub:
		return "Sub"
	case OpMul:
		return "Mul"
	case OpDiv:
		return "Div"
	}
	return "BinaryOp(?)"
}

// apply returns a op b.
func (op BinaryOp) apply(a, b float32) float32 {
	switch op {
	case OpAdd:
		return a + b
	case OpSub:
		return a - b
	case OpMul:
		return a * b
	default:
		return a / b
	}
}

// Broadcast is a planned element-wise operation between two tensors whose
// shapes broadcast the NumPy way: shapes are aligned at their last
// dimension, and each dimension must be equal or 1 in one of them (a size-1
// dimension is repeated). Plan once with [NewBroadcast], then [Broadcast.Apply]
// runs without allocating.
type Broadcast struct {
	Out []int // the shape of the result
	// The iteration, with runs of dimensions merged: dims[i] steps through
	// a with stride sa[i] and b with sb[i] (0 where broadcast).
	dims, sa, sb []int
	// planes is the plan of a tensor times (or plus) one value per plane,
	// as a squeeze-excite block's Mul of [N C H W] by [N C 1 1] or [1 C 1
	// 1]; nil otherwise.
	planes *planeBroadcast
}

// planeBroadcast is [Broadcast] of a tensor of n images of c planes of
// hw floats and one value per plane: Mul and Add run on the scale-shift
// kernels, y = x·s + (−0) and y = x·1 + s, which round as x·s and x + s
// do, bit for bit (−0 keeps a product's sign of zero where +0 would not).
type planeBroadcast struct {
	n, c, hw int
	vecA     bool // a holds the per-plane values (Mul(scale, x)), not b
	vecStep  int  // floats between one image's values and the next (0: shared)
	xStep    int  // c·hw
	negZeros []float32
	ones     []float32
}

// BroadcastShape returns the NumPy broadcast of shapes a and b.
func BroadcastShape(op string, a, b []int) ([]int, error) {
	n := max(len(a), len(b))
	out := make([]int, n)
	for i := 0; i < n; i++ {
		da, db := dimFromEnd(a, n-1-i), dimFromEnd(b, n-1-i)
		switch {
		case da == db || db == 1:
			out[i] = da
		case da == 1:
			out[i] = db
		default:
			return nil, shapeErrorf(op, "shapes %v and %v do not broadcast (dimension %d is %d vs %d)", a, b, i, da, db)
		}
	}
	if _, err := ShapeSize(out); err != nil {
		return nil, err
	}
	return out, nil
}

// dimFromEnd returns dimension k counted from the end of shape (0 = last), or 1.
func dimFromEnd(shape []int, k int) int {
	if k >= len(shape) {
		return 1
	}
	return shape[len(shape)-1-k]
}

// NewBroadcast plans an element-wise operation on tensors of shapes a and b.
func NewBroadcast(op string, a, b []int) (*Broadcast, error) {
	out, err := BroadcastShape(op, a, b)
	if err != nil {
		return nil, err
	}
	p := &Broadcast{Out: out}
	n := len(out)
	// Strides of a and b in their own layout, 0 along broadcast dimensions.
	sa, sb := make([]int, n), make([]int, n)
	ra, rb := 1, 1
	for i := n - 1; i >= 0; i-- {
		k := n - 1 - i
		if da := dimFromEnd(a, k); da != 1 {
			sa[i] = ra
			ra *= da
		}
		if db := dimFromEnd(b, k); db != 1 {
			sb[i] = rb
			rb *= db
		}
	}
	// Merge neighbouring dimensions that step contiguously in both, so the
	// inner loop is as long as possible.
	for i := 0; i < n; i++ {
		d := out[i]
		if d == 1 {
			continue
		}
		if m := len(p.dims) - 1; m >= 0 && p.sa[m] == sa[i]*d && p.sb[m] == sb[i]*d {
			p.dims[m] *= d
			p.sa[m], p.sb[m] = sa[i], sb[i]
			continue
		}
		p.dims = append(p.dims, d)
		p.sa = append(p.sa, sa[i])
		p.sb = append(p.sb, sb[i])
	}
	if len(p.dims) == 0 {
		p.dims, p.sa, p.sb = []int{1}, []int{0}, []int{0}
	}
	p.planes = planesOf(p.dims, p.sa, p.sb)
	return p, nil
}

// planesOf recognises merged dimensions [N] C HW where one operand steps
// through all of them and the other holds one value per (image and)
// plane, C or N·C of them.
func planesOf(dims, sa, sb []int) *planeBroadcast {
	k := len(dims)
	if k < 2 || k > 3 {
		return nil
	}
	c, hw := dims[k-2], dims[k-1]
	vecA := sa[k-1] == 0
	x, v := sa, sb
	if vecA {
		x, v = sb, sa
	}
	if hw < 2 || x[k-1] != 1 || x[k-2] != hw || v[k-1] != 0 || v[k-2] != 1 {
		return nil
	}
	q := &planeBroadcast{n: 1, c: c, hw: hw, vecA: vecA, xStep: c * hw}
	if k == 3 {
		if x[0] != c*hw || (v[0] != 0 && v[0] != c) {
			return nil
		}
		q.n, q.vecStep = dims[0], v[0]
	}
	q.negZeros, q.ones = make([]float32, c), make([]float32, c)
	for i := range q.ones {
		q.negZeros[i], q.ones[i] = float32(math.Copysign(0, -1)), 1
	}
	return q
}

// apply runs Mul and Add of a planeBroadcast and reports whether it did.
func (q *planeBroadcast) apply(op BinaryOp, y, a, b []float32) bool {
	if op != OpMul && op != OpAdd {
		return false
	}
	x, v := a, b
	if q.vecA {
		x, v = b, a
	}
	for i := 0; i < q.n; i++ {
		xi, yi := x[i*q.xStep:(i+1)*q.xStep], y[i*q.xStep:(i+1)*q.xStep]
		vi := v[i*q.vecStep : i*q.vecStep+q.c]
		if op == OpMul {
			scaleShift(yi, xi, vi, q.negZeros, q.hw, false)
		} else {
			scaleShift(yi, xi, q.ones, vi, q.hw, false)
		}
	}
	return true
}

// Apply computes y = a op b elementwise with broadcasting. y may be a or b
// when it has the same length.
func (p *Broadcast) Apply(op BinaryOp, y, a, b []float32) {
	total := Product(p.Out)
	if len(y) < total {
		panic(panicShortSlice)
	}
	if total == 0 {
		return
	}
	if p.planes != nil && p.planes.apply(op, y, a, b) {
		return
	}
	last := len(p.dims) - 1
	inner, ia, ib := p.dims[last], p.sa[last], p.sb[last]
	outer := Product(p.dims[:last])
	var idx [MaxRank]int
	offA, offB := 0, 0
	for o := 0; o < outer; o++ {
		binaryRun(op, y[o*inner:(o+1)*inner], a[offA:], b[offB:], ia, ib)
		// Advance the odometer over the outer dimensions.
		for d := last - 1; d >= 0; d-- {
			idx[d]++
			offA += p.sa[d]
			offB += p.sb[d]
			if idx[d] < p.dims[d] {
				break
			}
			offA -= p.sa[d] * p.dims[d]
			offB -= p.sb[d] * p.dims[d]
			idx[d] = 0
		}
	}
}

// binaryRun computes y[i] = a[i·sa] op b[i·sb] for i < len(y), where sa and
// sb are 0 or 1.
func binaryRun(op BinaryOp, y, a, b []float32, sa, sb int) {
	n := len(y)
	switch {
	case sa == 1 && sb == 1:
		a, b = a[:n], b[:n]
		switch op {
		case OpAdd:
			for i := range y {
				y[i] = a[i] + b[i]
			}
		case OpSub:
			for i := range y {
				y[i] = a[i] - b[i]
			}
		case OpMul:
			for i := range y {
				y[i] = a[i] * b[i]
			}
		case OpDiv:
			for i := range y {
				y[i] = a[i] / b[i]
			}
		}
	case sa == 1 && sb == 0:
		a = a[:n]
		s := b[0]
		switch op {
		case OpAdd:
			for i := range y {
				y[i] = a[i] + s
			}
		case OpSub:
			for i := range y {
				y[i] = a[i] - s
			}
		case OpMul:
			for i := range y {
				y[i] = a[i] * s
			}
		case OpDiv:
			for i := range y {
				y[i] = a[i] / s
			}
		}
	case sa == 0 && sb == 1:
		b = b[:n]
		s := a[0]
		for i := range y {
			y[i] = op.apply(s, b[i])
		}
	default:
		v := op.apply(a[0], b[0])
		for i := range y {
			y[i] = v
		}
	}
}

// broadcastRef is the reference for [Broadcast.Apply]: each output index is
// decomposed and mapped into a and b independently.
func broadcastRef(op BinaryOp, y, a []float32, as []int, b []float32, bs []int, out []int) {
	n := len(out)
	idx := make([]int, n)
	for o := range y[:Product(out)] {
		r := o
		for d := n - 1; d >= 0; d-- {
			idx[d] = r % out[d]
			r /= out[d]
		}
		y[o] = op.apply(a[BroadcastIndex(idx, as)], b[BroadcastIndex(idx, bs)])
	}
}

// BroadcastIndex returns the flat index in a tensor of shape s of the broadcast
// output index idx.
func BroadcastIndex(idx, s []int) int {
	off := 0
	for k := 0; k < len(s); k++ {
		d := s[k]
		i := idx[len(idx)-len(s)+k]
		if d == 1 {
			i = 0
		}
		off = off*d + i
	}
	return off
}
