package bridge

import (
	"encoding/binary"
	"math"
	"sort"
	"strings"

	"wasmcnn/core"
	"wasmcnn/internal/fmtlite"
)

// NamedTensor is one output of [Models.RunInputs]: the graph output's name,
// its element type as ONNX names it ("FLOAT", "UINT8"…) and its values,
// as float32 whatever the type.
type NamedTensor struct {
	Name, Type string
	Tensor     *core.Tensor
}

// RunInputs runs model h on inputs given by name, feeds being a plain
// object {inputName: {data, shape}, …} naming every input of the model
// once, and returns every output of the model in order. data is a
// Float32Array, or for an input of an integer type any integer typed
// array (Uint8Array, Int8Array, Uint16Array, Int16Array, Int32Array,
// Uint32Array, BigInt64Array) or a Float32Array of integers; the model
// plans itself for the shapes given.
func (ms *Models) RunInputs(h int, feeds Value) ([]NamedTensor, error) {
	e, ok := ms.m[h]
	if !ok {
		return nil, fmtlite.Errorf("run: the model has been disposed")
	}
	m := e.model
	if feeds.Kind() != Object || feeds.IsArray() || feeds.TypedArray() != "" {
		return nil, argErrorf("run: inputs", "got %s, want an object {inputName: {data, shape}, …}", describe(feeds))
	}
	names := make([]string, len(m.Inputs))
	for i, in := range m.Inputs {
		names[i] = in.Name
	}
	keys := feeds.Keys()
	sort.Strings(keys)
	for _, k := range keys {
		known := false
		for _, n := range names {
			known = known || n == k
		}
		if !known {
			return nil, argErrorf("run: inputs", "the model has no input %q; its inputs are %s", clip(k), strings.Join(names, ", "))
		}
	}
	inputs := make([]*core.Tensor, len(m.Inputs))
	for i, in := range m.Inputs {
		v := feeds.Get(in.Name)
		if k := v.Kind(); k == Undefined || k == Null {
			return nil, argErrorf("run: inputs", "input %q is missing; the model's inputs are %s", in.Name, strings.Join(names, ", "))
		}
		t, err := anyTensor(v, "run: inputs."+in.Name)
		if err != nil {
			return nil, err
		}
		inputs[i] = t
	}
	outs, err := m.Run(inputs...)
	if err != nil {
		return nil, fmtlite.Errorf("run: %w", err)
	}
	res := make([]NamedTensor, len(outs))
	for i, o := range outs {
		res[i] = NamedTensor{Name: m.Outputs[i].Name, Type: m.Outputs[i].Type, Tensor: o}
	}
	return res, nil
}

// clip shortens a caller's string for a message.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// anyTensor reads a tensor {data, shape} whose data is a Float32Array or
// an integer typed array, as float32 values (integers beyond 2^24 are
// refused: float32 would round them).
func anyTensor(v Value, arg string) (*core.Tensor, error) {
	if v.Kind() != Object || v.IsArray() || v.TypedArray() != "" {
		return nil, argErrorf(arg, "got %s, want a tensor {data, shape}", describe(v))
	}
	data := v.Get("data")
	if data.TypedArray() == "Float32Array" {
		return Tensor(v, arg)
	}
	size := map[string]int{"Uint8Array": 1, "Int8Array": 1, "Uint16Array": 2, "Int16Array": 2, "Int32Array": 4, "Uint32Array": 4, "BigInt64Array": 8}[data.TypedArray()]
	if data.Kind() != Object || size == 0 {
		return nil, argErrorf(arg+".data", "got %s, want a Float32Array or an integer typed array", describe(data))
	}
	shape, n, err := tensorShape(v, arg)
	if err != nil {
		return nil, err
	}
	if data.Length() != n {
		return nil, argErrorf(arg, "shape %v needs %d values, data has %d", shape, n, data.Length())
	}
	if data.ByteLength() != size*n {
		return nil, argErrorf(arg+".data", "its buffer is detached or resized")
	}
	if data.Shared() {
		return nil, argErrorf(arg+".data", "shared memory (a SharedArrayBuffer) is not accepted: another thread could change it during the call")
	}
	raw := make([]byte, size*n)
	if got := data.Bytes(raw); got != len(raw) {
		return nil, argErrorf(arg+".data", "copied %d bytes of %d: its buffer changed during the call", got, len(raw))
	}
	out := make([]float32, n)
	for i := range out {
		var x float64
		b := raw[i*size:]
		switch data.TypedArray() {
		case "Uint8Array":
			x = float64(b[0])
		case "Int8Array":
			x = float64(int8(b[0]))
		case "Uint16Array":
			x = float64(binary.LittleEndian.Uint16(b))
		case "Int16Array":
			x = float64(int16(binary.LittleEndian.Uint16(b)))
		case "Int32Array":
			x = float64(int32(binary.LittleEndian.Uint32(b)))
		case "Uint32Array":
			x = float64(binary.LittleEndian.Uint32(b))
		default:
			x = float64(int64(binary.LittleEndian.Uint64(b)))
		}
		if math.Abs(x) > 1<<24 {
			return nil, argErrorf(arg+".data", "value %d is %v; integers beyond 2^24 are not supported", i, x)
		}
		out[i] = float32(x)
	}
	return &core.Tensor{Shape: shape, Data: out}, nil
}
