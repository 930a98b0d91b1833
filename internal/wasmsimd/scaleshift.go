package wasmsimd

// Export names of the scale-shift kernels, without and with ReLU.
const (
	ScaleShiftExport     = "scaleshift"
	ScaleShiftReLUExport = "scaleshiftrelu"
)

// scaleshift(y, x, a, b, planes, hw) is core's PanelKernel.ScaleShift (a
// batch normalisation) with hw in bytes, a multiple of 16: for each plane
// p of hw bytes, y = x·a[p] + b[p], an f32x4.mul then an f32x4.add, each
// rounded as Go's loop; scaleshiftrelu then takes f32x4.pmax(y, 0) =
// y < 0 ? 0 : y, which keeps NaN and −0 as ReLU does. y may be x.
const (
	ssY, ssX, ssA, ssB, ssPlanes, ssHW = 0, 1, 2, 3, 4, 5
	scaleShiftParams                   = 6
	ssP, ssI                           = 6, 7 // the plane counter and the byte offset in the plane
	scaleShiftI32Locals                = 2
	ssAV, ssBV, ssZero                 = 8, 9, 10 // a[p] and b[p] in every lane, and zeros
	scaleShiftV128Locals               = 3
)

func scaleShiftBody(relu bool) []byte {
	var a asm
	a.locals(scaleShiftI32Locals, scaleShiftV128Locals)
	a.zero()
	a.set(ssZero)
	a.const32(0)
	a.set(ssP)
	a.loopWhile(ssP, ssPlanes)
	for _, l := range [][2]uint32{{ssA, ssAV}, {ssB, ssBV}} {
		a.get(l[0])
		a.mem(simdV128Load32Spl, 2, 0)
		a.set(l[1])
		a.addTo(l[0], -4)
	}
	a.const32(0)
	a.set(ssI)
	a.loopWhile(ssI, ssHW)
	a.get(ssY)
	a.get(ssI)
	a.byte(opI32Add)
	a.get(ssX)
	a.get(ssI)
	a.byte(opI32Add)
	a.mem(simdV128Load, 2, 0)
	a.get(ssAV)
	a.simd(simdF32x4Mul)
	a.get(ssBV)
	a.simd(simdF32x4Add)
	if relu {
		a.get(ssZero)
		a.simd(simdF32x4PMax)
	}
	a.mem(simdV128Store, 2, 0)
	a.addTo(ssI, -16)
	a.endLoop()
	a.addTo(ssX, ssHW)
	a.addTo(ssY, ssHW)
	a.addTo(ssP, -1)
	a.endLoop()
	a.byte(opEnd)
	return a.b
}
