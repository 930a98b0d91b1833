package core

// Dense is a fully connected layer applied to a batch: for x of shape
// [n, in] and weights w of shape [out, in] (one row per output unit, as
// PyTorch and ONNX Gemm with transB store them),
//
//	y[i,o] = Σ_k x[i,k]·w[o,k] + b[o]
//
// y is [n, out]; b may be nil.
func Dense(y, x, w, b []float32, n, in, out int) {
	beta := float32(0)
	if b != nil {
		for i := 0; i < n; i++ {
			copy(y[i*out:(i+1)*out], b[:out])
		}
		beta = 1
	}
	Gemm(false, true, n, out, in, 1, x, in, w, in, beta, y, out)
}

// MatMulPlan is a planned NumPy-style matrix product (ONNX MatMul): the last
// two dimensions multiply as matrices and the leading ones broadcast. A 1-D
// first operand is a row vector and a 1-D second one a column vector; the
// added dimension is removed from the result.
type MatMulPlan struct {
	Out     []int // result shape
	m, n, k int
	batch   []int // broadcast batch shape
	sa, sb  []int // per batch dimension: step in matrices of a and b (0 = broadcast)
}

// NewMatMul checks the shapes of a MatMul and plans it.
func NewMatMul(as, bs []int) (*MatMulPlan, error) {
	const op = "MatMul"
	if len(as) == 0 || len(bs) == 0 {
		return nil, shapeErrorf(op, "scalar operand (shapes %v and %v)", as, bs)
	}
	a, b := as, bs
	if len(a) == 1 {
		a = []int{1, a[0]}
	}
	if len(b) == 1 {
		b = []int{b[0], 1}
	}
	m, k := a[len(a)-2], a[len(a)-1]
	k2, n := b[len(b)-2], b[len(b)-1]
	if k != k2 {
		return nil, shapeErrorf(op, "inner dimensions differ: %v × %v", as, bs)
	}
	batch, err := BroadcastShape(op, a[:len(a)-2], b[:len(b)-2])
	if err != nil {
		return nil, err
	}
	p := &MatMulPlan{m: m, n: n, k: k, batch: batch}
	ab, bb := a[:len(a)-2], b[:len(b)-2]
	p.sa, p.sb = make([]int, len(batch)), make([]int, len(batch))
	ra, rb := 1, 1
	for i := len(batch) - 1; i >= 0; i-- {
		kk := len(batch) - 1 - i
		if d := dimFromEnd(ab, kk); d != 1 {
			p.sa[i] = ra
			ra *= d
		}
		if d := dimFromEnd(bb, kk); d != 1 {
			p.sb[i] = rb
			rb *= d
		}
	}
	p.Out = append([]int(nil), batch...)
	if len(as) > 1 {
		p.Out = append(p.Out, m)
	}
	if len(bs) > 1 {
		p.Out = append(p.Out, n)
	}
	if _, err := ShapeSize(p.Out); err != nil {
		return nil, err
	}
	if _, err := ShapeSize(append(append([]int(nil), batch...), m, k)); err != nil {
		return nil, err
	}
	return p, nil
}

// MACs returns the multiply-accumulates of one product.
func (p *MatMulPlan) MACs() int64 {
	return int64(Product(p.batch)) * int64(p.m) * int64(p.n) * int64(p.k)
}

// Apply computes y = a·b.
func (p *MatMulPlan) Apply(y, a, b []float32) {
	var idx [MaxRank]int
	nb := Product(p.batch)
	if len(y) < nb*p.m*p.n {
		panic(panicShortSlice)
	}
	ia, ib := 0, 0
	for o := 0; o < nb; o++ {
		Gemm(false, false, p.m, p.n, p.k, 1, a[ia*p.m*p.k:], max(1, p.k), b[ib*p.k*p.n:], max(1, p.n), 0, y[o*p.m*p.n:(o+1)*p.m*p.n], max(1, p.n))
		for d := len(p.batch) - 1; d >= 0; d-- {
			idx[d]++
			ia += p.sa[d]
			ib += p.sb[d]
			if idx[d] < p.batch[d] {
				break
			}
			ia -= p.sa[d] * p.batch[d]
			ib -= p.sb[d] * p.batch[d]
			idx[d] = 0
		}
	}
}

// DenseBackward computes the gradients of [Dense] given dy ([n, out]):
// dw += dyᵀ·x, db += Σ_i dy[i,:], and dx = dy·w (overwritten; nil to skip).
func DenseBackward(dx, dw, db, dy, x, w []float32, n, in, out int) {
	Gemm(true, false, out, in, n, 1, dy, out, x, in, 1, dw, in)
	if db != nil {
		for i := 0; i < n; i++ {
			for o, v := range dy[i*out : (i+1)*out] {
				db[o] += v
			}
		}
	}
	if dx != nil {
		Gemm(false, false, n, in, out, 1, dy, out, w, in, 0, dx, in)
	}
}
