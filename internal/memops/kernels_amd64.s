//go:build !purego

#include "textflag.h"

// The copy kernels load the first and last 32 bytes before storing
// anything, align the destination to 32 bytes, copy 128 bytes a round, then
// store the saved first and last 32 bytes over whatever the rounds left
// unaligned. They need n >= 64 and src, dst not overlapping.

// func copyAVX2(dst, src unsafe.Pointer, n uintptr)
TEXT ·copyAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), BX
	VMOVDQU (SI), Y4
	VMOVDQU -32(SI)(BX*1), Y5
	MOVQ DI, R9
	LEAQ -32(DI)(BX*1), R8
	MOVQ DI, AX
	ADDQ $31, AX
	ANDQ $-32, AX
	SUBQ DI, AX
	ADDQ AX, DI
	ADDQ AX, SI
	SUBQ AX, BX

copy128:
	CMPQ BX, $128
	JB   copy32
	VMOVDQU (SI), Y0
	VMOVDQU 32(SI), Y1
	VMOVDQU 64(SI), Y2
	VMOVDQU 96(SI), Y3
	VMOVDQA Y0, (DI)
	VMOVDQA Y1, 32(DI)
	VMOVDQA Y2, 64(DI)
	VMOVDQA Y3, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $128, BX
	JMP  copy128

copy32:
	CMPQ BX, $32
	JB   copyEnds
	VMOVDQU (SI), Y0
	VMOVDQA Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $32, BX
	JMP  copy32

copyEnds:
	VMOVDQU Y5, (R8)
	VMOVDQU Y4, (R9)
	VZEROUPPER
	RET

// func copyERMS(dst, src unsafe.Pointer, n uintptr)
TEXT ·copyERMS(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	REP; MOVSB
	RET

// The fill kernels store the pattern at the destination's first and last
// 32 bytes and fill the 32-byte aligned middle, 128 bytes a round. pat
// holds the pattern repeated over 64 bytes and mask is its length less
// one: the 32 bytes at pat + (offset & mask) are the pattern's bytes for a
// store at that offset from dst. They need n >= 64.

// func fillAVX2(dst unsafe.Pointer, n uintptr, pat *byte, mask uintptr)
TEXT ·fillAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ n+8(FP), BX
	MOVQ pat+16(FP), SI
	MOVQ mask+24(FP), DX
	VMOVDQU (SI), Y4
	LEAQ -32(BX), AX
	ANDQ DX, AX
	VMOVDQU (SI)(AX*1), Y5
	LEAQ -32(DI)(BX*1), R8
	VMOVDQU Y4, (DI)
	MOVQ DI, AX
	ADDQ $31, AX
	ANDQ $-32, AX
	SUBQ DI, AX
	ADDQ AX, DI
	SUBQ AX, BX
	ANDQ DX, AX
	VMOVDQU (SI)(AX*1), Y0

fill128:
	CMPQ BX, $128
	JB   fill32
	VMOVDQA Y0, (DI)
	VMOVDQA Y0, 32(DI)
	VMOVDQA Y0, 64(DI)
	VMOVDQA Y0, 96(DI)
	ADDQ $128, DI
	SUBQ $128, BX
	JMP  fill128

fill32:
	CMPQ BX, $32
	JB   fillEnd
	VMOVDQA Y0, (DI)
	ADDQ $32, DI
	SUBQ $32, BX
	JMP  fill32

fillEnd:
	VMOVDQU Y5, (R8)
	VZEROUPPER
	RET

// func fillAVX2NT(dst unsafe.Pointer, n uintptr, pat *byte, mask uintptr)
TEXT ·fillAVX2NT(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ n+8(FP), BX
	MOVQ pat+16(FP), SI
	MOVQ mask+24(FP), DX
	VMOVDQU (SI), Y4
	LEAQ -32(BX), AX
	ANDQ DX, AX
	VMOVDQU (SI)(AX*1), Y5
	LEAQ -32(DI)(BX*1), R8
	VMOVDQU Y4, (DI)
	MOVQ DI, AX
	ADDQ $31, AX
	ANDQ $-32, AX
	SUBQ DI, AX
	ADDQ AX, DI
	SUBQ AX, BX
	ANDQ DX, AX
	VMOVDQU (SI)(AX*1), Y0

ntfill128:
	CMPQ BX, $128
	JB   ntfill32
	VMOVNTDQ Y0, (DI)
	VMOVNTDQ Y0, 32(DI)
	VMOVNTDQ Y0, 64(DI)
	VMOVNTDQ Y0, 96(DI)
	ADDQ $128, DI
	SUBQ $128, BX
	JMP  ntfill128

ntfill32:
	CMPQ BX, $32
	JB   ntfillEnd
	VMOVNTDQ Y0, (DI)
	ADDQ $32, DI
	SUBQ $32, BX
	JMP  ntfill32

ntfillEnd:
	SFENCE
	VMOVDQU Y5, (R8)
	VZEROUPPER
	RET
