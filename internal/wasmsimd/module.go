package wasmsimd

// Export names of the module's functions besides TilesExport; each is
// documented with the code that writes it.
const (
	ConvTilesExport = "convtiles"
	ReLUExport      = "relu"
	MaxPool2Export  = "maxpool2"
	DotsExport      = "dots"
)

// function is one exported function of the module: all parameters are i32
// and it returns nothing. body holds its locals and code, ending with end.
type function struct {
	name   string
	params int
	body   []byte
}

// Module returns the kernel module: the tile kernel and the convolution,
// ReLU, pooling (2×2, and rows of any window of stride 1 or 2), batch
// normalisation (with ReLU or not), matrix-vector and block-copy kernels, and the fused
// convolution's product, depthwise and gather kernels and the quantized
// convolution's conversions. With relaxed the multiply-adds
// use the relaxed-SIMD f32x4.relaxed_madd, which may or may not fuse;
// without it, a multiply and an add, rounded as the scalar Go code rounds.
func Module(relaxed bool) []byte {
	return build([]function{
		{TilesExport, nParams, tilesBody(relaxed)},
		{ConvTilesExport, convParams, convTilesBody(relaxed)},
		{ReLUExport, reluParams, reluBody()},
		{MaxPool2Export, poolParams, maxPool2Body()},
		{MaxPoolRows1Export, maxPoolRowsParams, maxPoolRowsBody(false)},
		{MaxPoolRows2Export, maxPoolRowsParams, maxPoolRowsBody(true)},
		{ScaleShiftExport, scaleShiftParams, scaleShiftBody(false)},
		{ScaleShiftReLUExport, scaleShiftParams, scaleShiftBody(true)},
		{DotsExport, dotsParams, dotsBody(relaxed)},
		{CopyBlocksExport, copyParams, copyBlocksBody()},
		{GemmEpExport, gemmEpParams, gemmEpBody(relaxed)},
		{DepthwiseExport, depthwiseParams, depthwiseBody(relaxed)},
		{GatherExport, gatherParams, gatherBody()},
		{QuantInExport, quantInParams, quantInBody()},
		{RequantExport, requantParams, requantBody()},
	})
}

// build writes a module that imports env.mem and exports funcs.
func build(funcs []function) []byte {
	var m asm
	m.byte(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00) // \0asm, version 1

	var t asm // one function type per function: params × i32 → nothing
	t.u32(uint32(len(funcs)))
	for _, f := range funcs {
		t.byte(0x60)
		t.u32(uint32(f.params))
		for i := 0; i < f.params; i++ {
			t.byte(typeI32)
		}
		t.u32(0)
	}
	m.section(1, t.b)

	var im asm // the memory, with no maximum so any Go memory matches
	im.u32(1)
	im.name(MemoryModule)
	im.name(MemoryName)
	im.byte(0x02, 0x00)
	im.u32(1)
	m.section(2, im.b)

	var fs asm
	fs.u32(uint32(len(funcs)))
	for i := range funcs {
		fs.u32(uint32(i))
	}
	m.section(3, fs.b)

	var ex asm
	ex.u32(uint32(len(funcs)))
	for i, f := range funcs {
		ex.name(f.name)
		ex.byte(0x00)
		ex.u32(uint32(i))
	}
	m.section(7, ex.b)

	var code asm
	code.u32(uint32(len(funcs)))
	for _, f := range funcs {
		code.u32(uint32(len(f.body)))
		code.byte(f.body...)
	}
	m.section(10, code.b)
	return m.b
}

// locals writes a function's local declarations: ni i32 and nv v128 locals.
func (a *asm) locals(ni, nv uint32) {
	a.u32(2)
	a.u32(ni)
	a.byte(typeI32)
	a.u32(nv)
	a.byte(typeV128)
}

// madd leaves acc + x·y on the stack, with the values of the three locals:
// fused or not under relaxed, a multiply then an add otherwise.
func (a *asm) madd(relaxed bool, x, y, acc uint32) {
	if relaxed {
		a.get(x)
		a.get(y)
		a.get(acc)
		a.simd(simdF32x4RelaxMadd)
		return
	}
	a.get(acc)
	a.get(x)
	a.get(y)
	a.simd(simdF32x4Mul)
	a.simd(simdF32x4Add)
}

// zero leaves a v128 of zeros on the stack.
func (a *asm) zero() {
	a.simd(simdV128Const)
	a.byte(make([]byte, 16)...)
}

// load32 leaves the i32 at local addr + offset on the stack.
func (a *asm) load32(addr uint32, offset uint32) {
	a.get(addr)
	a.byte(opI32Load)
	a.u32(2)
	a.u32(offset)
}

// tileRows writes the multiply-adds of one depth step of a 4×8 tile: for
// each row r, A[r] (the float at local aPtr + 4r + aOff, broadcast into
// local av) times the two B vectors in locals b0 and b1, added to the
// accumulators acc+2r and acc+2r+1.
func (a *asm) tileRows(relaxed bool, aPtr, aOff, b0, b1, av, acc uint32) {
	for r := uint32(0); r < 4; r++ {
		a.get(aPtr)
		a.mem(simdV128Load32Spl, 2, aOff+4*r)
		a.set(av)
		for h, bv := range []uint32{b0, b1} {
			x := acc + 2*r + uint32(h)
			a.madd(relaxed, av, bv, x)
			a.set(x)
		}
	}
}

// storeTile stores the 4×8 tile of the accumulators from acc (row r in
// acc+2r and acc+2r+1) at local ptr, rows local ldc bytes apart; ptr is
// advanced to the last row. align is the stores' alignment hint (log2).
func (a *asm) storeTile(ptr, ldc, acc, align uint32) {
	for r := uint32(0); r < 4; r++ {
		for h := uint32(0); h < 2; h++ {
			a.get(ptr)
			a.get(acc + 2*r + h)
			a.mem(simdV128Store, align, 16*h)
		}
		if r < 3 {
			a.addTo(ptr, int64(ldc))
		}
	}
}

// name writes a name: its length, then its bytes.
func (a *asm) name(s string) {
	a.u32(uint32(len(s)))
	a.byte([]byte(s)...)
}

// tileAddr sets local dst to the address of tile (i, j) of C: c + i·ldc + 4j,
// from the locals c, i, ldc (bytes) and j.
func (a *asm) tileAddr(dst, c, i, ldc, j uint32) {
	a.get(c)
	a.get(i)
	a.get(ldc)
	a.byte(opI32Mul)
	a.byte(opI32Add)
	a.get(j)
	a.const32(2)
	a.byte(opI32Shl)
	a.byte(opI32Add)
	a.set(dst)
}
