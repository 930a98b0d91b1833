package onnx_test

import (
	"math"
	"slices"
	"testing"

	"wasmcnn/core/onnx"
	"wasmcnn/internal/archs"
	"wasmcnn/internal/floattest"
)

// TestPlanForBatchSharesFilters plans small ResNet-50s and MobileNetV2s
// (Winograd, implicit, pointwise, depthwise convolutions) for another
// batch size: every convolution plan of the new plan shares the filters
// of the plan before it, and the outputs equal those of a plan that
// packed its filters anew, bit for bit, with shared buffers and with kept
// tensors.
func TestPlanForBatchSharesFilters(t *testing.T) {
	for i, a := range []archs.Arch{archs.ResNet50Arch, archs.MobileNetV2Arch} {
		model, err := archs.Tiny(a, uint64(i+11), archs.Float)
		if err != nil {
			t.Fatal(err)
		}
		for _, keep := range []bool{false, true} {
			shared, err := onnx.LoadModel(model, &onnx.LoadOptions{KeepTensors: keep})
			if err != nil {
				t.Fatal(err)
			}
			fresh, err := onnx.LoadModel(model, &onnx.LoadOptions{KeepTensors: keep})
			if err != nil {
				t.Fatal(err)
			}
			onnx.ForgetConvPlans(fresh)
			x := floattest.Seeded(uint64(i+5), 3*3*64*64)
			want, err := fresh.Predict(x)
			if err != nil {
				t.Fatal(err)
			}
			got, err := shared.Predict(x)
			if err != nil {
				t.Fatal(err)
			}
			all, reused := onnx.ConvPlans(shared)
			if all == 0 || reused != all {
				t.Errorf("%s, keep %v: %d of %d convolution plans share the previous plan's filters, want all", a, keep, reused, all)
			}
			if _, r := onnx.ConvPlans(fresh); r != 0 {
				t.Errorf("%s, keep %v: %d plans shared filters after ForgetConvPlans", a, keep, r)
			}
			if !slices.EqualFunc(got, want, func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }) {
				t.Errorf("%s, keep %v: the outputs differ from a plan packing its filters anew", a, keep)
			}
		}
	}
}
