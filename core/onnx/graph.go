package onnx

import "wasmcnn/core"

// This file lets tools outside the model runner read a loaded model's graph
// (attributes and initializers), such as the importer that turns a model
// back into a trainable network ([wasmcnn/core/nn.ImportNet]).

// NodeAttrs returns the attributes of node i of [Model.Nodes], as written in
// the file (defaults are not filled in). Tensor and graph attributes come
// back without their values.
func (m *Model) NodeAttrs(i int) []Attr {
	if i < 0 || i >= len(m.nodes) {
		return nil
	}
	var out []Attr
	for _, a := range m.nodes[i].attrs {
		out = append(out, Attr{
			Name: a.name, typ: a.typ, f: a.f, i: a.i, s: a.s,
			floats: append([]float32(nil), a.floats...), ints: append([]int64(nil), a.ints...),
		})
	}
	return out
}

// Initializer returns a copy of the float initializer called name, or false
// when there is none (or it holds integers).
func (m *Model) Initializer(name string) (*core.Tensor, bool) {
	v, ok := m.consts[name]
	if !ok || v.isInt {
		return nil, false
	}
	if v.f == nil && v.at != 0 {
		// A plan dropped it (reread.go): this copy is read again.
		c := *v
		if readConst(&c, m.reread) != nil {
			return nil, false
		}
		return &core.Tensor{Shape: append([]int(nil), v.shape...), Data: c.f}, true
	}
	return &core.Tensor{Shape: append([]int(nil), v.shape...), Data: append([]float32(nil), v.f...)}, true
}

// IsInitializer reports whether name is an initializer of any type.
func (m *Model) IsInitializer(name string) bool {
	_, ok := m.consts[name]
	return ok
}

// Int returns the value of an integer attribute.
func (a Attr) Int() (int64, bool) { return a.i, a.typ == attrInt }

// Ints returns the values of an integer-list attribute.
func (a Attr) Ints() ([]int64, bool) { return a.ints, a.typ == attrInts }

// Float returns the value of a float attribute.
func (a Attr) Float() (float32, bool) { return a.f, a.typ == attrFloat }

// Str returns the value of a string attribute.
func (a Attr) Str() (string, bool) { return a.s, a.typ == attrString }
