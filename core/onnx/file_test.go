//go:build !js

package onnx

import (
	"os"
	"path/filepath"
	"testing"

	"wasmcnn/internal/floattest"
)

// TestExternalDataFromFile loads a model whose initializer lives in a file
// beside it.
func TestExternalDataFromFile(t *testing.T) {
	data, x, want := externalCase()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "model.onnx.data"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "model.onnx"), externalModel("model.onnx.data", 8), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := LoadModelFile(filepath.Join(dir, "model.onnx"), nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Run(x)
	if err != nil {
		t.Fatal(err)
	}
	floattest.AssertClose(t, "from a directory", got[0].Data, want, 0)
}
