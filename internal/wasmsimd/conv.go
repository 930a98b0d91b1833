package wasmsimd

// convtiles(pa, base, offs, bias, c, ldc, mp, np, kb, rowCols, rowSkip,
// flags, res, ldres, act, params) computes a convolution of stride 1 as a
// matrix product whose B is never laid out (an implicit im2col): for every
// 4×8 tile of the mp×np block at c (mp a multiple of 4, np of 8, rows ldc
// bytes apart)
//
//	c[i][j] = act(init[i][j] + Σ_{p<kb} A[i][p] · base[offs[p] + j + ⌊j/rowCols⌋·rowSkip])
//
// where A is packed as for tiles (panels of 4 rows, depth-major), offs is
// kb i32 offsets in floats (one per filter tap: where its input window
// starts in the padded input at base) and base[o + j] is the float at
// base + 4·(o + j). init and act are gemmep's: bias[i] under FlagBias plus
// the residual's (i, j) under FlagResidual (rows ldres bytes apart at
// res), the activation under FlagActivate; there is no FlagAccumulate, the
// whole depth is one call.
// The caller lays the output out on the padded input's width, so that
// column j of a tap is one float further than column j−1 (rowSkip 0), or,
// when the output width rowCols is a multiple of 8, compactly: after each
// output row the input skips the rowSkip floats of padding.
const (
	cPA, cBase, cOffs, cBias, cC, cLdc, cMP, cNP, cKB, cRowCols, cRowSkip, cFlags, cRes, cLdRes, cAct, cParams = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	convParams                                                                                                 = 16
	// i32 locals; cCol counts the columns of the current output row.
	cI, cJ, cA, cAEnd, cB, cT, cAI, cBJ, cKB16, cCP, cO, cCol = 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27
	convI32Locals                                             = 12
	// v128 locals: 8 accumulators (row r, half h at cAcc+2r+h), two B
	// vectors, a broadcast A value, the activation's constants.
	cAcc, cB0, cB1, cAV                  = 28, 36, 37, 38
	cLo, cHi, cAlpha, cBeta, cZero, cOne = 39, 40, 41, 42, 43, 44
	convV128Locals                       = 17
)

func convTilesBody(relaxed bool) []byte {
	var a asm
	a.locals(convI32Locals, convV128Locals)
	c := actLocals{cLo, cHi, cAlpha, cBeta, cZero, cOne}
	a.loadAct(cParams, c)

	a.get(cKB)
	a.const32(4)
	a.byte(opI32Shl)
	a.set(cKB16)

	// for j = 0, bj = base; j < np; j += 8, bj += 32 (and the row skips)
	a.const32(0)
	a.set(cCol)
	a.const32(0)
	a.set(cJ)
	a.get(cBase)
	a.set(cBJ)
	a.loopWhile(cJ, cNP)

	// for i = 0, ai = pa; i < mp; i += 4, ai += kb16
	a.const32(0)
	a.set(cI)
	a.get(cPA)
	a.set(cAI)
	a.loopWhile(cI, cMP)

	// The tile's accumulators start at the bias of their rows and the
	// residual, or at zero.
	a.tileInit(cFlags, cBias, cRes, cLdRes, cI, cJ, cT, cZero, cAcc)

	// for p: a from ai to ai + kb16 by 16, o from offs by 4.
	a.get(cAI)
	a.tee(cA)
	a.get(cKB16)
	a.byte(opI32Add)
	a.set(cAEnd)
	a.get(cOffs)
	a.set(cO)
	a.loopWhile(cA, cAEnd)
	a.get(cBJ)
	a.load32(cO, 0)
	a.const32(2)
	a.byte(opI32Shl)
	a.byte(opI32Add)
	a.tee(cB)
	a.mem(simdV128Load, 2, 0)
	a.set(cB0)
	a.get(cB)
	a.mem(simdV128Load, 2, 16)
	a.set(cB1)
	a.tileRows(relaxed, cA, 0, cB0, cB1, cAV, cAcc)
	a.addTo(cA, -16)
	a.addTo(cO, -4)
	a.endLoop()

	a.ifFlag(cFlags, FlagActivate)
	a.activate(cAct, c, accumulators(cAcc)...)
	a.byte(opEnd)

	// Store the tile.
	a.tileAddr(cCP, cC, cI, cLdc, cJ)
	a.storeTile(cCP, cLdc, cAcc, 2)

	a.addTo(cI, -4)
	a.addTo(cAI, cKB16)
	a.endLoop()

	a.addTo(cJ, -8)
	a.addTo(cBJ, -32)
	// At the end of an output row, skip the input's padding columns.
	a.addTo(cCol, -8)
	a.get(cCol)
	a.get(cRowCols)
	a.byte(opI32GeU)
	a.byte(opIf, blockVoid)
	a.const32(0)
	a.set(cCol)
	a.get(cBJ)
	a.get(cRowSkip)
	a.const32(2)
	a.byte(opI32Shl)
	a.byte(opI32Add)
	a.set(cBJ)
	a.byte(opEnd)
	a.endLoop()
	a.byte(opEnd)
	return a.b
}
