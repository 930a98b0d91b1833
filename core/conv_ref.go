package core

// Conv2DRef is the reference for [Conv2D]: the direct loop nest of the
// definition, summing in float64 and testing every tap against the input's
// bounds.
func Conv2DRef(y, x, w, b []float32, g *ConvGeom) {
	cg, kg := g.C/g.Group, g.K/g.Group
	for n := 0; n < g.N; n++ {
		for k := 0; k < g.K; k++ {
			grp := k / kg
			for oh := 0; oh < g.OH; oh++ {
				for ow := 0; ow < g.OW; ow++ {
					var s float64
					if b != nil {
						s = float64(b[k])
					}
					for c := 0; c < cg; c++ {
						for i := 0; i < g.KH; i++ {
							for j := 0; j < g.KW; j++ {
								ih := oh*g.SH - g.PT + i*g.DH
								iw := ow*g.SW - g.PL + j*g.DW
								if ih < 0 || ih >= g.H || iw < 0 || iw >= g.W {
									continue
								}
								xv := x[((n*g.C+grp*cg+c)*g.H+ih)*g.W+iw]
								wv := w[((k*cg+c)*g.KH+i)*g.KW+j]
								s += float64(xv) * float64(wv)
							}
						}
					}
					y[((n*g.K+k)*g.OH+oh)*g.OW+ow] = float32(s)
				}
			}
		}
	}
}
