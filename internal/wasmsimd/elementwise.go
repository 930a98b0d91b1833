package wasmsimd

// relu(x, y, n) sets, for the n bytes at x (n a multiple of 16), the floats
// at y to x < 0 ? 0 : x: f32x4.pmax, which keeps NaN and −0 as Go's ReLU does.
const (
	rX, rY, rN = 0, 1, 2
	reluParams = 3
	rI, rZero  = 3, 4 // an i32 byte offset and a v128 of zeros
)

func reluBody() []byte {
	var a asm
	a.locals(1, 1)
	a.zero()
	a.set(rZero)
	a.const32(0)
	a.set(rI)
	a.loopWhile(rI, rN)
	a.get(rY)
	a.get(rI)
	a.byte(opI32Add)
	a.get(rX)
	a.get(rI)
	a.byte(opI32Add)
	a.mem(simdV128Load, 2, 0)
	a.get(rZero)
	a.simd(simdF32x4PMax)
	a.mem(simdV128Store, 2, 0)
	a.addTo(rI, -16)
	a.endLoop()
	a.byte(opEnd)
	return a.b
}

// maxpool2(x, y, rows, inRow, outRow) is a 2×2 max pooling of stride 2: for
// each of rows output rows of outRow bytes (at least 16; consecutive at y),
// it reads two input rows of inRow bytes (consecutive, pairs 2·inRow apart
// from x) and writes the largest of each 2×2 window, compared in Go's order
// (top left, top right, bottom left, bottom right; a later value wins only
// when greater, so NaN wins only in the first place). A row whose length is
// not a multiple of 16 bytes ends with a vector that overlaps the one
// before it.
const (
	pX, pY, pRows, pInRow, pOutRow = 0, 1, 2, 3, 4
	poolParams                     = 5
	// i32 locals: the row counter, the rows' addresses, the byte offset in
	// the output row, where its last vector starts, and a scratch offset.
	pQ, pIn0, pIn1, pOut, pO, pLast, pT = 5, 6, 7, 8, 9, 10, 11
	poolI32Locals                       = 7
	pM, pV                              = 12, 13 // the running maximum and the next candidate
	poolV128Locals                      = 2
)

// Byte patterns of i8x16.shuffle selecting the even and the odd floats of
// two vectors (floats 0–3 and 4–7).
var (
	evenFloats = []byte{0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27}
	oddFloats  = []byte{4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31}
)

func maxPool2Body() []byte {
	var a asm
	a.locals(poolI32Locals, poolV128Locals)

	a.get(pOutRow)
	a.const32(16)
	a.byte(opI32Sub)
	a.set(pLast)
	a.const32(0)
	a.set(pQ)
	a.get(pX)
	a.set(pIn0)
	a.get(pY)
	a.set(pOut)
	a.loopWhile(pQ, pRows)
	a.get(pIn0)
	a.get(pInRow)
	a.byte(opI32Add)
	a.set(pIn1)

	// for o = 0; ; o += 16: the vector at min(o, last), until last is done.
	a.const32(0)
	a.set(pO)
	a.byte(opBlock, blockVoid)
	a.byte(opLoop, blockVoid)
	// t = min(o, last)
	a.get(pO)
	a.get(pLast)
	a.get(pO)
	a.get(pLast)
	a.byte(opI32LtU)
	a.byte(opSelect)
	a.set(pT)
	// Input floats at 2t: the even ones and the odd ones of two rows.
	for r, in := range []uint32{pIn0, pIn1} {
		for h, pattern := range [][]byte{evenFloats, oddFloats} {
			a.get(in)
			a.get(pT)
			a.const32(1)
			a.byte(opI32Shl)
			a.byte(opI32Add)
			a.mem(simdV128Load, 2, 0)
			a.get(in)
			a.get(pT)
			a.const32(1)
			a.byte(opI32Shl)
			a.byte(opI32Add)
			a.mem(simdV128Load, 2, 16)
			a.simd(simdI8x16Shuffle)
			a.byte(pattern...)
			if r == 0 && h == 0 {
				a.set(pM)
				continue
			}
			// m = m < v ? v : m
			a.set(pV)
			a.get(pM)
			a.get(pV)
			a.simd(simdF32x4PMax)
			a.set(pM)
		}
	}
	a.get(pOut)
	a.get(pT)
	a.byte(opI32Add)
	a.get(pM)
	a.mem(simdV128Store, 2, 0)
	// Stop after the vector at last; otherwise advance.
	a.get(pT)
	a.get(pLast)
	a.byte(opI32GeU)
	a.byte(opBrIf)
	a.u32(1)
	a.addTo(pO, -16)
	a.byte(opBr)
	a.u32(0)
	a.byte(opEnd, opEnd)

	a.addTo(pQ, -1)
	a.get(pIn0)
	a.get(pInRow)
	a.const32(1)
	a.byte(opI32Shl)
	a.byte(opI32Add)
	a.set(pIn0)
	a.addTo(pOut, pOutRow)
	a.endLoop()
	a.byte(opEnd)
	return a.b
}
