package ink

import (
	"math"
	"testing"
)

func TestResizer(t *testing.T) {
	var r Resizer
	src := make([]float32, 28*28)
	for i := range src {
		src[i] = float32(i%28) / 27
	}
	// The same size copies.
	same := make([]float32, 28*28)
	if !r.Run(same, 28, 28, src, 28, 28) {
		t.Fatal("refused 28×28 to 28×28")
	}
	for i := range src {
		if same[i] != src[i] {
			t.Fatalf("identity changed pixel %d: %v → %v", i, src[i], same[i])
		}
	}
	// Shrinking by 4 averages 4×4 blocks.
	small := make([]float32, 7*7)
	r.Run(small, 7, 7, src, 28, 28)
	for y := 0; y < 7; y++ {
		for x := 0; x < 7; x++ {
			var s float64
			for i := 0; i < 4; i++ {
				for j := 0; j < 4; j++ {
					s += float64(src[(4*y+i)*28+4*x+j])
				}
			}
			if d := math.Abs(float64(small[y*7+x]) - s/16); d > 1e-6 {
				t.Fatalf("7×7 pixel (%d,%d) = %v, block mean %v", x, y, small[y*7+x], s/16)
			}
		}
	}
	// Enlarging a ramp keeps a ramp inside and holds the edges; a
	// non-square target works.
	big := make([]float32, 64*40)
	if !r.Run(big, 64, 40, src, 28, 28) {
		t.Fatal("refused 28×28 to 64×40")
	}
	for y := 0; y < 40; y++ {
		if big[y*64] != 0 || big[y*64+63] != 1 {
			t.Fatalf("row %d edges %v %v, want 0 and 1", y, big[y*64], big[y*64+63])
		}
		for x := 1; x < 64; x++ {
			if big[y*64+x] < big[y*64+x-1] {
				t.Fatalf("row %d not increasing at %d", y, x)
			}
		}
	}
	// Values are clamped as they are read.
	bad := []float32{float32(math.NaN()), 2, -1, 0.5}
	out := make([]float32, 4)
	r.Run(out, 2, 2, bad, 2, 2)
	if out[0] != 0 || out[1] != 1 || out[2] != 0 || out[3] != 0.5 {
		t.Errorf("clamping gave %v", out)
	}
	for _, c := range [][4]int{{0, 1, 2, 2}, {1, 1, 0, 2}, {MaxDrawingSide + 1, 1, 2, 2}, {4, 4, 28, 28}} {
		if r.Run(make([]float32, 3), c[0], c[1], src, c[2], c[3]) {
			t.Errorf("Run %v did not refuse", c)
		}
	}
}
