//go:build amd64 && !purego

#include "textflag.h"

// The kernels of maxPoolRowsAVX2: for each of rows output rows (yRow floats
// apart at y) and each column c < n (n ≥ 8), the largest of the kh×kw
// floats at x + r·xRow + i·w + c·sw + j, eight columns at a time, the last
// block of a row overlapping the one before it. The running maximum starts
// at tap (0, 0) and each tap, (0, 0) again included, is taken by
// VMAXPS best, v, best, which keeps best unless v is greater: the order
// and the NaN, tie and zero-sign behaviour of the Go loop. No load reaches
// past the last float a window reads.

// ROWS_ARGS loads both kernels' arguments: DI y, SI x, R8 rows, R9 n,
// R10–R12 yRow, xRow and w in bytes, R13 kh, R14 kw, R15 where the last
// block of a row starts.
#define ROWS_ARGS \
	MOVQ y+0(FP), DI \
	MOVQ x+8(FP), SI \
	MOVQ rows+16(FP), R8 \
	MOVQ n+24(FP), R9 \
	MOVQ yRow+32(FP), R10 \
	MOVQ xRow+40(FP), R11 \
	MOVQ w+48(FP), R12 \
	MOVQ kh+56(FP), R13 \
	MOVQ kw+64(FP), R14 \
	SHLQ $2, R10 \
	SHLQ $2, R11 \
	SHLQ $2, R12 \
	MOVQ R9, R15 \
	SUBQ $8, R15

// func maxPoolRowsS1AVX2(y, x unsafe.Pointer, rows, n, yRow, xRow, w, kh, kw int)
TEXT ·maxPoolRowsS1AVX2(SB), NOSPLIT, $0-72
	ROWS_ARGS

s1row:
	XORQ CX, CX

s1col:
	CMPQ CX, R15
	JLE  s1block
	MOVQ R15, CX

s1block:
	LEAQ    (SI)(CX*4), AX
	VMOVUPS (AX), Y0
	MOVQ    R13, BX

s1taprow:
	XORQ DX, DX

s1tap:
	VMOVUPS (AX)(DX*4), Y1
	VMAXPS  Y0, Y1, Y0
	INCQ    DX
	CMPQ    DX, R14
	JLT     s1tap
	ADDQ    R12, AX
	DECQ    BX
	JNZ     s1taprow

	VMOVUPS Y0, (DI)(CX*4)
	ADDQ    $8, CX
	CMPQ    CX, R9
	JLT     s1col

	ADDQ R10, DI
	ADDQ R11, SI
	DECQ R8
	JNZ  s1row
	VZEROUPPER
	RET

// func maxPoolRowsS2AVX2(y, x unsafe.Pointer, rows, n, yRow, xRow, w, kh, kw int)
// Stride 2: a tap's eight inputs are the even floats of the fifteen from
// its first; VSHUFPS $0xD8 of the eight at 0 and the eight at 7 gathers
// them as 0 2 8 10 4 6 12 14, an order the maximum keeps, so one VPERMPD
// per block puts them right before the store.
TEXT ·maxPoolRowsS2AVX2(SB), NOSPLIT, $0-72
	ROWS_ARGS

s2row:
	XORQ CX, CX

s2col:
	CMPQ CX, R15
	JLE  s2block
	MOVQ R15, CX

s2block:
	LEAQ    (SI)(CX*8), AX
	VMOVUPS (AX), Y1
	VMOVUPS 28(AX), Y2
	VSHUFPS $0xD8, Y2, Y1, Y0
	MOVQ    R13, BX

s2taprow:
	XORQ DX, DX

s2tap:
	VMOVUPS (AX)(DX*4), Y1
	VMOVUPS 28(AX)(DX*4), Y2
	VSHUFPS $0xD8, Y2, Y1, Y1
	VMAXPS  Y0, Y1, Y0
	INCQ    DX
	CMPQ    DX, R14
	JLT     s2tap
	ADDQ    R12, AX
	DECQ    BX
	JNZ     s2taprow

	VPERMPD $0xD8, Y0, Y0
	VMOVUPS Y0, (DI)(CX*4)
	ADDQ    $8, CX
	CMPQ    CX, R9
	JLT     s2col

	ADDQ R10, DI
	ADDQ R11, SI
	DECQ R8
	JNZ  s2row
	VZEROUPPER
	RET

// func planeMeansAVX2(y, x unsafe.Pointer, planes, hw int, inv float64)
// planes > 0, hw > 0: y[p] = float32(inv · Σ x[p·hw + i]), the sum in
// float64: four accumulators of four while sixteen floats are left, then
// one of four, then one float at a time.
TEXT ·planeMeansAVX2(SB), NOSPLIT, $0-40
	MOVQ   y+0(FP), DI
	MOVQ   x+8(FP), SI
	MOVQ   planes+16(FP), R8
	MOVQ   hw+24(FP), R9
	VMOVSD inv+32(FP), X15

gplane:
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	MOVQ   R9, CX

g16:
	CMPQ      CX, $16
	JLT       g4
	VCVTPS2PD (SI), Y4
	VCVTPS2PD 16(SI), Y5
	VCVTPS2PD 32(SI), Y6
	VCVTPS2PD 48(SI), Y7
	VADDPD    Y4, Y0, Y0
	VADDPD    Y5, Y1, Y1
	VADDPD    Y6, Y2, Y2
	VADDPD    Y7, Y3, Y3
	ADDQ      $64, SI
	SUBQ      $16, CX
	JMP       g16

g4:
	CMPQ      CX, $4
	JLT       gsum
	VCVTPS2PD (SI), Y4
	VADDPD    Y4, Y0, Y0
	ADDQ      $16, SI
	SUBQ      $4, CX
	JMP       g4

gsum:
	VADDPD       Y1, Y0, Y0
	VADDPD       Y3, Y2, Y2
	VADDPD       Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPD       X1, X0, X0
	VHADDPD      X0, X0, X0

g1:
	TESTQ     CX, CX
	JEQ       gstore
	VCVTSS2SD (SI), X4, X4
	VADDSD    X4, X0, X0
	ADDQ      $4, SI
	DECQ      CX
	JMP       g1

gstore:
	VMULSD    X15, X0, X0
	VCVTSD2SS X0, X0, X0
	VMOVSS    X0, (DI)
	ADDQ      $4, DI
	DECQ      R8
	JNE       gplane
	VZEROUPPER
	RET
