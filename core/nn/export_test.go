package nn

import (
	"math/rand/v2"
	"slices"
	"testing"

	"wasmcnn/core"
	"wasmcnn/core/onnx"
	"wasmcnn/internal/floattest"
)

// TestExportRoundTrip exports networks to ONNX, loads them back and checks
// that the model computes what the network computes, at several batch sizes.
func TestExportRoundTrip(t *testing.T) {
	bnNet, err := NewNet([]int{2, 7, 7},
		NewConvLayer("conv", 2, 4, 3, 3, true), NewBatchNormLayer("bn", 4), &ReLULayer{},
		NewAvgPool("avg", 2, 2), &FlattenLayer{}, NewDenseLayer("fc", 4*3*3, 5), NewBatchNormLayer("bn2", 5), &SoftmaxLayer{})
	if err != nil {
		t.Fatal(err)
	}
	bnNet.Init(rand.New(rand.NewPCG(1, 1)))
	// Give the batch norms non-trivial statistics by one training pass.
	if _, err := bnNet.Forward(&core.Tensor{Shape: []int{8, 2, 7, 7}, Data: floattest.Seeded(9, 8*2*7*7)}, true); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		desc string
		net  *Net
	}{{"S", ReferenceNetS(3)}, {"M", ReferenceNetM(4)}, {"conv+bn+avgpool+dense+bn", bnNet}} {
		data, err := c.net.ExportONNX(ExportOptions{})
		if err != nil {
			t.Fatalf("%s: %v", c.desc, err)
		}
		m, err := onnx.LoadModel(data, nil)
		if err != nil {
			t.Fatalf("%s: %v", c.desc, err)
		}
		for _, batch := range []int{1, 3} {
			shape := append([]int{batch}, c.net.In...)
			x := &core.Tensor{Shape: shape, Data: floattest.Seeded(uint64(batch), core.Product(shape))}
			want, err := c.net.Forward(x, false)
			if err != nil {
				t.Fatal(err)
			}
			got, err := m.Run(x)
			if err != nil {
				t.Fatalf("%s batch %d: %v", c.desc, batch, err)
			}
			if !slices.Equal(got[0].Shape, want.Shape) {
				t.Fatalf("%s: output %v, want %v", c.desc, got[0].Shape, want.Shape)
			}
			floattest.AssertClose(t, c.desc, got[0].Data, want.Data, 1e-5)
		}
	}
}
