package core

// maxPool2dRef is the reference for [MaxPool2D]: every tap of every window,
// tested against the input's bounds.
func maxPool2dRef(y, x []float32, argmax []int32, g *ConvGeom) {
	for pl := 0; pl < g.N*g.C; pl++ {
		for oh := 0; oh < g.OH; oh++ {
			for ow := 0; ow < g.OW; ow++ {
				best, at := float32(lowestFloat32), int32(-1)
				for i := 0; i < g.KH; i++ {
					for j := 0; j < g.KW; j++ {
						ih, iw := oh*g.SH-g.PT+i*g.DH, ow*g.SW-g.PL+j*g.DW
						if ih < 0 || ih >= g.H || iw < 0 || iw >= g.W {
							continue
						}
						if v := x[pl*g.H*g.W+ih*g.W+iw]; at < 0 || v > best {
							best, at = v, int32(ih*g.W+iw)
						}
					}
				}
				o := pl*g.OH*g.OW + oh*g.OW + ow
				y[o] = best
				if argmax != nil {
					argmax[o] = at
				}
			}
		}
	}
}

// avgPool2dRef is the reference for [AvgPool2D]: with countIncludePad
// every tap inside the padded input counts, otherwise those inside the input.
func avgPool2dRef(y, x []float32, g *ConvGeom, countIncludePad bool) {
	for pl := 0; pl < g.N*g.C; pl++ {
		for oh := 0; oh < g.OH; oh++ {
			for ow := 0; ow < g.OW; ow++ {
				var s float64
				n := 0
				for i := 0; i < g.KH; i++ {
					for j := 0; j < g.KW; j++ {
						ih, iw := oh*g.SH-g.PT+i*g.DH, ow*g.SW-g.PL+j*g.DW
						inPadded := ih >= -g.PT && ih < g.H+g.PB && iw >= -g.PL && iw < g.W+g.PR
						if countIncludePad && inPadded {
							n++
						}
						if ih < 0 || ih >= g.H || iw < 0 || iw >= g.W {
							continue
						}
						s += float64(x[pl*g.H*g.W+ih*g.W+iw])
						if !countIncludePad {
							n++
						}
					}
				}
				o := pl*g.OH*g.OW + oh*g.OW + ow
				if n == 0 {
					y[o] = 0
					continue
				}
				y[o] = float32(s / float64(n))
			}
		}
	}
}
