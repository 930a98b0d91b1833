package core

import (
	"wasmcnn/internal/fmtlite"
)

// AutoPad values, as ONNX names them. The empty string means NOTSET: the
// explicit pads are used.
const (
	AutoPadNotSet    = "NOTSET"
	AutoPadValid     = "VALID"
	AutoPadSameUpper = "SAME_UPPER"
	AutoPadSameLower = "SAME_LOWER"
)

// Window describes a sliding window over the two spatial axes of an NCHW
// tensor, shared by convolution and pooling. Zero fields take their defaults:
// stride 1, dilation 1, no padding.
type Window struct {
	KernelH, KernelW     int    // window size; for Conv taken from the weights
	StrideH, StrideW     int    // step between windows
	DilationH, DilationW int    // spacing of the window's taps
	PadTop, PadLeft      int    // zeros added before each axis
	PadBottom, PadRight  int    // zeros added after each axis
	AutoPad              string // "", NOTSET, VALID, SAME_UPPER or SAME_LOWER
	CeilMode             bool   // pooling only: round the output size up
}

// axisGeom is the resolved geometry of one spatial axis.
type axisGeom struct {
	in, k, stride, dil, padBegin, padEnd, out int
}

// resolveAxis computes the output size and the effective padding of one axis:
//
//	out = floor((in + padBegin + padEnd − dil·(k−1) − 1) / stride) + 1
//
// (ceil instead of floor with ceilMode, dropping a last window that would
// start in the end padding). SAME_UPPER and SAME_LOWER choose the padding that
// gives out = ceil(in / stride), the odd pixel at the end or the start; VALID
// uses none.
func resolveAxis(op, axis string, in, k, stride, dil, padBegin, padEnd int, autoPad string, ceilMode bool) (axisGeom, error) {
	if stride == 0 {
		stride = 1
	}
	if dil == 0 {
		dil = 1
	}
	switch {
	case k < 1:
		return axisGeom{}, shapeErrorf(op, "kernel %s is %d, want ≥ 1", axis, k)
	case stride < 1:
		return axisGeom{}, shapeErrorf(op, "stride %s is %d, want ≥ 1", axis, stride)
	case dil < 1:
		return axisGeom{}, shapeErrorf(op, "dilation %s is %d, want ≥ 1", axis, dil)
	case padBegin < 0 || padEnd < 0:
		return axisGeom{}, shapeErrorf(op, "negative padding on %s (%d, %d)", axis, padBegin, padEnd)
	case in < 1:
		return axisGeom{}, shapeErrorf(op, "input %s is %d, want ≥ 1", axis, in)
	case k > 1<<16 || stride > 1<<16 || dil > 1<<16 || padBegin > 1<<16 || padEnd > 1<<16 || in > 1<<24:
		return axisGeom{}, shapeErrorf(op, "window on %s out of range (kernel %d, stride %d, dilation %d, pads %d,%d)", axis, k, stride, dil, padBegin, padEnd)
	}
	span := dil*(k-1) + 1
	g := axisGeom{in: in, k: k, stride: stride, dil: dil}
	switch autoPad {
	case "", AutoPadNotSet:
		g.padBegin, g.padEnd = padBegin, padEnd
	case AutoPadValid:
	case AutoPadSameUpper, AutoPadSameLower:
		out := (in + stride - 1) / stride
		total := max(0, (out-1)*stride+span-in)
		g.padBegin = total / 2
		if autoPad == AutoPadSameLower {
			g.padBegin = total - total/2
		}
		g.padEnd = total - g.padBegin
		g.out = out
		return g, nil
	default:
		return axisGeom{}, shapeErrorf(op, "unknown auto_pad %q, want NOTSET, VALID, SAME_UPPER or SAME_LOWER", autoPad)
	}
	extent := in + g.padBegin + g.padEnd - span
	if extent < 0 {
		return axisGeom{}, shapeErrorf(op, "window of %d (dilated) does not fit input %s %d with padding %d+%d", span, axis, in, g.padBegin, g.padEnd)
	}
	g.out = extent/stride + 1
	if ceilMode && extent%stride != 0 {
		g.out++
		// A window starting in the end padding would see no input at all.
		if (g.out-1)*stride >= in+g.padBegin {
			g.out--
		}
	}
	return g, nil
}

// ConvGeom is the resolved geometry of a 2-D convolution or pooling on an
// NCHW input: all sizes, strides and paddings known. Build it with
// [NewConvGeom] or [NewPoolGeom], which validate.
type ConvGeom struct {
	N, C, H, W     int // input
	K, KH, KW      int // filters (output channels) and kernel size; K = C for pooling
	OH, OW         int // output size
	SH, SW, DH, DW int // strides and dilations
	PT, PL, PB, PR int // padding: top, left, bottom, right
	Group          int // convolution groups; C and K are multiples of it
}

// NewConvGeom validates a convolution of an input of shape x = [N, C, H, W]
// with weights of shape w = [K, C/group, KH, KW] under the window win (its
// kernel size, if set, must match the weights) and returns its geometry.
func NewConvGeom(x, w []int, win Window, group int) (ConvGeom, error) {
	const op = "Conv"
	if len(x) != 4 {
		return ConvGeom{}, shapeErrorf(op, "input has shape %v, want rank 4 [N, C, H, W]", x)
	}
	if len(w) != 4 {
		return ConvGeom{}, shapeErrorf(op, "weights have shape %v, want rank 4 [K, C/group, KH, KW]", w)
	}
	if group == 0 {
		group = 1
	}
	if group < 0 {
		return ConvGeom{}, shapeErrorf(op, "group is %d, want ≥ 1", group)
	}
	if x[0] < 1 || x[1] < 1 {
		return ConvGeom{}, shapeErrorf(op, "input has shape %v, want N and C ≥ 1", x)
	}
	if x[1]%group != 0 || w[0] < 1 || w[0]%group != 0 {
		return ConvGeom{}, shapeErrorf(op, "channels %d and filters %d must be multiples of group %d", x[1], w[0], group)
	}
	if w[1] != x[1]/group {
		return ConvGeom{}, shapeErrorf(op, "weights %v reach through %d channels, input %v has %d per group", w, w[1], x, x[1]/group)
	}
	if (win.KernelH != 0 && win.KernelH != w[2]) || (win.KernelW != 0 && win.KernelW != w[3]) {
		return ConvGeom{}, shapeErrorf(op, "kernel_shape %dx%d does not match weights %v", win.KernelH, win.KernelW, w)
	}
	if win.CeilMode {
		return ConvGeom{}, shapeErrorf(op, "ceil_mode applies to pooling only")
	}
	win.KernelH, win.KernelW = w[2], w[3]
	g, err := newGeom(op, x, win)
	if err != nil {
		return ConvGeom{}, err
	}
	g.K, g.Group = w[0], group
	return g, g.checkSizes(op)
}

// NewPoolGeom validates a pooling window over an input of shape
// x = [N, C, H, W] and returns its geometry (K = C, Group = C).
func NewPoolGeom(op string, x []int, win Window) (ConvGeom, error) {
	if len(x) != 4 {
		return ConvGeom{}, shapeErrorf(op, "input has shape %v, want rank 4 [N, C, H, W]", x)
	}
	if x[0] < 1 || x[1] < 1 {
		return ConvGeom{}, shapeErrorf(op, "input has shape %v, want N and C ≥ 1", x)
	}
	g, err := newGeom(op, x, win)
	if err != nil {
		return ConvGeom{}, err
	}
	g.K, g.Group = g.C, g.C
	return g, g.checkSizes(op)
}

func newGeom(op string, x []int, win Window) (ConvGeom, error) {
	gh, err := resolveAxis(op, "height", x[2], win.KernelH, win.StrideH, win.DilationH, win.PadTop, win.PadBottom, win.AutoPad, win.CeilMode)
	if err != nil {
		return ConvGeom{}, err
	}
	gw, err := resolveAxis(op, "width", x[3], win.KernelW, win.StrideW, win.DilationW, win.PadLeft, win.PadRight, win.AutoPad, win.CeilMode)
	if err != nil {
		return ConvGeom{}, err
	}
	return ConvGeom{
		N: x[0], C: x[1], H: x[2], W: x[3],
		KH: gh.k, KW: gw.k, OH: gh.out, OW: gw.out,
		SH: gh.stride, SW: gw.stride, DH: gh.dil, DW: gw.dil,
		PT: gh.padBegin, PB: gh.padEnd, PL: gw.padBegin, PR: gw.padEnd,
	}, nil
}

// checkSizes refuses geometries whose tensors or scratch would exceed MaxElements.
func (g ConvGeom) checkSizes(op string) error {
	for _, s := range [][]int{{g.N, g.C, g.H, g.W}, {g.N, g.K, g.OH, g.OW}, {g.C / g.Group, g.KH, g.KW, g.OH, g.OW}, {g.K, g.C / g.Group, g.KH, g.KW}} {
		if _, err := ShapeSize(s); err != nil {
			return fmtlite.Errorf("core: %s: %w", op, err)
		}
	}
	return nil
}

// InShape returns [N, C, H, W].
func (g ConvGeom) InShape() []int { return []int{g.N, g.C, g.H, g.W} }

// OutShape returns [N, K, OH, OW].
func (g ConvGeom) OutShape() []int { return []int{g.N, g.K, g.OH, g.OW} }

// WeightShape returns [K, C/Group, KH, KW].
func (g ConvGeom) WeightShape() []int { return []int{g.K, g.C / g.Group, g.KH, g.KW} }

// pointwise reports whether the convolution is a plain 1×1 product needing no im2col.
func (g ConvGeom) pointwise() bool {
	return g.KH == 1 && g.KW == 1 && g.SH == 1 && g.SW == 1 && g.PT == 0 && g.PL == 0 && g.PB == 0 && g.PR == 0
}

// batched reports whether [Conv2D] treats the whole batch as one matrix
// product: with several images and one group, im2col lays every image's
// columns side by side, so the product is K × (N·OH·OW) instead of N small
// ones. That keeps the micro-kernel busy on small feature maps. Larger maps
// already give each image a product that fits in cache, and a batched
// matrix past batchedColLimit would stream from memory: those go image by
// image (measured natively and in WebAssembly alike).
func (g ConvGeom) Batched() bool {
	return g.N > 1 && g.Group == 1 && g.OH*g.OW <= 256 && g.C*g.KH*g.KW*g.N*g.OH*g.OW <= batchedColLimit
}

// batchedColLimit bounds the im2col matrix of a batched convolution (in
// floats, 4 MiB): past it the product streams from memory instead of cache
// and one product per image is faster.
const batchedColLimit = 1 << 20

// ColSize returns the length of the scratch buffer [Conv2D] needs: the
// im2col matrix (C/Group·KH·KW) × (OH·OW) of one image and group, or for a
// batched convolution the matrix of all images plus the product before it
// is laid out as NCHW. It is 0 for one image of a 1×1 convolution without
// stride or padding.
func (g ConvGeom) ColSize() int {
	p := g.OH * g.OW
	if g.Batched() {
		return (g.C*g.KH*g.KW + g.K) * g.N * p
	}
	if g.pointwise() {
		return 0
	}
	return g.C / g.Group * g.KH * g.KW * p
}

// BackwardScratchSize returns the length of the scratch [Conv2DBackward]
// needs: the im2col matrix and, batched, the gradient laid out as a matrix.
func (g ConvGeom) BackwardScratchSize() int {
	p := g.OH * g.OW
	if g.Batched() {
		return (g.C*g.KH*g.KW + g.K) * g.N * p
	}
	return g.C / g.Group * g.KH * g.KW * p
}

// MACs returns the multiply-accumulates of the convolution.
func (g ConvGeom) MACs() int64 {
	return int64(g.N) * int64(g.K) * int64(g.OH*g.OW) * int64(g.C/g.Group*g.KH*g.KW)
}
