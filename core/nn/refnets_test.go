package nn

import (
	"slices"
	"testing"

	"wasmcnn/core"
)

// TestReferenceNets checks the benchmark networks against BENCHMARKS.md:
// their cost per image and a valid probability output.
func TestReferenceNets(t *testing.T) {
	for _, c := range []struct {
		name string
		net  *Net
		macs int64
	}{{"S", ReferenceNetS(1), 786560}, {"M", ReferenceNetM(1), 11992448}} {
		if got := c.net.MACs(); got != c.macs {
			t.Errorf("%s: %d MACs, want %d", c.name, got, c.macs)
		}
		x := core.NewTensor(2, 1, 28, 28)
		for i := range x.Data {
			x.Data[i] = float32(i%28) / 28
		}
		y, err := c.net.Forward(x, false)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(y.Shape, []int{2, 10}) {
			t.Fatalf("%s: output %v", c.name, y.Shape)
		}
		for i := 0; i < 2; i++ {
			var s float32
			for _, v := range y.Data[i*10 : (i+1)*10] {
				s += v
			}
			if s < 0.999 || s > 1.001 {
				t.Errorf("%s: probabilities sum to %v", c.name, s)
			}
		}
	}
}
