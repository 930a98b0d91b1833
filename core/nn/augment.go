package nn

import (
	"math"
	"math/rand/v2"

	"wasmcnn/core/ink"
	"wasmcnn/internal/fmtlite"
)

// Augment describes the random distortions applied to a preprocessed
// 28×28 digit in training, so that the model copes with how people draw:
// slanted, squeezed, rotated, off-centre, with thin or thick pens.
type Augment struct {
	Rotate    float64 // largest rotation, in degrees, either way
	ScaleMin  float64 // range of the overall scale
	ScaleMax  float64
	Aspect    float64 // largest relative change of width against height
	Shear     float64 // largest horizontal shear (x += shear·y)
	Shift     float64 // largest shift, in pixels, on each axis
	ThickProb float64 // probability of thickening or thinning the strokes
}

// DefaultAugment is the augmentation the shipped model is trained with.
var DefaultAugment = Augment{Rotate: 12, ScaleMin: 0.85, ScaleMax: 1.15, Aspect: 0.12, Shear: 0.2, Shift: 2, ThickProb: 0.35}

// Apply writes a randomly distorted copy of src (28×28) into dst, drawing
// from r. tmp is scratch of 784 values. The affine part is sampled
// bilinearly around the field centre, the same point preprocessing puts the
// centre of mass at; then, with probability ThickProb, a 3×3 maximum
// (thicker strokes) or minimum (thinner) is blended in.
func (a Augment) Apply(dst, src, tmp []float32, r *rand.Rand) {
	const n = ink.FieldSize
	uni := func(lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }
	th := uni(-a.Rotate, a.Rotate) * math.Pi / 180
	s := uni(a.ScaleMin, a.ScaleMax)
	asp := uni(-a.Aspect, a.Aspect)
	sh := uni(-a.Shear, a.Shear)
	tx, ty := uni(-a.Shift, a.Shift), uni(-a.Shift, a.Shift)
	// Forward map: p' = R·Sh·S·(p − c) + c + t, with S = diag(s(1+asp), s(1−asp)).
	sx, sy := s*(1+asp), s*(1-asp)
	cs, sn := math.Cos(th), math.Sin(th)
	// M = R · [[1, sh], [0, 1]] · diag(sx, sy)
	m00, m01 := cs*sx, (cs*sh-sn)*sy
	m10, m11 := sn*sx, (sn*sh+cs)*sy
	det := m00*m11 - m01*m10
	i00, i01, i10, i11 := m11/det, -m01/det, -m10/det, m00/det
	c := float64(ink.FieldCentre)
	out := tmp[:n*n]
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			dx, dy := float64(x)-c-tx, float64(y)-c-ty
			out[y*n+x] = bilinear(src, n, i00*dx+i01*dy+c, i10*dx+i11*dy+c)
		}
	}
	if r.Float64() >= a.ThickProb {
		copy(dst[:n*n], out)
		return
	}
	thicker := r.IntN(2) == 0
	alpha := float32(uni(0.4, 1))
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			v := out[y*n+x]
			for yy := max(y-1, 0); yy <= min(y+1, n-1); yy++ {
				for xx := max(x-1, 0); xx <= min(x+1, n-1); xx++ {
					if w := out[yy*n+xx]; thicker && w > v || !thicker && w < v {
						v = w
					}
				}
			}
			dst[y*n+x] = (1-alpha)*out[y*n+x] + alpha*v
		}
	}
}

// bilinear samples the n×n image at (x, y), zero outside.
func bilinear(img []float32, n int, x, y float64) float32 {
	x0, y0 := math.Floor(x), math.Floor(y)
	fx, fy := float32(x-x0), float32(y-y0)
	ix, iy := int(x0), int(y0)
	at := func(i, j int) float32 {
		if i < 0 || j < 0 || i >= n || j >= n {
			return 0
		}
		return img[j*n+i]
	}
	return (1-fy)*((1-fx)*at(ix, iy)+fx*at(ix+1, iy)) + fy*((1-fx)*at(ix, iy+1)+fx*at(ix+1, iy+1))
}

// String lists the settings, for messages.
func (a Augment) String() string {
	return fmtlite.Sprintf("{Rotate:%g ScaleMin:%g ScaleMax:%g Aspect:%g Shear:%g Shift:%g ThickProb:%g}",
		a.Rotate, a.ScaleMin, a.ScaleMax, a.Aspect, a.Shear, a.Shift, a.ThickProb)
}
