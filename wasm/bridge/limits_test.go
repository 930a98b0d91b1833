package bridge

import (
	"runtime"
	"testing"

	"wasmcnn/core/onnx"
	"wasmcnn/internal/archs"
)

// TestLimitsAdmitResNet50 loads full-size ResNet-50, the largest network
// of the bench, under the limits of models from JavaScript and plans it at
// batch 8, as the bench runs it in the browser.
func TestLimitsAdmitResNet50(t *testing.T) {
	if testing.Short() || runtime.GOOS == "js" {
		t.Skip("builds a 98 MiB model: natively only, where it takes seconds")
	}
	b, err := archs.ResNet50(1)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > MaxAPIModelBytes {
		t.Fatalf("ResNet-50 has %d bytes, loadModel takes %d", len(b), MaxAPIModelBytes)
	}
	m, err := onnx.LoadModel(b, &onnx.LoadOptions{Limits: ModelLimits()})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.PlanFor(8 * 3 * 224 * 224); err != nil {
		t.Fatal(err)
	}
	// The drawing page's own limit stays below the API's.
	if MaxModelBytes > MaxAPIModelBytes {
		t.Errorf("the page takes %d bytes, more than the API's %d", MaxModelBytes, MaxAPIModelBytes)
	}
}
