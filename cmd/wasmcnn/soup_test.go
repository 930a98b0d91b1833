package main

import (
	"math/rand/v2"
	"testing"

	"wasmcnn/core/nn"
)

// TestAverageWeights averages three networks of the same parameters: every
// weight becomes the mean; networks of other parameters are refused.
func TestAverageWeights(t *testing.T) {
	mk := func(seed uint64, out int) *nn.ImportedNet {
		n, err := nn.NewNet([]int{1, 4, 4}, &nn.FlattenLayer{Name: "f"}, nn.NewDenseLayer("d", 16, out))
		if err != nil {
			t.Fatal(err)
		}
		n.Init(rand.New(rand.NewPCG(seed, 1)))
		return &nn.ImportedNet{Net: n}
	}
	nets := []*nn.ImportedNet{mk(1, 3), mk(2, 3), mk(3, 3)}
	var want []float64
	for i, p := range nets[0].Net.Params() {
		for j := range p.W.Data {
			var s float64
			for _, im := range nets {
				s += float64(im.Net.Params()[i].W.Data[j])
			}
			want = append(want, s/3)
		}
	}
	avg, err := averageWeights(nets)
	if err != nil {
		t.Fatal(err)
	}
	k := 0
	for _, p := range avg.Params() {
		for _, v := range p.W.Data {
			if d := float64(v) - want[k]; d > 1e-6 || d < -1e-6 {
				t.Fatalf("%s: %v, want the mean %v", p.Name, v, want[k])
			}
			k++
		}
	}
	if _, err := averageWeights([]*nn.ImportedNet{mk(1, 3), mk(2, 4)}); err == nil {
		t.Error("networks of different shapes were averaged")
	}
}
