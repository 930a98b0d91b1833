package core

import "unsafe"

// ReferencePanelKernel returns a [PanelKernel] written as plain Go loops:
// the definition that a platform's kernels are tested against, and a way to
// run the planner's kernel paths where no faster kernel exists.
func ReferencePanelKernel() *PanelKernel {
	return &PanelKernel{
		Name: "reference-4x8", MR: 4, NR: 8,
		Tiles:       refTiles,
		ConvTiles:   refConvTiles,
		ReLU:        refReLU,
		MaxPool2:    refMaxPool2,
		MaxPoolRows: refMaxPoolRows,
		ScaleShift:  refScaleShift,
		Dots:        refDots,
		CopyBlocks:  refCopyBlocks,
		GemmEp:      refGemmEp,
		ConvTilesEp: refConvTilesEp,
		Depthwise:   refDepthwise,
		Gather:      refGather,
		QuantIn:     goQuantIn,
		Requant:     goRequant,
	}
}

// floats views n floats at p; the kernels' contracts bound every index.
func floats(p unsafe.Pointer, n int) []float32 { return unsafe.Slice((*float32)(p), n) }

func refTiles(pa, pb unsafe.Pointer, bPanel, bRow int, c unsafe.Pointer, ldc, mp, np, kb int, accumulate bool) {
	a := floats(pa, mp*kb)
	b := floats(pb, (np/8-1)*bPanel+(kb-1)*bRow+8)
	cs := floats(c, (mp-1)*ldc+np)
	for i := 0; i < mp; i++ {
		for j := 0; j < np; j++ {
			var s float32
			if accumulate {
				s = cs[i*ldc+j]
			}
			for p := 0; p < kb; p++ {
				s += a[(i/4)*4*kb+4*p+i%4] * b[(j/8)*bPanel+p*bRow+j%8]
			}
			cs[i*ldc+j] = s
		}
	}
}

func refConvTiles(pa, base, offs, bias, c unsafe.Pointer, ldc, mp, np, kb, rowCols, rowSkip int) {
	a := floats(pa, mp*kb)
	off := unsafe.Slice((*int32)(offs), kb)
	maxOff := int32(0)
	for _, o := range off {
		maxOff = max(maxOff, o)
	}
	col := func(j int) int { return j + j/rowCols*rowSkip }
	x := floats(base, int(maxOff)+col(np-1)+1)
	bs := floats(bias, mp)
	cs := floats(c, (mp-1)*ldc+np)
	for i := 0; i < mp; i++ {
		for j := 0; j < np; j++ {
			s := bs[i]
			for p := 0; p < kb; p++ {
				s += a[(i/4)*4*kb+4*p+i%4] * x[int(off[p])+col(j)]
			}
			cs[i*ldc+j] = s
		}
	}
}

func refConvTilesEp(pa, base, offs, c unsafe.Pointer, ldc, mp, np, kb, rowCols, rowSkip int, ep *EpilogueArgs) {
	a := floats(pa, mp*kb)
	off := unsafe.Slice((*int32)(offs), kb)
	maxOff := int32(0)
	for _, o := range off {
		maxOff = max(maxOff, o)
	}
	col := func(j int) int { return j + j/rowCols*rowSkip }
	x := floats(base, int(maxOff)+col(np-1)+1)
	cs := floats(c, (mp-1)*ldc+np)
	act := epilogueAct(ep)
	for i := 0; i < mp; i++ {
		for j := 0; j < np; j++ {
			s := epilogueInit(&EpilogueArgs{Flags: ep.Flags &^ EpAccumulate, Bias: ep.Bias, Res: ep.Res, ResLd: ep.ResLd}, nil, 0, i, j)
			for p := 0; p < kb; p++ {
				s += a[(i/4)*4*kb+4*p+i%4] * x[int(off[p])+col(j)]
			}
			cs[i*ldc+j] = act.Apply(s)
		}
	}
}

func refReLU(y, x unsafe.Pointer, n int) { reluGo(floats(y, n), floats(x, n)) }

func refMaxPool2(y, x unsafe.Pointer, rows, w, ow int) {
	in := floats(x, (2*rows-1)*w+2*ow)
	out := floats(y, rows*ow)
	for q := 0; q < rows; q++ {
		r0, r1 := in[2*q*w:], in[(2*q+1)*w:]
		for o := 0; o < ow; o++ {
			best := r0[2*o]
			for _, v := range []float32{r0[2*o+1], r1[2*o], r1[2*o+1]} {
				if v > best {
					best = v
				}
			}
			out[q*ow+o] = best
		}
	}
}

func refMaxPoolRows(y, x unsafe.Pointer, planes, yPlane, xPlane, rows, n, yRow, xRow, w, kh, kw, sw int) {
	maxPoolRowsGo(floats(y, (planes-1)*yPlane+(rows-1)*yRow+n), floats(x, (planes-1)*xPlane+(rows-1)*xRow+(kh-1)*w+(n-1)*sw+kw),
		planes, yPlane, xPlane, rows, n, yRow, xRow, w, kh, kw, sw)
}

func refScaleShift(y, x, a, b unsafe.Pointer, planes, hw int, relu bool) {
	scaleShiftGo(floats(y, planes*hw), floats(x, planes*hw), floats(a, planes), floats(b, planes), hw, relu)
}

func refDots(y, a, b unsafe.Pointer, ldb, n, k int) {
	ys := floats(y, n)
	as := floats(a, k)
	bs := floats(b, (n-1)*ldb+k)
	for j := range ys {
		var s float32
		for p, v := range as {
			s += v * bs[j*ldb+p]
		}
		ys[j] += s
	}
}

func refCopyBlocks(dst, src unsafe.Pointer, groups, rows, width, dstRow, srcRow, dstGroup, srcGroup int) {
	if groups == 0 || rows == 0 || width == 0 {
		return
	}
	d := floats(dst, (groups-1)*dstGroup+(rows-1)*dstRow+width)
	s := floats(src, (groups-1)*srcGroup+(rows-1)*srcRow+width)
	for g := 0; g < groups; g++ {
		for r := 0; r < rows; r++ {
			copy(d[g*dstGroup+r*dstRow:][:width], s[g*srcGroup+r*srcRow:][:width])
		}
	}
}

func refGemmEp(pa, pb unsafe.Pointer, bPanel, bRow int, c unsafe.Pointer, ldc, mp, np, kb int, ep *EpilogueArgs) {
	a := floats(pa, mp*kb)
	b := floats(pb, (np/8-1)*bPanel+(kb-1)*bRow+8)
	cs := floats(c, (mp-1)*ldc+np)
	act := epilogueAct(ep)
	for i := 0; i < mp; i++ {
		for j := 0; j < np; j++ {
			s := epilogueInit(ep, cs, i*ldc+j, i, j)
			for p := 0; p < kb; p++ {
				s += a[(i/4)*4*kb+4*p+i%4] * b[(j/8)*bPanel+p*bRow+j%8]
			}
			cs[i*ldc+j] = act.Apply(s)
		}
	}
}

func refDepthwise(a *DepthwiseArgs) {
	offs := unsafe.Slice((*int32)(a.Offs), a.Taps)
	act := actFrom(a.Act, a.Params)
	for c := 0; c < a.Channels; c++ {
		w := floats(unsafe.Add(a.W, 4*c*a.Taps), a.Taps)
		bias := *(*float32)(unsafe.Add(a.Bias, 4*c))
		y := floats(unsafe.Add(a.Y, 4*c*a.YPlane), a.OH*a.OW)
		for r := 0; r < a.OH; r++ {
			for q := 0; q < a.OW; q++ {
				s := bias
				for t, o := range offs {
					s += w[t] * *(*float32)(unsafe.Add(a.X, 4*(c*a.XPlane+int(o)+r*a.RowStep+q*a.SW)))
				}
				y[r*a.OW+q] = act.Apply(s)
			}
		}
	}
}

func refGather(dst, base, offs unsafe.Pointer, ld, kb, rows, ow, rowStep, sw int) {
	off := unsafe.Slice((*int32)(offs), kb)
	d := floats(dst, (kb-1)*ld+rows*ow)
	for p := 0; p < kb; p++ {
		for r := 0; r < rows; r++ {
			for q := 0; q < ow; q++ {
				d[p*ld+r*ow+q] = *(*float32)(unsafe.Add(base, 4*(int(off[p])+r*rowStep+q*sw)))
			}
		}
	}
}
