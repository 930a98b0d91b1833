package core

import (
	"runtime"
	"unsafe"
)

// Flags of [EpilogueArgs]: how a fused kernel starts each output and what
// it does to it before storing it.
const (
	// EpAccumulate starts from the value already in the output (a later
	// block of the depth); without it the output starts at zero plus the
	// bias and residual below.
	EpAccumulate = 1 << iota
	// EpBias adds Bias[i] to every output of row i (first block only).
	EpBias
	// EpResidual adds the residual block's element (first block only).
	EpResidual
	// EpActivate applies the activation (last block only).
	EpActivate
)

// EpilogueArgs is the epilogue of one call of a fused kernel: the row
// bias, the residual (an earlier tensor of the output's shape, as in
// ResNet's blocks) and the activation, applied as each output tile leaves
// the registers instead of in passes of their own over the tensor.
type EpilogueArgs struct {
	Flags  int
	Bias   unsafe.Pointer // one float per output row
	Res    unsafe.Pointer // the residual block: element (i, j) at Res + 4·(i·ResLd + j)
	ResLd  int            // floats between the residual's rows
	Act    ActKind
	Params unsafe.Pointer // four floats: the activation's Lo, Hi, Alpha, Beta
}

// DepthwiseArgs is one call of a depthwise kernel ([PanelKernel].Depthwise):
// for every channel c < Channels, output row r < OH and column q < OW,
//
//	y[c·YPlane + r·OW + q] = act(Bias[c] + Σ_{t<Taps} W[c·Taps + t] · X[c·XPlane + Offs[t] + r·RowStep + q·SW])
//
// X is the zero-bordered input of the channels (the caller pads it, so
// the kernel tests no bounds); Offs are Taps int32 offsets in floats, one
// per filter tap (row i·DH·padded width plus column j·DW); SW is 1 or 2.
// The kernel may read up to [DepthwiseSlack] floats past the last element
// the formula touches, never past it for Y.
type DepthwiseArgs struct {
	Y, X, W, Bias, Offs unsafe.Pointer
	Channels, Taps      int
	OH, OW              int
	RowStep, SW         int
	XPlane, YPlane      int
	Act                 ActKind
	Params              unsafe.Pointer // four floats: Lo, Hi, Alpha, Beta
}

// DepthwiseSlack is how far past the input a depthwise kernel may read:
// a last block of sixteen outputs that starts at the row's last column,
// at stride 2, reaches 31 floats further; twice that, for kernels to come.
const DepthwiseSlack = 64

// fusedKernels are the micro-kernels of a [ConvPlan]: the CPU's, Go's, or
// those of an installed [PanelKernel].
type fusedKernels struct {
	name   string
	mr, nr int
	// gemm is [PanelKernel].GemmEp with B in rows (bPanel = nr).
	gemm      func(pa, pb unsafe.Pointer, bRow int, c unsafe.Pointer, ldc, mp, np, kb int, ep *EpilogueArgs)
	depthwise func(a *DepthwiseArgs)
	// gather is [PanelKernel].Gather.
	gather func(dst, base, offs unsafe.Pointer, ld, kb, rows, ow, rowStep, sw int)
	// quantIn and requant are [PanelKernel].QuantIn and Requant.
	quantIn func(dst, src unsafe.Pointer, n int, zero int32, signed bool)
	requant func(dst, src unsafe.Pointer, rows, cols int, a *RequantArgs)
	// dots is [PanelKernel].Dots for any k.
	dots func(y, a, b unsafe.Pointer, ldb, n, k int)
	// deinterleave sets e[i] = src[2i] for i < ⌈n/2⌉ and o[i] = src[2i+1]
	// for i < ⌊n/2⌋ (the depthwise method's split rows at stride 2), or is
	// nil where the kernels gather stride 2 themselves.
	deinterleave func(e, o, src unsafe.Pointer, n int)
	// copyBlocks is [PanelKernel].CopyBlocks, or nil for Go's copy.
	copyBlocks func(dst, src unsafe.Pointer, groups, rows, width, dstRow, srcRow, dstGroup, srcGroup int)
}

// goFusedKernels are the portable kernels: Go's 2×4 tile with the
// epilogue applied in Go, and the reference depthwise loop unrolled by
// four columns. Platforms replace them with their own at init.
var goFusedKernels = &fusedKernels{name: "go2x4", mr: 2, nr: 4, gemm: goGemmEp, depthwise: goDepthwise, gather: goGather,
	quantIn: goQuantIn, requant: goRequant, dots: goDots}

// nativeFusedKernels are this CPU's: the Go ones unless an architecture
// file installs faster ones.
var nativeFusedKernels = goFusedKernels

// fusedKernelsFor returns the kernels a plan for panel kernel k uses: its
// fused kernels where it has them (the browser's SIMD module), else the
// CPU's.
func fusedKernelsFor(k *PanelKernel) *fusedKernels {
	if k == nil || k.GemmEp == nil || k.Depthwise == nil || k.Gather == nil || k.QuantIn == nil || k.Requant == nil || k.Dots == nil {
		return nativeFusedKernels
	}
	bPanel := k.NR
	gemm, dots := k.GemmEp, k.Dots
	return &fusedKernels{
		name: k.Name, mr: k.MR, nr: k.NR,
		gemm: func(pa, pb unsafe.Pointer, bRow int, c unsafe.Pointer, ldc, mp, np, kb int, ep *EpilogueArgs) {
			gemm(pa, pb, bPanel, bRow, c, ldc, mp, np, kb, ep)
		},
		depthwise: k.Depthwise,
		gather:    k.Gather,
		quantIn:   k.QuantIn,
		dots: func(y, a, b unsafe.Pointer, ldb, n, k int) {
			// The panel's Dots takes k a multiple of 4; Go adds the rest.
			if k4 := k &^ 3; k4 > 0 {
				dots(y, a, b, ldb, n, k4)
				a, b, k = unsafe.Add(a, 4*k4), unsafe.Add(b, 4*k4), k-k4
			}
			if k > 0 {
				goDots(y, a, b, ldb, n, k)
			}
		},
		requant:    k.Requant,
		copyBlocks: k.CopyBlocks,
	}
}

// epilogueInit returns the value an output starts from, before the
// products are added: what is there (EpAccumulate) or zero plus the bias
// and the residual.
func epilogueInit(ep *EpilogueArgs, c []float32, ci, i, j int) float32 {
	if ep.Flags&EpAccumulate != 0 {
		return c[ci]
	}
	var v float32
	if ep.Flags&EpBias != 0 {
		v = *(*float32)(unsafe.Add(ep.Bias, 4*i))
	}
	if ep.Flags&EpResidual != 0 {
		v += *(*float32)(unsafe.Add(ep.Res, 4*(i*ep.ResLd+j)))
	}
	return v
}

// epilogueAct returns the activation ep applies (none without EpActivate).
func epilogueAct(ep *EpilogueArgs) Activation {
	if ep.Flags&EpActivate == 0 {
		return Activation{}
	}
	return actFrom(ep.Act, ep.Params)
}

// actFrom returns the activation of kind with the four parameters (Lo,
// Hi, Alpha, Beta) at params, which may be nil for ActNone.
func actFrom(kind ActKind, params unsafe.Pointer) Activation {
	if kind == ActNone {
		return Activation{}
	}
	p := (*[4]float32)(params)
	return Activation{Kind: kind, Lo: p[0], Hi: p[1], Alpha: p[2], Beta: p[3]}
}

// goGemmEp is the portable GemmEp for mr = 2, nr = 4: Go's micro-kernel
// adds the products to a tile that starts from the epilogue's initial
// values, and the activation follows as the tile is stored.
func goGemmEp(pa, pb unsafe.Pointer, bRow int, c unsafe.Pointer, ldc, mp, np, kb int, ep *EpilogueArgs) {
	cs := unsafe.Slice((*float32)(c), (mp-1)*ldc+np)
	act := epilogueAct(ep)
	var tile [8]float32
	for i := 0; i < mp; i += 2 {
		for j := 0; j < np; j += 4 {
			for r := 0; r < 2; r++ {
				for q := 0; q < 4; q++ {
					tile[r*4+q] = epilogueInit(ep, cs, (i+r)*ldc+j+q, i+r, j+q)
				}
			}
			kernel2x4(kb, unsafe.Add(pa, 4*i*kb), unsafe.Add(pb, 4*j), bRow, unsafe.Pointer(&tile[0]), 4, 1)
			for r := 0; r < 2; r++ {
				row := cs[(i+r)*ldc+j : (i+r)*ldc+j+4]
				for q := range row {
					row[q] = act.Apply(tile[r*4+q])
				}
			}
		}
	}
	runtime.KeepAlive(&tile)
}

// goDepthwise is the portable depthwise kernel ([DepthwiseArgs]).
func goDepthwise(a *DepthwiseArgs) {
	offs := unsafe.Slice((*int32)(a.Offs), a.Taps)
	act := actFrom(a.Act, a.Params)
	for c := 0; c < a.Channels; c++ {
		w := unsafe.Slice((*float32)(unsafe.Add(a.W, 4*c*a.Taps)), a.Taps)
		bias := *(*float32)(unsafe.Add(a.Bias, 4*c))
		xc := unsafe.Add(a.X, 4*c*a.XPlane)
		y := unsafe.Slice((*float32)(unsafe.Add(a.Y, 4*c*a.YPlane)), a.OH*a.OW)
		for r := 0; r < a.OH; r++ {
			out := y[r*a.OW : (r+1)*a.OW]
			for q := range out {
				out[q] = bias
			}
			for t, o := range offs {
				wt := w[t]
				row := unsafe.Add(xc, 4*(int(o)+r*a.RowStep))
				if a.SW == 1 {
					in := unsafe.Slice((*float32)(row), a.OW)
					for q, v := range in {
						out[q] += wt * v
					}
					continue
				}
				in := unsafe.Slice((*float32)(row), (a.OW-1)*a.SW+1)
				for q := range out {
					out[q] += wt * in[q*a.SW]
				}
			}
			if a.Act != ActNone {
				applyAct(act, out)
			}
		}
	}
}

// goGather is the portable Gather ([PanelKernel]): row runs through copy
// at stride 1, one float at a time otherwise.
func goGather(dst, base, offs unsafe.Pointer, ld, kb, rows, ow, rowStep, sw int) {
	for p := 0; p < kb; p++ {
		o := int(*(*int32)(unsafe.Add(offs, 4*p)))
		d := unsafe.Slice((*float32)(unsafe.Add(dst, 4*p*ld)), rows*ow)
		for r := 0; r < rows; r++ {
			src := unsafe.Slice((*float32)(unsafe.Add(base, 4*(o+r*rowStep))), (ow-1)*sw+1)
			out := d[r*ow : (r+1)*ow]
			if sw == 1 {
				copy(out, src)
				continue
			}
			for q := range out {
				out[q] = src[q*sw]
			}
		}
	}
}

// RequantArgs are the per-row constants of [PanelKernel].Requant: one
// int32 bias and one float32 scale per row, the output's zero point and
// the output type's range.
type RequantArgs struct {
	Bias, Scale unsafe.Pointer // rows int32 and rows float32
	Zero        int32
	Lo, Hi      int32 // −128, 127 or 0, 255
}

// goQuantIn is the portable QuantIn ([PanelKernel]).
func goQuantIn(dst, src unsafe.Pointer, n int, zero int32, signed bool) {
	d, s := unsafe.Slice((*float32)(dst), n), unsafe.Slice((*byte)(src), n)
	if signed {
		for i, b := range s {
			d[i] = float32(int32(int8(b)) - zero)
		}
		return
	}
	for i, b := range s {
		d[i] = float32(int32(b) - zero)
	}
}

// goRequant is the portable Requant ([PanelKernel]).
func goRequant(dst, src unsafe.Pointer, rows, cols int, a *RequantArgs) {
	d, s := unsafe.Slice((*byte)(dst), rows*cols), unsafe.Slice((*float32)(src), rows*cols)
	bias, scale := unsafe.Slice((*int32)(a.Bias), rows), unsafe.Slice((*float32)(a.Scale), rows)
	for r := 0; r < rows; r++ {
		out := d[r*cols : (r+1)*cols]
		for i, v := range s[r*cols : (r+1)*cols] {
			out[i] = requantize(int32(v)+bias[r], scale[r], a.Zero, a.Lo, a.Hi)
		}
	}
}

// goDots is the portable Dots ([PanelKernel]) for any k.
func goDots(y, a, b unsafe.Pointer, ldb, n, k int) {
	ys, as := unsafe.Slice((*float32)(y), n), unsafe.Slice((*float32)(a), k)
	for j := range ys {
		ys[j] += dot(as, unsafe.Slice((*float32)(unsafe.Add(b, 4*j*ldb)), k))
	}
}

// goDeinterleave is the portable deinterleave of [fusedKernels], the twin
// of the CPU's.
func goDeinterleave(e, o, src unsafe.Pointer, n int) {
	s := unsafe.Slice((*float32)(src), n)
	ev, od := unsafe.Slice((*float32)(e), (n+1)/2), unsafe.Slice((*float32)(o), n/2)
	for i := range ev {
		ev[i] = s[2*i]
	}
	for i := range od {
		od[i] = s[2*i+1]
	}
}
