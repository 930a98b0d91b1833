package nn

import (
	"wasmcnn/internal/fmtlite"

	"wasmcnn/core"
)

// ConvLayer is a 2-D convolution layer: K filters of C/Group × KH × KW plus a
// bias per filter; see [core.Conv2D].
type ConvLayer struct {
	Name   string
	Window core.Window // stride, padding, dilation; KernelH/KernelW are the filter size
	Group  int
	W, B   Param // W is [K, C/Group, KH, KW], B is [K]

	geom     core.ConvGeom
	col      []float32
	colReady bool // col holds the im2col matrix of the last Forward's input
}

// NewConvLayer returns a convolution with k filters of kh×kw over c input
// channels, stride 1, "same" padding for odd kernels when same is set and
// none otherwise.
func NewConvLayer(name string, c, k, kh, kw int, same bool) *ConvLayer {
	win := core.Window{KernelH: kh, KernelW: kw}
	if same {
		win.PadTop, win.PadBottom = (kh-1)/2, kh/2
		win.PadLeft, win.PadRight = (kw-1)/2, kw/2
	}
	return &ConvLayer{
		Name:   name,
		Window: win,
		Group:  1,
		W:      newParam(name+".W", InitHe, c*kh*kw, true, k, c, kh, kw),
		B:      newParam(name+".B", InitZero, 0, false, k),
	}
}

// Kind returns "Conv2D".
func (l *ConvLayer) Kind() string { return "Conv2D" }

// Setup checks in = [N, C, H, W] against the filters.
func (l *ConvLayer) Setup(in []int) ([]int, error) {
	g, err := core.NewConvGeom(in, l.W.W.Shape, l.Window, l.Group)
	if err != nil {
		return nil, fmtlite.Errorf("layer %s: %w", l.Name, err)
	}
	l.geom, l.colReady = g, false
	n := max(g.ColSize(), g.BackwardScratchSize())
	if cap(l.col) < n {
		l.col = make([]float32, n)
	}
	return g.OutShape(), nil
}

// Forward runs the convolution.
func (l *ConvLayer) Forward(y, x *core.Tensor, train bool) {
	core.Conv2D(y.Data, x.Data, l.W.W.Data, l.B.W.Data, &l.geom, l.col)
	l.colReady = l.geom.Batched()
}

// Backward accumulates dW and dB and computes dx.
func (l *ConvLayer) Backward(dx, dy, x, y *core.Tensor) {
	var dxd []float32
	if dx != nil {
		dxd = dx.Data
	}
	core.Conv2DBackward(dxd, l.W.DW.Data, l.B.DW.Data, dy.Data, x.Data, l.W.W.Data, &l.geom, l.col, l.colReady)
	l.colReady = false // the backward pass reused col for the input gradient
}

// Params returns W and B.
func (l *ConvLayer) Params() []Param { return []Param{l.W, l.B} }

func (l *ConvLayer) replica() Layer {
	r := *l
	r.W, r.B, r.col = shareParam(l.W), shareParam(l.B), nil
	return &r
}
