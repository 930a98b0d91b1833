package convshapes

import (
	"math"
	"testing"
)

// TestMACsMatchPublished holds each table to the multiply-accumulates
// torchvision publishes for the model ("GFLOPS" in its model cards, which
// count multiply-adds), to the two decimals it gives: a layer left out, a
// wrong stride or channel count moves the total past the rounding.
func TestMACsMatchPublished(t *testing.T) {
	published := map[string]float64{
		"resnet50": 4.09, "mobilenetv2": 0.30, "mobilenetv3small": 0.06,
		"squeezenet1.1": 0.35, "shufflenetv2": 0.14,
	}
	for _, a := range Archs {
		g := float64(a.MACs()) / 1e9
		t.Logf("%s: %.4f GMACs in %d distinct convolutions", a.Name, g, len(a.Layers))
		if want, ok := published[a.Name]; !ok || math.Abs(g-want) > 0.005 {
			t.Errorf("%s: %.4f GMACs, torchvision publishes %.2f", a.Name, g, want)
		}
	}
}

// TestLayersChain checks each row's own consistency: groups divide the
// channels, the window fits, and names are unique within a network.
func TestLayersChain(t *testing.T) {
	for _, a := range Archs {
		seen := map[string]bool{}
		for _, l := range a.Layers {
			if seen[l.Name] {
				t.Errorf("%s: %s listed twice", a.Name, l.Name)
			}
			seen[l.Name] = true
			if l.C%l.Group != 0 || l.K%l.Group != 0 || l.OH() < 1 || l.OW() < 1 || l.Count < 1 {
				t.Errorf("%s: %s: bad row %+v", a.Name, l.Name, l)
			}
			if l.Residual && l.Stride != 1 {
				t.Errorf("%s: %s: a residual needs the input's size", a.Name, l.Name)
			}
		}
	}
}
