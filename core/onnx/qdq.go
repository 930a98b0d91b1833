package onnx

import "slices"

// This file rewrites a graph before it is planned, as onnxruntime does at
// its default optimisation level, so that wasmcnn computes what a user of
// onnxruntime gets:
//
//   - a node whose float inputs all come from DequantizeLinear nodes and
//     whose only reader is a QuantizeLinear node (the "QDQ" form that
//     onnxruntime's quantizer writes) runs as the integer operator
//     onnxruntime fuses it into: Conv as QLinearConv, MatMul as
//     QLinearMatMul, Gemm as QGemm, Add and Mul as QLinearAdd and
//     QLinearMul, Concat as QLinearConcat, GlobalAveragePool,
//     AveragePool, LeakyRelu and Sigmoid as their QLinear forms. The
//     integer kernels round differently from dequantize, compute in float,
//     quantize; fusing as onnxruntime does gives its numbers.
//   - nodes whose outputs nothing reads are dropped.
//
// Other QDQ patterns onnxruntime rewrites (around MaxPool, Reshape,
// Transpose and the like, Relu before a QuantizeLinear) give the same
// numbers either way, and are left to the float operators.
//
// A rewrite is a plan-level pass over the nodes: later passes (fusing
// convolutions with their activations, say) belong beside it.

// graphView answers which node writes and which nodes read each tensor.
type graphView struct {
	m        *Model
	producer map[string]*onnxNodeProto
	readers  map[string][]*onnxNodeProto
	outputs  map[string]bool
}

func newGraphView(m *Model, nodes []*onnxNodeProto) *graphView {
	g := &graphView{m: m, producer: map[string]*onnxNodeProto{}, readers: map[string][]*onnxNodeProto{}, outputs: map[string]bool{}}
	for _, n := range nodes {
		for _, o := range n.outputs {
			if o != "" {
				g.producer[o] = n
			}
		}
		for _, in := range n.inputs {
			if in != "" && !slices.Contains(g.readers[in], n) {
				g.readers[in] = append(g.readers[in], n)
			}
		}
	}
	for _, o := range m.Outputs {
		g.outputs[o.Name] = true
	}
	return g
}

// dq is a DequantizeLinear node feeding a fused node: its quantized input
// and its scale and zero point (a zero point is made when absent).
type dq struct {
	x, scale, zp string
	elem         int64
}

// dequant returns the DequantizeLinear that writes tensor name, if its
// parameters are constants (per tensor unless perAxis).
func (g *graphView) dequant(name string, perAxis bool) (dq, bool) {
	n := g.producer[name]
	if n == nil || n.opType != "DequantizeLinear" || !isDefaultDomain(n) || len(n.inputs) < 2 || n.attr("block_size") != nil {
		return dq{}, false
	}
	s, ok := g.m.consts[n.inputs[1]]
	if !ok || s.isInt || (s.len() != 1 && !perAxis) {
		return dq{}, false
	}
	d := dq{x: n.inputs[0], scale: n.inputs[1]}
	if len(n.inputs) > 2 && n.inputs[2] != "" {
		z, ok := g.m.consts[n.inputs[2]]
		if !ok || !z.isInt || len(z.i) != s.len() {
			return dq{}, false
		}
		d.zp, d.elem = n.inputs[2], z.elem
	} else {
		d.elem = g.elemOf(n.inputs[0])
		d.zp = g.zeroPoint(d.elem)
	}
	return d, d.elem == onnxUint8 || d.elem == onnxInt8 || d.elem == onnxInt32
}

// quant returns the single QuantizeLinear reading tensor name, if the
// tensor is read by nothing else and is not a graph output.
func (g *graphView) quant(name string) (*onnxNodeProto, dq, bool) {
	rs := g.readers[name]
	if len(rs) != 1 || g.outputs[name] {
		return nil, dq{}, false
	}
	q := rs[0]
	if q.opType != "QuantizeLinear" || !isDefaultDomain(q) || len(q.inputs) < 2 || q.inputs[0] != name || q.attr("block_size") != nil || q.attr("output_dtype") != nil {
		return nil, dq{}, false
	}
	s, ok := g.m.consts[q.inputs[1]]
	if !ok || s.isInt || s.len() != 1 {
		return nil, dq{}, false
	}
	d := dq{scale: q.inputs[1], elem: onnxUint8}
	if len(q.inputs) > 2 && q.inputs[2] != "" {
		z, ok := g.m.consts[q.inputs[2]]
		if !ok || !z.isInt || len(z.i) != 1 {
			return nil, dq{}, false
		}
		d.zp, d.elem = q.inputs[2], z.elem
	} else {
		d.zp = g.zeroPoint(onnxUint8)
	}
	return q, d, d.elem == onnxUint8 || d.elem == onnxInt8
}

// elemOf returns the element type of a constant or a graph input, 0 when
// it is computed.
func (g *graphView) elemOf(name string) int64 {
	if v, ok := g.m.consts[name]; ok {
		return v.elem
	}
	for i, in := range g.m.Inputs {
		if in.Name == name {
			return g.m.inputElems[i]
		}
	}
	if p := g.producer[name]; p != nil && p.opType == "QuantizeLinear" && len(p.inputs) > 2 {
		if z, ok := g.m.consts[p.inputs[2]]; ok {
			return z.elem
		}
	}
	return onnxUint8
}

// zeroPoint returns a constant zero of the type, made once.
func (g *graphView) zeroPoint(elem int64) string {
	name := "wasmcnn/zero point " + onnxTypeName(int(elem))
	if _, ok := g.m.consts[name]; !ok {
		g.m.consts[name] = &val{name: name, shape: []int{}, isInt: true, i: []int64{0}, elem: elem, konst: true}
	}
	return name
}

func isDefaultDomain(n *onnxNodeProto) bool { return n.domain == "" || n.domain == "ai.onnx" }

// constInt reports whether name is an integer constant of the type.
func (g *graphView) constInt(name string, elem ...int64) bool {
	v, ok := g.m.consts[name]
	return ok && v.isInt && slices.Contains(elem, v.elem)
}

// fuseQDQ returns the nodes with every QDQ group replaced by its integer
// operator, and the nodes nothing needs dropped.
func (m *Model) fuseQDQ(nodes []*onnxNodeProto) []*onnxNodeProto {
	g := newGraphView(m, nodes)
	replaced := map[*onnxNodeProto]*onnxNodeProto{}
	dropped := map[*onnxNodeProto]bool{}
	for _, n := range nodes {
		if !isDefaultDomain(n) || len(n.outputs) != 1 {
			continue
		}
		q, y, ok := g.quant(n.outputs[0])
		if !ok {
			continue
		}
		if f := g.fuse(n, y); f != nil {
			f.outputs = []string{q.outputs[0]}
			replaced[n], dropped[q] = f, true
		}
	}
	var out []*onnxNodeProto
	for _, n := range nodes {
		switch {
		case dropped[n]:
		case replaced[n] != nil:
			out = append(out, replaced[n])
		default:
			out = append(out, n)
		}
	}
	return m.dropUnused(out)
}

// fuse returns the integer node that n followed by a QuantizeLinear to y
// runs as, or nil when n is not a QDQ group onnxruntime fuses.
func (g *graphView) fuse(n *onnxNodeProto, y dq) *onnxNodeProto {
	eight := func(d dq) bool { return d.elem == onnxUint8 || d.elem == onnxInt8 }
	in := func(i int, perAxis bool) (dq, bool) {
		if i >= len(n.inputs) || n.inputs[i] == "" {
			return dq{}, false
		}
		return g.dequant(n.inputs[i], perAxis)
	}
	node := func(op, domain string, inputs []string, attrs ...string) *onnxNodeProto {
		f := &onnxNodeProto{name: n.name, opType: op, domain: domain, inputs: inputs, opset: g.m.Opset}
		if domain == msDomain {
			f.spec, f.opset = msOpSpecs[op], g.m.msOpset
		} else {
			f.spec = opSpecs[op]
		}
		for _, a := range n.attrs {
			if slices.Contains(attrs, a.name) {
				f.attrs = append(f.attrs, a)
			}
		}
		return f
	}
	switch n.opType {
	case "Conv":
		x, ok1 := in(0, false)
		w, ok2 := in(1, true)
		if !ok1 || !ok2 || !eight(x) || x.elem != y.elem || !g.constInt(w.x, onnxInt8, onnxUint8) || (x.elem == onnxInt8 && w.elem != onnxInt8) {
			return nil
		}
		inputs := []string{x.x, x.scale, x.zp, w.x, w.scale, w.zp, y.scale, y.zp}
		if len(n.inputs) > 2 && n.inputs[2] != "" {
			b, ok := in(2, true)
			if !ok || !g.constInt(b.x, onnxInt32) {
				return nil
			}
			inputs = append(inputs, b.x)
		}
		return node("QLinearConv", "", inputs, "auto_pad", "dilations", "group", "kernel_shape", "pads", "strides")
	case "MatMul":
		a, ok1 := in(0, false)
		b, ok2 := in(1, true)
		if !ok1 || !ok2 || !eight(a) || !g.constInt(b.x, onnxInt8, onnxUint8) || len(g.m.consts[b.x].shape) != 2 {
			return nil
		}
		return node("QLinearMatMul", "", []string{a.x, a.scale, a.zp, b.x, b.scale, b.zp, y.scale, y.zp})
	case "Gemm":
		a, ok1 := in(0, false)
		b, ok2 := in(1, true)
		if !ok1 || !ok2 || !eight(a) || a.elem != y.elem || !g.constInt(b.x, onnxInt8, onnxUint8) || n.attrInt("transA", 0) != 0 {
			return nil
		}
		c := ""
		if len(n.inputs) > 2 && n.inputs[2] != "" {
			d, ok := in(2, true)
			if !ok || !g.constInt(d.x, onnxInt32) || n.attrFloat("beta", 1) != 1 {
				return nil
			}
			c = d.x
		}
		return node("QGemm", msDomain, []string{a.x, a.scale, a.zp, b.x, b.scale, b.zp, c, y.scale, y.zp}, "alpha", "transA", "transB")
	case "Add", "Mul":
		a, ok1 := in(0, false)
		b, ok2 := in(1, false)
		if !ok1 || !ok2 || !eight(a) || a.elem != b.elem || a.elem != y.elem {
			return nil
		}
		return node("QLinear"+n.opType, msDomain, []string{a.x, a.scale, a.zp, b.x, b.scale, b.zp, y.scale, y.zp})
	case "GlobalAveragePool", "AveragePool", "LeakyRelu", "Sigmoid":
		x, ok := in(0, false)
		if !ok || !eight(x) || x.elem != y.elem || n.attr("dilations") != nil {
			return nil
		}
		return node("QLinear"+n.opType, msDomain, []string{x.x, x.scale, x.zp, y.scale, y.zp},
			"alpha", "auto_pad", "ceil_mode", "count_include_pad", "kernel_shape", "pads", "strides")
	case "Concat":
		inputs := []string{y.scale, y.zp}
		for i := range n.inputs {
			x, ok := in(i, false)
			if !ok || x.elem != y.elem {
				return nil
			}
			inputs = append(inputs, x.x, x.scale, x.zp)
		}
		return node("QLinearConcat", msDomain, inputs, "axis")
	}
	return nil
}

// dropUnused removes the nodes none of whose outputs a graph output
// depends on.
func (m *Model) dropUnused(nodes []*onnxNodeProto) []*onnxNodeProto {
	needed := map[string]bool{}
	for _, o := range m.Outputs {
		needed[o.Name] = true
	}
	keep := make([]bool, len(nodes))
	for changed := true; changed; {
		changed = false
		for i := len(nodes) - 1; i >= 0; i-- {
			if keep[i] {
				continue
			}
			for _, o := range nodes[i].outputs {
				if o != "" && needed[o] {
					keep[i], changed = true, true
					for _, in := range nodes[i].inputs {
						needed[in] = true
					}
					break
				}
			}
		}
	}
	out := nodes[:0:0]
	for i, n := range nodes {
		if keep[i] {
			out = append(out, n)
		}
	}
	return out
}

// attrInt and attrFloat read a node's attributes outside planning.
func (n *onnxNodeProto) attrInt(name string, def int64) int64 {
	if a := n.attr(name); a != nil {
		return a.i
	}
	return def
}

func (n *onnxNodeProto) attrFloat(name string, def float32) float32 {
	if a := n.attr(name); a != nil {
		return a.f
	}
	return def
}

func (n *onnxNodeProto) attr(name string) *onnxAttr {
	for _, a := range n.attrs {
		if a.name == name {
			return a
		}
	}
	return nil
}
