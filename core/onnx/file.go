//go:build !js

package onnx

// Reading models from files lives apart so that the browser builds, which
// have no files, link neither os nor path/filepath.

import (
	"io"
	"os"
	"path/filepath"

	"wasmcnn/internal/fmtlite"
)

// LoadModelFile reads an ONNX model from path. Initializers stored as
// external data are read from files beside it (names that leave the model's
// directory are refused).
func LoadModelFile(path string, opts *LoadOptions) (*Model, error) {
	var o LoadOptions
	if opts != nil {
		o = *opts
	}
	lim := o.Limits.withDefaults()
	data, err := readFileLimited(path, lim.MaxModelBytes)
	if err != nil {
		return nil, err
	}
	if o.ExternalData == nil {
		dir := filepath.Dir(path)
		cache := map[string][]byte{}
		o.ExternalData = func(loc string) ([]byte, error) {
			if b, ok := cache[loc]; ok {
				return b, nil
			}
			b, err := readFileLimited(filepath.Join(dir, filepath.FromSlash(loc)), lim.MaxParams*8)
			if err == nil {
				cache[loc] = b
			}
			return b, err
		}
	}
	return LoadModel(data, &o)
}

// readFileLimited reads a file, refusing one larger than limit bytes before
// reading it.
func readFileLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > limit {
		return nil, fmtlite.Errorf("onnx: %s has %d bytes, more than the limit of %d", path, st.Size(), limit)
	}
	return io.ReadAll(io.LimitReader(f, limit+1))
}
