package onnx

import (
	"sort"

	"wasmcnn/internal/fmtlite"
)

// attrRule says which type an attribute has and in which opsets it exists.
type attrRule struct {
	typ      int64
	from, to int64 // opsets where the attribute is part of the op; to 0 = still
}

// opSpec describes an ONNX operator as wasmcnn implements it.
type opSpec struct {
	attrs          map[string]attrRule
	minIn, maxIn   int
	minOut, maxOut int
	// compile plans a node: it returns the outputs (one per output name) and
	// the work to do at run time, or nil when the outputs are already known.
	compile func(x *nodeCtx) ([]*val, func(), error)
}

// The functions that make an op's compile function for a family of ops
// (compileUnary(f), compileReduce(kind)…) are marked go:noinline: inlined,
// each op of the family would get its own copy of the closure, which
// costs the WebAssembly builds some 250 kB of code.

// opSpecs lists every supported operator of the default ONNX domain.
var opSpecs map[string]opSpec

func init() {
	opSpecs = map[string]opSpec{}
	for _, group := range []map[string]opSpec{nnOps(), mathOps(), shapeOps(), elementwiseOps(), moveOps(), resizeOps(), reduceOps(), quantOps()} {
		for name, s := range group {
			opSpecs[name] = s
		}
	}
}

// msOpSpecs lists the operators of onnxruntime's domain com.microsoft that
// wasmcnn implements.
var msOpSpecs = map[string]opSpec{}

// msOpNames returns the names of msOpSpecs, sorted.
func msOpNames() []string {
	names := make([]string, 0, len(msOpSpecs))
	for n := range msOpSpecs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// SupportedOps returns the names of the ONNX operators wasmcnn implements.
func SupportedOps() []string {
	names := make([]string, 0, len(opSpecs))
	for n := range opSpecs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// check validates a node's attributes and input and output counts at load.
func (s opSpec) check(n *onnxNodeProto, opset int64) error {
	errorf := func(format string, args ...any) error {
		return fmtlite.Errorf("onnx: node %q (%s, opset %d): %s", n.name, n.opType, opset, fmtlite.Sprintf(format, args...))
	}
	seen := map[string]bool{}
	for _, a := range n.attrs {
		rule, ok := s.attrs[a.name]
		if !ok || opset < rule.from || (rule.to != 0 && opset > rule.to) {
			return errorf("attribute %q is not supported", a.name)
		}
		if seen[a.name] {
			return errorf("attribute %q given twice", a.name)
		}
		seen[a.name] = true
		if a.refAttr != "" || a.graphs > 0 {
			return errorf("attribute %q refers to a function or subgraph, which wasmcnn does not support", a.name)
		}
		if a.typ != rule.typ {
			return errorf("attribute %q has type %d, want %d", a.name, a.typ, rule.typ)
		}
	}
	if len(n.inputs) < s.minIn || (s.maxIn >= 0 && len(n.inputs) > s.maxIn) {
		return errorf("has %d inputs, want %s", len(n.inputs), countRange(s.minIn, s.maxIn))
	}
	if len(n.outputs) < s.minOut || len(n.outputs) > s.maxOut {
		return errorf("has %d outputs, want %s", len(n.outputs), countRange(s.minOut, s.maxOut))
	}
	for i := 0; i < s.minIn; i++ {
		if n.inputs[i] == "" {
			return errorf("required input %d is empty", i)
		}
	}
	if len(n.outputs) == 0 || n.outputs[0] == "" {
		return errorf("the first output has no name")
	}
	return nil
}

func countRange(lo, hi int) string {
	switch {
	case hi < 0:
		return fmtlite.Sprintf("at least %d", lo)
	case lo == hi:
		return fmtlite.Sprint(lo)
	}
	return fmtlite.Sprintf("%d to %d", lo, hi)
}

// always is the opset range of an attribute that exists in every supported opset.
func always(typ int64) attrRule { return attrRule{typ: typ, from: 1} }

// since is the range of an attribute added in opset v.
func since(typ int64, v int64) attrRule { return attrRule{typ: typ, from: v} }

// until is the range of an attribute removed after opset v.
func until(typ int64, v int64) attrRule { return attrRule{typ: typ, from: 1, to: v} }

// toInts converts int64 attribute values to ints, refusing absurd ones.
func (x *nodeCtx) toInts(name string, vs []int64, lo, hi int64) ([]int, error) {
	out := make([]int, len(vs))
	for i, v := range vs {
		if v < lo || v > hi {
			return nil, x.errorf("%s value %d out of range [%d, %d]", name, v, lo, hi)
		}
		out[i] = int(v)
	}
	return out, nil
}
