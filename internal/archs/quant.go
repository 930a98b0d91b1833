package archs

import (
	"math"
	"math/rand/v2"

	"wasmcnn/core"
	"wasmcnn/core/onnx"
	"wasmcnn/internal/fmtlite"
)

// This file writes the int8 forms of a network. As onnxruntime's
// quantizer does, it first folds each BatchNormalization into the Conv
// before it and drops the ReLU (or ReLU6) after a Conv — the activation's
// range, starting at 0, does its work — then quantizes every activation
// to uint8 with the range it had on a calibration input (asymmetric, zero
// point where 0 falls), weights to int8 symmetric (per output channel for
// convolutions) and biases to int32 at the scale input·weight.

// qp is an activation's quantization: scale and uint8 zero point.
type qp struct {
	s float32
	z int
}

// calibrate runs the float network in wasmcnn on a seeded input (normal
// values, as a normalised image has) and returns each tensor's range.
func (g *graph) calibrate(seed uint64) (map[string][2]float32, error) {
	m, err := onnx.LoadModel(g.emitFloat(true), nil)
	if err != nil {
		return nil, fmtlite.Errorf("archs: calibration: %w", err)
	}
	shape := append([]int{1}, g.shape[1:]...)
	x := core.NewTensor(shape...)
	r := rand.New(rand.NewPCG(seed, 77))
	for i := range x.Data {
		x.Data[i] = float32(r.NormFloat64())
	}
	outs, err := m.Run(x)
	if err != nil {
		return nil, fmtlite.Errorf("archs: calibration: %w", err)
	}
	ranges := map[string][2]float32{g.input: span(x.Data)}
	for i, o := range outs {
		ranges[m.Outputs[i].Name] = span(o.Data)
	}
	return ranges, nil
}

func span(v []float32) [2]float32 {
	lo, hi := float32(0), float32(0)
	for _, f := range v {
		lo, hi = min(lo, f), max(hi, f)
	}
	return [2]float32{lo, hi}
}

// qgraph is a network ready to be written in an int8 form.
type qgraph struct {
	g      *graph
	nodes  []*node
	alias  map[string]string // output of a folded node → the tensor replacing it
	params map[string]qp
	w      map[string]*core.Tensor // folded weights and biases
	repl   map[string]*node        // Convs given a bias by folding, by output
}

func (q *qgraph) resolve(name string) string {
	for {
		a, ok := q.alias[name]
		if !ok {
			return name
		}
		name = a
	}
}

// quantized folds the network and gives every activation its parameters.
func (g *graph) quantized(ranges map[string][2]float32) *qgraph {
	q := &qgraph{g: g, alias: map[string]string{}, params: map[string]qp{}, w: map[string]*core.Tensor{}}
	readers := map[string][]*node{}
	for _, n := range g.nodes {
		for _, in := range n.in {
			readers[in] = append(readers[in], n)
		}
	}
	removed := map[*node]bool{}
	rangeOf := map[string]string{}
	for _, n := range g.nodes {
		if n.kind != kindConv || removed[n] {
			continue
		}
		out := n.out[0]
		tail := out
		w, b := g.inits[n.weight].Clone(), (*core.Tensor)(nil)
		if n.bias != "" {
			b = g.inits[n.bias].Clone()
		}
		if rs := readers[tail]; len(rs) == 1 && rs[0].kind == kindBN && tail != g.output {
			bn := rs[0]
			gamma, beta, mean, vr := g.inits[bn.in[1]].Data, g.inits[bn.in[2]].Data, g.inits[bn.in[3]].Data, g.inits[bn.in[4]].Data
			k := w.Shape[0]
			per := len(w.Data) / k
			if b == nil {
				b = core.NewTensor(k)
			}
			for c := 0; c < k; c++ {
				f := gamma[c] / float32(math.Sqrt(float64(vr[c]+bn.eps)))
				for i := c * per; i < (c+1)*per; i++ {
					w.Data[i] *= f
				}
				b.Data[c] = (b.Data[c]-mean[c])*f + beta[c]
			}
			removed[bn], q.alias[bn.out[0]] = true, out
			tail = bn.out[0]
		}
		if rs := readers[tail]; len(rs) == 1 && rs[0].kind == kindRelu && tail != g.output {
			removed[rs[0]], q.alias[rs[0].out[0]] = true, out
			tail = rs[0].out[0]
		}
		rangeOf[out] = tail
		q.w[n.weight] = w
		if b != nil {
			if n.bias == "" {
				n2 := *n
				n2.bias = g.name("b")
				n2.in = append(append([]string(nil), n.in...), n2.bias)
				n = &n2
			}
			q.w[n.bias] = b
		}
		q.replace(n)
	}
	param := func(name string) qp {
		src := name
		if t, ok := rangeOf[name]; ok {
			src = t
		}
		r := ranges[src]
		lo, hi := min(r[0], 0), max(r[1], 0)
		if hi-lo < 1e-6 {
			hi = lo + 1e-6
		}
		s := (hi - lo) / 255
		return qp{s: s, z: min(max(int(math.Round(float64(-lo/s))), 0), 255)}
	}
	q.params[g.input] = param(g.input)
	for _, n := range g.nodes {
		if removed[n] {
			continue
		}
		if r := q.replaced(n); r != nil {
			n = r
		}
		c := *n
		c.in = make([]string, len(n.in))
		for i, in := range n.in {
			c.in[i] = q.resolve(in)
		}
		q.nodes = append(q.nodes, &c)
		switch n.kind {
		case kindShape:
		case kindMove:
			// Moving data keeps its quantization (and a Dropout's mask is
			// no activation).
			q.params[n.out[0]] = q.params[c.in[0]]
			for _, o := range n.out[1:] {
				if n.op == "Split" {
					q.params[o] = q.params[c.in[0]]
				}
			}
		default:
			q.params[n.out[0]] = param(n.out[0])
		}
	}
	return q
}

// replace records a Conv's node with its folded bias input.
func (q *qgraph) replace(n *node) {
	if q.repl == nil {
		q.repl = map[string]*node{}
	}
	q.repl[n.out[0]] = n
}

func (q *qgraph) replaced(n *node) *node {
	if n.kind != kindConv {
		return nil
	}
	return q.repl[n.out[0]]
}

// int8Weights quantizes a weight tensor symmetrically to int8, per row of
// its first axis or as a whole, and returns the integers and scales.
func int8Weights(t *core.Tensor, perRow bool) ([]float64, []float64) {
	rows := 1
	if perRow {
		rows = t.Shape[0]
	}
	per := len(t.Data) / rows
	q := make([]float64, len(t.Data))
	scales := make([]float64, rows)
	for r := 0; r < rows; r++ {
		m := float32(0)
		for _, v := range t.Data[r*per : (r+1)*per] {
			m = max(m, float32(math.Abs(float64(v))))
		}
		s := m / 127
		if s == 0 {
			s = 1
		}
		scales[r] = float64(s)
		for i := r * per; i < (r+1)*per; i++ {
			q[i] = math.Max(-127, math.Min(127, math.RoundToEven(float64(t.Data[i]/s))))
		}
	}
	return q, scales
}

// int32Bias quantizes a bias at the scale input·weight of each output.
func int32Bias(t *core.Tensor, xs float32, ws []float64) ([]float64, []float64) {
	q := make([]float64, len(t.Data))
	s := make([]float64, len(t.Data))
	for i, v := range t.Data {
		s[i] = float64(xs * float32(ws[min(i, len(ws)-1)]))
		q[i] = math.RoundToEven(float64(v) / s[i])
	}
	return q, s
}

// writer emits the int8 forms.
type writer struct {
	q *qgraph
	b *onnx.ModelBuilder
	n int
}

func (w *writer) name(p string) string {
	w.n++
	return p + "_" + fmtlite.Sprint(w.n)
}

// scalars writes an activation's scale and zero point.
func (w *writer) scalars(p qp) (string, string) {
	s, z := w.name("scale"), w.name("zero_point")
	w.b.InitializerTyped(s, onnx.TypeFloat, []int{}, []float64{float64(p.s)})
	w.b.InitializerTyped(z, onnx.TypeUint8, []int{}, []float64{float64(p.z)})
	return s, z
}

// weights writes a Conv's or Gemm's weights as int8 and its bias as
// int32, with their scales, for an input quantized by xs.
func (w *writer) weights(n *node, xs float32) (wq, ws, wz, bq, bs, bz string) {
	t := w.q.w[n.weight]
	if t == nil {
		t = w.q.g.inits[n.weight]
	}
	perRow := n.kind == kindConv
	ints, scales := int8Weights(t, perRow)
	wq, ws, wz = w.name(n.weight+"_int8"), w.name("w_scale"), w.name("w_zero_point")
	w.b.InitializerTyped(wq, onnx.TypeInt8, t.Shape, ints)
	sshape := []int{}
	if perRow {
		sshape = []int{len(scales)}
	}
	w.b.InitializerTyped(ws, onnx.TypeFloat, sshape, scales)
	w.b.InitializerTyped(wz, onnx.TypeInt8, sshape, make([]float64, len(scales)))
	if n.bias == "" {
		return
	}
	bt := w.q.w[n.bias]
	if bt == nil {
		bt = w.q.g.inits[n.bias]
	}
	bi, bsc := int32Bias(bt, xs, scales)
	bq, bs, bz = w.name(n.bias+"_int32"), w.name("b_scale"), w.name("b_zero_point")
	w.b.InitializerTyped(bq, onnx.TypeInt32, bt.Shape, bi)
	w.b.InitializerTyped(bs, onnx.TypeFloat, bt.Shape, bsc)
	w.b.InitializerTyped(bz, onnx.TypeInt32, bt.Shape, make([]float64, len(bi)))
	return
}

// floatInits writes the float initializers the quantized nodes still read
// (a standalone BatchNormalization's, Clip's bounds, shapes).
func (w *writer) floatInits(skip map[string]bool) {
	for _, name := range w.q.g.order {
		if !skip[name] {
			w.q.g.writeInit(w.b, name)
		}
	}
}

// weightInits lists the initializers replaced by their integer forms.
func (q *qgraph) weightInits() map[string]bool {
	skip := map[string]bool{}
	for _, n := range q.nodes {
		if n.kind == kindConv || n.kind == kindGemm {
			skip[n.weight], skip[n.bias] = true, true
		}
	}
	return skip
}

func (q *qgraph) builder() *writer {
	b := onnx.NewModelBuilder(17)
	b.Producer, b.GraphName = "wasmcnn archs", "archs"
	b.Input(q.g.input, q.g.shape)
	return &writer{q: q, b: b}
}

// emitQDQ writes the network as quantize_static does: each activation
// followed by QuantizeLinear and DequantizeLinear, every node reading the
// dequantized tensors, weights and biases dequantized from integers.
func (q *qgraph) emitQDQ() []byte {
	w := q.builder()
	w.floatInits(q.weightInits())
	deq := map[string]string{}
	qdq := func(t string) {
		s, z := w.scalars(q.params[t])
		qt, dt := w.name(t+"_quantized"), w.name(t+"_dequantized")
		w.b.Node("QuantizeLinear", w.name("q"), []string{t, s, z}, []string{qt})
		w.b.Node("DequantizeLinear", w.name("dq"), []string{qt, s, z}, []string{dt})
		deq[t] = dt
	}
	qdq(q.g.input)
	for _, n := range q.nodes {
		in := append([]string(nil), n.in...)
		for i, t := range in {
			if d, ok := deq[t]; ok {
				in[i] = d
			}
		}
		if n.kind == kindConv || n.kind == kindGemm {
			wq, ws, wz, bq, bs, bz := w.weights(n, q.params[n.in[0]].s)
			axis := []onnx.Attr{onnx.AttrInt("axis", 0)}
			wf, bf := w.name("w_dequantized"), w.name("b_dequantized")
			w.b.Node("DequantizeLinear", w.name("dq"), []string{wq, ws, wz}, []string{wf}, axis...)
			in[1] = wf
			if bq != "" {
				w.b.Node("DequantizeLinear", w.name("dq"), []string{bq, bs, bz}, []string{bf}, axis...)
				in[2] = bf
			}
		}
		w.b.Node(n.op, n.out[0], in, n.out, n.attrs...)
		if n.kind != kindShape {
			qdq(n.out[0])
			if n.op == "Split" {
				for _, o := range n.out[1:] {
					qdq(o)
				}
			}
		}
	}
	out := deq[q.resolve(q.g.output)]
	w.b.Node("Identity", "output", []string{out}, []string{"output"})
	w.b.Output("output", nil)
	return w.b.Bytes()
}

// emitQOperator writes the network with onnxruntime's quantized
// operators: QLinearConv, QGemm, QLinearAdd and the other QLinear forms
// on uint8 tensors, data moved as uint8, and operators without a
// quantized form between DequantizeLinear and QuantizeLinear.
func (q *qgraph) emitQOperator() []byte {
	w := q.builder()
	w.b.Import("com.microsoft", 1)
	w.floatInits(q.weightInits())
	qt := map[string]string{} // activation → its uint8 tensor
	sc := map[string][2]string{}
	params := func(t string) (string, string) {
		if p, ok := sc[t]; ok {
			return p[0], p[1]
		}
		s, z := w.scalars(q.params[t])
		sc[t] = [2]string{s, z}
		return s, z
	}
	quantize := func(t string) {
		s, z := params(t)
		qt[t] = w.name(t + "_quantized")
		w.b.Node("QuantizeLinear", w.name("q"), []string{t, s, z}, []string{qt[t]})
	}
	quantize(q.g.input)
	const ms = "com.microsoft"
	for _, n := range q.nodes {
		out := n.out[0]
		o := w.name(out + "_quantized")
		switch n.kind {
		case kindConv, kindGemm:
			x := n.in[0]
			xs, xz := params(x)
			ys, yz := params(out)
			wq, ws, wz, bq, _, _ := w.weights(n, q.params[x].s)
			if n.kind == kindConv {
				w.b.Node("QLinearConv", out, []string{qt[x], xs, xz, wq, ws, wz, ys, yz, bq}, []string{o}, n.attrs...)
			} else {
				w.b.NodeIn(ms, "QGemm", out, []string{qt[x], xs, xz, wq, ws, wz, bq, ys, yz}, []string{o}, n.attrs...)
			}
		case kindAdd, kindMul:
			as, az := params(n.in[0])
			bs, bz := params(n.in[1])
			ys, yz := params(out)
			w.b.NodeIn(ms, "QLinear"+n.op, out, []string{qt[n.in[0]], as, az, qt[n.in[1]], bs, bz, ys, yz}, []string{o})
		case kindConcat:
			ys, yz := params(out)
			ins := []string{ys, yz}
			for _, t := range n.in {
				s, z := params(t)
				ins = append(ins, qt[t], s, z)
			}
			w.b.NodeIn(ms, "QLinearConcat", out, ins, []string{o}, n.attrs...)
		case kindPool:
			xs, xz := params(n.in[0])
			ys, yz := params(out)
			w.b.NodeIn(ms, "QLinear"+n.op, out, []string{qt[n.in[0]], xs, xz, ys, yz}, []string{o}, n.attrs...)
		case kindMove, kindShape:
			in := append([]string(nil), n.in...)
			in[0] = qt[n.in[0]]
			op, outs := n.op, []string{o}
			if n.op == "Dropout" {
				op = "Identity" // Dropout takes floats only; at inference it is a copy
			}
			for _, extra := range n.out[1:] {
				if n.op == "Split" {
					e := w.name(extra + "_quantized")
					outs = append(outs, e)
					qt[extra], sc[extra] = e, sc[n.in[0]]
				}
			}
			if n.kind == kindShape {
				w.b.Node(op, out, in, []string{out})
				continue
			}
			w.b.Node(op, out, in, outs, n.attrs...)
			sc[out] = sc[n.in[0]]
		default:
			// No quantized form: dequantize the inputs, compute, quantize.
			in := append([]string(nil), n.in...)
			for i, t := range in {
				if u, ok := qt[t]; ok {
					s, z := params(t)
					f := w.name(t + "_dequantized")
					w.b.Node("DequantizeLinear", w.name("dq"), []string{u, s, z}, []string{f})
					in[i] = f
				}
			}
			w.b.Node(n.op, out, in, n.out, n.attrs...)
			quantize(out)
			continue
		}
		qt[out] = o
	}
	final := q.resolve(q.g.output)
	s, z := params(final)
	w.b.Node("DequantizeLinear", "output", []string{qt[final], s, z}, []string{"output"})
	w.b.Output("output", nil)
	return w.b.Bytes()
}
