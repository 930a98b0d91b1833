package page

import "testing"

// TestColors checks the tables at their stops, between them, and at the
// clamps.
func TestColors(t *testing.T) {
	for _, c := range []struct {
		got, want [3]uint8
	}{
		{rampColor(0), [3]uint8{8, 8, 16}},
		{rampColor(0.5), [3]uint8{151, 40, 129}}, // 128/255, just past the middle stop
		{rampColor(1), [3]uint8{252, 240, 150}},
		{rampColor(7), [3]uint8{252, 240, 150}},
		{rampColor(-1), [3]uint8{8, 8, 16}},
		{rampColor(0.125), [3]uint8{24, 19, 63}}, // halfway from the first stop to the second
		{divergingColor(-1), [3]uint8{16, 114, 235}},
		{divergingColor(0), [3]uint8{12, 14, 20}},
		{divergingColor(1), [3]uint8{252, 144, 40}},
		{divergingColor(-3), [3]uint8{16, 114, 235}},
		{divergingColor(0.5), [3]uint8{132, 79, 30}},
	} {
		if c.got != c.want {
			t.Errorf("got %v, want %v", c.got, c.want)
		}
	}
	if len(ramp) != 256 || len(diverging) != 511 || len(flatColors(ramp)) != 768 {
		t.Errorf("tables of %d and %d colours", len(ramp), len(diverging))
	}
}
