package adapt

import "math"

// FillPictureRef is the reference twin of [Input.FillPicture]: every
// value computed on its own from the definitions, in float64, without the
// weight tables, the row pass or the source rows' bounds of the fast path
// — each output pixel is the triangle-weighted mean of every source pixel
// its filter reaches, in colour, then made grey for a 1-channel model. The
// tests hold the fast path (natively and as the page runs it in the
// browser) to it.
func FillPictureRef(x *Input, p Picture, n Normalization) ([]float32, error) {
	if err := p.Check(); err != nil {
		return nil, err
	}
	c := CropFor(p.W, p.H, x.W, x.H)
	// weights returns the source pixels output o (in the scaled picture's
	// coordinates) reads along an axis of in pixels scaled to out, and
	// their weights, normalised.
	weights := func(o, in, out int) (int, []float64) {
		scale := float64(in) / float64(out)
		width := math.Max(scale, 1)
		center := (float64(o) + 0.5) * scale
		lo := int(math.Max(0, math.Floor(center-width-0.5)))
		var ws []float64
		var sum float64
		for s := lo; s < in; s++ {
			d := math.Abs(float64(s)+0.5-center) / width
			if float64(s)+0.5-center >= width {
				break
			}
			w := math.Max(0, 1-d)
			ws = append(ws, w)
			sum += w
		}
		for i := range ws {
			ws[i] /= sum
		}
		return lo, ws
	}
	one := make([]float64, 3*x.H*x.W) // RGB planes, 0..1
	hw := x.H * x.W
	for yo := 0; yo < x.H; yo++ {
		y0, wy := weights(yo+c.Top, p.H, c.RH)
		for xo := 0; xo < x.W; xo++ {
			x0, wx := weights(xo+c.Left, p.W, c.RW)
			var rgb [3]float64
			for j, a := range wy {
				for i, b := range wx {
					at := 4 * ((y0+j)*p.W + x0 + i)
					for k := 0; k < 3; k++ {
						rgb[k] += a * b * float64(p.RGBA[at+k]) / 255
					}
				}
			}
			for k := 0; k < 3; k++ {
				one[k*hw+yo*x.W+xo] = rgb[k]
			}
		}
	}
	out := make([]float32, x.Len())
	for i := range out { // black in the other examples of a batch
		ch := (i % (hw * x.C)) / hw
		if x.Layout == NHWC {
			ch = i % x.C
		}
		out[i] = n.Offset[ch]
	}
	for ch := 0; ch < x.C; ch++ {
		from := ch
		if n.BGR {
			from = 2 - ch
		}
		for i := 0; i < hw; i++ {
			v := one[from*hw+i]
			if x.C == 1 {
				v = 0.299*one[i] + 0.587*one[hw+i] + 0.114*one[2*hw+i]
			}
			v = v*float64(n.Scale[ch]) + float64(n.Offset[ch])
			if x.Layout == NHWC {
				out[i*x.C+ch] = float32(v)
			} else {
				out[ch*hw+i] = float32(v)
			}
		}
	}
	return out, nil
}
