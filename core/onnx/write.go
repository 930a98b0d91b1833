package onnx

import (
	"encoding/binary"
	"math"

	"wasmcnn/core"
)

// Attr is a node attribute for [ModelBuilder.Node].
type Attr struct {
	Name   string
	typ    int64
	f      float32
	i      int64
	s      string
	floats []float32
	ints   []int64
	t      *core.Tensor
}

// AttrInt returns an integer attribute.
func AttrInt(name string, v int64) Attr { return Attr{Name: name, typ: attrInt, i: v} }

// AttrInts returns an integer-list attribute.
func AttrInts(name string, v ...int64) Attr { return Attr{Name: name, typ: attrInts, ints: v} }

// AttrFloat returns a float attribute.
func AttrFloat(name string, v float32) Attr { return Attr{Name: name, typ: attrFloat, f: v} }

// AttrFloats returns a float-list attribute.
func AttrFloats(name string, v ...float32) Attr { return Attr{Name: name, typ: attrFloats, floats: v} }

// AttrString returns a string attribute.
func AttrString(name, v string) Attr { return Attr{Name: name, typ: attrString, s: v} }

// AttrTensor returns a tensor attribute (as Constant's value).
func AttrTensor(name string, t *core.Tensor) Attr { return Attr{Name: name, typ: attrTensor, t: t} }

// ModelBuilder writes an ONNX model: a graph of nodes with initializers,
// inputs and outputs, encoded as a ModelProto that onnxruntime and Netron
// read. Nodes must be added in execution order.
type ModelBuilder struct {
	Opset           int64
	Producer        string
	ProducerVersion string
	Doc             string
	GraphName       string
	Metadata        [][2]string

	nodes, inits, inputs, outputs []*pbWriter
	imports                       []onnxOpset // other domains
}

// Import declares an operator set of another domain that nodes added with
// [ModelBuilder.NodeIn] use, such as onnxruntime's com.microsoft.
func (b *ModelBuilder) Import(domain string, version int64) {
	b.imports = append(b.imports, onnxOpset{domain, version})
}

// NodeIn appends a node of an op of another domain (see
// [ModelBuilder.Import]).
func (b *ModelBuilder) NodeIn(domain, op, name string, inputs, outputs []string, attrs ...Attr) {
	b.Node(op, name, inputs, outputs, attrs...)
	b.nodes[len(b.nodes)-1].str(7, domain)
}

// NewModelBuilder returns a builder for the given opset of the default domain.
func NewModelBuilder(opset int64) *ModelBuilder {
	return &ModelBuilder{Opset: opset, Producer: "wasmcnn", ProducerVersion: core.Version, GraphName: "wasmcnn"}
}

// irVersionFor returns the IR version that introduced opset v, so that
// readers of that age accept the file.
func irVersionFor(opset int64) int64 {
	switch {
	case opset <= 8:
		return 3
	case opset == 9:
		return 4
	case opset == 10:
		return 5
	case opset == 11:
		return 6
	case opset <= 14:
		return 7
	case opset <= 18:
		return 8
	case opset <= 20:
		return 9
	}
	return 10
}

// Element types of ONNX tensors, for [ModelBuilder.InitializerTyped],
// [ModelBuilder.InputTyped] and [ModelBuilder.OutputTyped].
const (
	TypeFloat    = onnxFloat
	TypeUint8    = onnxUint8
	TypeInt8     = onnxInt8
	TypeUint16   = onnxUint16
	TypeInt16    = onnxInt16
	TypeInt32    = onnxInt32
	TypeInt64    = onnxInt64
	TypeBool     = onnxBool
	TypeFloat16  = onnxFloat16
	TypeDouble   = onnxDouble
	TypeUint32   = onnxUint32
	TypeUint64   = onnxUint64
	TypeBfloat16 = onnxBfloat16
)

// Input declares a float graph input; a negative dimension is left open
// under the name "N".
func (b *ModelBuilder) Input(name string, shape []int) {
	b.inputs = append(b.inputs, valueInfoProto(name, onnxFloat, shape))
}

// InputTyped declares a graph input of the given element type.
func (b *ModelBuilder) InputTyped(name string, typ int64, shape []int) {
	b.inputs = append(b.inputs, valueInfoProto(name, typ, shape))
}

// Output declares a float graph output; a nil shape leaves it unspecified.
func (b *ModelBuilder) Output(name string, shape []int) {
	b.outputs = append(b.outputs, valueInfoProto(name, onnxFloat, shape))
}

// OutputTyped declares a graph output of the given element type.
func (b *ModelBuilder) OutputTyped(name string, typ int64, shape []int) {
	b.outputs = append(b.outputs, valueInfoProto(name, typ, shape))
}

// InitializerTyped adds a constant of element type typ (a Type constant)
// holding v, each value converted to the type (integers truncated and
// wrapped as a C cast does, 16-bit floats rounded to nearest even).
func (b *ModelBuilder) InitializerTyped(name string, typ int64, shape []int, v []float64) {
	w := &pbWriter{}
	dims := make([]int64, len(shape))
	for k, d := range shape {
		dims[k] = int64(d)
	}
	if len(dims) > 0 {
		w.packedInt64s(1, dims)
	}
	w.varint(2, typ)
	w.str(8, name)
	w.bytes(9, encodeTyped(typ, v))
	b.inits = append(b.inits, w)
}

// encodeTyped encodes values as little-endian raw data of type typ.
func encodeTyped(typ int64, v []float64) []byte {
	size, _ := elemSize(typ)
	raw := make([]byte, 0, size*len(v))
	for _, x := range v {
		switch typ {
		case onnxFloat:
			raw = appendF32(raw, float32(x))
		case onnxDouble:
			raw = appendU64(raw, math.Float64bits(x))
		case onnxFloat16:
			raw = binary.LittleEndian.AppendUint16(raw, floatToHalf(float32(x)))
		case onnxBfloat16:
			raw = binary.LittleEndian.AppendUint16(raw, floatToBfloat(float32(x)))
		case onnxBool:
			raw = append(raw, b2u8(x != 0))
		default:
			u := uint64(int64(x))
			for k := 0; k < size; k++ {
				raw = append(raw, byte(u>>(8*k)))
			}
		}
	}
	return raw
}

func b2u8(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// Initializer adds a float constant.
func (b *ModelBuilder) Initializer(name string, t *core.Tensor) {
	b.inits = append(b.inits, tensorProto(name, t.Shape, t.Data, nil))
}

// InitializerInts adds an INT64 constant, such as a target shape.
func (b *ModelBuilder) InitializerInts(name string, shape []int, v []int64) {
	b.inits = append(b.inits, tensorProto(name, shape, nil, v))
}

// Node appends a node of the given op type.
func (b *ModelBuilder) Node(op, name string, inputs, outputs []string, attrs ...Attr) {
	w := &pbWriter{}
	for _, in := range inputs {
		w.str(1, in)
	}
	for _, out := range outputs {
		w.str(2, out)
	}
	if name != "" {
		w.str(3, name)
	}
	w.str(4, op)
	for _, a := range attrs {
		aw := &pbWriter{}
		aw.str(1, a.Name)
		switch a.typ {
		case attrFloat:
			aw.float32(2, a.f)
		case attrInt:
			aw.varint(3, a.i)
		case attrString:
			aw.str(4, a.s)
		case attrTensor:
			aw.message(5, tensorProto("", a.t.Shape, a.t.Data, nil))
		case attrFloats:
			aw.packedFloat32s(7, a.floats)
		case attrInts:
			aw.packedInt64s(8, a.ints)
		}
		aw.varint(20, a.typ)
		w.message(5, aw)
	}
	b.nodes = append(b.nodes, w)
}

// Bytes encodes the model.
func (b *ModelBuilder) Bytes() []byte {
	g := &pbWriter{}
	for _, n := range b.nodes {
		g.message(1, n)
	}
	g.str(2, b.GraphName)
	for _, t := range b.inits {
		g.message(5, t)
	}
	for _, v := range b.inputs {
		g.message(11, v)
	}
	for _, v := range b.outputs {
		g.message(12, v)
	}
	m := &pbWriter{}
	m.varint(1, irVersionFor(b.Opset))
	m.str(2, b.Producer)
	m.str(3, b.ProducerVersion)
	if b.Doc != "" {
		m.str(6, b.Doc)
	}
	m.message(7, g)
	op := &pbWriter{}
	op.str(1, "")
	op.varint(2, b.Opset)
	m.message(8, op)
	for _, d := range b.imports {
		op := &pbWriter{}
		op.str(1, d.domain)
		op.varint(2, d.version)
		m.message(8, op)
	}
	for _, kv := range b.Metadata {
		e := &pbWriter{}
		e.str(1, kv[0])
		e.str(2, kv[1])
		m.message(14, e)
	}
	return m.b
}

// tensorProto encodes a FLOAT tensor (f) or an INT64 one (i) with raw data.
func tensorProto(name string, shape []int, f []float32, i []int64) *pbWriter {
	w := &pbWriter{}
	dims := make([]int64, len(shape))
	for k, d := range shape {
		dims[k] = int64(d)
	}
	if len(dims) > 0 {
		w.packedInt64s(1, dims)
	}
	if i != nil {
		w.varint(2, onnxInt64)
	} else {
		w.varint(2, onnxFloat)
	}
	if name != "" {
		w.str(8, name)
	}
	raw := make([]byte, 0, 4*len(f)+8*len(i))
	for _, v := range f {
		raw = appendF32(raw, v)
	}
	for _, v := range i {
		raw = appendU64(raw, uint64(v))
	}
	w.bytes(9, raw)
	return w
}

// valueInfoProto encodes a tensor type with its shape.
func valueInfoProto(name string, elem int64, shape []int) *pbWriter {
	tt := &pbWriter{}
	tt.varint(1, elem)
	if shape != nil {
		sh := &pbWriter{}
		for _, d := range shape {
			dim := &pbWriter{}
			if d < 0 {
				dim.str(2, "N")
			} else {
				dim.varint(1, int64(d))
			}
			sh.message(1, dim)
		}
		tt.message(2, sh)
	}
	tp := &pbWriter{}
	tp.message(1, tt)
	w := &pbWriter{}
	w.str(1, name)
	w.message(2, tp)
	return w
}
