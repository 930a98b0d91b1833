package onnx

import (
	"slices"

	"wasmcnn/core"
)

// This file merges a float convolution with the element-wise nodes that
// follow it, so that one pass over the output computes
//
//	y = act(conv(x, w) + b + residual)
//
// on a [core.ConvPlan]'s fused epilogue instead of a pass for each node:
// a BatchNormalization right after the Conv is folded into its weights
// and bias ([core.FoldBatchNorm]), then an Add of a tensor of the
// output's shape (a residual connection) and then one activation the
// epilogue applies (Relu, Clip, LeakyRelu, HardSwish, HardSigmoid) are
// merged in that order. A BatchNormalization that follows no convolution
// takes a Relu after it (one scale-shift-ReLU pass, [core.BatchNormReLU]).
// A node is merged only when the tensor between it and the node before
// has that node as its one reader and is not a graph output, so no tensor
// anyone could read disappears.
//
// The rule for looking inside: a plan that keeps every tensor
// (LoadOptions.KeepTensors, [Model.KeepAllTensors], hence [Model.Steps]
// and [Model.Explain]) runs the graph as written, so each node's values
// are there to show and explain; a plan that shares its buffers runs the
// fused graph. The results differ only by float32 rounding (the folded
// weights, the order of the additions).
//
// The pass chooses by the graph's structure when the model loads; what
// depends on values and shapes (constant weights, a residual of the
// output's very shape, Clip's bounds, BatchNormalization's parameters) is
// checked when planning, and a convolution that fails a check is planned
// again as written ([fuseError]).

// FusionTolerance bounds how far the outputs of a plan with fused
// convolutions are from the graph's as written, relative to an output's
// largest magnitude, in the tests of every architecture of
// wasmcnn/internal/archs: the folded batch normalisation rounds its
// weights once instead of each output, and the epilogue adds the bias and
// the residual in another order. Quantized convolutions are not fused and
// stay exact.
const FusionTolerance = 1e-5

// convFusion is what a fused convolution node merged: the nodes, whose
// extra inputs follow the Conv's three in the fused node (see fuseInputs).
type convFusion struct {
	bn, add, act *onnxNodeProto
}

// The fused node's inputs: the Conv's (X, W, B), the residual, the
// BatchNormalization's parameters and the activation's extra inputs
// (Clip's bounds), "" where absent.
const (
	fuseRes    = 3
	fuseBN     = 4 // scale, bias, mean, variance
	fuseAct    = 8 // Clip's min and max
	fuseInputs = 10
)

// fuseError reports a merge that the values or shapes do not allow; the
// model is planned again with that convolution as written.
type fuseError struct{ node, why string }

func (e *fuseError) Error() string {
	return "onnx: node " + e.node + " cannot be fused: " + e.why
}

// fusableActs are the activations a convolution's epilogue applies.
var fusableActs = []string{"Relu", "Clip", "LeakyRelu", "HardSwish", "HardSigmoid"}

// fuseConvs returns the nodes with each float Conv merged with the nodes
// after it that it can compute (see the file's comment), except the
// convolutions named in skip.
func (m *Model) fuseConvs(nodes []*onnxNodeProto, skip map[string]bool) []*onnxNodeProto {
	g := newGraphView(m, nodes)
	merged := map[*onnxNodeProto]bool{} // nodes a convolution took
	// sole returns the node reading t once, if it is t's only reader, t is
	// not a graph output and no other convolution took the node (the two
	// branches of a residual block reach the same Add).
	sole := func(t string, ops ...string) *onnxNodeProto {
		rs := g.readers[t]
		if len(rs) != 1 || g.outputs[t] || !isDefaultDomain(rs[0]) || !slices.Contains(ops, rs[0].opType) {
			return nil
		}
		r := rs[0]
		if merged[r] || len(r.outputs) < 1 || r.outputs[0] == "" || slices.ContainsFunc(r.outputs[1:], func(o string) bool { return o != "" }) {
			return nil
		}
		reads := 0
		for _, in := range r.inputs {
			if in == t {
				reads++
			}
		}
		if reads != 1 {
			return nil
		}
		return r
	}
	fused := map[*onnxNodeProto]*onnxNodeProto{}
	for _, n := range nodes {
		if n.opType != "Conv" || !isDefaultDomain(n) || len(n.outputs) != 1 || len(n.inputs) < 2 || skip[n.name] {
			continue
		}
		var f convFusion
		t := n.outputs[0]
		if r := sole(t, "BatchNormalization"); r != nil && r.inputs[0] == t && len(r.inputs) == 5 {
			f.bn, t = r, r.outputs[0]
		}
		res := ""
		if r := sole(t, "Add"); r != nil && len(r.inputs) == 2 && r.inputs[0] != "" && r.inputs[1] != "" {
			res = r.inputs[0]
			if res == t {
				res = r.inputs[1]
			}
			f.add, t = r, r.outputs[0]
		}
		if r := sole(t, fusableActs...); r != nil && r.inputs[0] == t {
			f.act, t = r, r.outputs[0]
		}
		if f.bn == nil && f.add == nil && f.act == nil {
			continue
		}
		in := make([]string, fuseInputs)
		copy(in, n.inputs)
		in[fuseRes] = res
		if f.bn != nil {
			copy(in[fuseBN:], f.bn.inputs[1:5])
		}
		if f.act != nil && f.act.opType == "Clip" {
			copy(in[fuseAct:], f.act.inputs[1:])
		}
		c := *n
		c.inputs, c.outputs, c.fusion = in, []string{t}, &f
		c.spec.compile = func(x *nodeCtx) ([]*val, func(), error) { return compileConvFused(x, &f) }
		fused[n] = &c
		for _, r := range []*onnxNodeProto{f.bn, f.add, f.act} {
			if r != nil {
				merged[r] = true
			}
		}
	}
	// A BatchNormalization that no convolution took (DenseNet's, after
	// each concatenation) takes the Relu after it: one pass, the same
	// floats as the two nodes.
	for _, n := range nodes {
		if n.opType != "BatchNormalization" || !isDefaultDomain(n) || merged[n] || len(n.inputs) != 5 || len(n.outputs) != 1 || n.outputs[0] == "" {
			continue
		}
		r := sole(n.outputs[0], "Relu")
		if r == nil || r.inputs[0] != n.outputs[0] {
			continue
		}
		c := *n
		c.outputs, c.fusion = []string{r.outputs[0]}, &convFusion{act: r}
		c.spec.compile = func(x *nodeCtx) ([]*val, func(), error) { return compileBatchNormAct(x, true) }
		fused[n], merged[r] = &c, true
	}
	if len(fused) == 0 {
		return nodes
	}
	out := make([]*onnxNodeProto, 0, len(nodes))
	for _, n := range nodes {
		switch {
		case merged[n]:
		case fused[n] != nil:
			out = append(out, fused[n])
		default:
			out = append(out, n)
		}
	}
	return out
}

// resolve checks what the merged nodes need of values and shapes and
// returns the weights and bias with the batch normalisation folded in
// (unless fold is false: the plan reuses filters folded before), the
// activation and the residual tensor (nil without an Add).
func (f *convFusion) resolve(x *nodeCtx, g *core.ConvGeom, w, b []float32, outShape []int, fold bool) ([]float32, []float32, core.Activation, *val, error) {
	var act core.Activation
	refuse := func(why string) ([]float32, []float32, core.Activation, *val, error) {
		return nil, nil, act, nil, &fuseError{x.n.name, why}
	}
	if f.bn != nil {
		if f.bn.attrInt("spatial", 1) != 1 || f.bn.attrInt("training_mode", 0) != 0 {
			return refuse("a batch normalisation in training mode")
		}
		var p [4][]float32
		for i := range p {
			v := x.input(fuseBN + i)
			if v == nil || !v.konst || !v.isFloat() || len(v.shape) != 1 || v.shape[0] != g.K {
				return refuse("batch normalisation parameters that are not constants of one value per channel")
			}
			p[i] = v.f
		}
		if fold {
			var err error
			if w, b, err = core.FoldBatchNorm(w, b, g.K, p[0], p[1], p[2], p[3], f.bn.attrFloat("epsilon", 1e-5)); err != nil {
				return refuse(err.Error())
			}
		}
	}
	var res *val
	if f.add != nil {
		res = x.input(fuseRes)
		if res == nil || res.konst || !res.isFloat() || !slices.Equal(res.shape, outShape) {
			return refuse("an Add whose other input is not a tensor of the output's shape")
		}
		if g.Group > 1 && g.Group == g.C && g.K == g.C {
			// A depthwise convolution's direct kernel has no residual.
			return refuse("a depthwise convolution with a residual")
		}
	}
	if f.act != nil {
		switch f.act.opType {
		case "Relu":
			act = core.ReLUActivation()
		case "LeakyRelu":
			act = core.LeakyReLUActivation(f.act.attrFloat("alpha", 0.01))
		case "HardSwish":
			act = core.HardSwishActivation()
		case "HardSigmoid":
			act = core.HardSigmoidActivation(f.act.attrFloat("alpha", 0.2), f.act.attrFloat("beta", 0.5))
		case "Clip":
			ax := &nodeCtx{n: f.act, c: x.c, opset: f.act.opset, in: x.in[fuseAct-1:]}
			// clipRange reads the bounds as inputs 1 and 2.
			lo, hi, err := clipRange(ax)
			if err != nil {
				return refuse(err.Error())
			}
			act = core.ClipActivation(lo, hi)
		}
		if !act.Valid() {
			return refuse("an activation the epilogue cannot apply")
		}
	}
	return w, b, act, res, nil
}

// info describes a node as a step shows it: a fused convolution names the
// ops it merged ("Conv+BatchNormalization+Relu") and its inputs without
// the places of absent ones.
func (n *onnxNodeProto) info() NodeInfo {
	ni := NodeInfo{Name: n.name, Op: n.opType, Inputs: n.inputs, Outputs: n.outputs}
	if f := n.fusion; f != nil {
		for _, r := range []*onnxNodeProto{f.bn, f.add, f.act} {
			if r != nil {
				ni.Op += "+" + r.opType
			}
		}
		ni.Inputs = slices.DeleteFunc(slices.Clone(n.inputs), func(s string) bool { return s == "" })
	}
	return ni
}
