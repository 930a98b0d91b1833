package wasmsimd

// The tile kernel's parameters and locals, by index.
const (
	// Parameters (i32): see TilesExport.
	pPA, pPB, pBPanel, pBRow, pC, pLdc, pMP, pNP, pKB, pAcc = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9
	nParams                                                 = 10
	// i32 locals.
	lI, lJ, lA, lB, lC, lAEnd, lT, lAI, lBJ, lKB16 = 10, 11, 12, 13, 14, 15, 16, 17, 18, 19
	nI32Locals                                     = 10
	// v128 locals: 8 accumulators (row r, half h at lAcc+2r+h), two B vectors, a broadcast A value.
	lAcc, lB0, lB1, lAV = 20, 28, 29, 30
	nV128Locals         = 11
)

// Names the module uses.
const (
	// TilesExport is the kernel function:
	//
	//	tiles(pa, pb, bPanel, bRow, c, ldc, mp, np, kb, accumulate)
	//
	// For every 4×8 tile of the mp×np block at c (mp a multiple of 4, np of
	// 8, rows ldc bytes apart) it computes
	//
	//	c[i][j] (+)= Σ_{p<kb} A[i][p] · B[p][j]
	//
	// adding when accumulate ≠ 0. A is packed in panels of 4 rows,
	// depth-major (16 bytes per depth step, 16·kb per panel); B[p][j] is the
	// float at pb + (j/8)·bPanel + p·bRow + 4·(j%8). All addresses and strides
	// are bytes in the imported memory. The loops run over panels of B
	// outside and panels of A inside, so a panel of B stays in L1.
	TilesExport = "tiles"
	// MemoryModule and MemoryName name the imported memory: env.mem.
	MemoryModule, MemoryName = "env", "mem"
)

// loopWhile opens block+loop and breaks out when local x ≥ local limit.
func (a *asm) loopWhile(x, limit uint32) {
	a.byte(opBlock, blockVoid)
	a.byte(opLoop, blockVoid)
	a.get(x)
	a.get(limit)
	a.byte(opI32GeU)
	a.byte(opBrIf)
	a.u32(1)
}

// endLoop branches back to the loop and closes loop and block.
func (a *asm) endLoop() {
	a.byte(opBr)
	a.u32(0)
	a.byte(opEnd, opEnd)
}

// addTo adds the value of local src (or a constant when src < 0) to local dst.
func (a *asm) addTo(dst uint32, src int64) {
	a.get(dst)
	if src < 0 {
		a.const32(int32(-src))
	} else {
		a.get(uint32(src))
	}
	a.byte(opI32Add)
	a.set(dst)
}

// tilesBody writes the kernel's locals and instructions.
func tilesBody(relaxed bool) []byte {
	var a asm
	a.u32(2)
	a.u32(nI32Locals)
	a.byte(typeI32)
	a.u32(nV128Locals)
	a.byte(typeV128)

	// kb16 = kb·16, the bytes of one panel of A.
	a.get(pKB)
	a.const32(4)
	a.byte(opI32Shl)
	a.set(lKB16)

	// for j = 0, bj = pb; j < np; j += 8, bj += bPanel
	a.const32(0)
	a.set(lJ)
	a.get(pPB)
	a.set(lBJ)
	a.loopWhile(lJ, pNP)

	// for i = 0, ai = pa; i < mp; i += 4, ai += kb16
	a.const32(0)
	a.set(lI)
	a.get(pPA)
	a.set(lAI)
	a.loopWhile(lI, pMP)

	a.tileAddr(lC, pC, lI, pLdc, lJ)

	// Accumulators: the tile of c, or zeros.
	a.get(pAcc)
	a.byte(opIf, blockVoid)
	a.get(lC)
	a.set(lT)
	for r := 0; r < 4; r++ {
		for h := 0; h < 2; h++ {
			a.get(lT)
			a.mem(simdV128Load, 4, uint32(16*h))
			a.set(uint32(lAcc + 2*r + h))
		}
		if r < 3 {
			a.addTo(lT, pLdc)
		}
	}
	a.byte(opElse)
	for k := 0; k < 8; k++ {
		a.simd(simdV128Const)
		a.byte(make([]byte, 16)...)
		a.set(uint32(lAcc + k))
	}
	a.byte(opEnd)

	// for p: a from ai to ai + kb16 by 16, b from bj by bRow.
	a.get(lAI)
	a.tee(lA)
	a.get(lKB16)
	a.byte(opI32Add)
	a.set(lAEnd)
	a.get(lBJ)
	a.set(lB)
	a.loopWhile(lA, lAEnd)
	a.get(lB)
	a.mem(simdV128Load, 4, 0)
	a.set(lB0)
	a.get(lB)
	a.mem(simdV128Load, 4, 16)
	a.set(lB1)
	a.tileRows(relaxed, lA, 0, lB0, lB1, lAV, lAcc)
	a.addTo(lA, -16)
	a.addTo(lB, pBRow)
	a.endLoop()

	// Store the tile.
	a.get(lC)
	a.set(lT)
	a.storeTile(lT, pLdc, lAcc, 4)

	a.addTo(lI, -4)
	a.addTo(lAI, lKB16)
	a.endLoop()

	a.addTo(lJ, -8)
	a.addTo(lBJ, pBPanel)
	a.endLoop()
	a.byte(opEnd) // function
	return a.b
}
