//go:build amd64 && !purego

#include "textflag.h"

// maxPoolSame3AVX2 pools planes of h rows of w ≥ 8 floats by 3×3 windows
// of stride 1 padded by 1, eight outputs at a time, the last block of a
// row overlapping the one before it. A window's rows are the row above,
// the row and the row below, clamped to the plane (the first or last one
// read twice), so the top and bottom rows need no copy; its columns are
// the loads one float left and right of the block, except in the first
// block, whose left neighbours are the block's floats moved one lane up
// (lane 0 repeated), and the last, whose right neighbours are moved one
// lane down (lane 7 repeated): no load reaches outside the row. The taps
// are taken row by row, left to right, the first as the running maximum
// and each later one by VMAXPS best, v, best, which keeps best unless v
// is greater: maxPoolSame3Go's order, NaNs, ties and zero signs.

DATA same3Left<>+0(SB)/4, $0
DATA same3Left<>+4(SB)/4, $0
DATA same3Left<>+8(SB)/4, $1
DATA same3Left<>+12(SB)/4, $2
DATA same3Left<>+16(SB)/4, $3
DATA same3Left<>+20(SB)/4, $4
DATA same3Left<>+24(SB)/4, $5
DATA same3Left<>+28(SB)/4, $6
GLOBL same3Left<>(SB), RODATA|NOPTR, $32

DATA same3Right<>+0(SB)/4, $1
DATA same3Right<>+4(SB)/4, $2
DATA same3Right<>+8(SB)/4, $3
DATA same3Right<>+12(SB)/4, $4
DATA same3Right<>+16(SB)/4, $5
DATA same3Right<>+20(SB)/4, $6
DATA same3Right<>+24(SB)/4, $7
DATA same3Right<>+28(SB)/4, $7
GLOBL same3Right<>(SB), RODATA|NOPTR, $32

// Each SAME3_* macro loads the left, middle and right taps of the block at
// column CX of the row at P into L, M and R.
#define SAME3_MID(P, L, M, R) \
	VMOVUPS -4(P)(CX*4), L \
	VMOVUPS (P)(CX*4), M   \
	VMOVUPS 4(P)(CX*4), R

#define SAME3_FIRST(P, L, M, R) \
	VMOVUPS (P)(CX*4), M   \
	VPERMPS M, Y14, L      \
	VMOVUPS 4(P)(CX*4), R

#define SAME3_LAST(P, L, M, R) \
	VMOVUPS -4(P)(CX*4), L \
	VMOVUPS (P)(CX*4), M   \
	VPERMPS M, Y15, R

#define SAME3_ONLY(P, L, M, R) \
	VMOVUPS (P)(CX*4), M \
	VPERMPS M, Y14, L    \
	VPERMPS M, Y15, R

// SAME3_BLOCK pools the block at column CX from the rows at AX, BX and DX
// into Y0, loading each row's taps with LOAD.
#define SAME3_BLOCK(LOAD) \
	LOAD(AX, Y1, Y2, Y3)    \
	LOAD(BX, Y4, Y5, Y6)    \
	LOAD(DX, Y7, Y8, Y9)    \
	VMAXPS  Y1, Y2, Y0      \
	VMAXPS  Y0, Y3, Y0      \
	VMAXPS  Y0, Y4, Y0      \
	VMAXPS  Y0, Y5, Y0      \
	VMAXPS  Y0, Y6, Y0      \
	VMAXPS  Y0, Y7, Y0      \
	VMAXPS  Y0, Y8, Y0      \
	VMAXPS  Y0, Y9, Y0

// func maxPoolSame3AVX2(y, x unsafe.Pointer, planes, h, w int)
// DI the output row, SI the plane, AX BX DX the rows above, at and below
// the output row, R8 planes left, R9 h, R10 w, R11 w in bytes, R12 the
// output row's index, R13 where the last block of a row starts.
TEXT ·maxPoolSame3AVX2(SB), NOSPLIT, $0-40
	MOVQ    y+0(FP), DI
	MOVQ    x+8(FP), SI
	MOVQ    planes+16(FP), R8
	MOVQ    h+24(FP), R9
	MOVQ    w+32(FP), R10
	MOVQ    R10, R11
	SHLQ    $2, R11
	MOVQ    R10, R13
	SUBQ    $8, R13
	VMOVDQU same3Left<>(SB), Y14
	VMOVDQU same3Right<>(SB), Y15

plane:
	MOVQ SI, AX
	MOVQ SI, BX
	MOVQ SI, DX
	CMPQ R9, $1
	JEQ  first
	ADDQ R11, DX

first:
	XORQ R12, R12

row:
	XORQ CX, CX

col:
	CMPQ CX, R13
	JLE  block
	MOVQ R13, CX

block:
	TESTQ CX, CX
	JNZ   notfirst
	CMPQ  CX, R13
	JEQ   only
	SAME3_BLOCK(SAME3_FIRST)
	JMP   store

only:
	SAME3_BLOCK(SAME3_ONLY)
	JMP store

notfirst:
	CMPQ CX, R13
	JEQ  last
	SAME3_BLOCK(SAME3_MID)
	JMP  store

last:
	SAME3_BLOCK(SAME3_LAST)

store:
	VMOVUPS Y0, (DI)(CX*4)
	ADDQ    $8, CX
	CMPQ    CX, R10
	JLT     col

	// The next output row: the rows move down one, the row below
	// staying on the plane's last.
	ADDQ R11, DI
	MOVQ BX, AX
	ADDQ R11, BX
	INCQ R12
	LEAQ 1(R12), R14
	CMPQ R14, R9
	JGE  clamp
	ADDQ R11, DX

clamp:
	CMPQ R12, R9
	JLT  row

	// BX has moved past the plane's last row: the next plane.
	MOVQ BX, SI
	DECQ R8
	JNZ  plane
	VZEROUPPER
	RET

// The SAME3X_* macros are the SAME3_* ones on four floats, for planes 4
// to 7 wide (GoogLeNet's 7×7): the first and last blocks' neighbours by
// an in-lane permute.
#define SAME3X_MID(P, L, M, R) \
	VMOVUPS -4(P)(CX*4), L \
	VMOVUPS (P)(CX*4), M   \
	VMOVUPS 4(P)(CX*4), R

#define SAME3X_FIRST(P, L, M, R) \
	VMOVUPS   (P)(CX*4), M \
	VPERMILPS $0x90, M, L  \
	VMOVUPS   4(P)(CX*4), R

#define SAME3X_LAST(P, L, M, R) \
	VMOVUPS   -4(P)(CX*4), L \
	VMOVUPS   (P)(CX*4), M   \
	VPERMILPS $0xF9, M, R

#define SAME3X_ONLY(P, L, M, R) \
	VMOVUPS   (P)(CX*4), M \
	VPERMILPS $0x90, M, L  \
	VPERMILPS $0xF9, M, R

#define SAME3X_BLOCK(LOAD) \
	LOAD(AX, X1, X2, X3) \
	LOAD(BX, X4, X5, X6) \
	LOAD(DX, X7, X8, X9) \
	VMAXPS X1, X2, X0    \
	VMAXPS X0, X3, X0    \
	VMAXPS X0, X4, X0    \
	VMAXPS X0, X5, X0    \
	VMAXPS X0, X6, X0    \
	VMAXPS X0, X7, X0    \
	VMAXPS X0, X8, X0    \
	VMAXPS X0, X9, X0

// func maxPoolSame3AVX(y, x unsafe.Pointer, planes, h, w int)
// maxPoolSame3AVX2 four floats at a time, for 4 ≤ w: the same registers,
// R13 where the last block of four starts.
TEXT ·maxPoolSame3AVX(SB), NOSPLIT, $0-40
	MOVQ y+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ planes+16(FP), R8
	MOVQ h+24(FP), R9
	MOVQ w+32(FP), R10
	MOVQ R10, R11
	SHLQ $2, R11
	MOVQ R10, R13
	SUBQ $4, R13

xplane:
	MOVQ SI, AX
	MOVQ SI, BX
	MOVQ SI, DX
	CMPQ R9, $1
	JEQ  xfirst
	ADDQ R11, DX

xfirst:
	XORQ R12, R12

xrow:
	XORQ CX, CX

xcol:
	CMPQ CX, R13
	JLE  xblock
	MOVQ R13, CX

xblock:
	TESTQ CX, CX
	JNZ   xnotfirst
	CMPQ  CX, R13
	JEQ   xonly
	SAME3X_BLOCK(SAME3X_FIRST)
	JMP   xstore

xonly:
	SAME3X_BLOCK(SAME3X_ONLY)
	JMP xstore

xnotfirst:
	CMPQ CX, R13
	JEQ  xlast
	SAME3X_BLOCK(SAME3X_MID)
	JMP  xstore

xlast:
	SAME3X_BLOCK(SAME3X_LAST)

xstore:
	VMOVUPS X0, (DI)(CX*4)
	ADDQ    $4, CX
	CMPQ    CX, R10
	JLT     xcol

	ADDQ R11, DI
	MOVQ BX, AX
	ADDQ R11, BX
	INCQ R12
	LEAQ 1(R12), R14
	CMPQ R14, R9
	JGE  xclamp
	ADDQ R11, DX

xclamp:
	CMPQ R12, R9
	JLT  xrow

	MOVQ BX, SI
	DECQ R8
	JNZ  xplane
	RET
