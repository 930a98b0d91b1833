//go:build amd64 && !purego

#include "textflag.h"

// func scaleShiftAVX2(y, x, a, b unsafe.Pointer, planes, hw int, relu bool)
// planes > 0, hw > 0. Eight floats at a time, the rest of each plane one
// by one: a multiply then an add, each rounded, as scaleShiftGo; under
// relu VMAXPS v, 0 returns its second source v unless 0 > v, which keeps
// NaN and −0 as ReLU does.
TEXT ·scaleShiftAVX2(SB), NOSPLIT, $0-49
	MOVQ    y+0(FP), DI
	MOVQ    x+8(FP), SI
	MOVQ    a+16(FP), R8
	MOVQ    b+24(FP), R9
	MOVQ    planes+32(FP), R10
	MOVQ    hw+40(FP), R11
	MOVBLZX relu+48(FP), R12
	MOVQ    R11, R13
	ANDQ    $-8, R13
	VXORPS  Y7, Y7, Y7

plane:
	VBROADCASTSS (R8), Y0
	VBROADCASTSS (R9), Y1
	XORQ         CX, CX
	CMPQ         CX, R13
	JGE          tail

vec:
	VMOVUPS (SI)(CX*4), Y2
	VMULPS  Y0, Y2, Y2
	VADDPS  Y1, Y2, Y2
	TESTQ   R12, R12
	JZ      vstore
	VMAXPS  Y2, Y7, Y2

vstore:
	VMOVUPS Y2, (DI)(CX*4)
	ADDQ    $8, CX
	CMPQ    CX, R13
	JLT     vec

tail:
	CMPQ   CX, R11
	JGE    next
	VMOVSS (SI)(CX*4), X2
	VMULSS X0, X2, X2
	VADDSS X1, X2, X2
	TESTQ  R12, R12
	JZ     sstore
	VMAXSS X2, X7, X2

sstore:
	VMOVSS X2, (DI)(CX*4)
	INCQ   CX
	JMP    tail

next:
	LEAQ (SI)(R11*4), SI
	LEAQ (DI)(R11*4), DI
	ADDQ $4, R8
	ADDQ $4, R9
	DECQ R10
	JNZ  plane
	VZEROUPPER
	RET
