package wasmsimd

// Export names of the max pooling kernels of stride 1 and 2.
const (
	MaxPoolRows1Export = "maxpoolrows1"
	MaxPoolRows2Export = "maxpoolrows2"
)

// maxpoolrowsS(x, y, planes, xPlane, yPlane, rows, n, xRow, yRow, w, kh, kw)
// is core's PanelKernel.MaxPoolRows for column stride S (1 or 2), lengths
// and strides in bytes: for every plane, each of rows output rows of n
// bytes (at least 16) gets, per float, the largest of its window, kh rows
// w bytes apart of kw bytes, four outputs at a time, a row whose length is not
// a multiple of 16 bytes ending with a vector that overlaps the one
// before it. The running maximum starts at tap (0, 0) and every tap,
// (0, 0) again included, goes through m = f32x4.pmax(m, v) = m < v ? v : m,
// so that a later value wins only when greater: Go's order, NaN and ties
// included. A stride-2 tap's four inputs are the even floats of the seven
// from its first, shuffled out of the vectors at 0 and 12 bytes, so no
// load reaches past the last float a window reads.
const (
	mpX, mpY, mpPlanes, mpXPlane, mpYPlane, mpRows, mpN, mpXRow, mpYRow, mpW, mpKH, mpKW = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
	maxPoolRowsParams                                                                    = 12
	// i32 locals: the plane and row counters, the rows' addresses, the
	// byte offset in the output row and where its last vector starts, the
	// vector's offset, the tap row's address and the tap counters.
	mpP, mpQ, mpIn, mpOut, mpO, mpLast, mpT, mpTap, mpI, mpJ = 12, 13, 14, 15, 16, 17, 18, 19, 20, 21
	maxPoolRowsI32Locals                                     = 10
	mpM                                                      = 22 // the running maximum
	maxPoolRowsV128Locals                                    = 1
)

// stride2Floats selects floats 0 and 2 of a vector and 1 and 3 of the next
// (loaded 3 floats on): floats 0, 2, 4 and 6 of the seven.
var stride2Floats = []byte{0, 1, 2, 3, 8, 9, 10, 11, 20, 21, 22, 23, 28, 29, 30, 31}

func maxPoolRowsBody(stride2 bool) []byte {
	var a asm
	a.locals(maxPoolRowsI32Locals, maxPoolRowsV128Locals)
	shift := int32(0) // input bytes per output byte, as a shift
	if stride2 {
		shift = 1
	}
	a.get(mpN)
	a.const32(16)
	a.byte(opI32Sub)
	a.set(mpLast)
	a.const32(0)
	a.set(mpP)
	a.loopWhile(mpP, mpPlanes)
	a.const32(0)
	a.set(mpQ)
	// The first row of the plane: x + p·xPlane, y + p·yPlane.
	for _, l := range [][3]uint32{{mpIn, mpX, mpXPlane}, {mpOut, mpY, mpYPlane}} {
		a.get(l[1])
		a.get(mpP)
		a.get(l[2])
		a.byte(opI32Mul)
		a.byte(opI32Add)
		a.set(l[0])
	}
	a.loopWhile(mpQ, mpRows)

	// for o = 0; ; o += 16: the vector at t = min(o, last), until last is done.
	a.const32(0)
	a.set(mpO)
	a.byte(opBlock, blockVoid)
	a.byte(opLoop, blockVoid)
	a.get(mpO)
	a.get(mpLast)
	a.get(mpO)
	a.get(mpLast)
	a.byte(opI32LtU)
	a.byte(opSelect)
	a.set(mpT)
	// tap = in + t·stride; m = the inputs of tap (0, 0).
	a.get(mpIn)
	a.get(mpT)
	a.const32(shift)
	a.byte(opI32Shl)
	a.byte(opI32Add)
	a.set(mpTap)
	a.const32(0)
	a.set(mpJ)
	a.tapInputs(stride2)
	a.set(mpM)
	a.const32(0)
	a.set(mpI)
	a.loopWhile(mpI, mpKH)
	a.const32(0)
	a.set(mpJ)
	a.loopWhile(mpJ, mpKW)
	a.get(mpM)
	a.tapInputs(stride2)
	a.simd(simdF32x4PMax)
	a.set(mpM)
	a.addTo(mpJ, -4)
	a.endLoop()
	a.addTo(mpTap, mpW)
	a.addTo(mpI, -1)
	a.endLoop()
	a.get(mpOut)
	a.get(mpT)
	a.byte(opI32Add)
	a.get(mpM)
	a.mem(simdV128Store, 2, 0)
	// Stop after the vector at last; otherwise advance.
	a.get(mpT)
	a.get(mpLast)
	a.byte(opI32GeU)
	a.byte(opBrIf)
	a.u32(1)
	a.addTo(mpO, -16)
	a.byte(opBr)
	a.u32(0)
	a.byte(opEnd, opEnd)

	a.addTo(mpIn, mpXRow)
	a.addTo(mpOut, mpYRow)
	a.addTo(mpQ, -1)
	a.endLoop()
	a.addTo(mpP, -1)
	a.endLoop()
	a.byte(opEnd)
	return a.b
}

// tapInputs leaves on the stack the four inputs of the tap at address
// mpTap + mpJ: the floats there, or with stride2 every other one of seven.
func (a *asm) tapInputs(stride2 bool) {
	a.get(mpTap)
	a.get(mpJ)
	a.byte(opI32Add)
	a.mem(simdV128Load, 2, 0)
	if !stride2 {
		return
	}
	a.get(mpTap)
	a.get(mpJ)
	a.byte(opI32Add)
	a.mem(simdV128Load, 2, 12)
	a.simd(simdI8x16Shuffle)
	a.byte(stride2Floats...)
}
