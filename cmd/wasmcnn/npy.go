package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"wasmcnn/core"
	"wasmcnn/core/onnx"
)

// readNPY decodes a NumPy .npy file holding a C-ordered array of float32,
// float64, float16 or an integer type (converted to float32; integers
// beyond 2^24, which float32 would round, are refused).
func readNPY(b []byte) (*core.Tensor, error) {
	if len(b) < 10 || string(b[:6]) != "\x93NUMPY" {
		return nil, errors.New("npy: bad magic")
	}
	major := b[6]
	var hlen, off int
	switch major {
	case 1:
		hlen, off = int(binary.LittleEndian.Uint16(b[8:])), 10
	case 2, 3:
		if len(b) < 12 {
			return nil, errors.New("npy: truncated header")
		}
		hlen, off = int(binary.LittleEndian.Uint32(b[8:])), 12
	default:
		return nil, fmt.Errorf("npy: version %d is not supported", major)
	}
	if hlen > len(b)-off {
		return nil, errors.New("npy: truncated header")
	}
	header := string(b[off : off+hlen])
	data := b[off+hlen:]
	descr, err := npyField(header, "descr")
	if err != nil {
		return nil, err
	}
	if fo, err := npyField(header, "fortran_order"); err != nil || fo != "False" {
		return nil, errors.New("npy: only C-ordered arrays are supported")
	}
	shapeStr, err := npyField(header, "shape")
	if err != nil {
		return nil, err
	}
	var shape []int
	for _, p := range strings.Split(strings.Trim(shapeStr, "()"), ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		d, err := strconv.Atoi(p)
		if err != nil || d < 0 {
			return nil, fmt.Errorf("npy: bad shape %s", shapeStr)
		}
		shape = append(shape, d)
	}
	n, err := core.ShapeSize(shape)
	if err != nil {
		return nil, fmt.Errorf("npy: %v", err)
	}
	dtype := strings.Trim(descr, "'\"")
	size, read := npyElem(dtype)
	if size == 0 {
		return nil, fmt.Errorf("npy: element type %s is not supported (want float32, float64, float16, a little-endian integer type or bool)", descr)
	}
	if len(data) != size*n {
		return nil, fmt.Errorf("npy: %d data bytes for shape %v of %s", len(data), shape, dtype)
	}
	out := make([]float32, n)
	for i := range out {
		v := read(data[size*i:])
		if k := strings.TrimLeft(dtype, "<|=")[0]; (k == 'i' || k == 'u') && math.Abs(v) > 1<<24 {
			return nil, fmt.Errorf("npy: value %d is %v; integers beyond 2^24 are not supported", i, v)
		}
		out[i] = float32(v)
	}
	return core.TensorFrom(shape, out)
}

// npyElem returns the size of a NumPy dtype's element and how to read one,
// or 0 for a dtype not read.
func npyElem(dtype string) (int, func([]byte) float64) {
	le := binary.LittleEndian
	switch strings.TrimLeft(dtype, "<|=") {
	case "f4":
		return 4, func(b []byte) float64 { return float64(math.Float32frombits(le.Uint32(b))) }
	case "f8":
		return 8, func(b []byte) float64 { return math.Float64frombits(le.Uint64(b)) }
	case "f2":
		return 2, func(b []byte) float64 { return float64(onnx.HalfToFloat(le.Uint16(b))) }
	case "u1", "b1":
		return 1, func(b []byte) float64 { return float64(b[0]) }
	case "i1":
		return 1, func(b []byte) float64 { return float64(int8(b[0])) }
	case "u2":
		return 2, func(b []byte) float64 { return float64(le.Uint16(b)) }
	case "i2":
		return 2, func(b []byte) float64 { return float64(int16(le.Uint16(b))) }
	case "u4":
		return 4, func(b []byte) float64 { return float64(le.Uint32(b)) }
	case "i4":
		return 4, func(b []byte) float64 { return float64(int32(le.Uint32(b))) }
	case "u8":
		return 8, func(b []byte) float64 { return float64(le.Uint64(b)) }
	case "i8":
		return 8, func(b []byte) float64 { return float64(int64(le.Uint64(b))) }
	}
	return 0, nil
}

// npyField extracts the value of key from the header's Python dict literal.
func npyField(header, key string) (string, error) {
	i := strings.Index(header, "'"+key+"'")
	if i < 0 {
		return "", fmt.Errorf("npy: header has no %s", key)
	}
	rest := strings.TrimSpace(header[i+len(key)+2:])
	rest = strings.TrimSpace(strings.TrimPrefix(rest, ":"))
	if strings.HasPrefix(rest, "(") {
		j := strings.IndexByte(rest, ')')
		if j < 0 {
			return "", errors.New("npy: bad header")
		}
		return rest[:j+1], nil
	}
	j := strings.IndexAny(rest, ",}")
	if j < 0 {
		return "", errors.New("npy: bad header")
	}
	return strings.TrimSpace(rest[:j]), nil
}
