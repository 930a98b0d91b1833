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
// into V0, loading each row's taps with LOAD into V1 to V9.
#define SAME3_BLOCK(LOAD, V0, V1, V2, V3, V4, V5, V6, V7, V8, V9) \
	LOAD(AX, V1, V2, V3) \
	LOAD(BX, V4, V5, V6) \
	LOAD(DX, V7, V8, V9) \
	VMAXPS V1, V2, V0    \
	VMAXPS V0, V3, V0    \
	VMAXPS V0, V4, V0    \
	VMAXPS V0, V5, V0    \
	VMAXPS V0, V6, V0    \
	VMAXPS V0, V7, V0    \
	VMAXPS V0, V8, V0    \
	VMAXPS V0, V9, V0

// SAME3_PLANES is both kernels' loop, STEP outputs a block, the block's
// taps loaded by FIRST, ONLY (a row of one block), MID and LAST into V1 to
// V9 and pooled into V0. DI the output row, SI the plane, AX BX DX the
// rows above, at and below the output row, R8 planes left, R9 h, R10 w,
// R11 w in bytes, R12 the output row's index, R13 where the last block of
// a row starts.
#define SAME3_PLANES(STEP, FIRST, ONLY, MID, LAST, V0, V1, V2, V3, V4, V5, V6, V7, V8, V9) \
	MOVQ y+0(FP), DI                                     \
	MOVQ x+8(FP), SI                                     \
	MOVQ planes+16(FP), R8                               \
	MOVQ h+24(FP), R9                                    \
	MOVQ w+32(FP), R10                                   \
	MOVQ R10, R11                                        \
	SHLQ $2, R11                                         \
	MOVQ R10, R13                                        \
	SUBQ $STEP, R13                                      \
plane:                                                   \
	MOVQ SI, AX                                          \
	MOVQ SI, BX                                          \
	MOVQ SI, DX                                          \
	CMPQ R9, $1                                          \
	JEQ  first                                           \
	ADDQ R11, DX                                         \
first:                                                   \
	XORQ R12, R12                                        \
row:                                                     \
	XORQ CX, CX                                          \
col:                                                     \
	CMPQ CX, R13                                         \
	JLE  block                                           \
	MOVQ R13, CX                                         \
block:                                                   \
	TESTQ CX, CX                                         \
	JNZ   notfirst                                       \
	CMPQ  CX, R13                                        \
	JEQ   only                                           \
	SAME3_BLOCK(FIRST, V0, V1, V2, V3, V4, V5, V6, V7, V8, V9) \
	JMP   store                                          \
only:                                                    \
	SAME3_BLOCK(ONLY, V0, V1, V2, V3, V4, V5, V6, V7, V8, V9) \
	JMP store                                            \
notfirst:                                                \
	CMPQ CX, R13                                         \
	JEQ  last                                            \
	SAME3_BLOCK(MID, V0, V1, V2, V3, V4, V5, V6, V7, V8, V9) \
	JMP  store                                           \
last:                                                    \
	SAME3_BLOCK(LAST, V0, V1, V2, V3, V4, V5, V6, V7, V8, V9) \
store:                                                   \
	VMOVUPS V0, (DI)(CX*4)                               \
	ADDQ    $STEP, CX                                    \
	CMPQ    CX, R10                                      \
	JLT     col                                          \
	/* The next output row: the rows move down one, the row below staying on the plane's last. */ \
	ADDQ R11, DI                                         \
	MOVQ BX, AX                                          \
	ADDQ R11, BX                                         \
	INCQ R12                                             \
	LEAQ 1(R12), R14                                     \
	CMPQ R14, R9                                         \
	JGE  clamp                                           \
	ADDQ R11, DX                                         \
clamp:                                                   \
	CMPQ R12, R9                                         \
	JLT  row                                             \
	/* BX has moved past the plane's last row: the next plane. */ \
	MOVQ BX, SI                                          \
	DECQ R8                                              \
	JNZ  plane                                           \
	VZEROUPPER                                           \
	RET

// func maxPoolSame3AVX2(y, x unsafe.Pointer, planes, h, w int)
TEXT ·maxPoolSame3AVX2(SB), NOSPLIT, $0-40
	VMOVDQU same3Left<>(SB), Y14
	VMOVDQU same3Right<>(SB), Y15
	SAME3_PLANES(8, SAME3_FIRST, SAME3_ONLY, SAME3_MID, SAME3_LAST, Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9)

// The SAME3X_* macros are the SAME3_* ones on four floats, for planes 4
// to 7 wide (GoogLeNet's 7×7): the first and last blocks' neighbours by
// an in-lane permute.
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

// func maxPoolSame3AVX(y, x unsafe.Pointer, planes, h, w int)
// maxPoolSame3AVX2 four floats at a time, for 4 ≤ w (the middle blocks'
// loads are the same on XMM registers).
TEXT ·maxPoolSame3AVX(SB), NOSPLIT, $0-40
	SAME3_PLANES(4, SAME3X_FIRST, SAME3X_ONLY, SAME3_MID, SAME3X_LAST, X0, X1, X2, X3, X4, X5, X6, X7, X8, X9)
