package core

// ConvTranspose2D computes the transposed convolution of x into y: the
// adjoint of the convolution g describes, which maps y's shape to x's. In
// g's terms x is [N, K, OH, OW] (what the convolution would output), y is
// [N, C, H, W] and w is the convolution's [K, C/Group, KH, KW], which is
// ONNX ConvTranspose's weight layout [C_in, C_out/group, kH, kW]. Each
// input value is spread over the window it would have been computed from:
//
//	y[n,c,h,w] = b[c] + Σ x[n,k,oh,ow] · w[k, c mod C/G, i, j]
//	             over oh·SH − PT + i·DH = h, ow·SW − PL + j·DW = w
//
// as one matrix product per image and group (Wᵀ · x) followed by the
// adjoint of im2col. b may be nil; col is scratch of
// C/Group·KH·KW·OH·OW elements (none for a pointwise geometry).
func ConvTranspose2D(y, x, w, b []float32, g *ConvGeom, col []float32) {
	checkConv(x, y, w, nil, g)
	cg, kg := g.C/g.Group, g.K/g.Group
	p := g.OH * g.OW
	ckk := cg * g.KH * g.KW
	hw := g.H * g.W
	if len(b) != 0 && len(b) < g.C || !g.pointwise() && len(col) < ckk*p {
		panic(panicShortSlice)
	}
	for n := 0; n < g.N; n++ {
		for grp := 0; grp < g.Group; grp++ {
			d := x[(n*g.K+grp*kg)*p : (n*g.K+(grp+1)*kg)*p]
			wg := w[grp*kg*ckk : (grp+1)*kg*ckk]
			dst := y[(n*g.C+grp*cg)*hw : (n*g.C+(grp+1)*cg)*hw]
			if g.pointwise() {
				Gemm(true, false, ckk, p, kg, 1, wg, ckk, d, p, 0, dst, p)
			} else {
				Gemm(true, false, ckk, p, kg, 1, wg, ckk, d, p, 0, col[:ckk*p], p)
				col2im(dst, col, p, 0, cg, g)
			}
		}
		if len(b) == 0 {
			continue
		}
		for c := 0; c < g.C; c++ {
			plane := y[(n*g.C+c)*hw : (n*g.C+c+1)*hw]
			for i := range plane {
				plane[i] += b[c]
			}
		}
	}
}

// convTranspose2DRef is the reference for [ConvTranspose2D]: every input
// value added to each output it reaches, one at a time.
func convTranspose2DRef(y, x, w, b []float32, g *ConvGeom) {
	cg, kg := g.C/g.Group, g.K/g.Group
	for n := 0; n < g.N; n++ {
		for c := 0; c < g.C; c++ {
			for i := 0; i < g.H*g.W; i++ {
				v := float32(0)
				if len(b) != 0 {
					v = b[c]
				}
				y[(n*g.C+c)*g.H*g.W+i] = v
			}
		}
		for k := 0; k < g.K; k++ {
			grp := k / kg
			for oh := 0; oh < g.OH; oh++ {
				for ow := 0; ow < g.OW; ow++ {
					v := x[((n*g.K+k)*g.OH+oh)*g.OW+ow]
					for cc := 0; cc < cg; cc++ {
						c := grp*cg + cc
						for i := 0; i < g.KH; i++ {
							h := oh*g.SH - g.PT + i*g.DH
							if h < 0 || h >= g.H {
								continue
							}
							for j := 0; j < g.KW; j++ {
								wx := ow*g.SW - g.PL + j*g.DW
								if wx < 0 || wx >= g.W {
									continue
								}
								y[((n*g.C+c)*g.H+h)*g.W+wx] += v * w[((k*cg+cc)*g.KH+i)*g.KW+j]
							}
						}
					}
				}
			}
		}
	}
}
