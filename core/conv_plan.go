package core

import (
	"runtime"
	"unsafe"

	"wasmcnn/internal/fmtlite"
)

// ConvPlan is a convolution planned once for many runs, with its bias, an
// optional residual and an activation fused into the kernels' epilogues:
//
//	y = act(conv(x, w) + b + res)
//
// which is what a network's Conv, BatchNormalization (folded into w and b
// with [FoldBatchNorm]), Add and activation nodes compute, in one pass
// over the output instead of four. NewConvPlan picks the method from the
// geometry ([ConvPlan.Method]):
//
//   - "depthwise": one filter per channel (group = C = K), stride 1 or 2
//     across, any kernel size, padding and dilation, no residual: a direct
//     loop over a padded copy of a few channels at a time, nine (or 25)
//     multiply-adds per output and no matrix product.
//   - "pointwise": 1×1 without padding, any stride and groups: a matrix
//     product per group that reads the input in place at stride 1 and a
//     subsampled block of it otherwise.
//   - "gemv": a 1×1 convolution of a 1×1 map (the squeeze-and-excitation
//     blocks of MobileNetV3, a dense layer written as a convolution): one
//     dot product per filter, where a tile would be one column wide.
//   - "winograd": 3×3, stride and dilation 1, one group, where it pays
//     ([winogradPlan]): Winograd's F(2×2, 3×3), 16 multiplications for
//     every 4 outputs instead of 36.
//   - "implicit": with a panel kernel that has ConvTilesEp (the browser's
//     SIMD module), stride 1, one group, a window larger than 1×1: the
//     product reads a padded copy of the image through the taps' offsets
//     ([ImplicitConv]) instead of gathering it.
//   - "gemm": every other convolution: a matrix product per group whose
//     right operand is gathered from the image one cache-sized block at a
//     time (im2col by blocks, never the whole matrix).
//
// Weights are packed once, when planning. The result equals
// [ConvFusedRef] up to float32 rounding.
type ConvPlan struct {
	g        ConvGeom
	method   string
	residual bool
	act      Activation
	params   *[4]float32 // act's parameters where the kernels read them
	bias     []float32   // K values, zero without a bias
	kern     *fusedKernels
	dw       *depthwisePlan
	gm       *gemmPlan
	ic       *ImplicitConv
	panel    *PanelKernel // the kernel ic was planned for
	w        []float32    // the filters, [K, C], for gemv
	wg       *winogradPlan
}

// NewConvPlan plans the convolution g of the weights w ([K, C/Group, KH,
// KW]) and bias b ([K], or nil) followed, when residual is set, by the
// addition of a tensor of the output's shape and then by act, for the
// panel kernel k (nil: the CPU's kernels). w and b are copied. alloc
// provides the plan's scratch buffers, which the planner accounts for;
// they must be private to the plan. It returns an error for weights or a
// bias shorter than g implies, or an activation that is not [Activation.Valid].
func NewConvPlan(k *PanelKernel, g *ConvGeom, w, b []float32, act Activation, residual bool, alloc func(string, int) ([]float32, error)) (*ConvPlan, error) {
	return NewConvPlanMethod(k, g, w, b, act, residual, alloc, "")
}

// NewConvPlanMethod is [NewConvPlan] with the method chosen by the caller
// ("" chooses as NewConvPlan does): for benchmarks and tests that hold
// the methods to each other. It refuses a method that does not apply to g.
func NewConvPlanMethod(k *PanelKernel, g *ConvGeom, w, b []float32, act Activation, residual bool, alloc func(string, int) ([]float32, error), method string) (*ConvPlan, error) {
	const op = "Conv"
	if g.N < 1 || g.Group < 1 || g.C%g.Group != 0 || g.K%g.Group != 0 || g.OH < 1 || g.OW < 1 {
		return nil, shapeErrorf(op, "geometry not built by NewConvGeom (N %d, C %d, K %d, group %d)", g.N, g.C, g.K, g.Group)
	}
	if n := g.K * (g.C / g.Group) * g.KH * g.KW; len(w) < n {
		return nil, shapeErrorf(op, "%d weights, want %d", len(w), n)
	}
	if b != nil && len(b) < g.K {
		return nil, shapeErrorf(op, "bias of %d values, want %d", len(b), g.K)
	}
	if !act.Valid() {
		return nil, shapeErrorf(op, "activation %d with bounds %v, %v cannot be fused", int(act.Kind), act.Lo, act.Hi)
	}
	p := &ConvPlan{g: *g, residual: residual, act: act, kern: fusedKernelsFor(k), bias: make([]float32, g.K)}
	pa := act.params()
	p.params = &pa
	if b != nil {
		copy(p.bias, b[:g.K])
	}
	var err error
	winograd := g.KH == 3 && g.KW == 3 && g.SH == 1 && g.SW == 1 && g.DH == 1 && g.DW == 1 && g.Group == 1
	switch method {
	case "":
		if winograd && winogradPays(g, p.kern) {
			method = "winograd"
		}
	case "winograd":
		if !winograd {
			return nil, shapeErrorf(op, "Winograd's F(2×2, 3×3) takes 3×3 windows of stride and dilation 1 and one group")
		}
	default:
		return nil, shapeErrorf(op, "unknown method %q", method)
	}
	switch {
	case method == "winograd":
		p.method = "winograd"
		p.wg, err = newWinogradPlan(p, w, alloc)
	case g.Group == g.C && g.K == g.C && g.SW <= 2 && !residual:
		p.method = "depthwise"
		p.dw, err = newDepthwisePlan(p, w, alloc)
	case g.matVec():
		// A 1×1 convolution of a 1×1 map (squeeze-and-excitation, a dense
		// layer as a convolution): one dot product per filter.
		p.method = "gemv"
		p.w = append([]float32(nil), w[:g.K*g.C]...)
	case k != nil && k.ConvTilesEp != nil && g.Group == 1 && g.SH == 1 && g.SW == 1 && !g.pointwise():
		p.method, p.panel = "implicit", k
		p.ic, err = NewImplicitConv(k, g, w, p.bias, alloc)
		if p.ic != nil {
			clear(p.ic.xpad) // its border is only written here
		}
		if err == nil && p.ic == nil {
			p.method, p.panel = "gemm", nil
			p.gm, err = newGemmPlan(p, w, alloc)
		}
	default:
		p.method = "gemm"
		if g.KH == 1 && g.KW == 1 && g.PT == 0 && g.PL == 0 && g.PB == 0 && g.PR == 0 {
			p.method = "pointwise"
		}
		p.gm, err = newGemmPlan(p, w, alloc)
	}
	if err != nil {
		return nil, fmtlite.Errorf("core: %s: %w", op, err)
	}
	return p, nil
}

// Method names how the plan computes: "depthwise", "pointwise", "gemv",
// "winograd", "implicit" or "gemm".
func (p *ConvPlan) Method() string { return p.method }

// Kernel names the micro-kernels the plan runs on.
func (p *ConvPlan) Kernel() string { return p.kern.name }

// Geom returns the planned geometry.
func (p *ConvPlan) Geom() ConvGeom { return p.g }

// Run computes y ([N, K, OH, OW]) from x ([N, C, H, W]) and, for a plan
// with a residual, res (y's shape; otherwise ignored, may be nil). y must
// not overlap x; it may be res, which is then read before each output is
// written.
func (p *ConvPlan) Run(y, x, res []float32) {
	g := &p.g
	in, out := g.C*g.H*g.W, g.K*g.OH*g.OW
	if len(x) < g.N*in || len(y) < g.N*out || (p.residual && len(res) < g.N*out) {
		panic(panicShortSlice)
	}
	if p.ic != nil {
		p.ic.runFused(p.panel, y, x, res, p)
		return
	}
	if p.w != nil {
		p.runGemv(y, x, res)
		return
	}
	for n := 0; n < g.N; n++ {
		var r []float32
		if p.residual {
			r = res[n*out : (n+1)*out]
		}
		xn, yn := x[n*in:(n+1)*in], y[n*out:(n+1)*out]
		if p.dw != nil {
			p.dw.run(p, yn, xn)
			continue
		}
		if p.wg != nil {
			p.wg.run(p, yn, xn, r)
			continue
		}
		p.gm.run(p, yn, xn, r)
	}
}

// WithScratch returns a copy of the plan that shares its packed weights
// and runs on the scratch buffers alloc provides, asked for in the order
// and sizes [NewConvPlan] asked for them: so that a planner can build a
// plan once with an allocator that only records sizes, place the buffers,
// then bind them without packing the weights again.
func (p *ConvPlan) WithScratch(alloc func(string, int) ([]float32, error)) (*ConvPlan, error) {
	q := *p
	var err error
	switch {
	case p.dw != nil:
		d := *p.dw
		q.dw, err = &d, d.allocScratch(alloc)
	case p.gm != nil:
		gm := *p.gm
		q.gm, err = &gm, gm.allocScratch(&q, alloc)
	case p.wg != nil:
		wg := *p.wg
		q.wg, err = &wg, wg.allocScratch(&q.g, alloc)
	case p.ic != nil:
		ic := *p.ic
		q.ic, err = &ic, ic.allocScratch(alloc)
		clear(ic.xpad)
	}
	if err != nil {
		return nil, fmtlite.Errorf("core: Conv: %w", err)
	}
	return &q, nil
}

// ForBatch returns the plan of the same convolution for n images, sharing
// p's packed weights, with scratch from alloc as [ConvPlan.WithScratch]
// gives it: each image runs alone, so neither the method nor the packing
// depends on the batch, and a model planned again for another batch size
// needs no second copy of its filters (nor the time to pack them).
func (p *ConvPlan) ForBatch(n int, alloc func(string, int) ([]float32, error)) (*ConvPlan, error) {
	if n < 1 {
		return nil, shapeErrorf("Conv", "batch of %d images", n)
	}
	q := *p
	q.g.N = n
	if p.ic != nil {
		ic := *p.ic
		ic.g.N = n
		q.ic = &ic
	}
	return q.WithScratch(alloc)
}

// ClearPadding zeroes the plan's zero-bordered copies of the image, whose
// border is written only when planning. A caller that lends the plan
// scratch which other work overwrites between runs (the model planner
// places every step's scratch in one arena) calls it before each Run; a
// plan whose scratch is its own never needs it. The other scratch
// buffers are written before they are read on every run.
func (p *ConvPlan) ClearPadding() {
	switch {
	case p.dw != nil:
		clear(p.dw.xpad)
	case p.gm != nil:
		clear(p.gm.xpad)
	case p.wg != nil:
		clear(p.wg.xpad)
	case p.ic != nil:
		clear(p.ic.xpad)
	}
}

// matVec reports whether a convolution is a matrix-vector product: one
// group, a 1×1 window without padding on a 1×1 map (any stride).
func (g ConvGeom) matVec() bool {
	return g.Group == 1 && g.H == 1 && g.W == 1 && g.KH == 1 && g.KW == 1 && g.PT == 0 && g.PL == 0 && g.PB == 0 && g.PR == 0
}

// runGemv computes the "gemv" method: y starts at the bias (and the
// residual), takes every filter's dot product with the image, then the
// activation.
func (p *ConvPlan) runGemv(y, x, res []float32) {
	g := &p.g
	for n := 0; n < g.N; n++ {
		yn, xn := y[n*g.K:(n+1)*g.K], x[n*g.C:(n+1)*g.C]
		if p.residual {
			for i, r := range res[n*g.K : (n+1)*g.K] {
				yn[i] = p.bias[i] + r
			}
		} else {
			copy(yn, p.bias)
		}
		p.kern.dots(unsafe.Pointer(&yn[0]), unsafe.Pointer(&xn[0]), unsafe.Pointer(&p.w[0]), g.C, g.K, g.C)
		applyAct(p.act, yn)
	}
	runtime.KeepAlive(p)
	runtime.KeepAlive(x)
	runtime.KeepAlive(y)
}

// epilogue returns the epilogue of a block of depth: the bias and residual
// on the first (otherwise the block adds to what earlier ones left), the
// activation on the last.
func (p *ConvPlan) epilogue(ep *EpilogueArgs, first, last bool) {
	ep.Flags, ep.Act, ep.Params = EpAccumulate, p.act.Kind, unsafe.Pointer(p.params)
	if first {
		ep.Flags = EpBias
		if ep.Res != nil {
			ep.Flags |= EpResidual
		}
	}
	if last && p.act.Kind != ActNone {
		ep.Flags |= EpActivate
	}
}

// ConvFusedRef is the reference for [ConvPlan]: [Conv2DRef]'s loop nest
// summing in float64, plus the residual when res is not nil, then act.
func ConvFusedRef(y, x, w, b, res []float32, g *ConvGeom, act Activation) {
	Conv2DRef(y, x, w, b, g)
	n := g.N * g.K * g.OH * g.OW
	for i := range y[:n] {
		v := y[i]
		if res != nil {
			v = float32(float64(v) + float64(res[i]))
		}
		y[i] = act.Apply(v)
	}
}
