package wasmsimd

// dots(y, a, b, ldb, n, k) adds to each of the n floats at y the dot
// product of the k bytes of floats at a (k a multiple of 16) with a row of
// B: y[j] += Σ_p a[p]·B[j][p], row j at b + j·ldb. It is the matrix-vector
// product of a dense layer at batch 1 with its weights as stored, [out,
// in]. Rows go four at a time (one load of a serves four rows), the rest
// one at a time; each row's four lanes are summed pairwise at the end.
const (
	dY, dA, dB, dLdb, dN, dK = 0, 1, 2, 3, 4, 5
	dotsParams               = 6
	// i32 locals: the row index, the offset along k, the row pointers.
	dJ, dP, dR0, dR1, dR2, dR3, dYP = 6, 7, 8, 9, 10, 11, 12
	dotsI32Locals                   = 7
	// v128 locals: four accumulators, the vector of a, a vector of B.
	dAcc, dAV, dBV = 13, 17, 18
	dotsV128Locals = 6
)

func dotsBody(relaxed bool) []byte {
	var a asm
	a.locals(dotsI32Locals, dotsV128Locals)
	a.const32(0)
	a.set(dJ)
	a.get(dB)
	a.set(dR0)
	a.get(dY)
	a.set(dYP)
	// Groups of four rows while j + 4 ≤ n, then single rows while j < n.
	a.rowGroups(relaxed, 4)
	a.rowGroups(relaxed, 1)
	a.byte(opEnd)
	return a.b
}

// rowGroups writes the loop over groups of rows rows, starting at row j
// (whose pointer is in dR0), while a whole group remains.
func (a *asm) rowGroups(relaxed bool, rows int) {
	a.byte(opBlock, blockVoid)
	a.byte(opLoop, blockVoid)
	// Stop when j + rows > n.
	a.get(dJ)
	a.const32(int32(rows))
	a.byte(opI32Add)
	a.get(dN)
	a.byte(opI32GtU)
	a.byte(opBrIf)
	a.u32(1)

	for r := 1; r < rows; r++ {
		a.get(uint32(dR0 + r - 1))
		a.get(dLdb)
		a.byte(opI32Add)
		a.set(uint32(dR0 + r))
	}
	for r := 0; r < rows; r++ {
		a.zero()
		a.set(uint32(dAcc + r))
	}
	a.const32(0)
	a.set(dP)
	a.loopWhile(dP, dK)
	a.get(dA)
	a.get(dP)
	a.byte(opI32Add)
	a.mem(simdV128Load, 2, 0)
	a.set(dAV)
	for r := 0; r < rows; r++ {
		a.get(uint32(dR0 + r))
		a.get(dP)
		a.byte(opI32Add)
		a.mem(simdV128Load, 2, 0)
		a.set(dBV)
		a.madd(relaxed, dAV, dBV, uint32(dAcc+r))
		a.set(uint32(dAcc + r))
	}
	a.addTo(dP, -16)
	a.endLoop()

	// y[j+r] += (lane 0 + lane 1) + (lane 2 + lane 3)
	for r := 0; r < rows; r++ {
		a.get(dYP)
		a.get(dYP)
		a.byte(opF32Load)
		a.u32(2)
		a.u32(uint32(4 * r))
		for _, pair := range [][2]byte{{0, 1}, {2, 3}} {
			a.get(uint32(dAcc + r))
			a.simd(simdF32x4Extract)
			a.byte(pair[0])
			a.get(uint32(dAcc + r))
			a.simd(simdF32x4Extract)
			a.byte(pair[1])
			a.byte(opF32Add)
		}
		a.byte(opF32Add)
		a.byte(opF32Add)
		a.byte(opF32Store)
		a.u32(2)
		a.u32(uint32(4 * r))
	}

	a.addTo(dJ, -int64(rows))
	a.addTo(dYP, -int64(4*rows))
	// The next group starts one row after the last of this one.
	a.get(uint32(dR0 + rows - 1))
	a.get(dLdb)
	a.byte(opI32Add)
	a.set(dR0)
	a.endLoop()
}
