package onnx

import (
	"errors"
	"math"
	"slices"

	"wasmcnn/internal/fmtlite"

	"wasmcnn/core"
)

// val is a tensor of a plan: a constant (an initializer or a folded result)
// or a buffer that a step fills at run time. Integer tensors held in i exist
// only as constants: they describe shapes, axes and indices, which wasmcnn
// folds while planning, or quantization parameters. A runtime tensor of an
// integer type (a quantized tensor, an integer input) holds its values in
// f, where every 8- and 16-bit integer is exact.
//
// The buffers of runtime tensors are placed by [modelPlan.placeBuffers]
// after the whole graph is compiled, so steps read f through their *val
// when they run, never a slice taken while compiling.
type val struct {
	name  string
	shape []int
	elem  int64 // ONNX element type of a runtime tensor; 0 means FLOAT
	isInt bool
	f     []float32
	i     []int64
	konst bool
	// at is 1 + the offset in the model's bytes of a float initializer's
	// raw data that can be read again (LoadOptions.Reread), 0 otherwise:
	// a plan may then drop f (reread.go).
	at int64

	// Runtime tensors only.
	root      *val // the tensor whose buffer a view (a reshape, concat.go) shares, or nil
	viewOff   int  // where a view starts in its root's buffer
	size      int  // elements of the buffer
	scratch   bool // a step's working memory, free again once the step ends
	def, last int  // the first and last step that use the buffer
	off       int  // where the buffer starts in the arena
}

func (v *val) len() int {
	if v.isInt {
		return len(v.i)
	}
	if v.f == nil && !v.konst {
		return v.size // a buffer not yet placed
	}
	if v.f == nil && v.at != 0 {
		return core.Product(v.shape) // an initializer not read yet (reread.go)
	}
	return len(v.f)
}

// isFloat reports whether v holds floats (rather than integers, as
// constants or in float buffers).
func (v *val) isFloat() bool { return !v.isInt && (v.elem == 0 || v.elem == onnxFloat) }

// typeName names v's element type for messages.
func (v *val) typeName() string {
	switch {
	case v.elem != 0:
		return onnxTypeName(int(v.elem))
	case v.isInt:
		return "INT64"
	}
	return "FLOAT"
}

// base returns the tensor that owns v's buffer: v itself unless v is a view.
func (v *val) base() *val {
	if v.root != nil {
		return v.root
	}
	return v
}

// tensor returns v's floats as a Tensor sharing the data.
func (v *val) tensor() *core.Tensor { return &core.Tensor{Shape: v.shape, Data: v.f} }

// step is one node's work at run time.
type step struct {
	node  *onnxNodeProto
	outs  []*val
	reads []*val // the runtime tensors run reads
	run   func()
}

// modelPlan is a model compiled for fixed input shapes: every tensor sized
// and placed, every shape computation folded, so that running it only runs
// the steps.
type modelPlan struct {
	inShapes [][]int
	inputs   []*val
	outputs  []*val
	steps    []step
	vals     map[string]*val
	macs     int64
	// bufs are the runtime tensors that own a buffer, views those that
	// share one; binds finish steps once buffers are placed.
	bufs  []*val
	views []*val
	binds []func() error
	// concats are the Concat steps whose inputs may be written in place
	// (concat.go); copying is set when writing some of them in place would
	// have raised the peak, so they copy.
	concats []*concatSite
	copying bool
	// keep gives every tensor but scratch its own buffer, so that all of a
	// run's tensors can be read after it (Steps, Explain).
	keep bool
	// fused is set when the steps run a graph with convolutions fused,
	// not the graph as written.
	fused bool
	// arena holds every runtime buffer; peak is its length, sum the total
	// of the buffers if none were shared, folded the values of tensors
	// computed while planning.
	arena     []float32
	peak, sum int64
	folded    int64
	// ran is set once the steps have run: until then the buffers hold
	// zeros, not a run's tensors, and there is nothing to explain.
	ran bool
	// next is the step [Model.RunSteps] runs next on the input
	// [Model.Feed] gave, −1 when no input waits (steps.go).
	next int
	// kernel is the panel kernel installed when planning: steps may be
	// compiled for it, so a change of kernel plans again.
	kernel *core.PanelKernel
	// convs are the convolution plans of constant weights, by node, which
	// the next plan reuses for another batch size (prevConv).
	convs  map[*onnxNodeProto]*core.ConvPlan
	reused int // of convs, those that share the previous plan's filters
}

// compiler holds the state of planning one model.
type compiler struct {
	m    *Model
	plan *modelPlan
	// reads counts the reads left of each initializer the plan may drop
	// (−1: kept), dropped lists those it dropped (reread.go).
	reads        map[*val]int
	dropped      []*val
	droppedBytes int // since the last collection
}

// Plan prepares the model for inputs of the given shapes (one per
// [Model.Inputs], in order). [Model.Run] plans by itself when the shapes
// change; call Plan to choose a batch size ahead of time or to check shapes.
func (m *Model) Plan(shapes ...[]int) error {
	return m.plan2(m.keep, shapes)
}

// plan2 plans for shapes: the graph as written with every tensor in its
// own buffer when keep is set, otherwise the graph with its convolutions
// fused (fuse.go), leaving as written each convolution whose merge the
// shapes or values do not allow.
func (m *Model) plan2(keep bool, shapes [][]int) error {
	if keep {
		return m.planNodes(m.runNodes, true, shapes)
	}
	for {
		err := m.planNodes(m.fusedNodes, false, shapes)
		var fe *fuseError
		if !errors.As(err, &fe) || m.noFuse[fe.node] {
			return err
		}
		if m.noFuse == nil {
			m.noFuse = map[string]bool{}
		}
		m.noFuse[fe.node] = true
		m.fusedNodes = m.fuseConvs(m.runNodes, m.noFuse)
	}
}

// planNodes plans nodes for shapes, every tensor in its own buffer when
// keep is set.
func (m *Model) planNodes(nodes []*onnxNodeProto, keep bool, shapes [][]int) (err error) {
	if len(shapes) != len(m.Inputs) {
		return fmtlite.Errorf("onnx: the model has %d inputs, got %d shapes", len(m.Inputs), len(shapes))
	}
	p := &modelPlan{vals: map[string]*val{}, kernel: core.CurrentPanelKernel(), keep: keep, next: -1, fused: len(nodes) != len(m.runNodes), convs: map[*onnxNodeProto]*core.ConvPlan{}}
	for name, v := range m.consts {
		p.vals[name] = v
	}
	c := &compiler{m: m, plan: p}
	defer func() {
		if err != nil && m.plan != nil {
			if rerr := c.restoreDropped(); rerr != nil {
				err = fmtlite.Errorf("%w (and the current plan's weights: %v)", err, rerr)
			}
		}
	}()
	for i, in := range m.Inputs {
		s := shapes[i]
		if len(s) != len(in.Shape) {
			return fmtlite.Errorf("onnx: input %q has rank %d, got shape %v", in.Name, len(in.Shape), s)
		}
		for d, want := range in.Shape {
			if s[d] < 1 || (want >= 0 && s[d] != want) {
				return fmtlite.Errorf("onnx: input %q has shape %v, got %v", in.Name, in.Shape, s)
			}
		}
		v, err := c.newBuffer(in.Name, s)
		if err != nil {
			return err
		}
		if e := m.inputElems[i]; e != onnxFloat {
			v.elem = e
		}
		p.vals[in.Name] = v
		p.inputs = append(p.inputs, v)
		p.inShapes = append(p.inShapes, append([]int(nil), s...))
	}
	order, err := m.topoOrder(nodes)
	if err != nil {
		return err
	}
	c.reads = c.constReads(order)
	for _, n := range order {
		if err := c.compileNode(n); err != nil {
			return err
		}
	}
	for _, o := range m.Outputs {
		v, ok := p.vals[o.Name]
		if !ok {
			return fmtlite.Errorf("onnx: graph output %q is not produced by any node", o.Name)
		}
		if v.f == nil && v.at != 0 {
			if err := readConst(v, m.reread); err != nil {
				return err
			}
		}
		if v.isInt {
			// An integer constant (a shape, a mask) comes out as floats.
			f := &val{name: v.name, shape: v.shape, elem: v.elem, f: intsToFloats(v.i), konst: true}
			if f.elem == 0 {
				f.elem = onnxInt64
			}
			v = f
		}
		p.outputs = append(p.outputs, v)
	}
	if err := p.placeBuffers(m.limits.MaxActivations); err != nil {
		return err
	}
	m.plan = p
	m.outputs = make([]*core.Tensor, len(p.outputs))
	for i, v := range p.outputs {
		m.outputs[i] = v.tensor()
	}
	return nil
}

// topoOrder returns the nodes ordered so that every input is produced
// before it is used (files should already be in this order; some are not).
func (m *Model) topoOrder(nodes []*onnxNodeProto) ([]*onnxNodeProto, error) {
	avail := map[string]bool{"": true}
	for name := range m.consts {
		avail[name] = true
	}
	for _, in := range m.Inputs {
		avail[in.Name] = true
	}
	done := make([]bool, len(nodes))
	order := make([]*onnxNodeProto, 0, len(nodes))
	for len(order) < len(nodes) {
		progress := false
		for i, n := range nodes {
			if done[i] {
				continue
			}
			ready := true
			for _, in := range n.inputs {
				if !avail[in] {
					ready = false
					break
				}
			}
			if !ready {
				continue
			}
			done[i], progress = true, true
			order = append(order, n)
			for _, out := range n.outputs {
				avail[out] = true
			}
		}
		if !progress {
			for i, n := range nodes {
				if done[i] {
					continue
				}
				for _, in := range n.inputs {
					if !avail[in] {
						return nil, fmtlite.Errorf("onnx: node %q (%s): input %q is never produced (or the graph has a cycle)", n.name, n.opType, in)
					}
				}
			}
		}
	}
	return order, nil
}

// compileNode plans one node: checks its inputs, sizes its outputs, and
// either records its step or, when every input is constant, runs it now.
func (c *compiler) compileNode(n *onnxNodeProto) error {
	x := &nodeCtx{n: n, c: c, opset: n.opset, in: make([]*val, len(n.inputs)), fold: true}
	for i, name := range n.inputs {
		if name == "" {
			continue
		}
		v := c.plan.vals[name]
		x.in[i] = v
		x.fold = x.fold && v.konst
	}
	if err := c.loadInputs(x); err != nil {
		return err
	}
	outs, run, err := n.spec.compile(x)
	if err != nil {
		return err
	}
	c.dropPacked(x)
	for i, name := range n.outputs {
		if name == "" {
			continue
		}
		if i >= len(outs) || outs[i] == nil {
			return x.errorf("output %d (%q) is not supported", i, name)
		}
		if _, dup := c.plan.vals[name]; dup {
			return x.errorf("output %q is already defined", name)
		}
		outs[i].name = name
		c.plan.vals[name] = outs[i]
	}
	if run == nil {
		return nil
	}
	if x.fold {
		// Every input is known: the outputs were given buffers of their
		// own, and become constants.
		for _, b := range x.binds {
			if err := b(); err != nil {
				return x.errorf("%v", err)
			}
		}
		run()
		for _, o := range outs {
			if o != nil {
				o.konst = true
			}
		}
		return nil
	}
	s := len(c.plan.steps)
	for _, b := range x.bufs {
		b.def, b.last = s, s
	}
	var reads []*val
	for _, v := range x.in {
		if v != nil && !v.konst {
			reads = append(reads, v)
		}
	}
	c.plan.binds = append(c.plan.binds, wrapBinds(x, x.binds)...)
	c.plan.steps = append(c.plan.steps, step{node: n, outs: outs, reads: reads, run: run})
	return nil
}

// wrapBinds names the node in the errors of its bind functions.
func wrapBinds(x *nodeCtx, binds []func() error) []func() error {
	out := make([]func() error, len(binds))
	for i, b := range binds {
		out[i] = func() error {
			if err := b(); err != nil {
				return x.errorf("%v", err)
			}
			return nil
		}
	}
	return out
}

// newBuffer declares a float runtime tensor of the plan; it gets its memory
// when the plan's buffers are placed.
func (c *compiler) newBuffer(name string, shape []int) (*val, error) {
	n, err := core.ShapeSize(shape)
	if err != nil {
		return nil, fmtlite.Errorf("onnx: tensor %q: %w", name, err)
	}
	if int64(n) > c.m.limits.MaxActivations {
		// No placement can hold less than its largest tensor.
		return nil, fmtlite.Errorf("onnx: the model needs more than %d activation values for input shapes %v (limit MaxActivations)", c.m.limits.MaxActivations, c.plan.inShapes)
	}
	v := &val{name: name, shape: append([]int(nil), shape...), size: n, def: -1}
	c.plan.bufs = append(c.plan.bufs, v)
	return v, nil
}

// newFolded allocates a tensor computed while planning, counting it against
// the activation limit before it allocates.
func (c *compiler) newFolded(name string, shape []int) (*val, error) {
	n, err := core.ShapeSize(shape)
	if err != nil {
		return nil, fmtlite.Errorf("onnx: tensor %q: %w", name, err)
	}
	c.plan.folded += int64(n)
	if c.plan.folded > c.m.limits.MaxActivations {
		return nil, fmtlite.Errorf("onnx: the model computes more than %d values while planning for input shapes %v (limit MaxActivations)", c.m.limits.MaxActivations, c.plan.inShapes)
	}
	return &val{name: name, shape: append([]int(nil), shape...), f: make([]float32, n)}, nil
}

// addMACs counts the multiply-accumulates of a node against the limit.
func (x *nodeCtx) addMACs(n int64) error {
	p := x.c.plan
	p.macs += n
	if n < 0 || p.macs > x.c.m.limits.MaxMACs {
		return x.errorf("the model needs more than %d multiply-accumulates per run for input shapes %v (limit MaxMACs)", x.c.m.limits.MaxMACs, p.inShapes)
	}
	return nil
}

// MACs returns the multiply-accumulates of one run of the current plan.
func (m *Model) MACs() int64 { return m.plan.macs }

// Run runs the model on one tensor per input, planning first if the shapes
// differ from the current plan. The outputs alias the model's buffers and
// stay valid until the next call.
func (m *Model) Run(inputs ...*core.Tensor) ([]*core.Tensor, error) {
	if len(inputs) != len(m.Inputs) {
		return nil, fmtlite.Errorf("onnx: the model has %d inputs, got %d", len(m.Inputs), len(inputs))
	}
	for i, t := range inputs {
		if t == nil {
			return nil, fmtlite.Errorf("onnx: input %d is nil", i)
		}
		if _, err := core.TensorFrom(t.Shape, t.Data); err != nil {
			return nil, fmtlite.Errorf("onnx: input %q: %w", m.Inputs[i].Name, err)
		}
		if err := checkInputValues(m.Inputs[i].Name, m.inputElems[i], t.Data); err != nil {
			return nil, err
		}
	}
	if !m.planFits(inputs) {
		shapes := make([][]int, len(inputs))
		for i, t := range inputs {
			shapes[i] = t.Shape
		}
		if err := m.Plan(shapes...); err != nil {
			return nil, err
		}
	}
	for i, t := range inputs {
		copy(m.plan.inputs[i].f, t.Data)
	}
	m.runSteps()
	return m.outputs, nil
}

// checkInputValues checks that an input of an integer type holds integers
// of that type, each exactly representable in float32 (the buffers hold
// them as floats): a fraction or an out-of-range value is an error, not a
// silent truncation.
func checkInputValues(name string, elem int64, data []float32) error {
	if _, isFloat := elemSize(elem); isFloat {
		return nil
	}
	lo, hi := float32(-(1 << 24)), float32(1<<24)
	if t, ok := quantType(elem); ok && elem != onnxInt32 {
		lo, hi = float32(t.lo), float32(t.hi)
	}
	switch elem {
	case onnxBool:
		lo, hi = 0, 1
	case onnxUint32, onnxUint64:
		lo = 0
	}
	for k, v := range data {
		if !(v >= lo && v <= hi) || v != float32(math.Trunc(float64(v))) {
			return fmtlite.Errorf("onnx: input %q is of type %s; value %d is %v, want an integer in [%v, %v]", name, onnxTypeName(int(elem)), k, v, lo, hi)
		}
	}
	return nil
}

// planFits reports whether the current plan is for the inputs' shapes.
func (m *Model) planFits(inputs []*core.Tensor) bool {
	if m.plan == nil || m.plan.kernel != core.CurrentPanelKernel() {
		return false
	}
	for i, t := range inputs {
		if !slices.Equal(t.Shape, m.plan.inShapes[i]) {
			return false
		}
	}
	return true
}

func (m *Model) runSteps() {
	for _, s := range m.plan.steps {
		s.run()
	}
	m.plan.ran = true
	m.plan.next = -1
}

// Predict runs a single-input model on x, a batch of examples laid out one
// after another, and returns the first output (aliasing the model's buffer
// until the next call). The batch size is len(x) divided by the size of one
// example; the first call for a batch size plans, later ones allocate nothing.
func (m *Model) Predict(x []float32) ([]float32, error) {
	if err := m.PlanFor(len(x)); err != nil {
		return nil, err
	}
	if err := checkInputValues(m.Inputs[0].Name, m.inputElems[0], x); err != nil {
		return nil, err
	}
	copy(m.plan.inputs[0].f, x)
	m.runSteps()
	return m.plan.outputs[0].f, nil
}

// PlanFor plans a single-input model, as [Model.Predict] does, for an input
// of n values (a whole number of examples), unless the current plan already
// fits; it runs nothing. The first output then has the length of
// m.OutputShape(0).
func (m *Model) PlanFor(n int) error {
	if len(m.Inputs) != 1 {
		return fmtlite.Errorf("onnx: Predict needs a model with one input, this one has %d", len(m.Inputs))
	}
	if n == len(m.plan.inputs[0].f) && m.plan.kernel == core.CurrentPanelKernel() {
		return nil
	}
	shape := append([]int(nil), m.plan.inShapes[0]...)
	if len(shape) == 0 {
		return fmtlite.Errorf("onnx: input %q has no batch dimension (shape []); Predict needs one", m.Inputs[0].Name)
	}
	per := core.Product(shape[1:])
	if per == 0 || n == 0 || n%per != 0 || m.Inputs[0].Shape[0] >= 0 && n != per*m.Inputs[0].Shape[0] {
		return fmtlite.Errorf("onnx: input has %d values; the model takes %v (%d values per example)", n, m.Inputs[0].Shape, per)
	}
	shape[0] = n / per
	return m.Plan(shape)
}

// InputShape returns the shape of input i in the current plan.
func (m *Model) InputShape(i int) []int { return append([]int(nil), m.plan.inShapes[i]...) }

// OutputShape returns the shape of output i in the current plan.
func (m *Model) OutputShape(i int) []int { return append([]int(nil), m.plan.outputs[i].shape...) }

// StepOutput is the output of one node that runs at run time.
type StepOutput struct {
	Node   NodeInfo
	Output *core.Tensor // the node's first output, aliasing the model's buffer
}

// Steps returns, in execution order, the nodes that do work at run time
// with their first outputs, for looking inside the network (the feature maps
// of each convolution and pooling). Nodes folded while planning and pure
// reshapes are not listed. The tensors are filled by each Run.
//
// A model shares buffers between tensors never needed at the same time
// unless it keeps them ([LoadOptions].KeepTensors): after a run, Steps
// switches it to keeping them ([Model.KeepAllTensors]), running the last
// input again, so that every output listed holds that run's values. When
// keeping them would pass the limit MaxActivations, the outputs that are
// not graph outputs come with nil Data. A model whose plan runs fused
// convolutions (fuse.go) is switched before it has run too, so that the
// steps are always the graph's nodes as written, with the indexes
// [Model.Explain] takes.
func (m *Model) Steps() []StepOutput {
	if !m.plan.keep && (m.plan.ran || m.plan.fused) {
		_ = m.KeepAllTensors() // on failure, the nil Data below says so
	}
	out := make([]StepOutput, 0, len(m.plan.steps))
	for _, s := range m.plan.steps {
		n := s.node
		t := s.outs[0].tensor()
		if !m.plan.keep && m.plan.ran && !m.isOutput(s.outs[0]) {
			t.Data = nil
		}
		out = append(out, StepOutput{
			Node:   n.info(),
			Output: t,
		})
	}
	return out
}

// isOutput reports whether v's buffer is a graph output's.
func (m *Model) isOutput(v *val) bool {
	for _, o := range m.plan.outputs {
		if sameData(o, v) {
			return true
		}
	}
	return false
}

// Activations returns the float values the current plan's buffers hold:
// the peak of the tensors alive at once, as buffers are reused once nothing
// reads them (or the sum of all tensors when the model keeps them), plus
// what planning computed ahead.
func (m *Model) Activations() int64 { return m.plan.peak + m.plan.folded }

// ActivationsSum returns what [Model.Activations] would be if every tensor
// had a buffer of its own: the sum over all the plan's tensors.
func (m *Model) ActivationsSum() int64 { return m.plan.sum + m.plan.folded }

// KeepsTensors reports whether every tensor of a run keeps its own buffer.
func (m *Model) KeepsTensors() bool { return m.plan.keep }

// KeepAllTensors gives every tensor of the plan a buffer of its own, so that
// each node's output can be read after a run ([Model.Steps],
// [Model.Explain]); if the current plan has run, it runs again on the same
// inputs so that those buffers hold that run. It costs the sum of the
// tensors instead of their peak, and fails when that exceeds the limit
// MaxActivations, leaving the model as it was.
func (m *Model) KeepAllTensors() error {
	if m.plan.keep {
		return nil
	}
	old := m.plan
	if err := m.plan2(true, old.inShapes); err != nil {
		m.plan = old
		return err
	}
	m.keep = true
	if old.ran {
		for i, v := range old.inputs {
			copy(m.plan.inputs[i].f, v.f)
		}
		m.runSteps()
	}
	return nil
}

// nodeCtx is what an op's compile function sees of its node.
type nodeCtx struct {
	n     *onnxNodeProto
	c     *compiler
	opset int64
	in    []*val // nil for absent optional inputs
	// fold is set when every input is constant: the node runs while
	// planning and its outputs get buffers of their own.
	fold bool
	// bufs are the buffers the node declared; binds run once they have
	// memory, before the step first runs.
	bufs  []*val
	binds []func() error
	// packedIn is set when a convolution's plan copied the node's constant
	// weights, bias and batch normalisation parameters ([nodeCtx.packed]).
	packedIn bool
}

// packed reports whether input i of the node was copied into a
// convolution's plan when compiling, and is not read again.
func (x *nodeCtx) packed(i int) bool {
	return x.packedIn && (i == 1 || i == 2 || i >= fuseBN && i < fuseBN+4)
}

// foldBudget counts n values of a tensor computed while planning (an
// integer constant of a shape computation, a folded result) against the
// activation limit, before they are allocated.
func (x *nodeCtx) foldBudget(n int) error {
	x.c.plan.folded += int64(n)
	if n < 0 || x.c.plan.folded > x.c.m.limits.MaxActivations {
		return x.errorf("computes more than %d values while planning (limit MaxActivations)", x.c.m.limits.MaxActivations)
	}
	return nil
}

// onBind registers f to finish compiling the step once the plan's buffers
// have memory: for kernels that capture their scratch buffers when built.
func (x *nodeCtx) onBind(f func() error) { x.binds = append(x.binds, f) }

func (x *nodeCtx) errorf(format string, args ...any) error {
	return fmtlite.Errorf("onnx: node %q (%s, opset %d): %s", x.n.name, x.n.opType, x.opset, fmtlite.Sprintf(format, args...))
}

func (x *nodeCtx) attr(name string) *onnxAttr {
	for _, a := range x.n.attrs {
		if a.name == name {
			return a
		}
	}
	return nil
}

func (x *nodeCtx) attrInt(name string, def int64) int64 {
	if a := x.attr(name); a != nil {
		return a.i
	}
	return def
}

func (x *nodeCtx) attrFloat(name string, def float32) float32 {
	if a := x.attr(name); a != nil {
		return a.f
	}
	return def
}

func (x *nodeCtx) attrString(name, def string) string {
	if a := x.attr(name); a != nil {
		return a.s
	}
	return def
}

func (x *nodeCtx) attrFloats(name string) ([]float32, bool) {
	if a := x.attr(name); a != nil {
		return a.floats, true
	}
	return nil, false
}

func (x *nodeCtx) attrInts(name string) ([]int64, bool) {
	if a := x.attr(name); a != nil {
		return a.ints, true
	}
	return nil, false
}

// input returns input i, or nil when it is absent.
func (x *nodeCtx) input(i int) *val {
	if i < len(x.in) {
		return x.in[i]
	}
	return nil
}

// floatIn returns input i, which must be present and of float type.
func (x *nodeCtx) floatIn(i int) (*val, error) {
	v := x.input(i)
	if v == nil {
		return nil, x.errorf("input %d is missing", i)
	}
	if !v.isFloat() {
		return nil, x.errorf("input %q is of type %s; wasmcnn computes %s on FLOAT", v.name, v.typeName(), x.n.opType)
	}
	return v, nil
}

// constInts returns input i as constant integers (a shape, axes, indices).
func (x *nodeCtx) constInts(i int) ([]int64, error) {
	v := x.input(i)
	if v == nil {
		return nil, x.errorf("input %d is missing", i)
	}
	if !v.konst {
		return nil, x.errorf("input %q must be known when the model is planned", v.name)
	}
	if !v.isInt {
		out := make([]int64, len(v.f))
		for k, f := range v.f {
			if f != float32(math.Trunc(float64(f))) {
				return nil, x.errorf("input %q must hold integers", v.name)
			}
			out[k] = int64(f)
		}
		return out, nil
	}
	return v.i, nil
}

// outFloat declares a float output of the given shape.
func (x *nodeCtx) outFloat(shape []int) (*val, error) {
	name := x.n.name
	if len(x.n.outputs) > 0 {
		name = x.n.outputs[0]
	}
	var v *val
	var err error
	if x.fold {
		v, err = x.c.newFolded(name, shape)
	} else {
		v, err = x.c.newBuffer(name, shape)
		if err == nil {
			x.bufs = append(x.bufs, v)
		}
	}
	if err != nil {
		return nil, x.errorf("%v", err)
	}
	return v, nil
}

// scratch declares n values of working memory for the node's step: shared
// with other steps, so it holds anything when the step starts.
func (x *nodeCtx) scratch(what string, n int) (*val, error) {
	v, err := x.outFloat([]int{n})
	if err != nil {
		return nil, err
	}
	v.name, v.scratch = x.n.name+"/"+what, true
	return v, nil
}

// alias returns an output sharing v's data under another shape.
func (x *nodeCtx) alias(v *val, shape []int) *val {
	a := &val{shape: shape, elem: v.elem, isInt: v.isInt, f: v.f, i: v.i, konst: v.konst}
	if !v.konst && !v.isInt && v.f == nil {
		a.root, a.size = v.base(), v.size
		x.c.plan.views = append(x.c.plan.views, a)
	}
	return a
}

// intConst returns a constant integer tensor.
func intConst(shape []int, data []int64) *val {
	return &val{shape: shape, isInt: true, i: data, konst: true}
}

// normAxis resolves a possibly negative axis against rank r.
func (x *nodeCtx) normAxis(axis int64, r int) (int, error) {
	if axis < -int64(r) || axis >= int64(r) {
		return 0, x.errorf("axis %d out of range for rank %d", axis, r)
	}
	if axis < 0 {
		axis += int64(r)
	}
	return int(axis), nil
}
