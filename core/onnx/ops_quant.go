package onnx

import (
	"math"
	"slices"

	"wasmcnn/core"
)

// quantOps are the quantization operators of the default domain.
func quantOps() map[string]opSpec {
	return map[string]opSpec{
		"QuantizeLinear": {attrs: map[string]attrRule{"axis": since(attrInt, 13), "saturate": since(attrInt, 19), "block_size": since(attrInt, 21),
			"output_dtype": since(attrInt, 21), "precision": since(attrInt, 23)}, minIn: 2, maxIn: 3, minOut: 1, maxOut: 1, compile: compileQuantize},
		"DequantizeLinear": {attrs: map[string]attrRule{"axis": since(attrInt, 13), "block_size": since(attrInt, 21), "output_dtype": since(attrInt, 23)},
			minIn: 2, maxIn: 3, minOut: 1, maxOut: 1, compile: compileDequantize},
		"QLinearConv": {attrs: map[string]attrRule{"auto_pad": always(attrString), "dilations": always(attrInts), "group": always(attrInt),
			"kernel_shape": always(attrInts), "pads": always(attrInts), "strides": always(attrInts)}, minIn: 8, maxIn: 9, minOut: 1, maxOut: 1, compile: compileQLinearConv},
		"QLinearMatMul": {minIn: 8, maxIn: 8, minOut: 1, maxOut: 1, compile: compileQLinearMatMul},
	}
}

// refuseBlocked refuses the attributes of the quantization operators that
// need types or layouts wasmcnn does not compute.
func (x *nodeCtx) refuseBlocked() error {
	if x.attrInt("block_size", 0) != 0 {
		return x.errorf("blocked quantization (block_size %d) is not supported", x.attrInt("block_size", 0))
	}
	if p := x.attrInt("precision", 0); p != 0 && p != onnxFloat {
		return x.errorf("precision %s is not supported (FLOAT is)", onnxTypeName(int(p)))
	}
	return nil
}

// quantAxis resolves a Q/DQ node's axis against the input's rank.
func (x *nodeCtx) quantAxis(rank int) int {
	a := x.attrInt("axis", 1)
	if a < 0 {
		a += int64(rank)
	}
	if a < 0 || a >= int64(rank) {
		return -1
	}
	return int(a)
}

func compileQuantize(x *nodeCtx) ([]*val, func(), error) {
	if err := x.refuseBlocked(); err != nil {
		return nil, nil, err
	}
	in, err := x.floatIn(0)
	if err != nil {
		return nil, nil, err
	}
	def := int64(onnxUint8)
	if d := x.attrInt("output_dtype", 0); d != 0 {
		def = d
		if z := x.input(2); z != nil && z.elem != d {
			return nil, nil, x.errorf("output_dtype %s and the zero point's type %s differ", onnxTypeName(int(d)), z.typeName())
		}
	}
	p, err := x.quantParams(1, 2, def, in.shape, x.quantAxis(len(in.shape)))
	if err != nil {
		return nil, nil, err
	}
	if p.t.elem == onnxInt32 {
		return nil, nil, x.errorf("quantizing to INT32 is not supported")
	}
	out, err := x.outFloat(in.shape)
	if err != nil {
		return nil, nil, err
	}
	out.elem = p.t.elem
	idx := axisIndexer(in.shape, p.axis)
	return []*val{out}, func() {
		for i, v := range in.f[:len(out.f)] {
			s, z := p.at(idx(i))
			out.f[i] = quantizeValue(v, s, z, p.t)
		}
	}, nil
}

func compileDequantize(x *nodeCtx) ([]*val, func(), error) {
	if err := x.refuseBlocked(); err != nil {
		return nil, nil, err
	}
	in := x.input(0)
	elem := in.elem
	if elem == 0 && in.isInt {
		elem = onnxInt64
	}
	p, err := x.quantParams(1, 2, elem, in.shape, x.quantAxis(len(in.shape)))
	if err != nil {
		return nil, nil, err
	}
	if _, err := x.quantIn(0, p.t); err != nil {
		return nil, nil, err
	}
	if d := x.attrInt("output_dtype", 0); d != 0 && d != onnxFloat {
		return nil, nil, x.errorf("output_dtype %s is not supported (FLOAT is)", onnxTypeName(int(d)))
	}
	out, err := x.outFloat(in.shape)
	if err != nil {
		return nil, nil, err
	}
	idx := axisIndexer(in.shape, p.axis)
	if in.isInt {
		// Constant weights: dequantized now, once.
		for i, q := range in.i {
			s, z := p.at(idx(i))
			out.f[i] = float32(int32(q)-z) * s
		}
		out.konst = true
		return []*val{out}, nil, nil
	}
	return []*val{out}, func() {
		for i, q := range in.f[:len(out.f)] {
			s, z := p.at(idx(i))
			out.f[i] = float32(int32(q)-z) * s
		}
	}, nil
}

func compileQLinearConv(x *nodeCtx) ([]*val, func(), error) {
	in, shape4, err := x.image(0, true)
	if err != nil {
		return nil, nil, err
	}
	w := x.input(3)
	if !w.konst || !w.isInt {
		return nil, nil, x.errorf("weights %q must be an integer constant", w.name)
	}
	wshape := w.shape
	if len(in.shape) == 3 && len(wshape) == 3 {
		wshape = []int{wshape[0], wshape[1], 1, wshape[2]}
	}
	if len(wshape) != 4 {
		return nil, nil, x.errorf("weights %v, want [K, C/group, kH, kW]", w.shape)
	}
	xp, err := x.quantParams(1, 2, onnxUint8, in.shape, -1)
	if err != nil {
		return nil, nil, err
	}
	if _, err := x.quantIn(0, xp.t); err != nil {
		return nil, nil, err
	}
	wp, err := x.quantParams(4, 5, w.elem, w.shape, 0)
	if err != nil {
		return nil, nil, err
	}
	if w.elem != wp.t.elem || (wp.t.elem != onnxInt8 && wp.t.elem != onnxUint8) {
		return nil, nil, x.errorf("weights of type %s with zero point of type %s; want INT8 or UINT8", w.typeName(), onnxTypeName(int(wp.t.elem)))
	}
	yp, err := x.quantParams(6, 7, onnxUint8, nil, -1)
	if err != nil {
		return nil, nil, err
	}
	if xp.t.elem != onnxUint8 && xp.t.elem != onnxInt8 || yp.t.elem != xp.t.elem {
		return nil, nil, x.errorf("input of type %s and output of type %s; want both UINT8 or both INT8", onnxTypeName(int(xp.t.elem)), onnxTypeName(int(yp.t.elem)))
	}
	ws, err := x.windowND(len(in.shape)-2, false)
	if err != nil {
		return nil, nil, err
	}
	group := x.attrInt("group", 1)
	if group < 1 || group > 1<<20 {
		return nil, nil, x.errorf("group %d", group)
	}
	g, err := core.NewConvGeom(shape4, wshape, ws.window2D(), int(group))
	if err != nil {
		return nil, nil, x.errorf("%v", err)
	}
	if err := x.addMACs(g.MACs()); err != nil {
		return nil, nil, err
	}
	q := core.QuantConv{
		XZero: xp.zp[0], XScale: xp.scale[0], XSigned: xp.t.elem == onnxInt8,
		W: make([]byte, len(w.i)), WSigned: w.elem == onnxInt8,
		YZero: yp.zp[0], YScale: yp.scale[0], YSigned: yp.t.elem == onnxInt8,
	}
	for i, v := range w.i {
		q.W[i] = byte(v)
	}
	for k := 0; k < len(wp.scale); k++ {
		s, z := wp.at(k)
		q.WScale, q.WZero = append(q.WScale, s), append(q.WZero, z)
	}
	if b := x.input(8); b != nil {
		if !b.konst || !b.isInt || b.elem != onnxInt32 || len(b.i) != g.K {
			return nil, nil, x.errorf("bias %q must be an INT32 constant of %d values", b.name, g.K)
		}
		q.Bias = make([]int32, g.K)
		for k, v := range b.i {
			q.Bias[k] = int32(v)
		}
	}
	out, err := x.outFloat(flatShape(g.OutShape(), len(in.shape)))
	if err != nil {
		return nil, nil, err
	}
	out.elem = yp.t.elem
	var p *core.QConvPlan
	alloc, err := x.planScratch(func(alloc func(string, int) ([]float32, error)) error {
		var err error
		p, err = core.NewQConvPlan(x.c.plan.kernel, &g, q, alloc)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	tmp, err := x.scratch("output bytes", (p.FloatsTemp()+3)/4)
	if err != nil {
		return nil, nil, err
	}
	x.onBind(func() error {
		var err error
		p, err = p.WithScratch(alloc())
		return err
	})
	return []*val{out}, func() {
		// The arena lends the plan scratch that other steps overwrite.
		p.ClearPadding()
		p.RunFloats(out.f, in.f, bytesOf(tmp.f))
	}, nil
}

// qmatmul is a planned quantized matrix product A·B with B constant:
// B less its zero points as floats, split along K into chunks whose
// partial sums stay below 2^24.
type qmatmul struct {
	m, k, n  int
	azp      float32
	b        []float32 // [K, N]
	bias     []int32   // per column, or nil
	scales   []float32 // per column (one value repeated for per-tensor)
	y        qtype
	yzp      int32
	floatOut bool
	cuts     []int // the rows of B where chunks start, and k
	acc      []float64
}

// planQMatMul prepares B (integers, [K, N]) with zero points per column.
func planQMatMul(m, k, n int, ap *qparams, b []int64, bp *qparams, scale func(col int) float32) *qmatmul {
	q := &qmatmul{m: m, k: k, n: n, azp: float32(ap.zp[0]), b: make([]float32, k*n), scales: make([]float32, n)}
	xmax := maxAbsFrom(ap.t, ap.zp[0])
	colSum := make([]int64, n)
	for i, v := range b {
		_, z := bp.at(i % n)
		d := v - int64(z)
		q.b[i] = float32(d)
		colSum[i%n] += max(d, -d)
	}
	worst := int64(0)
	for j := range q.scales {
		q.scales[j] = scale(j)
		worst = max(worst, colSum[j])
	}
	q.cuts = []int{0, k}
	if worst*xmax >= exactLimit {
		// Rows of B in chunks, each as long as every column's partial sum
		// over it stays under the limit.
		q.cuts = q.cuts[:1]
		sums := make([]int64, n)
		for r := 0; r < k; r++ {
			fits := true
			for j := 0; j < n; j++ {
				fits = fits && (sums[j]+int64(math.Abs(float64(q.b[r*n+j]))))*xmax < exactLimit
			}
			if !fits && r > q.cuts[len(q.cuts)-1] {
				q.cuts = append(q.cuts, r)
				clear(sums)
			}
			for j := 0; j < n; j++ {
				sums[j] += int64(math.Abs(float64(q.b[r*n+j])))
			}
		}
		q.cuts = append(q.cuts, k)
		q.acc = make([]float64, m*n)
	}
	return q
}

// run computes y = requantize(A·B + bias) (or the float product scaled,
// for a float output), a holding A's integers.
func (q *qmatmul) run(y, a, shifted, prod []float32) {
	m, k, n := q.m, q.k, q.n
	for i, v := range a[:m*k] {
		shifted[i] = v - q.azp
	}
	out := func(i int, acc int64) {
		j := i % n
		if q.bias != nil {
			acc += int64(q.bias[j])
		}
		if q.floatOut {
			y[i] = float32(int32(acc)) * q.scales[j]
			return
		}
		y[i] = requantize(acc, q.scales[j], q.yzp, q.y)
	}
	if q.acc == nil {
		core.Gemm(false, false, m, n, k, 1, shifted, max(k, 1), q.b, max(n, 1), 0, prod, max(n, 1))
		for i, v := range prod[:m*n] {
			out(i, int64(v))
		}
		return
	}
	clear(q.acc)
	for c := 0; c+1 < len(q.cuts); c++ {
		r0, kc := q.cuts[c], q.cuts[c+1]-q.cuts[c]
		core.Gemm(false, false, m, n, kc, 1, shifted[r0:], k, q.b[r0*n:], n, 0, prod, n)
		for i, v := range prod[:m*n] {
			q.acc[i] += float64(v)
		}
	}
	for i, v := range q.acc {
		out(i, int64(v))
	}
}

// runRef is the reference quantized product, in int64.
func (q *qmatmul) runRef(y, a []float32) {
	for i := 0; i < q.m; i++ {
		for j := 0; j < q.n; j++ {
			var acc int64
			for r := 0; r < q.k; r++ {
				acc += int64(a[i*q.k+r]-q.azp) * int64(q.b[r*q.n+j])
			}
			if q.bias != nil {
				acc += int64(q.bias[j])
			}
			if q.floatOut {
				y[i*q.n+j] = float32(int32(acc)) * q.scales[j]
			} else {
				y[i*q.n+j] = requantize(acc, q.scales[j], q.yzp, q.y)
			}
		}
	}
}

func compileQLinearMatMul(x *nodeCtx) ([]*val, func(), error) {
	a := x.input(0)
	b := x.input(3)
	if len(a.shape) < 1 || !b.konst || !b.isInt || len(b.shape) != 2 {
		return nil, nil, x.errorf("A %v and B %v: wasmcnn multiplies by a constant integer matrix B", a.shape, b.shape)
	}
	k, n := b.shape[0], b.shape[1]
	if a.shape[len(a.shape)-1] != k {
		return nil, nil, x.errorf("A %v and B %v do not multiply", a.shape, b.shape)
	}
	ap, err := x.quantParams(1, 2, onnxUint8, a.shape, -1)
	if err != nil {
		return nil, nil, err
	}
	if _, err := x.quantIn(0, ap.t); err != nil {
		return nil, nil, err
	}
	bp, err := x.quantParams(4, 5, b.elem, b.shape, 1)
	if err != nil {
		return nil, nil, err
	}
	yp, err := x.quantParams(6, 7, onnxUint8, nil, -1)
	if err != nil {
		return nil, nil, err
	}
	if b.elem != bp.t.elem || (ap.t.elem != onnxUint8 && ap.t.elem != onnxInt8) || (bp.t.elem != onnxUint8 && bp.t.elem != onnxInt8) || (yp.t.elem != onnxUint8 && yp.t.elem != onnxInt8) {
		return nil, nil, x.errorf("types %s × %s → %s; want 8-bit integers", ap.t.typeName(), bp.t.typeName(), yp.t.typeName())
	}
	m := core.Product(a.shape[:len(a.shape)-1])
	if err := x.addMACs(int64(m) * int64(k) * int64(n)); err != nil {
		return nil, nil, err
	}
	q := planQMatMul(m, k, n, ap, b.i, bp, func(j int) float32 {
		s, _ := bp.at(j)
		return ap.scale[0] * s / yp.scale[0]
	})
	q.y, q.yzp = yp.t, yp.zp[0]
	shape := append(append([]int(nil), a.shape[:len(a.shape)-1]...), n)
	return x.qmatmulOut(q, a, shape, yp.t.elem)
}

// qmatmulOut declares a quantized product's output and scratch.
func (x *nodeCtx) qmatmulOut(q *qmatmul, a *val, shape []int, elem int64) ([]*val, func(), error) {
	out, err := x.outFloat(shape)
	if err != nil {
		return nil, nil, err
	}
	if !q.floatOut {
		out.elem = elem
	}
	shifted, err := x.scratch("input less zero point", q.m*q.k)
	if err != nil {
		return nil, nil, err
	}
	prod, err := x.scratch("products", q.m*q.n)
	if err != nil {
		return nil, nil, err
	}
	return []*val{out}, func() { q.run(out.f, quantValues(a), shifted.f, prod.f) }, nil
}

func (t qtype) typeName() string { return onnxTypeName(int(t.elem)) }

// sameParams reports whether two quantization parameters are equal.
func sameParams(a, b *qparams) bool {
	return a.t == b.t && slices.Equal(a.scale, b.scale) && slices.Equal(a.zp, b.zp)
}
