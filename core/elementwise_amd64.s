//go:build amd64 && !purego

#include "textflag.h"

// func reluAVX2(y, x unsafe.Pointer, n int)
// n > 0 is a multiple of 8. VMAXPS returns its second source when the
// comparison fails (NaN, or equal zeros), so max(0, v) with v second keeps
// NaN and −0 exactly as the Go loop does.
TEXT ·reluAVX2(SB), NOSPLIT, $0-24
	MOVQ   y+0(FP), DI
	MOVQ   x+8(FP), SI
	MOVQ   n+16(FP), CX
	VXORPS Y0, Y0, Y0
	XORQ   AX, AX

reluloop:
	VMOVUPS (SI)(AX*4), Y1
	VMAXPS  Y1, Y0, Y2
	VMOVUPS Y2, (DI)(AX*4)
	ADDQ    $8, AX
	CMPQ    AX, CX
	JLT     reluloop
	VZEROUPPER
	RET

// func maxPool2AVX2(y, x unsafe.Pointer, rows, w, ow int)
// rows > 0; ow ≥ 8. Output row q (ow floats, rows consecutive at y) pools
// input rows 2q and 2q+1 (w floats apart; pairs 2w apart at x), eight
// outputs at a time; the last block of a row overlaps the one before it.
// Even and odd columns are split with VSHUFPS, which leaves the outputs in
// the order 0 1 4 5 2 3 6 7, put right by VPERMPD. Each VMAXPS keeps the
// running maximum unless the new value is greater, as the Go loop does.
TEXT ·maxPool2AVX2(SB), NOSPLIT, $0-40
	MOVQ y+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ rows+16(FP), R8
	MOVQ w+24(FP), R9
	MOVQ ow+32(FP), R10
	SHLQ $2, R9
	MOVQ R10, R11
	SUBQ $8, R11

rowloop:
	XORQ CX, CX

colloop:
	CMPQ CX, R11
	JLE  inside
	MOVQ R11, CX

inside:
	LEAQ    (SI)(CX*8), AX
	VMOVUPS (AX), Y0
	VMOVUPS 32(AX), Y1
	VMOVUPS (AX)(R9*1), Y2
	VMOVUPS 32(AX)(R9*1), Y3
	VSHUFPS $0x88, Y1, Y0, Y4
	VSHUFPS $0xDD, Y1, Y0, Y5
	VSHUFPS $0x88, Y3, Y2, Y6
	VSHUFPS $0xDD, Y3, Y2, Y7
	VMAXPS  Y4, Y5, Y4
	VMAXPS  Y4, Y6, Y4
	VMAXPS  Y4, Y7, Y4
	VPERMPD $0xD8, Y4, Y4
	VMOVUPS Y4, (DI)(CX*4)
	ADDQ    $8, CX
	CMPQ    CX, R10
	JLT     colloop

	LEAQ (DI)(R10*4), DI
	LEAQ (SI)(R9*2), SI
	DECQ R8
	JNZ  rowloop
	VZEROUPPER
	RET
