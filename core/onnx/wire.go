package onnx

import (
	"encoding/binary"
	"math"

	"wasmcnn/internal/fmtlite"
)

// Protocol-buffer wire types, as the encoding defines them.
const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
	wireFixed32 = 5
)

// CorruptModelError reports a model file that is not valid: its bytes do not
// follow the protobuf encoding, or what they encode breaks the ONNX rules.
// Offset is the byte position where the problem was found, when known.
type CorruptModelError struct {
	Offset int64
	Msg    string
}

func (e *CorruptModelError) Error() string {
	if e.Offset < 0 {
		return "onnx: corrupt model: " + e.Msg
	}
	return fmtlite.Sprintf("onnx: corrupt model at byte %d: %s", e.Offset, e.Msg)
}

// pbReader walks the fields of one protobuf message. It never allocates for
// length-delimited fields: bytes returned alias the input.
type pbReader struct {
	b    []byte
	off  int   // position in b
	base int64 // position of b[0] in the whole file, for errors
}

func newPBReader(b []byte, base int64) *pbReader { return &pbReader{b: b, base: base} }

func (r *pbReader) done() bool { return r.off >= len(r.b) }

func (r *pbReader) errorf(format string, args ...any) error {
	return &CorruptModelError{Offset: r.base + int64(r.off), Msg: fmtlite.Sprintf(format, args...)}
}

// next reads a field key.
func (r *pbReader) next() (field int, wire int, err error) {
	k, err := r.varint()
	if err != nil {
		return 0, 0, err
	}
	field, wire = int(k>>3), int(k&7)
	if field <= 0 || k>>3 > math.MaxInt32 {
		return 0, 0, r.errorf("invalid field number %d", k>>3)
	}
	return field, wire, nil
}

func (r *pbReader) varint() (uint64, error) {
	v, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 {
		return 0, r.errorf("bad varint")
	}
	r.off += n
	return v, nil
}

// bytes reads a length-delimited field and returns it and its file offset.
func (r *pbReader) bytes() ([]byte, int64, error) {
	n, err := r.varint()
	if err != nil {
		return nil, 0, err
	}
	if n > uint64(len(r.b)-r.off) {
		return nil, 0, r.errorf("field of %d bytes runs past the end (%d left)", n, len(r.b)-r.off)
	}
	start := r.off
	r.off += int(n)
	return r.b[start:r.off], r.base + int64(start), nil
}

func (r *pbReader) fixed32() (uint32, error) {
	if len(r.b)-r.off < 4 {
		return 0, r.errorf("truncated fixed32")
	}
	v := binary.LittleEndian.Uint32(r.b[r.off:])
	r.off += 4
	return v, nil
}

func (r *pbReader) fixed64() (uint64, error) {
	if len(r.b)-r.off < 8 {
		return 0, r.errorf("truncated fixed64")
	}
	v := binary.LittleEndian.Uint64(r.b[r.off:])
	r.off += 8
	return v, nil
}

// skip passes over a field of the given wire type.
func (r *pbReader) skip(wire int) error {
	switch wire {
	case wireVarint:
		_, err := r.varint()
		return err
	case wireFixed64:
		_, err := r.fixed64()
		return err
	case wireBytes:
		_, _, err := r.bytes()
		return err
	case wireFixed32:
		_, err := r.fixed32()
		return err
	}
	return r.errorf("unsupported wire type %d", wire)
}

// str reads a length-delimited field as a string (copied, so the file bytes
// can be released).
func (r *pbReader) str(wire int) (string, error) {
	if wire != wireBytes {
		return "", r.errorf("string field with wire type %d", wire)
	}
	b, _, err := r.bytes()
	return string(b), err
}

// int64v reads a varint field as a signed 64-bit integer (two's complement,
// as protobuf int64 and int32 encode negatives).
func (r *pbReader) int64v(wire int) (int64, error) {
	if wire != wireVarint {
		return 0, r.errorf("integer field with wire type %d", wire)
	}
	v, err := r.varint()
	return int64(v), err
}

// float32v reads a fixed32 field as a float.
func (r *pbReader) float32v(wire int) (float32, error) {
	if wire != wireFixed32 {
		return 0, r.errorf("float field with wire type %d", wire)
	}
	v, err := r.fixed32()
	return math.Float32frombits(v), err
}

// appendInt64s reads a repeated int64 field, packed or not, onto dst.
func (r *pbReader) appendInt64s(dst []int64, wire int) ([]int64, error) {
	if wire == wireVarint {
		v, err := r.varint()
		return append(dst, int64(v)), err
	}
	if wire != wireBytes {
		return dst, r.errorf("repeated integer field with wire type %d", wire)
	}
	b, base, err := r.bytes()
	if err != nil {
		return dst, err
	}
	sub := newPBReader(b, base)
	for !sub.done() {
		v, err := sub.varint()
		if err != nil {
			return dst, err
		}
		dst = append(dst, int64(v))
	}
	return dst, nil
}

// appendFloat32s reads a repeated float field, packed or not, onto dst.
func (r *pbReader) appendFloat32s(dst []float32, wire int) ([]float32, error) {
	if wire == wireFixed32 {
		v, err := r.fixed32()
		return append(dst, math.Float32frombits(v)), err
	}
	if wire != wireBytes {
		return dst, r.errorf("repeated float field with wire type %d", wire)
	}
	b, _, err := r.bytes()
	if err != nil {
		return dst, err
	}
	if len(b)%4 != 0 {
		return dst, r.errorf("packed floats of %d bytes", len(b))
	}
	for i := 0; i < len(b); i += 4 {
		dst = append(dst, math.Float32frombits(binary.LittleEndian.Uint32(b[i:])))
	}
	return dst, nil
}

// appendFloat64s reads a repeated double field, packed or not, onto dst.
func (r *pbReader) appendFloat64s(dst []float64, wire int) ([]float64, error) {
	if wire == wireFixed64 {
		v, err := r.fixed64()
		return append(dst, math.Float64frombits(v)), err
	}
	if wire != wireBytes {
		return dst, r.errorf("repeated double field with wire type %d", wire)
	}
	b, _, err := r.bytes()
	if err != nil {
		return dst, err
	}
	if len(b)%8 != 0 {
		return dst, r.errorf("packed doubles of %d bytes", len(b))
	}
	for i := 0; i < len(b); i += 8 {
		dst = append(dst, math.Float64frombits(binary.LittleEndian.Uint64(b[i:])))
	}
	return dst, nil
}

// pbWriter builds one protobuf message.
type pbWriter struct{ b []byte }

func (w *pbWriter) key(field, wire int) {
	w.b = binary.AppendUvarint(w.b, uint64(field)<<3|uint64(wire))
}

func (w *pbWriter) varint(field int, v int64) {
	w.key(field, wireVarint)
	w.b = binary.AppendUvarint(w.b, uint64(v))
}

func (w *pbWriter) bytes(field int, b []byte) {
	w.key(field, wireBytes)
	w.b = binary.AppendUvarint(w.b, uint64(len(b)))
	w.b = append(w.b, b...)
}

func (w *pbWriter) str(field int, s string) {
	w.key(field, wireBytes)
	w.b = binary.AppendUvarint(w.b, uint64(len(s)))
	w.b = append(w.b, s...)
}

func (w *pbWriter) float32(field int, v float32) {
	w.key(field, wireFixed32)
	w.b = binary.LittleEndian.AppendUint32(w.b, math.Float32bits(v))
}

// message writes a nested message.
func (w *pbWriter) message(field int, m *pbWriter) { w.bytes(field, m.b) }

// packedInt64s writes a packed repeated int64 field.
func (w *pbWriter) packedInt64s(field int, vs []int64) {
	var p []byte
	for _, v := range vs {
		p = binary.AppendUvarint(p, uint64(v))
	}
	w.bytes(field, p)
}

// packedFloat32s writes a packed repeated float field.
func (w *pbWriter) packedFloat32s(field int, vs []float32) {
	p := make([]byte, 0, 4*len(vs))
	for _, v := range vs {
		p = binary.LittleEndian.AppendUint32(p, math.Float32bits(v))
	}
	w.bytes(field, p)
}

func appendF32(b []byte, v float32) []byte {
	return binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
}

func appendU64(b []byte, v uint64) []byte { return binary.LittleEndian.AppendUint64(b, v) }
