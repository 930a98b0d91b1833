package onnx

import (
	"strconv"
	"unicode/utf8"

	"wasmcnn/core"
)

// ONNX TensorProto data types that wasmcnn reads.
const (
	onnxFloat    = 1
	onnxUint8    = 2
	onnxInt8     = 3
	onnxUint16   = 4
	onnxInt16    = 5
	onnxInt32    = 6
	onnxInt64    = 7
	onnxBool     = 9
	onnxFloat16  = 10
	onnxDouble   = 11
	onnxUint32   = 12
	onnxUint64   = 13
	onnxBfloat16 = 16
)

// onnxTypeName names an ONNX data type for messages.
func onnxTypeName(t int) string {
	names := map[int]string{0: "UNDEFINED", 1: "FLOAT", 2: "UINT8", 3: "INT8", 4: "UINT16", 5: "INT16", 6: "INT32", 7: "INT64",
		8: "STRING", 9: "BOOL", 10: "FLOAT16", 11: "DOUBLE", 12: "UINT32", 13: "UINT64", 14: "COMPLEX64", 15: "COMPLEX128", 16: "BFLOAT16"}
	if n, ok := names[t]; ok {
		return n
	}
	return "type " + strconv.Itoa(t)
}

// ONNX AttributeProto types.
const (
	attrFloat   = 1
	attrInt     = 2
	attrString  = 3
	attrTensor  = 4
	attrGraph   = 5
	attrFloats  = 6
	attrInts    = 7
	attrStrings = 8
)

// Structural limits checked while decoding, before anything proportional to
// them is built. Byte-sized fields are bounded by the file itself.
const (
	maxNodes      = 100000
	maxValueNames = 1 << 20
)

// onnxModelProto is the decoded ModelProto: only the fields wasmcnn uses.
type onnxModelProto struct {
	irVersion       int64
	opsets          []onnxOpset
	producer        string
	producerVersion string
	domain          string
	modelVersion    int64
	doc             string
	graph           *onnxGraphProto
	metadata        [][2]string
}

type onnxOpset struct {
	domain  string
	version int64
}

type onnxGraphProto struct {
	name         string
	nodes        []*onnxNodeProto
	initializers []*onnxTensorProto
	sparseInits  int
	inputs       []onnxValueInfo
	outputs      []onnxValueInfo
}

type onnxNodeProto struct {
	name, opType, domain string
	inputs, outputs      []string
	attrs                []*onnxAttr
	// Set when the node is checked: what wasmcnn implements of its op, and
	// the opset of its domain that the model imports.
	spec  opSpec
	opset int64
	// fusion is what a convolution merged when the fusion pass made the
	// node (fuse.go); nil for a node of the file.
	fusion *convFusion
}

type onnxAttr struct {
	name    string
	typ     int64
	f       float32
	i       int64
	s       string
	t       *onnxTensorProto
	floats  []float32
	ints    []int64
	strings []string
	graphs  int // subgraphs present (unsupported, counted to name them in errors)
	refAttr string
}

// onnxTensorProto keeps the tensor's data as found in the file: raw bytes
// alias the file's buffer until the tensor is decoded.
type onnxTensorProto struct {
	name        string
	dims        []int64
	dataType    int64
	raw         []byte
	rawOffset   int64
	floats      []float32
	int32s      []int64 // int32_data, widened
	int64s      []int64
	doubles     []float64
	uint64s     []int64
	strings     int
	external    [][2]string
	location    int64
	segment     bool
	offset      int64 // position of the TensorProto in the file
	hasRawField bool
	// reread is set when raw (rawLen bytes at rawOffset) is read again
	// through LoadOptions.Reread rather than kept (reread.go).
	reread bool
	rawLen int
}

type onnxValueInfo struct {
	name     string
	elemType int64
	hasType  bool
	hasShape bool
	dims     []onnxDim
	isTensor bool
}

type onnxDim struct {
	value int64
	param string
	known bool
}

// decodeModelProto decodes a ModelProto from b.
func decodeModelProto(b []byte) (*onnxModelProto, error) {
	m := &onnxModelProto{}
	r := newPBReader(b, 0)
	for !r.done() {
		f, w, err := r.next()
		if err != nil {
			return nil, err
		}
		switch f {
		case 1:
			m.irVersion, err = r.int64v(w)
		case 2:
			m.producer, err = r.str(w)
		case 3:
			m.producerVersion, err = r.str(w)
		case 4:
			m.domain, err = r.str(w)
		case 5:
			m.modelVersion, err = r.int64v(w)
		case 6:
			m.doc, err = r.str(w)
		case 7:
			var sub *pbReader
			if sub, err = r.sub(w); err == nil {
				m.graph, err = decodeGraphProto(sub)
			}
		case 8:
			var sub *pbReader
			if sub, err = r.sub(w); err == nil {
				var o onnxOpset
				o, err = decodeOpset(sub)
				m.opsets = append(m.opsets, o)
			}
		case 14:
			var sub *pbReader
			if sub, err = r.sub(w); err == nil {
				var kv [2]string
				kv, err = decodeStringPair(sub)
				m.metadata = append(m.metadata, kv)
			}
		default:
			err = r.skip(w)
		}
		if err != nil {
			return nil, err
		}
	}
	return m, nil
}

// sub returns a reader over a nested message field.
func (r *pbReader) sub(wire int) (*pbReader, error) {
	if wire != wireBytes {
		return nil, r.errorf("message field with wire type %d", wire)
	}
	b, base, err := r.bytes()
	if err != nil {
		return nil, err
	}
	return newPBReader(b, base), nil
}

func decodeOpset(r *pbReader) (onnxOpset, error) {
	var o onnxOpset
	for !r.done() {
		f, w, err := r.next()
		if err != nil {
			return o, err
		}
		switch f {
		case 1:
			o.domain, err = r.str(w)
		case 2:
			o.version, err = r.int64v(w)
		default:
			err = r.skip(w)
		}
		if err != nil {
			return o, err
		}
	}
	return o, nil
}

func decodeStringPair(r *pbReader) ([2]string, error) {
	var kv [2]string
	for !r.done() {
		f, w, err := r.next()
		if err != nil {
			return kv, err
		}
		switch f {
		case 1:
			kv[0], err = r.str(w)
		case 2:
			kv[1], err = r.str(w)
		default:
			err = r.skip(w)
		}
		if err != nil {
			return kv, err
		}
	}
	return kv, nil
}

func decodeGraphProto(r *pbReader) (*onnxGraphProto, error) {
	g := &onnxGraphProto{}
	for !r.done() {
		f, w, err := r.next()
		if err != nil {
			return nil, err
		}
		var sub *pbReader
		switch f {
		case 1, 5, 11, 12:
			if sub, err = r.sub(w); err != nil {
				return nil, err
			}
		}
		switch f {
		case 1:
			if len(g.nodes) >= maxNodes {
				return nil, r.errorf("more than %d nodes", maxNodes)
			}
			var n *onnxNodeProto
			if n, err = decodeNodeProto(sub); err == nil {
				g.nodes = append(g.nodes, n)
			}
		case 2:
			g.name, err = r.str(w)
		case 5:
			var t *onnxTensorProto
			if t, err = decodeTensorProto(sub); err == nil {
				g.initializers = append(g.initializers, t)
			}
		case 15:
			g.sparseInits++
			err = r.skip(w)
		case 11, 12:
			var vi onnxValueInfo
			if vi, err = decodeValueInfo(sub); err == nil {
				if f == 11 {
					g.inputs = append(g.inputs, vi)
				} else {
					g.outputs = append(g.outputs, vi)
				}
			}
		default:
			err = r.skip(w)
		}
		if err != nil {
			return nil, err
		}
	}
	return g, nil
}

func decodeNodeProto(r *pbReader) (*onnxNodeProto, error) {
	n := &onnxNodeProto{}
	for !r.done() {
		f, w, err := r.next()
		if err != nil {
			return nil, err
		}
		switch f {
		case 1, 2:
			var s string
			if s, err = r.str(w); err == nil {
				if f == 1 {
					n.inputs = append(n.inputs, s)
				} else {
					n.outputs = append(n.outputs, s)
				}
			}
		case 3:
			n.name, err = r.str(w)
		case 4:
			n.opType, err = r.str(w)
		case 7:
			n.domain, err = r.str(w)
		case 5:
			var sub *pbReader
			if sub, err = r.sub(w); err == nil {
				var a *onnxAttr
				if a, err = decodeAttr(sub); err == nil {
					n.attrs = append(n.attrs, a)
				}
			}
		default:
			err = r.skip(w)
		}
		if err != nil {
			return nil, err
		}
	}
	return n, nil
}

func decodeAttr(r *pbReader) (*onnxAttr, error) {
	a := &onnxAttr{}
	for !r.done() {
		f, w, err := r.next()
		if err != nil {
			return nil, err
		}
		switch f {
		case 1:
			a.name, err = r.str(w)
		case 20:
			a.typ, err = r.int64v(w)
		case 2:
			a.f, err = r.float32v(w)
		case 3:
			a.i, err = r.int64v(w)
		case 4:
			a.s, err = r.str(w)
		case 5:
			var sub *pbReader
			if sub, err = r.sub(w); err == nil {
				a.t, err = decodeTensorProto(sub)
			}
		case 6, 11:
			a.graphs++
			err = r.skip(w)
		case 7:
			a.floats, err = r.appendFloat32s(a.floats, w)
		case 8:
			a.ints, err = r.appendInt64s(a.ints, w)
		case 9:
			var s string
			if s, err = r.str(w); err == nil {
				a.strings = append(a.strings, s)
			}
		case 21:
			a.refAttr, err = r.str(w)
		default:
			err = r.skip(w)
		}
		if err != nil {
			return nil, err
		}
	}
	if a.typ == 0 {
		// IR version 1 files leave the type out; infer it from the field present.
		switch {
		case a.t != nil:
			a.typ = attrTensor
		case len(a.floats) > 0:
			a.typ = attrFloats
		case len(a.ints) > 0:
			a.typ = attrInts
		case len(a.strings) > 0:
			a.typ = attrStrings
		case a.s != "":
			a.typ = attrString
		}
	}
	return a, nil
}

func decodeTensorProto(r *pbReader) (*onnxTensorProto, error) {
	t := &onnxTensorProto{offset: r.base}
	for !r.done() {
		f, w, err := r.next()
		if err != nil {
			return nil, err
		}
		switch f {
		case 1:
			t.dims, err = r.appendInt64s(t.dims, w)
		case 2:
			t.dataType, err = r.int64v(w)
		case 3:
			t.segment = true
			err = r.skip(w)
		case 4:
			t.floats, err = r.appendFloat32s(t.floats, w)
		case 5:
			t.int32s, err = r.appendInt64s(t.int32s, w)
		case 6:
			t.strings++
			err = r.skip(w)
		case 7:
			t.int64s, err = r.appendInt64s(t.int64s, w)
		case 8:
			t.name, err = r.str(w)
		case 9:
			if w != wireBytes {
				return nil, r.errorf("raw_data with wire type %d", w)
			}
			t.raw, t.rawOffset, err = r.bytes()
			t.hasRawField = true
		case 10:
			t.doubles, err = r.appendFloat64s(t.doubles, w)
		case 11:
			t.uint64s, err = r.appendInt64s(t.uint64s, w)
		case 13:
			var sub *pbReader
			if sub, err = r.sub(w); err == nil {
				var kv [2]string
				kv, err = decodeStringPair(sub)
				t.external = append(t.external, kv)
			}
		case 14:
			t.location, err = r.int64v(w)
		default:
			err = r.skip(w)
		}
		if err != nil {
			return nil, err
		}
	}
	return t, nil
}

func decodeValueInfo(r *pbReader) (onnxValueInfo, error) {
	var vi onnxValueInfo
	for !r.done() {
		f, w, err := r.next()
		if err != nil {
			return vi, err
		}
		switch f {
		case 1:
			vi.name, err = r.str(w)
		case 2:
			var sub *pbReader
			if sub, err = r.sub(w); err == nil {
				vi.hasType = true
				err = decodeTypeProto(sub, &vi)
			}
		default:
			err = r.skip(w)
		}
		if err != nil {
			return vi, err
		}
	}
	return vi, nil
}

func decodeTypeProto(r *pbReader, vi *onnxValueInfo) error {
	for !r.done() {
		f, w, err := r.next()
		if err != nil {
			return err
		}
		if f != 1 {
			if err := r.skip(w); err != nil {
				return err
			}
			continue
		}
		vi.isTensor = true
		sub, err := r.sub(w)
		if err != nil {
			return err
		}
		for !sub.done() {
			f, w, err := sub.next()
			if err != nil {
				return err
			}
			switch f {
			case 1:
				vi.elemType, err = sub.int64v(w)
			case 2:
				var shape *pbReader
				if shape, err = sub.sub(w); err == nil {
					vi.hasShape = true
					err = decodeShape(shape, vi)
				}
			default:
				err = sub.skip(w)
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

func decodeShape(r *pbReader, vi *onnxValueInfo) error {
	for !r.done() {
		f, w, err := r.next()
		if err != nil {
			return err
		}
		if f != 1 {
			if err := r.skip(w); err != nil {
				return err
			}
			continue
		}
		if len(vi.dims) >= core.MaxRank {
			return r.errorf("value %q has more than %d dimensions", vi.name, core.MaxRank)
		}
		sub, err := r.sub(w)
		if err != nil {
			return err
		}
		var d onnxDim
		for !sub.done() {
			f, w, err := sub.next()
			if err != nil {
				return err
			}
			switch f {
			case 1:
				d.value, err = sub.int64v(w)
				d.known = true
			case 2:
				d.param, err = sub.str(w)
			default:
				err = sub.skip(w)
			}
			if err != nil {
				return err
			}
		}
		vi.dims = append(vi.dims, d)
	}
	return nil
}

// printable reports whether s is valid UTF-8 without control characters,
// so names from a file can go into messages as they are.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}
