//go:build amd64 && !purego

#include "textflag.h"
#include "go_asm.h"

DATA fusedOne<>+0(SB)/4, $0x3f800000
GLOBL fusedOne<>(SB), RODATA, $4

// fusedMask<>+32-4n holds n lanes of ones, then zeros: VMASKMOVPS's mask
// for the last n < 8 columns of a row.
DATA fusedMask<>+0(SB)/4, $0xffffffff
DATA fusedMask<>+4(SB)/4, $0xffffffff
DATA fusedMask<>+8(SB)/4, $0xffffffff
DATA fusedMask<>+12(SB)/4, $0xffffffff
DATA fusedMask<>+16(SB)/4, $0xffffffff
DATA fusedMask<>+20(SB)/4, $0xffffffff
DATA fusedMask<>+24(SB)/4, $0xffffffff
DATA fusedMask<>+28(SB)/4, $0xffffffff
DATA fusedMask<>+32(SB)/4, $0
DATA fusedMask<>+36(SB)/4, $0
DATA fusedMask<>+40(SB)/4, $0
DATA fusedMask<>+44(SB)/4, $0
DATA fusedMask<>+48(SB)/4, $0
DATA fusedMask<>+52(SB)/4, $0
DATA fusedMask<>+56(SB)/4, $0
DATA fusedMask<>+60(SB)/4, $0
GLOBL fusedMask<>(SB), RODATA, $64

// The activations on one register v, with Lo, Hi, Alpha, Beta broadcast
// in Y9–Y12, zero in Y13 and one in Y14; Y0 and Y1 are scratch. VMAXPS and
// VMINPS return their second source (here v) when the comparison fails,
// so NaN passes through and −0 stays −0, as in Activation.Apply.
#define ACT_CLIP(v) VMAXPS v, Y9, v; VMINPS v, Y10, v
#define ACT_LEAKY(v) VMULPS Y11, v, Y0; VCMPPS $1, Y13, v, Y1; VBLENDVPS Y1, Y0, v, v
#define ACT_HSWISH(v) VMOVAPS Y12, Y0; VFMADD231PS v, Y11, Y0; VMAXPS Y0, Y13, Y0; VMINPS Y0, Y14, Y0; VMULPS Y0, v, v
#define ACT_HSIG(v) VMOVAPS Y12, Y0; VFMADD231PS v, Y11, Y0; VMAXPS Y0, Y13, Y0; VMINPS Y0, Y14, v

// LOAD_ACT broadcasts the activation's parameters at params (a register)
// into Y9–Y12 and sets Y13 and Y14.
#define LOAD_ACT(params) VBROADCASTSS 0(params), Y9; VBROADCASTSS 4(params), Y10; VBROADCASTSS 8(params), Y11; VBROADCASTSS 12(params), Y12; VXORPS Y13, Y13, Y13; VBROADCASTSS fusedOne<>(SB), Y14

// func gemmEpAVX2(pa, pb unsafe.Pointer, bRow int, c unsafe.Pointer, ldc, mp, np, kb int, ep *EpilogueArgs)
//
// Row panels of six (A at R9, C at R11) outside, tiles of sixteen columns
// (byte offset BX) inside. Accumulators: row r in Y(4+2r) and Y(5+2r).
// Locals: 0(SP) the bias of the panel's first row, 8(SP) its residual row.
TEXT ·gemmEpAVX2(SB), NOSPLIT, $16-72
	MOVQ pa+0(FP), R9
	MOVQ pb+8(FP), R10
	MOVQ bRow+16(FP), R8
	SHLQ $2, R8
	MOVQ c+24(FP), R11
	MOVQ ldc+32(FP), R12
	SHLQ $2, R12
	MOVQ mp+40(FP), R13
	MOVQ np+48(FP), R14
	SHLQ $2, R14
	MOVQ kb+56(FP), R15
	MOVQ ep+64(FP), DX
	MOVQ EpilogueArgs_Bias(DX), AX
	MOVQ AX, 0(SP)
	MOVQ EpilogueArgs_Res(DX), AX
	MOVQ AX, 8(SP)

gpanel:
	TESTQ R13, R13
	JLE   gdone
	XORQ  BX, BX

gtile:
	CMPQ   BX, R14
	JGE    gnextpanel
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	VXORPS Y12, Y12, Y12
	VXORPS Y13, Y13, Y13
	VXORPS Y14, Y14, Y14
	VXORPS Y15, Y15, Y15
	MOVQ   R9, SI
	LEAQ   (R10)(BX*1), DI
	MOVQ   R15, CX
	TESTQ  CX, CX
	JEQ    gepilogue

gloop:
	VMOVUPS      (DI), Y0
	VMOVUPS      32(DI), Y1
	VBROADCASTSS (SI), Y2
	VFMADD231PS  Y0, Y2, Y4
	VFMADD231PS  Y1, Y2, Y5
	VBROADCASTSS 4(SI), Y3
	VFMADD231PS  Y0, Y3, Y6
	VFMADD231PS  Y1, Y3, Y7
	VBROADCASTSS 8(SI), Y2
	VFMADD231PS  Y0, Y2, Y8
	VFMADD231PS  Y1, Y2, Y9
	VBROADCASTSS 12(SI), Y3
	VFMADD231PS  Y0, Y3, Y10
	VFMADD231PS  Y1, Y3, Y11
	VBROADCASTSS 16(SI), Y2
	VFMADD231PS  Y0, Y2, Y12
	VFMADD231PS  Y1, Y2, Y13
	VBROADCASTSS 20(SI), Y3
	VFMADD231PS  Y0, Y3, Y14
	VFMADD231PS  Y1, Y3, Y15
	ADDQ         $24, SI
	ADDQ         R8, DI
	DECQ         CX
	JNE          gloop

gepilogue:
	MOVQ  EpilogueArgs_Flags(DX), CX
	LEAQ  (R11)(BX*1), AX
	TESTQ $const_EpAccumulate, CX
	JNE   gaccumulate
	TESTQ $const_EpBias, CX
	JEQ   gresidual
	MOVQ  0(SP), SI
	VBROADCASTSS 0(SI), Y0
	VADDPS       Y0, Y4, Y4
	VADDPS       Y0, Y5, Y5
	VBROADCASTSS 4(SI), Y0
	VADDPS       Y0, Y6, Y6
	VADDPS       Y0, Y7, Y7
	VBROADCASTSS 8(SI), Y0
	VADDPS       Y0, Y8, Y8
	VADDPS       Y0, Y9, Y9
	VBROADCASTSS 12(SI), Y0
	VADDPS       Y0, Y10, Y10
	VADDPS       Y0, Y11, Y11
	VBROADCASTSS 16(SI), Y0
	VADDPS       Y0, Y12, Y12
	VADDPS       Y0, Y13, Y13
	VBROADCASTSS 20(SI), Y0
	VADDPS       Y0, Y14, Y14
	VADDPS       Y0, Y15, Y15

gresidual:
	TESTQ $const_EpResidual, CX
	JEQ   gstore
	MOVQ  8(SP), SI
	ADDQ  BX, SI
	MOVQ  EpilogueArgs_ResLd(DX), DI
	SHLQ  $2, DI
	VADDPS (SI), Y4, Y4
	VADDPS 32(SI), Y5, Y5
	ADDQ   DI, SI
	VADDPS (SI), Y6, Y6
	VADDPS 32(SI), Y7, Y7
	ADDQ   DI, SI
	VADDPS (SI), Y8, Y8
	VADDPS 32(SI), Y9, Y9
	ADDQ   DI, SI
	VADDPS (SI), Y10, Y10
	VADDPS 32(SI), Y11, Y11
	ADDQ   DI, SI
	VADDPS (SI), Y12, Y12
	VADDPS 32(SI), Y13, Y13
	ADDQ   DI, SI
	VADDPS (SI), Y14, Y14
	VADDPS 32(SI), Y15, Y15
	JMP    gstore

gaccumulate:
	MOVQ   AX, SI
	VADDPS (SI), Y4, Y4
	VADDPS 32(SI), Y5, Y5
	ADDQ   R12, SI
	VADDPS (SI), Y6, Y6
	VADDPS 32(SI), Y7, Y7
	ADDQ   R12, SI
	VADDPS (SI), Y8, Y8
	VADDPS 32(SI), Y9, Y9
	ADDQ   R12, SI
	VADDPS (SI), Y10, Y10
	VADDPS 32(SI), Y11, Y11
	ADDQ   R12, SI
	VADDPS (SI), Y12, Y12
	VADDPS 32(SI), Y13, Y13
	ADDQ   R12, SI
	VADDPS (SI), Y14, Y14
	VADDPS 32(SI), Y15, Y15

gstore:
	MOVQ    AX, SI
	VMOVUPS Y4, (SI)
	VMOVUPS Y5, 32(SI)
	ADDQ    R12, SI
	VMOVUPS Y6, (SI)
	VMOVUPS Y7, 32(SI)
	ADDQ    R12, SI
	VMOVUPS Y8, (SI)
	VMOVUPS Y9, 32(SI)
	ADDQ    R12, SI
	VMOVUPS Y10, (SI)
	VMOVUPS Y11, 32(SI)
	ADDQ    R12, SI
	VMOVUPS Y12, (SI)
	VMOVUPS Y13, 32(SI)
	ADDQ    R12, SI
	VMOVUPS Y14, (SI)
	VMOVUPS Y15, 32(SI)
	TESTQ   $const_EpActivate, CX
	JEQ     gnexttile

	// The activation, over the tile just stored (still in L1).
	MOVQ    EpilogueArgs_Params(DX), SI
	LOAD_ACT(SI)
	MOVBQZX EpilogueArgs_Act(DX), CX
	MOVQ    AX, SI
	MOVQ    $6, DI
	CMPQ    CX, $const_ActClip
	JEQ     gclip
	CMPQ    CX, $const_ActLeakyReLU
	JEQ     gleaky
	CMPQ    CX, $const_ActHardSwish
	JEQ     ghswish
	CMPQ    CX, $const_ActHardSigmoid
	JEQ     ghsig
	JMP     gnexttile

gclip:
	VMOVUPS (SI), Y4
	VMOVUPS 32(SI), Y5
	ACT_CLIP(Y4)
	ACT_CLIP(Y5)
	VMOVUPS Y4, (SI)
	VMOVUPS Y5, 32(SI)
	ADDQ    R12, SI
	DECQ    DI
	JNE     gclip
	JMP     gnexttile

gleaky:
	VMOVUPS (SI), Y4
	VMOVUPS 32(SI), Y5
	ACT_LEAKY(Y4)
	ACT_LEAKY(Y5)
	VMOVUPS Y4, (SI)
	VMOVUPS Y5, 32(SI)
	ADDQ    R12, SI
	DECQ    DI
	JNE     gleaky
	JMP     gnexttile

ghswish:
	VMOVUPS (SI), Y4
	VMOVUPS 32(SI), Y5
	ACT_HSWISH(Y4)
	ACT_HSWISH(Y5)
	VMOVUPS Y4, (SI)
	VMOVUPS Y5, 32(SI)
	ADDQ    R12, SI
	DECQ    DI
	JNE     ghswish
	JMP     gnexttile

ghsig:
	VMOVUPS (SI), Y4
	VMOVUPS 32(SI), Y5
	ACT_HSIG(Y4)
	ACT_HSIG(Y5)
	VMOVUPS Y4, (SI)
	VMOVUPS Y5, 32(SI)
	ADDQ    R12, SI
	DECQ    DI
	JNE     ghsig

gnexttile:
	ADDQ $64, BX
	JMP  gtile

gnextpanel:
	MOVQ  R15, AX
	IMULQ $24, AX
	ADDQ  AX, R9
	MOVQ  R12, AX
	IMULQ $6, AX
	ADDQ  AX, R11
	ADDQ  $24, 0(SP)
	MOVQ  EpilogueArgs_ResLd(DX), AX
	IMULQ $24, AX
	ADDQ  AX, 8(SP)
	SUBQ  $6, R13
	JMP   gpanel

gdone:
	VZEROUPPER
	RET

// DW_S2(off, acc) adds the weight in Y8 times the even floats of the
// sixteen at AX+off to acc: VSHUFPS takes the even lanes of each half of
// the pair (0 2 8 10 | 4 6 12 14), VPERMPD puts them in order.
#define DW_S2(off, acc) VMOVUPS off(AX), Y0; VMOVUPS off+32(AX), Y1; VSHUFPS $0x88, Y1, Y0, Y2; VPERMPD $0xD8, Y2, Y2; VFMADD231PS Y2, Y8, acc

// DW_LAST4 steps the depthwise kernels back from row R14 to row AX =
// OH − 4 (its input row R15 and output row 0(SP) with it), for a plane's
// last rows, when fewer than four are left, to be taken as its last four.
#define DW_LAST4 SUBQ $4, AX; MOVQ R14, CX; SUBQ AX, CX; MOVQ AX, R14; MOVQ DepthwiseArgs_RowStep(DX), AX; IMULQ CX, AX; SHLQ $2, AX; SUBQ AX, R15; MOVQ DepthwiseArgs_OW(DX), AX; IMULQ CX, AX; SHLQ $2, AX; SUBQ AX, 0(SP)

// DW_S2X is DW_S2 on the input at AX plus idx·sc bytes: another row.
#define DW_S2X(idx, sc, acc) VMOVUPS (AX)(idx*sc), Y0; VMOVUPS 32(AX)(idx*sc), Y1; VSHUFPS $0x88, Y1, Y0, Y2; VPERMPD $0xD8, Y2, Y2; VFMADD231PS Y2, Y8, acc

// func depthwiseAVX2(a *DepthwiseArgs)
//
// Registers: DX the arguments, R9/R10/R11/R12 the channel's input plane,
// output plane, taps and bias, R13 channels left, R14 the row, R15 the
// input row (plane + row·RowStep), BX the column; 0(SP) the output row.
TEXT ·depthwiseAVX2(SB), NOSPLIT, $24-8
	MOVQ    a+0(FP), DX
	MOVBQZX DepthwiseArgs_Act(DX), AX
	TESTQ   AX, AX
	JEQ     dnoact
	MOVQ    DepthwiseArgs_Params(DX), SI
	LOAD_ACT(SI)

dnoact:
	MOVQ DepthwiseArgs_X(DX), R9
	MOVQ DepthwiseArgs_Y(DX), R10
	MOVQ DepthwiseArgs_W(DX), R11
	MOVQ DepthwiseArgs_Bias(DX), R12
	MOVQ DepthwiseArgs_Channels(DX), R13

dchannel:
	TESTQ R13, R13
	JLE   ddone
	XORQ  R14, R14
	MOVQ  R9, R15
	MOVQ  R10, 0(SP)

drow:
	CMPQ R14, DepthwiseArgs_OH(DX)
	JGE  dnextchannel
	LEAQ 4(R14), AX
	CMPQ AX, DepthwiseArgs_OH(DX)
	JLE  drows4

	// Fewer than four rows left of a plane of four or more: step back to
	// its last four (the rows done again are written with the same
	// values) rather than take them one sum at a time.
	MOVQ  DepthwiseArgs_OH(DX), AX
	CMPQ  AX, $4
	JLT   drow1
	DW_LAST4
	JMP   drows4

drow1:
	XORQ BX, BX

dblock32:
	LEAQ         32(BX), AX
	CMPQ         AX, DepthwiseArgs_OW(DX)
	JGT          dvec
	VBROADCASTSS (R12), Y4
	VMOVAPS      Y4, Y5
	VMOVAPS      Y4, Y6
	VMOVAPS      Y4, Y7
	MOVQ         BX, R8
	IMULQ        DepthwiseArgs_SW(DX), R8
	LEAQ         (R15)(R8*4), R8
	MOVQ         DepthwiseArgs_Offs(DX), SI
	MOVQ         R11, DI
	MOVQ         DepthwiseArgs_Taps(DX), CX
	CMPQ         DepthwiseArgs_SW(DX), $1
	JNE          dtap32s2

dtap32s1:
	MOVLQSX      (SI), AX
	VBROADCASTSS (DI), Y8
	VFMADD231PS  (R8)(AX*4), Y8, Y4
	VFMADD231PS  32(R8)(AX*4), Y8, Y5
	VFMADD231PS  64(R8)(AX*4), Y8, Y6
	VFMADD231PS  96(R8)(AX*4), Y8, Y7
	ADDQ         $4, SI
	ADDQ         $4, DI
	DECQ         CX
	JNE          dtap32s1
	JMP          dact32

dtap32s2:
	MOVLQSX      (SI), AX
	LEAQ         (R8)(AX*4), AX
	VBROADCASTSS (DI), Y8
	DW_S2(0, Y4)
	DW_S2(64, Y5)
	DW_S2(128, Y6)
	DW_S2(192, Y7)
	ADDQ         $4, SI
	ADDQ         $4, DI
	DECQ         CX
	JNE          dtap32s2

dact32:
	MOVBQZX DepthwiseArgs_Act(DX), AX
	CMPQ    AX, $const_ActClip
	JEQ     dclip32
	CMPQ    AX, $const_ActLeakyReLU
	JEQ     dleaky32
	CMPQ    AX, $const_ActHardSwish
	JEQ     dhswish32
	CMPQ    AX, $const_ActHardSigmoid
	JEQ     dhsig32
	JMP     dstore32

dclip32:
	ACT_CLIP(Y4)
	ACT_CLIP(Y5)
	ACT_CLIP(Y6)
	ACT_CLIP(Y7)
	JMP dstore32

dleaky32:
	ACT_LEAKY(Y4)
	ACT_LEAKY(Y5)
	ACT_LEAKY(Y6)
	ACT_LEAKY(Y7)
	JMP dstore32

dhswish32:
	ACT_HSWISH(Y4)
	ACT_HSWISH(Y5)
	ACT_HSWISH(Y6)
	ACT_HSWISH(Y7)
	JMP dstore32

dhsig32:
	ACT_HSIG(Y4)
	ACT_HSIG(Y5)
	ACT_HSIG(Y6)
	ACT_HSIG(Y7)

dstore32:
	MOVQ    0(SP), AX
	VMOVUPS Y4, (AX)(BX*4)
	VMOVUPS Y5, 32(AX)(BX*4)
	VMOVUPS Y6, 64(AX)(BX*4)
	VMOVUPS Y7, 96(AX)(BX*4)
	ADDQ    $32, BX
	JMP     dblock32

	// Eight columns at a time, the last ones through a mask.
dvec:
	CMPQ         BX, DepthwiseArgs_OW(DX)
	JGE          dnextrow
	VBROADCASTSS (R12), Y4
	MOVQ         BX, R8
	IMULQ        DepthwiseArgs_SW(DX), R8
	LEAQ         (R15)(R8*4), R8
	MOVQ         DepthwiseArgs_Offs(DX), SI
	MOVQ         R11, DI
	MOVQ         DepthwiseArgs_Taps(DX), CX
	CMPQ         DepthwiseArgs_SW(DX), $1
	JNE          dtap8s2

dtap8s1:
	MOVLQSX      (SI), AX
	VBROADCASTSS (DI), Y8
	VFMADD231PS  (R8)(AX*4), Y8, Y4
	ADDQ         $4, SI
	ADDQ         $4, DI
	DECQ         CX
	JNE          dtap8s1
	JMP          dact8

dtap8s2:
	MOVLQSX      (SI), AX
	LEAQ         (R8)(AX*4), AX
	VBROADCASTSS (DI), Y8
	DW_S2(0, Y4)
	ADDQ         $4, SI
	ADDQ         $4, DI
	DECQ         CX
	JNE          dtap8s2

dact8:
	MOVBQZX DepthwiseArgs_Act(DX), AX
	CMPQ    AX, $const_ActClip
	JEQ     dclip8
	CMPQ    AX, $const_ActLeakyReLU
	JEQ     dleaky8
	CMPQ    AX, $const_ActHardSwish
	JEQ     dhswish8
	CMPQ    AX, $const_ActHardSigmoid
	JEQ     dhsig8
	JMP     dstore8

dclip8:
	ACT_CLIP(Y4)
	JMP dstore8

dleaky8:
	ACT_LEAKY(Y4)
	JMP dstore8

dhswish8:
	ACT_HSWISH(Y4)
	JMP dstore8

dhsig8:
	ACT_HSIG(Y4)

dstore8:
	MOVQ       0(SP), AX
	MOVQ       DepthwiseArgs_OW(DX), CX
	SUBQ       BX, CX
	CMPQ       CX, $8
	JLT        dmasked
	VMOVUPS    Y4, (AX)(BX*4)
	ADDQ       $8, BX
	JMP        dvec

dmasked:
	SHLQ       $2, CX
	LEAQ       fusedMask<>+32(SB), SI
	SUBQ       CX, SI
	VMOVUPS    (SI), Y0
	VMASKMOVPS Y4, Y0, (AX)(BX*4)

dnextrow:
	INCQ R14
	MOVQ DepthwiseArgs_RowStep(DX), AX
	LEAQ (R15)(AX*4), R15
	MOVQ DepthwiseArgs_OW(DX), AX
	SHLQ $2, AX
	ADDQ AX, 0(SP)
	JMP  drow

	// Four rows at a time, eight columns of each (the last ones through a
	// mask): four sums that do not wait on one another, one broadcast of
	// each tap for all four, on rows of any width. R13 and R14 are saved
	// in 8(SP) and 16(SP) and hold the input's row step in bytes and three
	// times it.
drows4:
	MOVQ R13, 8(SP)
	MOVQ R14, 16(SP)
	MOVQ DepthwiseArgs_RowStep(DX), R13
	SHLQ $2, R13
	LEAQ (R13)(R13*2), R14
	XORQ BX, BX

d4block:
	CMPQ         BX, DepthwiseArgs_OW(DX)
	JGE          d4done
	VBROADCASTSS (R12), Y4
	VMOVAPS      Y4, Y5
	VMOVAPS      Y4, Y6
	VMOVAPS      Y4, Y7
	MOVQ         BX, R8
	IMULQ        DepthwiseArgs_SW(DX), R8
	LEAQ         (R15)(R8*4), R8
	MOVQ         DepthwiseArgs_Offs(DX), SI
	MOVQ         R11, DI
	MOVQ         DepthwiseArgs_Taps(DX), CX
	CMPQ         DepthwiseArgs_SW(DX), $1
	JNE          d4taps2

d4taps1:
	MOVLQSX      (SI), AX
	LEAQ         (R8)(AX*4), AX
	VBROADCASTSS (DI), Y8
	VFMADD231PS  (AX), Y8, Y4
	VFMADD231PS  (AX)(R13*1), Y8, Y5
	VFMADD231PS  (AX)(R13*2), Y8, Y6
	VFMADD231PS  (AX)(R14*1), Y8, Y7
	ADDQ         $4, SI
	ADDQ         $4, DI
	DECQ         CX
	JNE          d4taps1
	JMP          d4act

d4taps2:
	MOVLQSX      (SI), AX
	LEAQ         (R8)(AX*4), AX
	VBROADCASTSS (DI), Y8
	DW_S2(0, Y4)
	DW_S2X(R13, 1, Y5)
	DW_S2X(R13, 2, Y6)
	DW_S2X(R14, 1, Y7)
	ADDQ         $4, SI
	ADDQ         $4, DI
	DECQ         CX
	JNE          d4taps2

d4act:
	MOVBQZX DepthwiseArgs_Act(DX), AX
	CMPQ    AX, $const_ActClip
	JEQ     d4clip
	CMPQ    AX, $const_ActLeakyReLU
	JEQ     d4leaky
	CMPQ    AX, $const_ActHardSwish
	JEQ     d4hswish
	CMPQ    AX, $const_ActHardSigmoid
	JEQ     d4hsig
	JMP     d4store

d4clip:
	ACT_CLIP(Y4)
	ACT_CLIP(Y5)
	ACT_CLIP(Y6)
	ACT_CLIP(Y7)
	JMP d4store

d4leaky:
	ACT_LEAKY(Y4)
	ACT_LEAKY(Y5)
	ACT_LEAKY(Y6)
	ACT_LEAKY(Y7)
	JMP d4store

d4hswish:
	ACT_HSWISH(Y4)
	ACT_HSWISH(Y5)
	ACT_HSWISH(Y6)
	ACT_HSWISH(Y7)
	JMP d4store

d4hsig:
	ACT_HSIG(Y4)
	ACT_HSIG(Y5)
	ACT_HSIG(Y6)
	ACT_HSIG(Y7)

d4store:
	MOVQ    0(SP), AX
	MOVQ    DepthwiseArgs_OW(DX), CX
	SUBQ    BX, CX
	CMPQ    CX, $8
	JLT     d4masked
	MOVQ    DepthwiseArgs_OW(DX), CX
	SHLQ    $2, CX
	VMOVUPS Y4, (AX)(BX*4)
	ADDQ    CX, AX
	VMOVUPS Y5, (AX)(BX*4)
	ADDQ    CX, AX
	VMOVUPS Y6, (AX)(BX*4)
	ADDQ    CX, AX
	VMOVUPS Y7, (AX)(BX*4)
	ADDQ    $8, BX
	JMP     d4block

d4masked:
	SHLQ       $2, CX
	LEAQ       fusedMask<>+32(SB), SI
	SUBQ       CX, SI
	VMOVUPS    (SI), Y0
	MOVQ       DepthwiseArgs_OW(DX), CX
	SHLQ       $2, CX
	VMASKMOVPS Y4, Y0, (AX)(BX*4)
	ADDQ       CX, AX
	VMASKMOVPS Y5, Y0, (AX)(BX*4)
	ADDQ       CX, AX
	VMASKMOVPS Y6, Y0, (AX)(BX*4)
	ADDQ       CX, AX
	VMASKMOVPS Y7, Y0, (AX)(BX*4)

d4done:
	LEAQ (R15)(R13*4), R15
	MOVQ 8(SP), R13
	MOVQ 16(SP), R14
	ADDQ $4, R14
	MOVQ DepthwiseArgs_OW(DX), AX
	SHLQ $4, AX
	ADDQ AX, 0(SP)
	JMP  drow

dnextchannel:
	MOVQ DepthwiseArgs_XPlane(DX), AX
	LEAQ (R9)(AX*4), R9
	MOVQ DepthwiseArgs_YPlane(DX), AX
	LEAQ (R10)(AX*4), R10
	MOVQ DepthwiseArgs_Taps(DX), AX
	LEAQ (R11)(AX*4), R11
	ADDQ $4, R12
	DECQ R13
	JMP  dchannel

ddone:
	VZEROUPPER
	RET

// func quantInAVX2(dst, src unsafe.Pointer, n int, zero int32, signed bool)
// n > 0 a multiple of 8: eight bytes widened to int32, less the zero
// point, converted to float32 (exactly: they are below 2^9).
TEXT ·quantInAVX2(SB), NOSPLIT, $0-29
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         n+16(FP), CX
	MOVL         zero+24(FP), AX
	MOVD         AX, X2
	VPBROADCASTD X2, Y2
	MOVBLZX      signed+28(FP), BX
	TESTQ        BX, BX
	JNE          qsigned

qunsigned:
	VPMOVZXBD (SI), Y0
	VPSUBD    Y2, Y0, Y0
	VCVTDQ2PS Y0, Y0
	VMOVUPS   Y0, (DI)
	ADDQ      $8, SI
	ADDQ      $32, DI
	SUBQ      $8, CX
	JNE       qunsigned
	VZEROUPPER
	RET

qsigned:
	VPMOVSXBD (SI), Y0
	VPSUBD    Y2, Y0, Y0
	VCVTDQ2PS Y0, Y0
	VMOVUPS   Y0, (DI)
	ADDQ      $8, SI
	ADDQ      $32, DI
	SUBQ      $8, CX
	JNE       qsigned
	VZEROUPPER
	RET

// func requantRowAVX2(dst, src unsafe.Pointer, n int, bias int32, scale, lo, hi float32, zero int32, signed bool)
// n > 0 a multiple of 8. The products (exact integers in float32) go to
// int32 exactly, take the bias, come back to float32 rounded to nearest
// even (VCVTDQ2PS, as onnxruntime's _mm_cvtepi32_ps), are scaled, clamped
// to [lo, hi] (the output's range less its zero point) and rounded to
// nearest even (VCVTPS2DQ under Go's default MXCSR); the zero point added,
// they are packed to bytes with saturation that the clamp makes exact.
TEXT ·requantRowAVX2(SB), NOSPLIT, $0-45
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         n+16(FP), CX
	MOVL         bias+24(FP), AX
	MOVD         AX, X4
	VPBROADCASTD X4, Y4
	VBROADCASTSS scale+28(FP), Y3
	VBROADCASTSS lo+32(FP), Y6
	VBROADCASTSS hi+36(FP), Y7
	MOVL         zero+40(FP), AX
	MOVD         AX, X5
	VPBROADCASTD X5, Y5
	MOVBLZX      signed+44(FP), BX

rloop:
	VMOVUPS      (SI), Y0
	VCVTTPS2DQ   Y0, Y0
	VPADDD       Y4, Y0, Y0
	VCVTDQ2PS    Y0, Y0
	VMULPS       Y3, Y0, Y0
	VMAXPS       Y6, Y0, Y0
	VMINPS       Y7, Y0, Y0
	VCVTPS2DQ    Y0, Y0
	VPADDD       Y5, Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPACKSSDW    X1, X0, X0
	TESTQ        BX, BX
	JNE          rsigned
	VPACKUSWB    X0, X0, X0
	JMP          rstore

rsigned:
	VPACKSSWB X0, X0, X0

rstore:
	MOVQ X0, (DI)
	ADDQ $32, SI
	ADDQ $8, DI
	SUBQ $8, CX
	JNE  rloop
	VZEROUPPER
	RET

// func gemmEpAVX512(pa, pb unsafe.Pointer, bRow int, c unsafe.Pointer, ldc, mp, np, kb int, ep *EpilogueArgs)
//
// gemmEpAVX2 with 12×32 tiles in AVX-512: row r of the tile in Z(4+2r)
// (columns 0-15) and Z(5+2r) (16-31), twenty-four accumulators of the
// thirty-two registers. Registers and locals as in gemmEpAVX2; the
// activation passes over the stored tile with the AVX2 macros.
TEXT ·gemmEpAVX512(SB), NOSPLIT, $16-72
	MOVQ pa+0(FP), R9
	MOVQ pb+8(FP), R10
	MOVQ bRow+16(FP), R8
	SHLQ $2, R8
	MOVQ c+24(FP), R11
	MOVQ ldc+32(FP), R12
	SHLQ $2, R12
	MOVQ mp+40(FP), R13
	MOVQ np+48(FP), R14
	SHLQ $2, R14
	MOVQ kb+56(FP), R15
	MOVQ ep+64(FP), DX
	MOVQ EpilogueArgs_Bias(DX), AX
	MOVQ AX, 0(SP)
	MOVQ EpilogueArgs_Res(DX), AX
	MOVQ AX, 8(SP)

zpanel:
	TESTQ R13, R13
	JLE   zdone
	XORQ  BX, BX

ztile:
	CMPQ BX, R14
	JGE  znextpanel
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15
	VPXORD Z16, Z16, Z16
	VPXORD Z17, Z17, Z17
	VPXORD Z18, Z18, Z18
	VPXORD Z19, Z19, Z19
	VPXORD Z20, Z20, Z20
	VPXORD Z21, Z21, Z21
	VPXORD Z22, Z22, Z22
	VPXORD Z23, Z23, Z23
	VPXORD Z24, Z24, Z24
	VPXORD Z25, Z25, Z25
	VPXORD Z26, Z26, Z26
	VPXORD Z27, Z27, Z27
	MOVQ  R9, SI
	LEAQ  (R10)(BX*1), DI
	MOVQ  R15, CX
	TESTQ CX, CX
	JEQ   zepilogue

zloop:
	VMOVUPS (DI), Z0
	VMOVUPS 64(DI), Z1
	VBROADCASTSS 0(SI), Z2
	VFMADD231PS  Z0, Z2, Z4
	VFMADD231PS  Z1, Z2, Z5
	VBROADCASTSS 4(SI), Z3
	VFMADD231PS  Z0, Z3, Z6
	VFMADD231PS  Z1, Z3, Z7
	VBROADCASTSS 8(SI), Z2
	VFMADD231PS  Z0, Z2, Z8
	VFMADD231PS  Z1, Z2, Z9
	VBROADCASTSS 12(SI), Z3
	VFMADD231PS  Z0, Z3, Z10
	VFMADD231PS  Z1, Z3, Z11
	VBROADCASTSS 16(SI), Z2
	VFMADD231PS  Z0, Z2, Z12
	VFMADD231PS  Z1, Z2, Z13
	VBROADCASTSS 20(SI), Z3
	VFMADD231PS  Z0, Z3, Z14
	VFMADD231PS  Z1, Z3, Z15
	VBROADCASTSS 24(SI), Z2
	VFMADD231PS  Z0, Z2, Z16
	VFMADD231PS  Z1, Z2, Z17
	VBROADCASTSS 28(SI), Z3
	VFMADD231PS  Z0, Z3, Z18
	VFMADD231PS  Z1, Z3, Z19
	VBROADCASTSS 32(SI), Z2
	VFMADD231PS  Z0, Z2, Z20
	VFMADD231PS  Z1, Z2, Z21
	VBROADCASTSS 36(SI), Z3
	VFMADD231PS  Z0, Z3, Z22
	VFMADD231PS  Z1, Z3, Z23
	VBROADCASTSS 40(SI), Z2
	VFMADD231PS  Z0, Z2, Z24
	VFMADD231PS  Z1, Z2, Z25
	VBROADCASTSS 44(SI), Z3
	VFMADD231PS  Z0, Z3, Z26
	VFMADD231PS  Z1, Z3, Z27
	ADDQ $48, SI
	ADDQ R8, DI
	DECQ CX
	JNE  zloop

zepilogue:
	MOVQ  EpilogueArgs_Flags(DX), CX
	LEAQ  (R11)(BX*1), AX
	TESTQ $const_EpAccumulate, CX
	JNE   zaccumulate
	TESTQ $const_EpBias, CX
	JEQ   zresidual
	MOVQ  0(SP), SI
	VBROADCASTSS 0(SI), Z0
	VADDPS       Z0, Z4, Z4
	VADDPS       Z0, Z5, Z5
	VBROADCASTSS 4(SI), Z0
	VADDPS       Z0, Z6, Z6
	VADDPS       Z0, Z7, Z7
	VBROADCASTSS 8(SI), Z0
	VADDPS       Z0, Z8, Z8
	VADDPS       Z0, Z9, Z9
	VBROADCASTSS 12(SI), Z0
	VADDPS       Z0, Z10, Z10
	VADDPS       Z0, Z11, Z11
	VBROADCASTSS 16(SI), Z0
	VADDPS       Z0, Z12, Z12
	VADDPS       Z0, Z13, Z13
	VBROADCASTSS 20(SI), Z0
	VADDPS       Z0, Z14, Z14
	VADDPS       Z0, Z15, Z15
	VBROADCASTSS 24(SI), Z0
	VADDPS       Z0, Z16, Z16
	VADDPS       Z0, Z17, Z17
	VBROADCASTSS 28(SI), Z0
	VADDPS       Z0, Z18, Z18
	VADDPS       Z0, Z19, Z19
	VBROADCASTSS 32(SI), Z0
	VADDPS       Z0, Z20, Z20
	VADDPS       Z0, Z21, Z21
	VBROADCASTSS 36(SI), Z0
	VADDPS       Z0, Z22, Z22
	VADDPS       Z0, Z23, Z23
	VBROADCASTSS 40(SI), Z0
	VADDPS       Z0, Z24, Z24
	VADDPS       Z0, Z25, Z25
	VBROADCASTSS 44(SI), Z0
	VADDPS       Z0, Z26, Z26
	VADDPS       Z0, Z27, Z27

zresidual:
	TESTQ $const_EpResidual, CX
	JEQ   zstore
	MOVQ  8(SP), SI
	ADDQ  BX, SI
	MOVQ  EpilogueArgs_ResLd(DX), DI
	SHLQ  $2, DI
	VADDPS (SI), Z4, Z4
	VADDPS 64(SI), Z5, Z5
	ADDQ   DI, SI
	VADDPS (SI), Z6, Z6
	VADDPS 64(SI), Z7, Z7
	ADDQ   DI, SI
	VADDPS (SI), Z8, Z8
	VADDPS 64(SI), Z9, Z9
	ADDQ   DI, SI
	VADDPS (SI), Z10, Z10
	VADDPS 64(SI), Z11, Z11
	ADDQ   DI, SI
	VADDPS (SI), Z12, Z12
	VADDPS 64(SI), Z13, Z13
	ADDQ   DI, SI
	VADDPS (SI), Z14, Z14
	VADDPS 64(SI), Z15, Z15
	ADDQ   DI, SI
	VADDPS (SI), Z16, Z16
	VADDPS 64(SI), Z17, Z17
	ADDQ   DI, SI
	VADDPS (SI), Z18, Z18
	VADDPS 64(SI), Z19, Z19
	ADDQ   DI, SI
	VADDPS (SI), Z20, Z20
	VADDPS 64(SI), Z21, Z21
	ADDQ   DI, SI
	VADDPS (SI), Z22, Z22
	VADDPS 64(SI), Z23, Z23
	ADDQ   DI, SI
	VADDPS (SI), Z24, Z24
	VADDPS 64(SI), Z25, Z25
	ADDQ   DI, SI
	VADDPS (SI), Z26, Z26
	VADDPS 64(SI), Z27, Z27
	JMP    zstore

zaccumulate:
	MOVQ AX, SI
	VADDPS (SI), Z4, Z4
	VADDPS 64(SI), Z5, Z5
	ADDQ   R12, SI
	VADDPS (SI), Z6, Z6
	VADDPS 64(SI), Z7, Z7
	ADDQ   R12, SI
	VADDPS (SI), Z8, Z8
	VADDPS 64(SI), Z9, Z9
	ADDQ   R12, SI
	VADDPS (SI), Z10, Z10
	VADDPS 64(SI), Z11, Z11
	ADDQ   R12, SI
	VADDPS (SI), Z12, Z12
	VADDPS 64(SI), Z13, Z13
	ADDQ   R12, SI
	VADDPS (SI), Z14, Z14
	VADDPS 64(SI), Z15, Z15
	ADDQ   R12, SI
	VADDPS (SI), Z16, Z16
	VADDPS 64(SI), Z17, Z17
	ADDQ   R12, SI
	VADDPS (SI), Z18, Z18
	VADDPS 64(SI), Z19, Z19
	ADDQ   R12, SI
	VADDPS (SI), Z20, Z20
	VADDPS 64(SI), Z21, Z21
	ADDQ   R12, SI
	VADDPS (SI), Z22, Z22
	VADDPS 64(SI), Z23, Z23
	ADDQ   R12, SI
	VADDPS (SI), Z24, Z24
	VADDPS 64(SI), Z25, Z25
	ADDQ   R12, SI
	VADDPS (SI), Z26, Z26
	VADDPS 64(SI), Z27, Z27

zstore:
	MOVQ AX, SI
	VMOVUPS Z4, (SI)
	VMOVUPS Z5, 64(SI)
	ADDQ    R12, SI
	VMOVUPS Z6, (SI)
	VMOVUPS Z7, 64(SI)
	ADDQ    R12, SI
	VMOVUPS Z8, (SI)
	VMOVUPS Z9, 64(SI)
	ADDQ    R12, SI
	VMOVUPS Z10, (SI)
	VMOVUPS Z11, 64(SI)
	ADDQ    R12, SI
	VMOVUPS Z12, (SI)
	VMOVUPS Z13, 64(SI)
	ADDQ    R12, SI
	VMOVUPS Z14, (SI)
	VMOVUPS Z15, 64(SI)
	ADDQ    R12, SI
	VMOVUPS Z16, (SI)
	VMOVUPS Z17, 64(SI)
	ADDQ    R12, SI
	VMOVUPS Z18, (SI)
	VMOVUPS Z19, 64(SI)
	ADDQ    R12, SI
	VMOVUPS Z20, (SI)
	VMOVUPS Z21, 64(SI)
	ADDQ    R12, SI
	VMOVUPS Z22, (SI)
	VMOVUPS Z23, 64(SI)
	ADDQ    R12, SI
	VMOVUPS Z24, (SI)
	VMOVUPS Z25, 64(SI)
	ADDQ    R12, SI
	VMOVUPS Z26, (SI)
	VMOVUPS Z27, 64(SI)
	TESTQ $const_EpActivate, CX
	JEQ   znexttile

	// The activation, over the tile just stored (still in L1), a row of
	// four AVX2 vectors at a time.
	MOVQ    EpilogueArgs_Params(DX), SI
	LOAD_ACT(SI)
	MOVBQZX EpilogueArgs_Act(DX), CX
	MOVQ    AX, SI
	MOVQ    $12, DI
	CMPQ    CX, $const_ActClip
	JEQ     zclip
	CMPQ    CX, $const_ActLeakyReLU
	JEQ     zleaky
	CMPQ    CX, $const_ActHardSwish
	JEQ     zhswish
	CMPQ    CX, $const_ActHardSigmoid
	JEQ     zhsig
	JMP     znexttile

zclip:
	VMOVUPS 0(SI), Y4
	VMOVUPS 32(SI), Y5
	VMOVUPS 64(SI), Y6
	VMOVUPS 96(SI), Y7
	ACT_CLIP(Y4)
	ACT_CLIP(Y5)
	ACT_CLIP(Y6)
	ACT_CLIP(Y7)
	VMOVUPS Y4, 0(SI)
	VMOVUPS Y5, 32(SI)
	VMOVUPS Y6, 64(SI)
	VMOVUPS Y7, 96(SI)
	ADDQ    R12, SI
	DECQ    DI
	JNE     zclip
	JMP     znexttile

zleaky:
	VMOVUPS 0(SI), Y4
	VMOVUPS 32(SI), Y5
	VMOVUPS 64(SI), Y6
	VMOVUPS 96(SI), Y7
	ACT_LEAKY(Y4)
	ACT_LEAKY(Y5)
	ACT_LEAKY(Y6)
	ACT_LEAKY(Y7)
	VMOVUPS Y4, 0(SI)
	VMOVUPS Y5, 32(SI)
	VMOVUPS Y6, 64(SI)
	VMOVUPS Y7, 96(SI)
	ADDQ    R12, SI
	DECQ    DI
	JNE     zleaky
	JMP     znexttile

zhswish:
	VMOVUPS 0(SI), Y4
	VMOVUPS 32(SI), Y5
	VMOVUPS 64(SI), Y6
	VMOVUPS 96(SI), Y7
	ACT_HSWISH(Y4)
	ACT_HSWISH(Y5)
	ACT_HSWISH(Y6)
	ACT_HSWISH(Y7)
	VMOVUPS Y4, 0(SI)
	VMOVUPS Y5, 32(SI)
	VMOVUPS Y6, 64(SI)
	VMOVUPS Y7, 96(SI)
	ADDQ    R12, SI
	DECQ    DI
	JNE     zhswish
	JMP     znexttile

zhsig:
	VMOVUPS 0(SI), Y4
	VMOVUPS 32(SI), Y5
	VMOVUPS 64(SI), Y6
	VMOVUPS 96(SI), Y7
	ACT_HSIG(Y4)
	ACT_HSIG(Y5)
	ACT_HSIG(Y6)
	ACT_HSIG(Y7)
	VMOVUPS Y4, 0(SI)
	VMOVUPS Y5, 32(SI)
	VMOVUPS Y6, 64(SI)
	VMOVUPS Y7, 96(SI)
	ADDQ    R12, SI
	DECQ    DI
	JNE     zhsig
	JMP     znexttile

znexttile:
	ADDQ $128, BX
	JMP  ztile

znextpanel:
	MOVQ  R15, AX
	IMULQ $48, AX
	ADDQ  AX, R9
	MOVQ  R12, AX
	IMULQ $12, AX
	ADDQ  AX, R11
	ADDQ  $48, 0(SP)
	MOVQ  EpilogueArgs_ResLd(DX), AX
	IMULQ $48, AX
	ADDQ  AX, 8(SP)
	SUBQ  $12, R13
	JMP   zpanel

zdone:
	VZEROUPPER
	RET

// func dotsAVX2(y, a, b unsafe.Pointer, ldb, n, k int)
// [PanelKernel].Dots for k a positive multiple of 8: for each of the n
// rows of B (ldb floats apart), two accumulators of eight over the row,
// then their horizontal sum added to y[j].
TEXT ·dotsAVX2(SB), NOSPLIT, $0-48
	MOVQ y+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ ldb+24(FP), R8
	SHLQ $2, R8
	MOVQ n+32(FP), R9
	MOVQ k+40(FP), R10

drowj:
	TESTQ  R9, R9
	JLE    ddotdone
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	XORQ   AX, AX

ddot16:
	LEAQ        16(AX), BX
	CMPQ        BX, R10
	JGT         ddot8
	VMOVUPS     (SI)(AX*4), Y2
	VMOVUPS     32(SI)(AX*4), Y3
	VFMADD231PS (DX)(AX*4), Y2, Y0
	VFMADD231PS 32(DX)(AX*4), Y3, Y1
	MOVQ        BX, AX
	JMP         ddot16

ddot8:
	CMPQ        AX, R10
	JGE         dsum
	VMOVUPS     (SI)(AX*4), Y2
	VFMADD231PS (DX)(AX*4), Y2, Y0

dsum:
	VADDPS       Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VHADDPS      X0, X0, X0
	VHADDPS      X0, X0, X0
	VADDSS       (DI), X0, X0
	VMOVSS       X0, (DI)
	ADDQ         $4, DI
	ADDQ         R8, DX
	DECQ         R9
	JMP          drowj

ddotdone:
	VZEROUPPER
	RET

// func evensAVX2(dst, src unsafe.Pointer, n int)
// n > 0 a multiple of 8: dst[q] = src[2q] for q < n, reading src[0 …
// 2n−1]; the even columns of two loaded vectors gathered with VSHUFPS and
// VPERMPD, as the depthwise kernel's stride 2.
TEXT ·evensAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX

eloop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VSHUFPS $0x88, Y1, Y0, Y2
	VPERMPD $0xD8, Y2, Y2
	VMOVUPS Y2, (DI)
	ADDQ    $64, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	JNE     eloop
	VZEROUPPER
	RET

// func deinterleaveAVX2(e, o, src unsafe.Pointer, n int)
// n > 0 a multiple of 16: per sixteen floats of src, VSHUFPS takes the even
// (0x88) and odd (0xDD) ones of each lane pair and VPERMPD puts them in
// order.
TEXT ·deinterleaveAVX2(SB), NOSPLIT, $0-32
	MOVQ e+0(FP), DI
	MOVQ o+8(FP), R8
	MOVQ src+16(FP), SI
	MOVQ n+24(FP), CX

diloop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VSHUFPS $0x88, Y1, Y0, Y2
	VSHUFPS $0xDD, Y1, Y0, Y3
	VPERMPD $0xD8, Y2, Y2
	VPERMPD $0xD8, Y3, Y3
	VMOVUPS Y2, (DI)
	VMOVUPS Y3, (R8)
	ADDQ    $64, SI
	ADDQ    $32, DI
	ADDQ    $32, R8
	SUBQ    $16, CX
	JNE     diloop
	VZEROUPPER
	RET

// The activations of depthwiseAVX512 on an accumulator v, as ACT_* on
// sixteen lanes: Z24–Z27 hold Lo, Hi, Alpha and Beta, Z28 zero, Z29 one.
#define ZACT_CLIP(v) VMAXPS v, Z24, v; VMINPS v, Z25, v
#define ZACT_LEAKY(v) VMULPS Z26, v, Z0; VCMPPS $1, Z28, v, K3; VMOVAPS Z0, K3, v
#define ZACT_HSWISH(v) VMOVAPS Z27, Z0; VFMADD231PS v, Z26, Z0; VMAXPS Z0, Z28, Z0; VMINPS Z0, Z29, Z0; VMULPS Z0, v, v
#define ZACT_HSIG(v) VMOVAPS Z27, Z0; VFMADD231PS v, Z26, Z0; VMAXPS Z0, Z28, Z0; VMINPS Z0, Z29, v
#define ZACT8(m) m(Z16); m(Z17); m(Z18); m(Z19); m(Z20); m(Z21); m(Z22); m(Z23)

// func depthwiseAVX512(a *DepthwiseArgs)
//
// Stride 1, OW ≥ 16 and OH ≥ 4 (the caller checks): four rows of 32
// outputs at a time, in Z16–Z23 (row r in Z(16+2r) and Z(17+2r)), the
// last columns through masks K1 and K2; a plane's last rows, when fewer
// than four are left, as its last four again. Registers as in
// depthwiseAVX2; 8(SP) and 16(SP) keep R13 and R14 while they hold the
// row step in bytes and three times it.
TEXT ·depthwiseAVX512(SB), NOSPLIT, $24-8
	MOVQ    a+0(FP), DX
	MOVBQZX DepthwiseArgs_Act(DX), AX
	TESTQ   AX, AX
	JEQ     zdnoact
	MOVQ    DepthwiseArgs_Params(DX), SI
	VBROADCASTSS 0(SI), Z24
	VBROADCASTSS 4(SI), Z25
	VBROADCASTSS 8(SI), Z26
	VBROADCASTSS 12(SI), Z27
	VPXORD       Z28, Z28, Z28
	VBROADCASTSS fusedOne<>(SB), Z29

zdnoact:
	MOVQ DepthwiseArgs_X(DX), R9
	MOVQ DepthwiseArgs_Y(DX), R10
	MOVQ DepthwiseArgs_W(DX), R11
	MOVQ DepthwiseArgs_Bias(DX), R12
	MOVQ DepthwiseArgs_Channels(DX), R13

zdchannel:
	TESTQ R13, R13
	JLE   zddone
	XORQ  R14, R14
	MOVQ  R9, R15
	MOVQ  R10, 0(SP)

zdrow:
	CMPQ  R14, DepthwiseArgs_OH(DX)
	JGE   zdnextchannel
	LEAQ  4(R14), AX
	CMPQ  AX, DepthwiseArgs_OH(DX)
	JLE   zdrows4
	MOVQ  DepthwiseArgs_OH(DX), AX
	DW_LAST4

zdrows4:
	MOVQ R13, 8(SP)
	MOVQ R14, 16(SP)
	MOVQ DepthwiseArgs_RowStep(DX), R13
	SHLQ $2, R13
	LEAQ (R13)(R13*2), R14
	XORQ BX, BX

zdblock:
	CMPQ         BX, DepthwiseArgs_OW(DX)
	JGE          zddone4
	VBROADCASTSS (R12), Z16
	VMOVAPS      Z16, Z17
	VMOVAPS      Z16, Z18
	VMOVAPS      Z16, Z19
	VMOVAPS      Z16, Z20
	VMOVAPS      Z16, Z21
	VMOVAPS      Z16, Z22
	VMOVAPS      Z16, Z23
	LEAQ         (R15)(BX*4), R8
	MOVQ         DepthwiseArgs_Offs(DX), SI
	MOVQ         R11, DI
	MOVQ         DepthwiseArgs_Taps(DX), CX

zdtap:
	MOVLQSX      (SI), AX
	LEAQ         (R8)(AX*4), AX
	VBROADCASTSS (DI), Z8
	VFMADD231PS  (AX), Z8, Z16
	VFMADD231PS  64(AX), Z8, Z17
	VFMADD231PS  (AX)(R13*1), Z8, Z18
	VFMADD231PS  64(AX)(R13*1), Z8, Z19
	VFMADD231PS  (AX)(R13*2), Z8, Z20
	VFMADD231PS  64(AX)(R13*2), Z8, Z21
	VFMADD231PS  (AX)(R14*1), Z8, Z22
	VFMADD231PS  64(AX)(R14*1), Z8, Z23
	ADDQ         $4, SI
	ADDQ         $4, DI
	DECQ         CX
	JNE          zdtap

	MOVBQZX DepthwiseArgs_Act(DX), AX
	CMPQ    AX, $const_ActClip
	JEQ     zdclip
	CMPQ    AX, $const_ActLeakyReLU
	JEQ     zdleaky
	CMPQ    AX, $const_ActHardSwish
	JEQ     zdhswish
	CMPQ    AX, $const_ActHardSigmoid
	JEQ     zdhsig
	JMP     zdstore

zdclip:
	ZACT8(ZACT_CLIP)
	JMP zdstore

zdleaky:
	ZACT8(ZACT_LEAKY)
	JMP zdstore

zdhswish:
	ZACT8(ZACT_HSWISH)
	JMP zdstore

zdhsig:
	ZACT8(ZACT_HSIG)

	// K1 and K2: the block's columns left in the row, up to 32.
zdstore:
	MOVQ  DepthwiseArgs_OW(DX), CX
	SUBQ  BX, CX
	MOVQ  $-1, AX
	CMPQ  CX, $32
	JGE   zdmask
	MOVQ  $1, AX
	SHLQ  CX, AX
	DECQ  AX

zdmask:
	KMOVW   AX, K1
	SHRQ    $16, AX
	KMOVW   AX, K2
	MOVQ    0(SP), AX
	MOVQ    DepthwiseArgs_OW(DX), CX
	SHLQ    $2, CX
	VMOVUPS Z16, K1, (AX)(BX*4)
	VMOVUPS Z17, K2, 64(AX)(BX*4)
	ADDQ    CX, AX
	VMOVUPS Z18, K1, (AX)(BX*4)
	VMOVUPS Z19, K2, 64(AX)(BX*4)
	ADDQ    CX, AX
	VMOVUPS Z20, K1, (AX)(BX*4)
	VMOVUPS Z21, K2, 64(AX)(BX*4)
	ADDQ    CX, AX
	VMOVUPS Z22, K1, (AX)(BX*4)
	VMOVUPS Z23, K2, 64(AX)(BX*4)
	ADDQ    $32, BX
	JMP     zdblock

zddone4:
	LEAQ (R15)(R13*4), R15
	MOVQ 8(SP), R13
	MOVQ 16(SP), R14
	ADDQ $4, R14
	MOVQ DepthwiseArgs_OW(DX), AX
	SHLQ $4, AX
	ADDQ AX, 0(SP)
	JMP  zdrow

zdnextchannel:
	MOVQ DepthwiseArgs_XPlane(DX), AX
	LEAQ (R9)(AX*4), R9
	MOVQ DepthwiseArgs_YPlane(DX), AX
	LEAQ (R10)(AX*4), R10
	MOVQ DepthwiseArgs_Taps(DX), AX
	LEAQ (R11)(AX*4), R11
	ADDQ $4, R12
	DECQ R13
	JMP  zdchannel

zddone:
	VZEROUPPER
	RET
