package nn

// Scaled returns a with every distortion scaled by s: 0 gives none, 1 a
// itself, 2 twice as strong. The thickening probability stops at 1.
func (a Augment) Scaled(s float64) Augment {
	a.Rotate *= s
	a.ScaleMin = 1 - (1-a.ScaleMin)*s
	a.ScaleMax = 1 + (a.ScaleMax-1)*s
	a.Aspect *= s
	a.Shear *= s
	a.Shift *= s
	a.ThickProb = min(1, a.ThickProb*s)
	return a
}
