package nn

import "math"

// sqrt32 returns √x in float32.
func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }
