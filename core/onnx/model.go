package onnx

import (
	"encoding/binary"
	"errors"
	"math"
	"runtime"
	"strconv"
	"strings"
	"unsafe"

	"wasmcnn/internal/fmtlite"

	"wasmcnn/core"
)

// Opset range of the default ONNX domain that wasmcnn implements.
const (
	MinOpset = 7
	MaxOpset = 25
)

// msDomain is the domain of onnxruntime's own operators, among them the
// quantized operators its quantizer writes (QLinearAdd, QLinearConcat…).
const msDomain = "com.microsoft"

// Limits bound what a model may ask for. Every check happens before the
// corresponding allocation, so a hostile file gets an error, not an
// out-of-memory. The zero value of a field means its default.
type Limits struct {
	MaxModelBytes  int64 // size of the .onnx file (default 256 MiB)
	MaxParams      int64 // elements of all initializers together (default 64 Mi)
	MaxActivations int64 // elements of all intermediate tensors of one plan (default 64 Mi, 256 MiB of float32)
	MaxMACs        int64 // multiply-accumulates of one run of a plan (default 2^35, about 34 G)
}

// DefaultLimits are the limits used when none are given.
var DefaultLimits = Limits{MaxModelBytes: 256 << 20, MaxParams: 64 << 20, MaxActivations: 64 << 20, MaxMACs: 1 << 35}

func (l Limits) withDefaults() Limits {
	if l.MaxModelBytes <= 0 {
		l.MaxModelBytes = DefaultLimits.MaxModelBytes
	}
	if l.MaxParams <= 0 {
		l.MaxParams = DefaultLimits.MaxParams
	}
	if l.MaxActivations <= 0 {
		l.MaxActivations = DefaultLimits.MaxActivations
	}
	if l.MaxMACs <= 0 {
		l.MaxMACs = DefaultLimits.MaxMACs
	}
	return l
}

// LoadOptions configure [LoadModel].
type LoadOptions struct {
	Limits Limits
	// ExternalData returns the contents of a file named by an initializer's
	// external_data "location" (relative to the model). Nil means a model
	// with external data cannot be loaded.
	ExternalData func(location string) ([]byte, error)
	// KeepTensors gives every tensor of a run its own buffer, so that each
	// node's output can be read after the run ([Model.Steps],
	// [Model.Explain]): what a page that shows a network's feature maps
	// needs. Without it buffers are reused once nothing reads them and the
	// model needs its peak of activations rather than their sum.
	KeepTensors bool
	// Reread reads len(dst) bytes of the model at offset off: the bytes
	// LoadModel was given, which the caller keeps unchanged for as long as
	// the model lives, where they cost Go no memory (JavaScript's copy, in
	// the browser). With it the model holds its float weights once:
	// LoadModel lets go of data before it decodes the initializers, reading
	// them through Reread instead, and a plan that shares its buffers drops
	// the weights its convolutions packed, reading them again when another
	// plan needs them. Without it the model keeps every initializer.
	Reread func(off int64, dst []byte) error
}

// ValueInfo describes a graph input or output.
type ValueInfo struct {
	Name     string
	Shape    []int    // -1 where the model leaves a dimension open
	DimNames []string // the symbolic name of each open dimension, "" otherwise
	Type     string   // element type, such as "FLOAT"
}

// NodeInfo describes one node of the graph, in execution order.
type NodeInfo struct {
	Name    string
	Op      string
	Inputs  []string
	Outputs []string
}

// Model is a loaded ONNX model. Load it with [LoadModel]; run it with
// [Model.Run]. A Model is not safe for concurrent use: it owns the buffers
// of its current plan.
type Model struct {
	IRVersion       int64
	Opset           int64 // of the default domain
	msOpset         int64 // of com.microsoft, 0 when not imported
	Producer        string
	ProducerVersion string
	Domain          string
	ModelVersion    int64
	Description     string
	Metadata        map[string]string
	GraphName       string
	Inputs          []ValueInfo // the real inputs: initializers are not listed
	Outputs         []ValueInfo
	Nodes           []NodeInfo
	ParamCount      int64 // elements of float initializers

	limits     Limits
	runNodes   []*onnxNodeProto // the nodes that run: nodes after fuseQDQ
	fusedNodes []*onnxNodeProto // runNodes with convolutions fused (fuse.go)
	noFuse     map[string]bool  // convolutions planning found unfit to fuse
	keep       bool             // plans keep every tensor (LoadOptions.KeepTensors)
	inputElems []int64          // the element type of each input
	consts     map[string]*val
	reread     func(int64, []byte) error // LoadOptions.Reread
	nodes      []*onnxNodeProto
	plan       *modelPlan
	outputs    []*core.Tensor
}

// LoadModel decodes an ONNX model, checks every node and attribute against
// what wasmcnn implements, decodes the initializers and plans the model for
// its declared input shapes (open dimensions taken as 1).
//
// # Security Considerations
//
// Model files may come from strangers. LoadModel validates before it
// allocates: the file size, every tensor's declared size against the bytes
// present, total parameters and, when planning, total activation memory
// against opts.Limits. Names of external data files are refused if they are
// absolute or climb out of the model's directory. Errors name what was wrong
// and where: the node, its op and the opset.
func LoadModel(data []byte, opts *LoadOptions) (*Model, error) {
	var o LoadOptions
	if opts != nil {
		o = *opts
	}
	lim := o.Limits.withDefaults()
	if int64(len(data)) > lim.MaxModelBytes {
		return nil, fmtlite.Errorf("onnx: model of %d bytes exceeds the limit of %d", len(data), lim.MaxModelBytes)
	}
	if len(data) == 0 {
		return nil, errors.New("onnx: empty model file")
	}
	mp, err := decodeModelProto(data)
	if err != nil {
		return nil, err
	}
	m := &Model{
		IRVersion: mp.irVersion, Producer: mp.producer, ProducerVersion: mp.producerVersion,
		Domain: mp.domain, ModelVersion: mp.modelVersion, Description: mp.doc,
		limits: lim, consts: map[string]*val{}, keep: o.KeepTensors, reread: o.Reread,
	}
	if m.reread != nil {
		// From here on nothing refers to data: the collector may reuse its
		// memory for the weights.
		detachRaw(mp)
		data = nil
		runtime.GC() // reread.go: the weights take the file's memory
	}
	if err := m.checkHeader(mp); err != nil {
		return nil, err
	}
	g := mp.graph
	m.GraphName = g.name
	if len(mp.metadata) > 0 {
		m.Metadata = map[string]string{}
		for _, kv := range mp.metadata {
			m.Metadata[kv[0]] = kv[1]
		}
	}
	if err := m.loadInitializers(g, o.ExternalData); err != nil {
		return nil, err
	}
	if err := m.loadIO(g); err != nil {
		return nil, err
	}
	if err := m.loadNodes(g); err != nil {
		return nil, err
	}
	m.runNodes = m.fuseQDQ(m.nodes)
	m.fusedNodes = m.fuseConvs(m.runNodes, nil)
	shapes := make([][]int, len(m.Inputs))
	for i, in := range m.Inputs {
		shapes[i] = make([]int, len(in.Shape))
		for d, v := range in.Shape {
			shapes[i][d] = max(v, 1)
		}
	}
	if err := m.Plan(shapes...); err != nil {
		return nil, err
	}
	return m, nil
}

// checkHeader validates the IR version, the opsets and the graph's presence.
func (m *Model) checkHeader(mp *onnxModelProto) error {
	if mp.irVersion < 3 {
		return fmtlite.Errorf("onnx: IR version %d is not supported (want 3 or later)", mp.irVersion)
	}
	if mp.graph == nil {
		return &CorruptModelError{Offset: -1, Msg: "the model has no graph"}
	}
	for _, o := range mp.opsets {
		if o.domain == "" || o.domain == "ai.onnx" {
			m.Opset = o.version
		}
		if o.domain == msDomain {
			m.msOpset = o.version
		}
	}
	if m.Opset == 0 {
		return errors.New("onnx: the model imports no opset of the default ONNX domain")
	}
	if m.Opset < MinOpset || m.Opset > MaxOpset {
		return fmtlite.Errorf("onnx: opset %d is not supported (wasmcnn implements opsets %d to %d of the default domain)", m.Opset, MinOpset, MaxOpset)
	}
	if mp.graph.sparseInits > 0 {
		return errors.New("onnx: sparse initializers are not supported")
	}
	return nil
}

// loadInitializers decodes every initializer, checking sizes first.
func (m *Model) loadInitializers(g *onnxGraphProto, external func(string) ([]byte, error)) error {
	var total int64
	for _, t := range g.initializers {
		if t.name == "" {
			return &CorruptModelError{Offset: t.offset, Msg: "initializer without a name"}
		}
		if _, dup := m.consts[t.name]; dup {
			return fmtlite.Errorf("onnx: initializer %q defined twice", t.name)
		}
		v, err := decodeTensor(t, external, m.reread)
		if err != nil {
			return err
		}
		total += int64(v.len())
		if total > m.limits.MaxParams {
			return fmtlite.Errorf("onnx: initializers hold more than %d values (limit MaxParams)", m.limits.MaxParams)
		}
		if !v.isInt {
			m.ParamCount += int64(v.len())
		}
		m.consts[t.name] = v
	}
	return nil
}

// loadIO records the graph inputs (those that are not initializers) and outputs.
func (m *Model) loadIO(g *onnxGraphProto) error {
	for _, vi := range g.inputs {
		if _, isConst := m.consts[vi.name]; isConst {
			continue // an initializer listed as input is a constant with a default
		}
		info, err := valueInfo(vi, "input")
		if err != nil {
			return err
		}
		elem := vi.elemType
		if elem == 0 {
			elem = onnxFloat // an input without a type: FLOAT, as it always was
		}
		if size, _ := elemSize(elem); size == 0 {
			return fmtlite.Errorf("onnx: input %q has element type %s; wasmcnn runs inputs of the numeric types and BOOL", vi.name, info.Type)
		}
		m.Inputs = append(m.Inputs, info)
		m.inputElems = append(m.inputElems, elem)
	}
	if len(g.outputs) == 0 {
		return errors.New("onnx: the graph has no outputs")
	}
	for _, vi := range g.outputs {
		info, err := valueInfo(vi, "output")
		if err != nil {
			return err
		}
		m.Outputs = append(m.Outputs, info)
	}
	return nil
}

// valueInfo converts a decoded ValueInfoProto, checking its shape.
func valueInfo(vi onnxValueInfo, what string) (ValueInfo, error) {
	if vi.name == "" || !printable(vi.name) {
		return ValueInfo{}, fmtlite.Errorf("onnx: graph %s with an invalid name %q", what, vi.name)
	}
	info := ValueInfo{Name: vi.name, Type: onnxTypeName(int(vi.elemType))}
	if vi.hasType && !vi.isTensor {
		return info, fmtlite.Errorf("onnx: graph %s %q is not a tensor", what, vi.name)
	}
	for _, d := range vi.dims {
		switch {
		case d.known && d.value >= 0 && d.value <= 1<<30:
			info.Shape = append(info.Shape, int(d.value))
			info.DimNames = append(info.DimNames, "")
		case d.known && d.value != -1:
			return info, fmtlite.Errorf("onnx: graph %s %q has dimension %d", what, vi.name, d.value)
		default:
			info.Shape = append(info.Shape, -1)
			info.DimNames = append(info.DimNames, d.param)
		}
	}
	return info, nil
}

// loadNodes checks every node against the operators wasmcnn implements.
func (m *Model) loadNodes(g *onnxGraphProto) error {
	for i, n := range g.nodes {
		if n.name == "" {
			n.name = n.opType + "_" + strconv.Itoa(i)
		}
		if !printable(n.name) || !printable(n.opType) {
			return fmtlite.Errorf("onnx: node %d has an unprintable name or op type", i)
		}
		spec, opset, err := m.nodeSpec(n)
		if err != nil {
			return err
		}
		if err := spec.check(n, opset); err != nil {
			return err
		}
		n.spec, n.opset = spec, opset
		m.nodes = append(m.nodes, n)
		m.Nodes = append(m.Nodes, NodeInfo{Name: n.name, Op: n.opType, Inputs: n.inputs, Outputs: n.outputs})
	}
	return nil
}

// elemSize returns the bytes of one element of an ONNX type in raw_data,
// and whether wasmcnn computes with it as a float (FLOAT, DOUBLE, FLOAT16
// and BFLOAT16 are all computed in float32) or as an integer; 0 for types it
// does not read.
func elemSize(t int64) (size int, isFloat bool) {
	switch t {
	case onnxFloat:
		return 4, true
	case onnxDouble:
		return 8, true
	case onnxFloat16, onnxBfloat16:
		return 2, true
	case onnxInt64, onnxUint64:
		return 8, false
	case onnxInt32, onnxUint32:
		return 4, false
	case onnxInt16, onnxUint16:
		return 2, false
	case onnxInt8, onnxUint8, onnxBool:
		return 1, false
	}
	return 0, false
}

// nodeSpec finds what wasmcnn implements of a node's op in its domain, and
// the opset of that domain the model imports.
func (m *Model) nodeSpec(n *onnxNodeProto) (opSpec, int64, error) {
	switch n.domain {
	case "", "ai.onnx":
		spec, ok := opSpecs[n.opType]
		if !ok {
			return spec, 0, fmtlite.Errorf("onnx: node %q: op %s (opset %d) is not supported by wasmcnn", n.name, n.opType, m.Opset)
		}
		return spec, m.Opset, checkOpVersion(n.name, n.opType, m.Opset)
	case msDomain:
		spec, ok := msOpSpecs[n.opType]
		if !ok {
			return spec, 0, fmtlite.Errorf("onnx: node %q: op %s of domain %s is not supported by wasmcnn (it implements %s of that domain)", n.name, n.opType, msDomain, strings.Join(msOpNames(), ", "))
		}
		if m.msOpset == 0 {
			return spec, 0, fmtlite.Errorf("onnx: node %q uses op %s of domain %s, which the model does not import", n.name, n.opType, msDomain)
		}
		return spec, m.msOpset, nil
	}
	return opSpec{}, 0, fmtlite.Errorf("onnx: node %q uses op %s of domain %q; wasmcnn implements the default ONNX domain and the quantized operators of %s", n.name, n.opType, n.domain, msDomain)
}

// decodeTensor turns a TensorProto into a constant value, checking the
// declared size against the bytes present before allocating. A file whose
// bytes disagree with themselves is corrupt; an element type or storage
// that wasmcnn does not read is an error of its own.
//
// A tensor detached from the file's bytes (reread.go) is read through
// reread.
func decodeTensor(t *onnxTensorProto, external func(string) ([]byte, error), reread func(int64, []byte) error) (*val, error) {
	where := func(msg string, args ...any) error {
		return &CorruptModelError{Offset: t.offset, Msg: fmtlite.Sprintf("tensor %q: ", t.name) + fmtlite.Sprintf(msg, args...)}
	}
	unsupported := func(msg string, args ...any) error {
		return fmtlite.Errorf("onnx: tensor %q: %s", t.name, fmtlite.Sprintf(msg, args...))
	}
	if len(t.dims) > core.MaxRank {
		return nil, unsupported("rank %d exceeds the %d wasmcnn supports", len(t.dims), core.MaxRank)
	}
	shape := make([]int, len(t.dims))
	for i, d := range t.dims {
		if d < 0 {
			return nil, where("dimension %d", d)
		}
		if d > core.MaxElements {
			return nil, unsupported("dimension %d exceeds %d", d, core.MaxElements)
		}
		shape[i] = int(d)
	}
	n, err := core.ShapeSize(shape)
	if err != nil {
		return nil, unsupported("%v", err)
	}
	if t.segment {
		return nil, unsupported("segmented tensors are not supported")
	}
	size, isFloat := elemSize(t.dataType)
	if size == 0 {
		return nil, unsupported("element type %s is not supported", onnxTypeName(int(t.dataType)))
	}
	raw := t.raw
	if t.location == 1 {
		raw, err = externalBytes(t, external, n*size)
		if err != nil {
			return nil, err
		}
	}
	v := &val{name: t.name, shape: shape, isInt: !isFloat, konst: true}
	if !isFloat {
		v.elem = t.dataType
	}
	if t.reread {
		if raw, err = rereadRaw(t, v, n, size, reread); err != nil || raw == nil {
			return v, err
		}
	}
	if raw != nil || t.hasRawField || t.location == 1 {
		if len(raw) != n*size {
			return nil, where("raw data holds %d bytes, shape %v of %s needs %d", len(raw), shape, onnxTypeName(int(t.dataType)), n*size)
		}
		if isFloat {
			v.f = make([]float32, n)
		} else {
			v.i = make([]int64, n)
		}
		if t.dataType == onnxFloat && hostLittleEndian && n > 0 {
			// ONNX stores little-endian floats, as this machine does: one copy.
			copy(unsafe.Slice((*byte)(unsafe.Pointer(&v.f[0])), 4*n), raw)
			return v, nil
		}
		for k := 0; k < n; k++ {
			b := raw[k*size:]
			switch t.dataType {
			case onnxFloat:
				v.f[k] = math.Float32frombits(binary.LittleEndian.Uint32(b))
			case onnxDouble:
				v.f[k] = float32(math.Float64frombits(binary.LittleEndian.Uint64(b)))
			case onnxFloat16:
				v.f[k] = halfToFloat(binary.LittleEndian.Uint16(b))
			case onnxBfloat16:
				v.f[k] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(b)) << 16)
			case onnxInt64, onnxUint64:
				v.i[k] = int64(binary.LittleEndian.Uint64(b))
			case onnxInt32:
				v.i[k] = int64(int32(binary.LittleEndian.Uint32(b)))
			case onnxUint32:
				v.i[k] = int64(binary.LittleEndian.Uint32(b))
			case onnxInt16:
				v.i[k] = int64(int16(binary.LittleEndian.Uint16(b)))
			case onnxUint16:
				v.i[k] = int64(binary.LittleEndian.Uint16(b))
			case onnxInt8:
				v.i[k] = int64(int8(b[0]))
			case onnxBool:
				v.i[k] = int64(min(b[0], 1))
			default:
				v.i[k] = int64(b[0])
			}
		}
		return v, v.checkUint64(t.dataType)
	}
	// Typed fields: int32_data carries every type of 16 bits or fewer (the
	// 16-bit floats as their bits), uint64_data UINT32 and UINT64.
	var got int
	switch t.dataType {
	case onnxFloat:
		got, v.f = len(t.floats), t.floats
	case onnxDouble:
		got = len(t.doubles)
		if got == n {
			v.f = make([]float32, n)
			for k, d := range t.doubles {
				v.f[k] = float32(d)
			}
		}
	case onnxFloat16, onnxBfloat16:
		got = len(t.int32s)
		if got == n {
			v.f = make([]float32, n)
			for k, bits := range t.int32s {
				if t.dataType == onnxFloat16 {
					v.f[k] = halfToFloat(uint16(bits))
				} else {
					v.f[k] = math.Float32frombits(uint32(uint16(bits)) << 16)
				}
			}
		}
	case onnxInt64:
		got, v.i = len(t.int64s), t.int64s
	case onnxUint32, onnxUint64:
		got, v.i = len(t.uint64s), t.uint64s
	default:
		got, v.i = len(t.int32s), t.int32s
		if got == n {
			v.i = make([]int64, n)
			for k, x := range t.int32s {
				v.i[k] = wrapInt(x, t.dataType)
			}
		}
	}
	if got != n {
		return nil, where("holds %d values, shape %v needs %d", got, shape, n)
	}
	if v.f == nil && isFloat {
		v.f = []float32{}
	}
	if v.i == nil && !isFloat {
		v.i = []int64{}
	}
	return v, v.checkUint64(t.dataType)
}

// checkUint64 refuses UINT64 values beyond int64, which wasmcnn's integer
// constants cannot hold.
func (v *val) checkUint64(t int64) error {
	if t != onnxUint64 {
		return nil
	}
	for _, x := range v.i {
		if x < 0 {
			return fmtlite.Errorf("onnx: tensor %q holds a UINT64 value above 2^63, which wasmcnn does not support", v.name)
		}
	}
	return nil
}

// wrapInt reads a value of an integer type narrower than 32 bits from
// int32_data, as the type's bits.
func wrapInt(x int64, t int64) int64 {
	switch t {
	case onnxInt8:
		return int64(int8(x))
	case onnxUint8:
		return int64(uint8(x))
	case onnxInt16:
		return int64(int16(x))
	case onnxUint16:
		return int64(uint16(x))
	case onnxBool:
		if x != 0 {
			return 1
		}
		return 0
	}
	return int64(int32(x))
}

// halfToFloat converts IEEE 754 half-precision bits to a float32, exactly.
func halfToFloat(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // infinity or NaN
		return math.Float32frombits(sign | 0xff<<23 | mant<<13)
	case exp == 0 && mant == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal: normalise
		e := uint32(127 - 15 + 1)
		for mant&0x400 == 0 {
			mant <<= 1
			e--
		}
		return math.Float32frombits(sign | e<<23 | (mant&0x3ff)<<13)
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
}

// externalBytes fetches the bytes of an initializer stored outside the model.
func externalBytes(t *onnxTensorProto, external func(string) ([]byte, error), want int) ([]byte, error) {
	var loc string
	offset, length := int64(0), int64(-1)
	for _, kv := range t.external {
		var err error
		switch kv[0] {
		case "location":
			loc = kv[1]
		case "offset":
			offset, err = strconv.ParseInt(kv[1], 10, 64)
		case "length":
			length, err = strconv.ParseInt(kv[1], 10, 64)
		}
		if err != nil {
			return nil, fmtlite.Errorf("onnx: tensor %q: bad external_data %s %q", t.name, kv[0], kv[1])
		}
	}
	if err := checkExternalLocation(loc); err != nil {
		return nil, fmtlite.Errorf("onnx: tensor %q: %w", t.name, err)
	}
	if external == nil {
		return nil, fmtlite.Errorf("onnx: tensor %q is stored in external file %q; load the model with its external data", t.name, loc)
	}
	if length == -1 {
		length = int64(want)
	}
	if offset < 0 || length != int64(want) {
		return nil, fmtlite.Errorf("onnx: tensor %q: external data of %d bytes at offset %d, its shape needs %d", t.name, length, offset, want)
	}
	b, err := external(loc)
	if err != nil {
		return nil, fmtlite.Errorf("onnx: tensor %q: external data %q: %w", t.name, loc, err)
	}
	if offset > int64(len(b)) || length > int64(len(b))-offset {
		return nil, fmtlite.Errorf("onnx: tensor %q: external data %q has %d bytes, needs %d at offset %d", t.name, loc, len(b), length, offset)
	}
	return b[offset : offset+length], nil
}

// checkExternalLocation refuses names that are empty, absolute or climb out
// of the model's directory.
func checkExternalLocation(loc string) error {
	if loc == "" {
		return errors.New("external data without a location")
	}
	if strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "\\") || strings.Contains(loc, ":") || !printable(loc) {
		return fmtlite.Errorf("external data location %q must be a relative path", loc)
	}
	for _, part := range strings.FieldsFunc(loc, func(r rune) bool { return r == '/' || r == '\\' }) {
		if part == ".." {
			return fmtlite.Errorf("external data location %q leaves the model's directory", loc)
		}
	}
	return nil
}

// hostLittleEndian reports whether this machine stores numbers
// little-endian (WebAssembly, amd64 and arm64 all do).
var hostLittleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()
