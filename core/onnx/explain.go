package onnx

import (
	"errors"
	"math"

	"wasmcnn/core"
	"wasmcnn/internal/fmtlite"
)

// Explanation shows how one value of a node's output was computed in the
// model's last run: the input values the node read, the weights it
// multiplied them by, the products and their sum, the bias, and the
// element-wise nodes (an activation, a batch normalisation) applied after
// it. Every number comes from the model's own weights and the tensors of
// its last run, so it is the arithmetic the engine did, laid out for people.
//
// The window is laid out [len(Channels), KH, KW], row-major: tap (c, i, j)
// is Window[(c*KH+i)*KW+j], read from input row Rows[i] and column Cols[j]
// of channel Channels[c]. A row or column outside 0..H−1 or 0..W−1 of
// InShape is padding: its value is 0 and, for pooling, it does not take
// part. For a dense node the window is the node's input row (KH = 1,
// KW = the number of inputs) and Rows and Cols are empty.
type Explanation struct {
	Step    int    // index of the node in [Model.Steps]
	Node    string // the node's name
	Op      string // Conv, MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool, Gemm or MatMul
	Example int    // which example of the batch
	Channel int    // output channel (the unit of a dense node)
	Y, X    int    // output position (0 for dense and global pooling)

	InShape  []int          // the node's input: [N, C, H, W], or [N, K] for a dense node
	Geom     core.ConvGeom  // the window's geometry (sizes, strides, dilations, padding); zero for dense
	Channels []int          // input channels under the window
	KH, KW   int            // window size
	Rows     []int          // input row of each window row (outside 0..H−1: padding)
	Cols     []int          // input column of each window column
	Window   []float32      // the input values under the window, 0 where padded
	Weights  []float32      // Conv and dense: the weight of each tap; nil for pooling
	Products []float32      // Window[i]·Weights[i]; nil for pooling
	Sum      float32        // Σ Products, or Σ Window inside the input for average pooling
	Scale    float32        // Gemm's alpha (1 elsewhere): Value = Scale·Sum + Bias
	Bias     float32        // the bias added (0 when the node has none)
	Count    int            // average pooling: how many values the sum is divided by
	Winner   int            // max pooling: index in Window of the largest input; −1 otherwise
	Value    float32        // the node's output at this place, as computed here
	Then     []AppliedValue // element-wise nodes that follow, in order
	Output   float32        // Value after Then: the value a feature map shows
	Map      float32        // the engine's value at this place after Then, read from its buffer
}

// AppliedValue is one element-wise node applied after an explained node.
type AppliedValue struct {
	Node    string
	Op      string  // Relu, LeakyRelu, Sigmoid, Tanh, Clip, BatchNormalization, Add, Sub, Mul or Div
	Operand float32 // the constant of Add, Sub, Mul or Div, LeakyRelu's alpha; 0 otherwise
	Value   float32 // the value after this node
}

// IsPadding reports whether tap i of the window lies outside the input.
func (e *Explanation) IsPadding(i int) bool {
	if len(e.Rows) == 0 || len(e.InShape) != 4 {
		return false
	}
	r, c := e.Rows[(i/e.KW)%e.KH], e.Cols[i%e.KW]
	return r < 0 || r >= e.InShape[2] || c < 0 || c >= e.InShape[3]
}

// ErrNotRun is returned by [Model.Explain] before the current plan has run.
var ErrNotRun = errors.New("onnx: the model has not run yet with its current input size; predict first")

// Explainable reports whether [Model.Explain] explains the node of step i:
// convolutions, pooling and dense layers (Gemm, and MatMul of a matrix by a
// constant matrix).
func (m *Model) Explainable(step int) bool {
	if step < 0 || step >= len(m.plan.steps) {
		return false
	}
	switch m.plan.steps[step].node.opType {
	case "Conv", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "Gemm":
		return true
	case "MatMul":
		s := m.plan.steps[step]
		b := m.plan.vals[s.node.inputs[1]]
		a := m.plan.vals[s.node.inputs[0]]
		return len(a.shape) == 2 && len(b.shape) == 2 && b.konst
	}
	return false
}

// Explain returns how the value at (example, channel, y, x) of the output
// of step's node (an index into [Model.Steps]) was computed in the last
// run, followed through the element-wise nodes after it (see
// [Model.Followers]). For a dense node channel is the output unit and y
// and x must be 0. It returns [ErrNotRun] before the model has run with its
// current plan, and an error for a node it does not explain or a position
// outside the output. A model that does not keep its tensors is switched
// to keeping them first ([Model.KeepAllTensors]), which runs it again.
func (m *Model) Explain(step, example, channel, y, x int) (*Explanation, error) {
	p := m.plan
	if step < 0 || step >= len(p.steps) {
		return nil, fmtlite.Errorf("onnx: Explain: step %d out of range 0..%d", step, len(p.steps)-1)
	}
	if !p.ran {
		return nil, ErrNotRun
	}
	if err := m.KeepAllTensors(); err != nil {
		return nil, fmtlite.Errorf("onnx: Explain: %w", err)
	}
	p = m.plan
	s := p.steps[step]
	if !m.Explainable(step) {
		return nil, fmtlite.Errorf("onnx: Explain: node %q is a %s; explain covers Conv, MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool, Gemm and MatMul by a constant", s.node.name, s.node.opType)
	}
	out := s.outs[0]
	// The output as [N, C, H, W]; a dense node's is [N, units, 1, 1].
	dims := [4]int{1, 1, 1, 1}
	copy(dims[:], out.shape)
	if len(out.shape) > 4 || example < 0 || example >= dims[0] || channel < 0 || channel >= dims[1] || y < 0 || y >= dims[2] || x < 0 || x >= dims[3] {
		return nil, fmtlite.Errorf("onnx: Explain: position (example %d, channel %d, y %d, x %d) is outside node %q's output %v", example, channel, y, x, s.node.name, out.shape)
	}
	e := &Explanation{Step: step, Node: s.node.name, Op: s.node.opType, Example: example, Channel: channel, Y: y, X: x, Scale: 1, Winner: -1}
	idx := ((example*dims[1]+channel)*dims[2]+y)*dims[3] + x
	var err error
	if e.Op == "Gemm" || e.Op == "MatMul" {
		err = m.explainDense(e, s, out)
	} else {
		err = m.explainWindow(e, s, out)
	}
	if err != nil {
		return nil, err
	}
	e.Output = e.Value
	e.Map = out.f[idx]
	cur := out
	for _, f := range m.followers(step) {
		fs := p.steps[f]
		a, err := applyFollower(&nodeCtx{n: fs.node, opset: m.Opset, in: m.stepInputs(fs)}, cur, idx, e.Output)
		if err != nil {
			return nil, err
		}
		e.Then = append(e.Then, a)
		e.Output = a.Value
		cur = fs.outs[0]
		e.Map = cur.f[idx]
	}
	return e, nil
}

// stepInputs returns the tensors a step reads, nil for absent inputs.
func (m *Model) stepInputs(s step) []*val {
	in := make([]*val, len(s.node.inputs))
	for i, name := range s.node.inputs {
		if name != "" {
			in[i] = m.plan.vals[name]
		}
	}
	return in
}

// explainWindow fills e for a convolution or a pooling node at a place
// inside its output.
func (m *Model) explainWindow(e *Explanation, s step, out *val) error {
	in := m.plan.vals[s.node.inputs[0]]
	xc := &nodeCtx{n: s.node, opset: m.Opset}
	var g core.ConvGeom
	var err error
	switch e.Op {
	case "Conv":
		win, werr := xc.window(false)
		if werr != nil {
			return werr
		}
		g, err = core.NewConvGeom(in.shape, m.plan.vals[s.node.inputs[1]].shape, win, int(xc.attrInt("group", 1)))
	case "MaxPool", "AveragePool":
		win, werr := xc.window(true)
		if werr != nil {
			return werr
		}
		g, err = core.NewPoolGeom(e.Op, in.shape, win)
	default: // global pooling: one window over the whole plane
		if len(in.shape) != 4 {
			return fmtlite.Errorf("onnx: Explain: node %q has input %v; explain covers 2-D global pooling", e.Node, in.shape)
		}
		g, err = core.NewPoolGeom(e.Op, in.shape, core.Window{KernelH: in.shape[2], KernelW: in.shape[3]})
	}
	if err != nil {
		return err
	}
	if len(out.shape) != 4 {
		return fmtlite.Errorf("onnx: Explain: node %q has output %v, want [N, C, H, W]", e.Node, out.shape)
	}
	e.Geom, e.InShape, e.KH, e.KW = g, append([]int(nil), in.shape...), g.KH, g.KW
	e.Rows, e.Cols = make([]int, g.KH), make([]int, g.KW)
	for i := range e.Rows {
		e.Rows[i] = e.Y*g.SH - g.PT + i*g.DH
	}
	for j := range e.Cols {
		e.Cols[j] = e.X*g.SW - g.PL + j*g.DW
	}
	cg := g.C / g.Group
	first := e.Channel
	if e.Op == "Conv" {
		first = e.Channel / (g.K / g.Group) * cg
	} else {
		cg = 1
	}
	for c := 0; c < cg; c++ {
		e.Channels = append(e.Channels, first+c)
	}
	taps := cg * g.KH * g.KW
	e.Window = make([]float32, taps)
	inside := make([]bool, taps)
	for c := 0; c < cg; c++ {
		plane := in.f[(e.Example*g.C+first+c)*g.H*g.W:]
		for i, r := range e.Rows {
			for j, col := range e.Cols {
				t := (c*g.KH+i)*g.KW + j
				if r >= 0 && r < g.H && col >= 0 && col < g.W {
					e.Window[t], inside[t] = plane[r*g.W+col], true
				}
			}
		}
	}
	switch e.Op {
	case "Conv":
		w := m.plan.vals[s.node.inputs[1]].f[e.Channel*taps : (e.Channel+1)*taps]
		e.Weights = append([]float32(nil), w...)
		e.Products = make([]float32, taps)
		var sum float64
		for t := range e.Window {
			p := float64(e.Window[t]) * float64(w[t])
			e.Products[t] = float32(p)
			sum += p
		}
		if b := s.node.inputs; len(b) > 2 && b[2] != "" {
			e.Bias = m.plan.vals[b[2]].f[e.Channel]
		}
		e.Sum = float32(sum)
		e.Value = float32(sum + float64(e.Bias))
	case "MaxPool", "GlobalMaxPool":
		best := float32(-math.MaxFloat32)
		for t, v := range e.Window {
			if inside[t] && (e.Winner < 0 || v > best) {
				best, e.Winner = v, t
			}
		}
		e.Value = best
	case "AveragePool":
		include := xc.attrInt("count_include_pad", 0) != 0
		var sum float32 // in the order and precision of core.AvgPool2D
		for t, v := range e.Window {
			if inside[t] {
				sum += v
				e.Count++
			}
		}
		if include {
			e.Count = 0
			for _, r := range e.Rows {
				for _, col := range e.Cols {
					if r >= -g.PT && r < g.H+g.PB && col >= -g.PL && col < g.W+g.PR {
						e.Count++
					}
				}
			}
		}
		e.Sum = sum
		if e.Count > 0 {
			e.Value = sum / float32(e.Count)
		}
	case "GlobalAveragePool":
		var sum float64 // as core.GlobalAvgPool2D sums
		for _, v := range e.Window {
			sum += float64(v)
		}
		e.Sum, e.Count = float32(sum), len(e.Window)
		e.Value = float32(sum * (1 / float64(len(e.Window))))
	}
	return nil
}

// explainDense fills e for a Gemm or MatMul node: the row Example of its
// first input times column Channel of its weights.
func (m *Model) explainDense(e *Explanation, s step, out *val) error {
	a, b := m.plan.vals[s.node.inputs[0]], m.plan.vals[s.node.inputs[1]]
	xc := &nodeCtx{n: s.node, opset: m.Opset}
	transA, transB := false, false
	var beta float32
	if e.Op == "Gemm" {
		transA, transB = xc.attrInt("transA", 0) != 0, xc.attrInt("transB", 0) != 0
		e.Scale, beta = xc.attrFloat("alpha", 1), xc.attrFloat("beta", 1)
	}
	rows, k := a.shape[0], a.shape[1]
	if transA {
		rows, k = k, rows
	}
	units := out.shape[1]
	e.InShape, e.KH, e.KW = []int{rows, k}, 1, k
	e.Window, e.Weights, e.Products = make([]float32, k), make([]float32, k), make([]float32, k)
	var sum float64
	for i := 0; i < k; i++ {
		av := a.f[e.Example*k+i]
		if transA {
			av = a.f[i*rows+e.Example]
		}
		bv := b.f[i*units+e.Channel]
		if transB {
			bv = b.f[e.Channel*k+i]
		}
		p := float64(av) * float64(bv)
		e.Window[i], e.Weights[i], e.Products[i] = av, bv, float32(p)
		sum += p
	}
	e.Sum = float32(sum)
	if len(s.node.inputs) > 2 && s.node.inputs[2] != "" && beta != 0 {
		c := m.plan.vals[s.node.inputs[2]]
		e.Bias = beta * c.f[core.BroadcastIndex([]int{e.Example, e.Channel}, c.shape)]
	}
	e.Value = float32(float64(e.Scale)*sum + float64(e.Bias))
	return nil
}

// elementwise reports the ops a feature map is followed through: applied
// to one value at a time, they keep its place.
func elementwise(op string) bool {
	switch op {
	case "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Clip", "BatchNormalization":
		return true
	}
	return isBinary(op)
}

// Followers returns the steps (indexes into [Model.Steps]) of the
// element-wise nodes applied to step's output one after another: its
// activation, a batch normalisation, a bias added by an Add. The chain
// follows a tensor while exactly one later step reads it (through
// reshapes too) and that step is element-wise with every other input
// constant and its output the same size. The last follower's output is what
// a feature map of the node shows.
func (m *Model) Followers(step int) []int {
	if step < 0 || step >= len(m.plan.steps) {
		return nil
	}
	return m.followers(step)
}

func (m *Model) followers(step int) []int {
	p := m.plan
	var chain []int
	cur := p.steps[step].outs[0]
	for at := step; ; {
		next, reads := -1, 0
		for j := at + 1; j < len(p.steps); j++ {
			for _, name := range p.steps[j].node.inputs {
				if v := p.vals[name]; name != "" && sameData(v, cur) {
					next, reads = j, reads+1
				}
			}
		}
		if reads != 1 {
			return chain // not read, or read twice: the tensor itself matters
		}
		for _, o := range p.outputs {
			if sameData(o, cur) {
				return chain // a graph output is shown as it is
			}
		}
		s := p.steps[next]
		if !elementwise(s.node.opType) || !sameData(p.vals[s.node.inputs[0]], cur) && !(isBinary(s.node.opType) && len(s.node.inputs) > 1 && sameData(p.vals[s.node.inputs[1]], cur)) {
			return chain
		}
		for _, name := range s.node.inputs {
			if v := p.vals[name]; name != "" && !sameData(v, cur) && !v.konst {
				return chain
			}
		}
		if len(s.outs[0].f) != len(cur.f) {
			return chain
		}
		chain = append(chain, next)
		cur, at = s.outs[0], next
	}
}

func isBinary(op string) bool { return op == "Add" || op == "Sub" || op == "Mul" || op == "Div" }

// sameData reports whether two tensors are the same data (a reshape
// shares its input's buffer). Runtime tensors are compared by the tensor
// owning their buffer and their place in it (a Concat's output holds its
// inputs, concat.go), not by address: buffers are reused between tensors
// whose lifetimes do not overlap.
func sameData(a, b *val) bool {
	if a == nil || b == nil || a.isInt || b.isInt || a.konst != b.konst {
		return false
	}
	if !a.konst {
		return a.base() == b.base() && a.viewOff == b.viewOff && a.len() == b.len()
	}
	return len(a.f) == len(b.f) && len(a.f) > 0 && &a.f[0] == &b.f[0]
}

// applyFollower computes element-wise node x on v, the value at flat index
// idx of its input tensor in (of the shape the node reads), with the
// engine's own kernels.
func applyFollower(x *nodeCtx, in *val, idx int, v float32) (AppliedValue, error) {
	a := AppliedValue{Node: x.n.name, Op: x.n.opType}
	src, dst := []float32{v}, []float32{0}
	switch a.Op {
	case "Relu":
		core.ReLU(dst, src)
	case "Sigmoid":
		core.Sigmoid(dst, src)
	case "Tanh":
		core.Tanh(dst, src)
	case "LeakyRelu":
		a.Operand = x.attrFloat("alpha", 0.01)
		core.LeakyReLU(dst, src, a.Operand)
	case "Clip":
		f, err := clipBounds(x)
		if err != nil {
			return a, err
		}
		f(dst, src)
	case "BatchNormalization":
		shape := x.in[0].shape
		if len(shape) < 2 {
			return a, x.errorf("input %v, want [N, C, …]", shape)
		}
		hw := core.Product(shape[2:])
		c := idx / hw % shape[1]
		p := make([][]float32, 4)
		for i := range p {
			p[i] = x.in[i+1].f[c : c+1]
		}
		core.BatchNormInference(dst, src, 1, 1, 1, p[0], p[1], p[2], p[3], x.attrFloat("epsilon", 1e-5))
	default: // Add, Sub, Mul, Div with a constant
		k, first := x.in[1], true
		if sameData(k, in) && !sameData(x.in[0], in) {
			k, first = x.in[0], false
		}
		shape := x.in[0].shape
		if !first {
			shape = x.in[1].shape
		}
		pos := make([]int, len(shape))
		for d, r := len(shape)-1, idx; d >= 0; d-- {
			pos[d] = r % shape[d]
			r /= shape[d]
		}
		if len(k.shape) > len(pos) {
			return a, x.errorf("constant %v broadcasts beyond the input", k.shape)
		}
		a.Operand = k.f[core.BroadcastIndex(pos, k.shape)]
		l, r := v, a.Operand
		if !first {
			l, r = r, l
		}
		switch a.Op {
		case "Add":
			dst[0] = l + r
		case "Sub":
			dst[0] = l - r
		case "Mul":
			dst[0] = l * r
		default:
			dst[0] = l / r
		}
	}
	a.Value = dst[0]
	return a, nil
}
