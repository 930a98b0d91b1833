package wasmsimd

// Export names of the fused convolution kernels, and the flags and
// activation codes they take: the values of core's EpAccumulate, EpBias,
// EpResidual, EpActivate and ActKind (a test in internal/wasmsimd/simdjs holds the
// two equal).
const (
	GemmEpExport    = "gemmep"
	DepthwiseExport = "depthwise"

	FlagAccumulate = 1
	FlagBias       = 2
	FlagResidual   = 4
	FlagActivate   = 8

	ActClip        = 1
	ActLeakyReLU   = 2
	ActHardSwish   = 3
	ActHardSigmoid = 4
)

// More opcodes the fused kernels use.
const (
	opI32And = 0x71
	opI32Eq  = 0x46

	simdF32x4Lt       = 0x43
	simdV128Bitselect = 0x52
	simdV128Store32Ln = 0x5a
	simdF32x4PMin     = 0xea
)

// actLocals are the v128 locals holding an activation's constants.
type actLocals struct{ lo, hi, alpha, beta, zero, one uint32 }

// loadAct fills the constants from the four floats at local params (Lo,
// Hi, Alpha, Beta): read whatever the activation, as the address is
// always inside memory.
func (a *asm) loadAct(params uint32, c actLocals) {
	for i, l := range []uint32{c.lo, c.hi, c.alpha, c.beta} {
		a.get(params)
		a.mem(simdV128Load32Spl, 2, uint32(4*i))
		a.set(l)
	}
	a.zero()
	a.set(c.zero)
	a.simd(simdV128Const)
	for i := 0; i < 4; i++ {
		a.byte(0x00, 0x00, 0x80, 0x3f) // 1.0
	}
	a.set(c.one)
}

// activate applies the activation whose code is in local act to each of
// the v128 locals vs, as core's Activation.Apply defines it: pmax(v, lo)
// is v < lo ? lo : v and pmin(v, hi) is hi < v ? hi : v, so NaN passes
// through and −0 stays, as in the Go loops; the multiply and add of
// HardSwish and HardSigmoid are not fused.
func (a *asm) activate(act uint32, c actLocals, vs ...uint32) {
	clampUnit := func() { // the value on the stack, clamped to [0, 1]
		a.get(c.zero)
		a.simd(simdF32x4PMax)
		a.get(c.one)
		a.simd(simdF32x4PMin)
	}
	scaled := func(v uint32) { // alpha·v + beta on the stack
		a.get(v)
		a.get(c.alpha)
		a.simd(simdF32x4Mul)
		a.get(c.beta)
		a.simd(simdF32x4Add)
	}
	kinds := []struct {
		code int32
		one  func(v uint32)
	}{
		{ActClip, func(v uint32) {
			a.get(v)
			a.get(c.lo)
			a.simd(simdF32x4PMax)
			a.get(c.hi)
			a.simd(simdF32x4PMin)
			a.set(v)
		}},
		{ActLeakyReLU, func(v uint32) {
			a.get(v)
			a.get(c.alpha)
			a.simd(simdF32x4Mul)
			a.get(v)
			a.get(v)
			a.get(c.zero)
			a.simd(simdF32x4Lt)
			a.simd(simdV128Bitselect)
			a.set(v)
		}},
		{ActHardSwish, func(v uint32) {
			a.get(v)
			scaled(v)
			clampUnit()
			a.simd(simdF32x4Mul)
			a.set(v)
		}},
		{ActHardSigmoid, func(v uint32) {
			scaled(v)
			clampUnit()
			a.set(v)
		}},
	}
	for _, k := range kinds {
		a.get(act)
		a.const32(k.code)
		a.byte(opI32Eq)
		a.byte(opIf, blockVoid)
		for _, v := range vs {
			k.one(v)
		}
		a.byte(opEnd)
	}
}

// ifFlag opens an if on (local flags & flag) ≠ 0.
func (a *asm) ifFlag(flags uint32, flag int32) {
	a.get(flags)
	a.const32(flag)
	a.byte(opI32And)
	a.byte(opIf, blockVoid)
}

// accumulators lists the eight accumulators of a 4×8 tile from acc on.
func accumulators(acc uint32) []uint32 {
	accs := make([]uint32, 8)
	for k := range accs {
		accs[k] = acc + uint32(k)
	}
	return accs
}

// tileInit sets the eight accumulators of tile (i, j) from acc on to zero,
// plus bias[i] under FlagBias and the residual's (i, j) under
// FlagResidual (rows local ldres bytes apart at local res); local t is
// scratch, local zero holds zeros.
func (a *asm) tileInit(flags, bias, res, ldres, i, j, t, zero, acc uint32) {
	for k := uint32(0); k < 8; k++ {
		a.get(zero)
		a.set(acc + k)
	}
	a.ifFlag(flags, FlagBias)
	a.get(bias)
	a.get(i)
	a.const32(2)
	a.byte(opI32Shl)
	a.byte(opI32Add)
	a.set(t)
	for r := uint32(0); r < 4; r++ {
		a.get(t)
		a.mem(simdV128Load32Spl, 2, 4*r)
		a.tee(acc + 2*r)
		a.set(acc + 2*r + 1)
	}
	a.byte(opEnd)
	a.ifFlag(flags, FlagResidual)
	a.tileAddr(t, res, i, ldres, j)
	for r := uint32(0); r < 4; r++ {
		for h := uint32(0); h < 2; h++ {
			x := acc + 2*r + h
			a.get(x)
			a.get(t)
			a.mem(simdV128Load, 2, 16*h)
			a.simd(simdF32x4Add)
			a.set(x)
		}
		if r < 3 {
			a.addTo(t, int64(ldres))
		}
	}
	a.byte(opEnd)
}

// gemmep(pa, pb, bPanel, bRow, c, ldc, mp, np, kb, flags, bias, res,
// ldres, act, params) is tiles with the epilogue of a fused convolution:
// for every 4×8 tile of the mp×np block at c,
//
//	c[i][j] = act(init[i][j] + Σ_{p<kb} A[i][p] · B[p][j])
//
// where init is the tile itself (FlagAccumulate) or zero plus bias[i]
// (FlagBias, floats at bias) and the residual's (i, j) (FlagResidual, rows
// ldres bytes apart at res), and act, whose code and four parameters (Lo,
// Hi, Alpha, Beta at params) are core's, applies under FlagActivate only.
// A, B, strides and loops are as for tiles.
const (
	ePA, ePB, eBPanel, eBRow, eC, eLdc, eMP, eNP, eKB, eFlags, eBias, eRes, eLdRes, eAct, eParams = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14
	gemmEpParams                                                                                  = 15
	// i32 locals.
	eI, eJ, eA, eB, eCt, eAEnd, eT, eAI, eBJ, eKB16 = 15, 16, 17, 18, 19, 20, 21, 22, 23, 24
	gemmEpI32Locals                                 = 10
	// v128 locals: 8 accumulators, two B vectors, a broadcast A value, the activation's constants.
	eAcc, eB0, eB1, eAV                  = 25, 33, 34, 35
	eLo, eHi, eAlpha, eBeta, eZero, eOne = 36, 37, 38, 39, 40, 41
	gemmEpV128Locals                     = 17
)

func gemmEpBody(relaxed bool) []byte {
	var a asm
	a.locals(gemmEpI32Locals, gemmEpV128Locals)
	c := actLocals{eLo, eHi, eAlpha, eBeta, eZero, eOne}
	a.loadAct(eParams, c)

	a.get(eKB)
	a.const32(4)
	a.byte(opI32Shl)
	a.set(eKB16)

	a.const32(0)
	a.set(eJ)
	a.get(ePB)
	a.set(eBJ)
	a.loopWhile(eJ, eNP)

	a.const32(0)
	a.set(eI)
	a.get(ePA)
	a.set(eAI)
	a.loopWhile(eI, eMP)

	a.tileAddr(eCt, eC, eI, eLdc, eJ)

	// The accumulators start from the tile, or from its bias and residual.
	a.ifFlag(eFlags, FlagAccumulate)
	a.get(eCt)
	a.set(eT)
	for r := 0; r < 4; r++ {
		for h := 0; h < 2; h++ {
			a.get(eT)
			a.mem(simdV128Load, 2, uint32(16*h))
			a.set(uint32(eAcc + 2*r + h))
		}
		if r < 3 {
			a.addTo(eT, eLdc)
		}
	}
	a.byte(opElse)
	a.tileInit(eFlags, eBias, eRes, eLdRes, eI, eJ, eT, eZero, eAcc)
	a.byte(opEnd)

	// for p: a from ai to ai + kb16 by 16, b from bj by bRow.
	a.get(eAI)
	a.tee(eA)
	a.get(eKB16)
	a.byte(opI32Add)
	a.set(eAEnd)
	a.get(eBJ)
	a.set(eB)
	a.loopWhile(eA, eAEnd)
	a.get(eB)
	a.mem(simdV128Load, 2, 0)
	a.set(eB0)
	a.get(eB)
	a.mem(simdV128Load, 2, 16)
	a.set(eB1)
	a.tileRows(relaxed, eA, 0, eB0, eB1, eAV, eAcc)
	a.addTo(eA, -16)
	a.addTo(eB, eBRow)
	a.endLoop()

	a.ifFlag(eFlags, FlagActivate)
	a.activate(eAct, c, accumulators(eAcc)...)
	a.byte(opEnd)

	a.storeTile(eCt, eLdc, eAcc, 2)

	a.addTo(eI, -4)
	a.addTo(eAI, eKB16)
	a.endLoop()

	a.addTo(eJ, -8)
	a.addTo(eBJ, eBPanel)
	a.endLoop()
	a.byte(opEnd)
	return a.b
}

// depthwise(y, x, w, bias, offs, channels, taps, oh, ow, rowStep, sw,
// xPlane, yPlane, act, params) is core's DepthwiseArgs: for every channel
// c, output row r and column q < ow,
//
//	y[c·yPlane + r·4·ow + 4q] = act(bias[c] + Σ_{t<taps} w[c·taps + t] · x[c·xPlane + 4·offs[t] + r·rowStep + 4q·sw])
//
// (rowStep, xPlane and yPlane in bytes; offs are i32 offsets in floats; sw
// is 1 or 2). One broadcast weight serves four vectors: sixteen outputs of
// a row at a time, the last block's outputs past the row computed but not
// stored (the last ones lane by lane), or, for rows at most 8 wide, two
// rows of two vectors. At stride 2 the even floats of two loaded vectors
// are gathered with i8x16.shuffle. It reads at most 64 floats past the
// last input the formula touches.
const (
	wY, wX, wW, wBias, wOffs, wChannels, wTaps, wOH, wOW, wRowStep, wSW, wXPlane, wYPlane, wAct, wParams = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14
	depthwiseParams                                                                                      = 15
	// i32 locals: the channel, row and column counters, the channel's
	// input plane, output plane, taps and bias, the row's input and
	// output, the column's input, a tap's input, the tap and offset
	// pointers, and a scratch value.
	wC, wR, wQ, wXC, wYC, wWC, wBC, wXR, wYR, wXQ, wBase, wWP, wOP, wT = 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28
	depthwiseI32Locals                                                 = 14
	// v128 locals: four accumulators, the bias, the weight, two loads, the activation's constants.
	wAcc, wBiasV, wWV, wV0, wV1          = 29, 33, 34, 35, 36
	wLo, wHi, wAlpha, wBeta, wZero, wOne = 37, 38, 39, 40, 41, 42
	depthwiseV128Locals                  = 14
)

func depthwiseBody(relaxed bool) []byte {
	var a asm
	a.locals(depthwiseI32Locals, depthwiseV128Locals)
	c := actLocals{wLo, wHi, wAlpha, wBeta, wZero, wOne}
	a.loadAct(wParams, c)

	a.const32(0)
	a.set(wC)
	a.get(wX)
	a.set(wXC)
	a.get(wY)
	a.set(wYC)
	a.get(wW)
	a.set(wWC)
	a.get(wBias)
	a.set(wBC)
	a.loopWhile(wC, wChannels)
	a.get(wBC)
	a.mem(simdV128Load32Spl, 2, 0)
	a.set(wBiasV)

	a.const32(0)
	a.set(wR)
	a.get(wXC)
	a.set(wXR)
	a.get(wYC)
	a.set(wYR)

	// Rows at most 8 wide go in pairs, two vectors each, while two remain.
	a.byte(opBlock, blockVoid)
	a.byte(opLoop, blockVoid)
	a.get(wOW)
	a.const32(8)
	a.byte(opI32GtU)
	a.byte(opBrIf)
	a.u32(1)
	a.get(wR)
	a.const32(2)
	a.byte(opI32Add)
	a.get(wOH)
	a.byte(opI32GtU)
	a.byte(opBrIf)
	a.u32(1)
	a.const32(0)
	a.set(wQ)
	a.dwVectors(relaxed, 2, 2)
	a.activate(wAct, c, wAcc, wAcc+1, wAcc+2, wAcc+3)
	a.dwOut()
	a.dwStore(wAcc, 2)
	// The second row's outputs: 4·ow bytes further.
	a.get(wT)
	a.get(wOW)
	a.const32(2)
	a.byte(opI32Shl)
	a.byte(opI32Add)
	a.set(wT)
	a.dwStore(wAcc+2, 2)
	a.addTo(wR, -2)
	a.addTo(wXR, wRowStep)
	a.addTo(wXR, wRowStep)
	a.get(wYR)
	a.get(wOW)
	a.const32(3)
	a.byte(opI32Shl)
	a.byte(opI32Add)
	a.set(wYR)
	a.byte(opBr)
	a.u32(0)
	a.byte(opEnd, opEnd)

	// The other rows one at a time.
	a.loopWhile(wR, wOH)
	a.const32(0)
	a.set(wQ)
	// Blocks of 16 columns while q + 16 ≤ ow.
	a.byte(opBlock, blockVoid)
	a.byte(opLoop, blockVoid)
	a.get(wQ)
	a.const32(16)
	a.byte(opI32Add)
	a.get(wOW)
	a.byte(opI32GtU)
	a.byte(opBrIf)
	a.u32(1)
	a.dwVectors(relaxed, 1, 4)
	a.activate(wAct, c, wAcc, wAcc+1, wAcc+2, wAcc+3)
	a.dwOut()
	for k := uint32(0); k < 4; k++ {
		a.get(wT)
		a.get(wAcc + k)
		a.mem(simdV128Store, 2, 16*k)
	}
	a.addTo(wQ, -16)
	a.endLoop()

	// Then, if columns remain, one more block of four vectors whose
	// outputs past the row are computed but not stored.
	a.get(wQ)
	a.get(wOW)
	a.byte(opI32LtU)
	a.byte(opIf, blockVoid)
	a.dwVectors(relaxed, 1, 4)
	a.activate(wAct, c, wAcc, wAcc+1, wAcc+2, wAcc+3)
	a.dwOut()
	a.dwStore(wAcc, 4)
	a.byte(opEnd)

	a.addTo(wR, -1)
	a.addTo(wXR, wRowStep)
	a.get(wYR)
	a.get(wOW)
	a.const32(2)
	a.byte(opI32Shl)
	a.byte(opI32Add)
	a.set(wYR)
	a.endLoop()

	a.addTo(wC, -1)
	a.addTo(wXC, wXPlane)
	a.addTo(wYC, wYPlane)
	a.get(wWC)
	a.get(wTaps)
	a.const32(2)
	a.byte(opI32Shl)
	a.byte(opI32Add)
	a.set(wWC)
	a.addTo(wBC, -4)
	a.endLoop()
	a.byte(opEnd)
	return a.b
}

// dwOut sets local wT to the output address of column q: yr + 4q.
func (a *asm) dwOut() {
	a.get(wYR)
	a.get(wQ)
	a.const32(2)
	a.byte(opI32Shl)
	a.byte(opI32Add)
	a.set(wT)
}

// dwStore stores the n vectors from local acc on at local wT, for the
// columns q, q+4, …: whole where the row has all four columns, lane by
// lane where it has some, not at all past its end.
func (a *asm) dwStore(acc uint32, n int) {
	for k := 0; k < n; k++ {
		col := int32(4 * k)
		// whole: q + col + 4 ≤ ow
		a.get(wQ)
		a.const32(col + 4)
		a.byte(opI32Add)
		a.get(wOW)
		a.byte(opI32GtU)
		a.byte(opI32Eqz)
		a.byte(opIf, blockVoid)
		a.get(wT)
		a.get(acc + uint32(k))
		a.mem(simdV128Store, 2, uint32(16*k))
		a.byte(opElse)
		for lane := int32(0); lane < 3; lane++ {
			// lane q + col + lane < ow
			a.get(wQ)
			a.const32(col + lane)
			a.byte(opI32Add)
			a.get(wOW)
			a.byte(opI32LtU)
			a.byte(opIf, blockVoid)
			a.get(wT)
			a.get(acc + uint32(k))
			a.mem(simdV128Store32Ln, 2, uint32(16*k+4*int(lane)))
			a.byte(byte(lane))
			a.byte(opEnd)
		}
		a.byte(opEnd)
	}
}

// dwVectors computes rows × n vectors of outputs from column q of the
// current row (and, for rows = 2, the next) into the accumulators from
// wAcc on, row by row: the bias, then every tap's weight times the input
// under it, contiguous at stride 1, the even floats of pairs of vectors
// at stride 2.
func (a *asm) dwVectors(relaxed bool, rows, n uint32) {
	for k := uint32(0); k < rows*n; k++ {
		a.get(wBiasV)
		a.set(wAcc + k)
	}
	// xq = xr + 4·q·sw
	a.get(wXR)
	a.get(wQ)
	a.get(wSW)
	a.byte(opI32Mul)
	a.const32(2)
	a.byte(opI32Shl)
	a.byte(opI32Add)
	a.set(wXQ)
	a.get(wSW)
	a.const32(1)
	a.byte(opI32Eq)
	a.byte(opIf, blockVoid)
	a.dwTaps(relaxed, rows, n, false)
	a.byte(opElse)
	a.dwTaps(relaxed, rows, n, true)
	a.byte(opEnd)
}

// dwTaps is the loop over the taps of dwVectors.
func (a *asm) dwTaps(relaxed bool, rows, n uint32, stride2 bool) {
	a.get(wOffs)
	a.set(wOP)
	a.get(wWC)
	a.set(wWP)
	// The end of the offsets: offs + 4·taps.
	a.get(wOffs)
	a.get(wTaps)
	a.const32(2)
	a.byte(opI32Shl)
	a.byte(opI32Add)
	a.set(wT)
	a.loopWhile(wOP, wT)
	a.get(wWP)
	a.mem(simdV128Load32Spl, 2, 0)
	a.set(wWV)
	a.get(wXQ)
	a.load32(wOP, 0)
	a.const32(2)
	a.byte(opI32Shl)
	a.byte(opI32Add)
	a.set(wBase)
	for row := uint32(0); row < rows; row++ {
		if row > 0 {
			a.addTo(wBase, wRowStep)
		}
		for k := uint32(0); k < n; k++ {
			if !stride2 {
				a.get(wBase)
				a.mem(simdV128Load, 2, 16*k)
				a.set(wV0)
			} else {
				a.get(wBase)
				a.mem(simdV128Load, 2, 32*k)
				a.get(wBase)
				a.mem(simdV128Load, 2, 32*k+16)
				a.simd(simdI8x16Shuffle)
				a.byte(evenFloats...)
				a.set(wV0)
			}
			acc := wAcc + row*n + k
			a.madd(relaxed, wWV, wV0, acc)
			a.set(acc)
		}
	}
	a.addTo(wOP, -4)
	a.addTo(wWP, -4)
	a.endLoop()
}

// GatherExport is gather(dst, ld, base, offs, kb, rows, ow, rowStep, sw):
// for every tap p < kb, output row r < rows and column q < ow,
//
//	dst[p·ld + r·4·ow + 4q] = base[4·offs[p] + r·rowStep + 4q·sw]
//
// (ld and rowStep in bytes, offs i32 offsets in floats): the rows of a
// block of a convolution's im2col matrix, laid out for gemmep from a
// zero-bordered image. Vectors of four at stride 1 and, through
// i8x16.shuffle, at stride 2; the rest one float at a time. It reads
// nothing past the last float it copies.
const GatherExport = "gather"

const (
	gDst, gLd, gBase, gOffs, gKB, gRows, gOW, gRowStep, gSW = 0, 1, 2, 3, 4, 5, 6, 7, 8
	gatherParams                                            = 9
	// i32 locals: the tap and row counters, the tap's source and
	// destination rows, the column, and the destination's row pointer.
	gP, gR, gS, gD, gQ, gOP = 9, 10, 11, 12, 13, 14
	gatherI32Locals         = 6
)

func gatherBody() []byte {
	var a asm
	a.locals(gatherI32Locals, 0)
	a.const32(0)
	a.set(gP)
	a.get(gOffs)
	a.set(gOP)
	a.get(gDst)
	a.set(gD)
	a.loopWhile(gP, gKB)
	// s = base + 4·offs[p]
	a.get(gBase)
	a.load32(gOP, 0)
	a.const32(2)
	a.byte(opI32Shl)
	a.byte(opI32Add)
	a.set(gS)
	a.const32(0)
	a.set(gR)
	a.loopWhile(gR, gRows)
	a.const32(0)
	a.set(gQ)
	// Vectors while they fit: q + 4 ≤ ow at stride 1, q + 5 ≤ ow at
	// stride 2 (whose pair of loads reaches one float further).
	for _, sw := range []int32{1, 2} {
		a.get(gSW)
		a.const32(sw)
		a.byte(opI32Eq)
		a.byte(opIf, blockVoid)
		a.byte(opBlock, blockVoid)
		a.byte(opLoop, blockVoid)
		a.get(gQ)
		a.const32(3 + sw)
		a.byte(opI32Add)
		a.get(gOW)
		a.byte(opI32GtU)
		a.byte(opBrIf)
		a.u32(1)
		a.gatherAddr(gD, 1) // where the vector goes
		a.gatherAddr(gS, sw)
		a.mem(simdV128Load, 2, 0)
		if sw == 2 {
			a.gatherAddr(gS, 2)
			a.mem(simdV128Load, 2, 16)
			a.simd(simdI8x16Shuffle)
			a.byte(evenFloats...)
		}
		a.mem(simdV128Store, 2, 0)
		a.addTo(gQ, -4)
		a.endLoop()
		a.byte(opEnd)
	}
	// The rest, one float at a time.
	a.loopWhile(gQ, gOW)
	a.gatherAddr(gD, 1)
	a.get(gS)
	a.get(gQ)
	a.get(gSW)
	a.byte(opI32Mul)
	a.const32(2)
	a.byte(opI32Shl)
	a.byte(opI32Add)
	a.byte(opF32Load)
	a.u32(2)
	a.u32(0)
	a.byte(opF32Store)
	a.u32(2)
	a.u32(0)
	a.addTo(gQ, -1)
	a.endLoop()
	a.addTo(gR, -1)
	a.addTo(gS, gRowStep)
	a.get(gD)
	a.get(gOW)
	a.const32(2)
	a.byte(opI32Shl)
	a.byte(opI32Add)
	a.set(gD)
	a.endLoop()
	a.addTo(gP, -1)
	a.addTo(gOP, -4)
	// The next tap's rows start ld bytes after this tap's.
	a.get(gDst)
	a.get(gLd)
	a.get(gP)
	a.byte(opI32Mul)
	a.byte(opI32Add)
	a.set(gD)
	a.endLoop()
	a.byte(opEnd)
	return a.b
}

// gatherAddr leaves on the stack the address of column q from the row at
// local row, floats sw apart: row + 4·q·sw.
func (a *asm) gatherAddr(row uint32, sw int32) {
	a.get(row)
	a.get(gQ)
	if sw != 1 {
		a.const32(sw)
		a.byte(opI32Mul)
	}
	a.const32(2)
	a.byte(opI32Shl)
	a.byte(opI32Add)
}

// QuantInExport is quantin(dst, src, n, zero, signed): dst[i] =
// float32(src[i] − zero) for the n bytes at src, int8 when signed ≠ 0,
// else uint8 (core's QuantIn). Eight at a time, the rest one by one.
//
// RequantExport is requant(dst, src, rows, cols, bias, scale, zero, lo,
// hi): core's Requant, a quantized convolution's output bytes from its
// products (exact integers in floats): to int32, plus the row's bias, to
// float32 (rounded to nearest even, as onnxruntime's conversion), times
// the row's scale, clamped to [lo − zero, hi − zero], rounded to nearest
// even (f32x4.nearest), plus zero, narrowed to bytes (signed when lo < 0;
// the clamp makes the saturating narrows exact). Four at a time, the rest
// one by one.
const (
	QuantInExport = "quantin"
	RequantExport = "requant"
)

// The quantization kernels' opcodes.
const (
	opI32Load8S     = 0x2c
	opI32Load8U     = 0x2d
	opI32Store8     = 0x3a
	opI32LtS        = 0x48
	opF32Nearest    = 0x90
	opF32Mul        = 0x94
	opF32Min        = 0x96
	opF32Max        = 0x97
	opI32TruncF32S  = 0xa8
	opF32ConvertI32 = 0xb2

	simdV128Load8x8S     = 0x01
	simdV128Load8x8U     = 0x02
	simdI32x4Splat       = 0x11
	simdF32x4Splat       = 0x13
	simdI8x16NarrowS     = 0x65
	simdI8x16NarrowU     = 0x66
	simdF32x4Nearest     = 0x6a
	simdI16x8NarrowS     = 0x85
	simdI32x4ExtendLowS  = 0xa7
	simdI32x4ExtendHighS = 0xa8
	simdI32x4Add         = 0xae
	simdI32x4Sub         = 0xb1
	simdF32x4Min         = 0xe8
	simdF32x4Max         = 0xe9
	simdI32x4TruncSatS   = 0xf8
	simdF32x4ConvertS    = 0xfa
)

const (
	qDst, qSrc, qN, qZero, qSigned = 0, 1, 2, 3, 4
	quantInParams                  = 5
	qI                             = 5 // the byte index
	qZeroV, qV                     = 6, 7
)

func quantInBody() []byte {
	var a asm
	a.locals(1, 2)
	a.get(qZero)
	a.simd(simdI32x4Splat)
	a.set(qZeroV)
	a.const32(0)
	a.set(qI)
	for _, signed := range []bool{true, false} {
		a.get(qSigned)
		if !signed {
			a.byte(opI32Eqz)
		}
		a.byte(opIf, blockVoid)
		// Eight bytes while i + 8 ≤ n.
		a.byte(opBlock, blockVoid)
		a.byte(opLoop, blockVoid)
		a.get(qI)
		a.const32(8)
		a.byte(opI32Add)
		a.get(qN)
		a.byte(opI32GtU)
		a.byte(opBrIf)
		a.u32(1)
		a.get(qSrc)
		a.get(qI)
		a.byte(opI32Add)
		if signed {
			a.mem(simdV128Load8x8S, 0, 0)
		} else {
			a.mem(simdV128Load8x8U, 0, 0)
		}
		a.set(qV)
		for h, ext := range []uint32{simdI32x4ExtendLowS, simdI32x4ExtendHighS} {
			a.get(qDst)
			a.get(qI)
			a.const32(2)
			a.byte(opI32Shl)
			a.byte(opI32Add)
			a.get(qV)
			a.simd(ext)
			a.get(qZeroV)
			a.simd(simdI32x4Sub)
			a.simd(simdF32x4ConvertS)
			a.mem(simdV128Store, 2, uint32(16*h))
		}
		a.addTo(qI, -8)
		a.endLoop()
		// The rest.
		a.loopWhile(qI, qN)
		a.get(qDst)
		a.get(qI)
		a.const32(2)
		a.byte(opI32Shl)
		a.byte(opI32Add)
		a.get(qSrc)
		a.get(qI)
		a.byte(opI32Add)
		if signed {
			a.byte(opI32Load8S)
		} else {
			a.byte(opI32Load8U)
		}
		a.u32(0)
		a.u32(0)
		a.get(qZero)
		a.byte(opI32Sub)
		a.byte(opF32ConvertI32)
		a.byte(opF32Store)
		a.u32(2)
		a.u32(0)
		a.addTo(qI, -1)
		a.endLoop()
		a.byte(opEnd)
	}
	a.byte(opEnd)
	return a.b
}

const (
	rqDst, rqSrc, rqRows, rqCols, rqBias, rqScale, rqZero, rqLo, rqHi = 0, 1, 2, 3, 4, 5, 6, 7, 8
	requantParams                                                     = 9
	// i32 locals: the row, the column, the row's input and output, the
	// row's bias; f32 locals are kept in v128 splats.
	rqR, rqI, rqS, rqD, rqB = 9, 10, 11, 12, 13
	requantI32Locals        = 5
	// v128 locals: the row's bias and scale, the clamp's bounds, the zero
	// point, a value.
	rqBV, rqSV, rqLoV, rqHiV, rqZV, rqV = 14, 15, 16, 17, 18, 19
	requantV128Locals                   = 6
)

func requantBody() []byte {
	var a asm
	a.locals(requantI32Locals, requantV128Locals)
	// The bounds less the zero point, as floats; the zero point.
	for _, b := range []struct{ src, dst uint32 }{{rqLo, rqLoV}, {rqHi, rqHiV}} {
		a.get(b.src)
		a.get(rqZero)
		a.byte(opI32Sub)
		a.byte(opF32ConvertI32)
		a.simd(simdF32x4Splat)
		a.set(b.dst)
	}
	a.get(rqZero)
	a.simd(simdI32x4Splat)
	a.set(rqZV)
	a.const32(0)
	a.set(rqR)
	a.get(rqSrc)
	a.set(rqS)
	a.get(rqDst)
	a.set(rqD)
	a.loopWhile(rqR, rqRows)
	a.get(rqBias)
	a.get(rqR)
	a.const32(2)
	a.byte(opI32Shl)
	a.byte(opI32Add)
	a.byte(opI32Load)
	a.u32(2)
	a.u32(0)
	a.tee(rqB)
	a.simd(simdI32x4Splat)
	a.set(rqBV)
	a.get(rqScale)
	a.get(rqR)
	a.const32(2)
	a.byte(opI32Shl)
	a.byte(opI32Add)
	a.mem(simdV128Load32Spl, 2, 0)
	a.set(rqSV)
	a.const32(0)
	a.set(rqI)
	// Four at a time while i + 4 ≤ cols.
	a.byte(opBlock, blockVoid)
	a.byte(opLoop, blockVoid)
	a.get(rqI)
	a.const32(4)
	a.byte(opI32Add)
	a.get(rqCols)
	a.byte(opI32GtU)
	a.byte(opBrIf)
	a.u32(1)
	a.get(rqS)
	a.get(rqI)
	a.const32(2)
	a.byte(opI32Shl)
	a.byte(opI32Add)
	a.mem(simdV128Load, 2, 0)
	a.simd(simdI32x4TruncSatS)
	a.get(rqBV)
	a.simd(simdI32x4Add)
	a.simd(simdF32x4ConvertS)
	a.get(rqSV)
	a.simd(simdF32x4Mul)
	a.get(rqLoV)
	a.simd(simdF32x4Max)
	a.get(rqHiV)
	a.simd(simdF32x4Min)
	a.simd(simdF32x4Nearest)
	a.simd(simdI32x4TruncSatS)
	a.get(rqZV)
	a.simd(simdI32x4Add)
	a.tee(rqV)
	a.get(rqV)
	a.simd(simdI16x8NarrowS)
	a.set(rqV)
	// Narrow to bytes, signed when lo < 0.
	a.get(rqD)
	a.get(rqI)
	a.byte(opI32Add)
	a.get(rqV)
	a.get(rqV)
	a.simd(simdI8x16NarrowS)
	a.get(rqV)
	a.get(rqV)
	a.simd(simdI8x16NarrowU)
	a.get(rqLo)
	a.const32(0)
	a.byte(opI32LtS)
	a.byte(opSelect)
	a.mem(simdV128Store32Ln, 0, 0)
	a.byte(0)
	a.addTo(rqI, -4)
	a.endLoop()
	// The rest, one by one.
	a.loopWhile(rqI, rqCols)
	a.get(rqD)
	a.get(rqI)
	a.byte(opI32Add)
	a.get(rqS)
	a.get(rqI)
	a.const32(2)
	a.byte(opI32Shl)
	a.byte(opI32Add)
	a.byte(opF32Load)
	a.u32(2)
	a.u32(0)
	a.byte(opI32TruncF32S)
	a.get(rqB)
	a.byte(opI32Add)
	a.byte(opF32ConvertI32)
	a.get(rqSV)
	a.simd(simdF32x4Extract)
	a.byte(0)
	a.byte(opF32Mul)
	a.get(rqLoV)
	a.simd(simdF32x4Extract)
	a.byte(0)
	a.byte(opF32Max)
	a.get(rqHiV)
	a.simd(simdF32x4Extract)
	a.byte(0)
	a.byte(opF32Min)
	a.byte(opF32Nearest)
	a.byte(opI32TruncF32S)
	a.get(rqZero)
	a.byte(opI32Add)
	a.byte(opI32Store8)
	a.u32(0)
	a.u32(0)
	a.addTo(rqI, -1)
	a.endLoop()
	a.addTo(rqR, -1)
	a.get(rqS)
	a.get(rqCols)
	a.const32(2)
	a.byte(opI32Shl)
	a.byte(opI32Add)
	a.set(rqS)
	a.addTo(rqD, rqCols)
	a.endLoop()
	a.byte(opEnd)
	return a.b
}
