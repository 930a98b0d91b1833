// Package wasmsimd writes the WebAssembly module of wasmcnn's SIMD
// kernels. Go's compiler emits no WebAssembly SIMD, so the browser build
// instantiates this small module, importing the Go instance's own memory,
// and calls it with the addresses of Go-owned buffers: no copies. The
// module is emitted by the Go code below rather than assembled from text,
// so it is reviewed, versioned and tested as Go.
package wasmsimd

// asm accumulates WebAssembly bytes.
type asm struct{ b []byte }

func (a *asm) byte(bs ...byte) { a.b = append(a.b, bs...) }

// u32 writes an unsigned LEB128 integer.
func (a *asm) u32(v uint32) {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v != 0 {
			c |= 0x80
		}
		a.b = append(a.b, c)
		if v == 0 {
			return
		}
	}
}

// i32 writes a signed LEB128 integer.
func (a *asm) i32(v int32) {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		done := (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0)
		if !done {
			c |= 0x80
		}
		a.b = append(a.b, c)
		if done {
			return
		}
	}
}

// section writes a section: its id, size and contents.
func (a *asm) section(id byte, body []byte) {
	a.byte(id)
	a.u32(uint32(len(body)))
	a.byte(body...)
}

// Value types, block type and opcodes used by the kernel.
const (
	typeI32   = 0x7f
	typeV128  = 0x7b
	blockVoid = 0x40

	opBlock    = 0x02
	opLoop     = 0x03
	opIf       = 0x04
	opElse     = 0x05
	opEnd      = 0x0b
	opBr       = 0x0c
	opBrIf     = 0x0d
	opSelect   = 0x1b
	opLocalGet = 0x20
	opLocalSet = 0x21
	opLocalTee = 0x22
	opI32Load  = 0x28
	opF32Load  = 0x2a
	opF32Store = 0x38
	opI32Const = 0x41
	opI32Eqz   = 0x45
	opI32LtU   = 0x49
	opI32GeU   = 0x4f
	opI32GtU   = 0x4b
	opI32Add   = 0x6a
	opI32Sub   = 0x6b
	opI32Mul   = 0x6c
	opI32Shl   = 0x74
	opF32Add   = 0x92

	prefixBulk     = 0xfc
	bulkMemoryCopy = 0x0a // after prefixBulk, then two memory indices

	prefixSIMD = 0xfd
	// SIMD opcodes (after the 0xfd prefix, LEB128).
	simdV128Load       = 0x00
	simdV128Load32Spl  = 0x09
	simdV128Store      = 0x0b
	simdV128Const      = 0x0c
	simdI8x16Shuffle   = 0x0d
	simdF32x4Extract   = 0x1f
	simdF32x4Add       = 0xe4
	simdF32x4Mul       = 0xe6
	simdF32x4PMax      = 0xeb
	simdF32x4RelaxMadd = 0x105
)

func (a *asm) get(l uint32)    { a.byte(opLocalGet); a.u32(l) }
func (a *asm) set(l uint32)    { a.byte(opLocalSet); a.u32(l) }
func (a *asm) tee(l uint32)    { a.byte(opLocalTee); a.u32(l) }
func (a *asm) const32(v int32) { a.byte(opI32Const); a.i32(v) }

// simd writes a SIMD instruction.
func (a *asm) simd(op uint32) { a.byte(prefixSIMD); a.u32(op) }

// mem writes a SIMD memory instruction with its alignment (log2) and offset.
func (a *asm) mem(op uint32, align, offset uint32) {
	a.simd(op)
	a.u32(align)
	a.u32(offset)
}
