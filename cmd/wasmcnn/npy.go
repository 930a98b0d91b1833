package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"wasmcnn/core"
)

// readNPY decodes a NumPy .npy file holding a C-ordered float32 (or
// float64, converted) array.
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
	out := make([]float32, 0, n)
	switch strings.Trim(descr, "'\"") {
	case "<f4", "|f4", "f4":
		if len(data) != 4*n {
			return nil, fmt.Errorf("npy: %d data bytes for shape %v of float32", len(data), shape)
		}
		for i := 0; i < n; i++ {
			out = append(out, math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:])))
		}
	case "<f8", "f8":
		if len(data) != 8*n {
			return nil, fmt.Errorf("npy: %d data bytes for shape %v of float64", len(data), shape)
		}
		for i := 0; i < n; i++ {
			out = append(out, float32(math.Float64frombits(binary.LittleEndian.Uint64(data[8*i:]))))
		}
	default:
		return nil, fmt.Errorf("npy: element type %s is not supported (want float32)", descr)
	}
	return core.TensorFrom(shape, out)
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
