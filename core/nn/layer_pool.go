package nn

import (
	"wasmcnn/internal/fmtlite"

	"wasmcnn/core"
)

// PoolLayer is a max or average pooling layer; see [core.MaxPool2D] and [core.AvgPool2D].
type PoolLayer struct {
	Name            string
	Max             bool // max pooling; average otherwise
	Window          core.Window
	CountIncludePad bool // average pooling: divide by the full window

	geom   core.ConvGeom
	argmax []int32
}

// NewMaxPool returns a k×k max pooling with stride s.
func NewMaxPool(name string, k, s int) *PoolLayer {
	return &PoolLayer{Name: name, Max: true, Window: core.Window{KernelH: k, KernelW: k, StrideH: s, StrideW: s}}
}

// NewAvgPool returns a k×k average pooling with stride s.
func NewAvgPool(name string, k, s int) *PoolLayer {
	return &PoolLayer{Name: name, Window: core.Window{KernelH: k, KernelW: k, StrideH: s, StrideW: s}}
}

// Kind returns "MaxPool2D" or "AvgPool2D".
func (l *PoolLayer) Kind() string {
	if l.Max {
		return "MaxPool2D"
	}
	return "AvgPool2D"
}

// Setup checks in = [N, C, H, W] against the window.
func (l *PoolLayer) Setup(in []int) ([]int, error) {
	g, err := core.NewPoolGeom(l.Kind(), in, l.Window)
	if err != nil {
		return nil, fmtlite.Errorf("layer %s: %w", l.Name, err)
	}
	l.geom = g
	if n := g.N * g.C * g.OH * g.OW; l.Max && cap(l.argmax) < n {
		l.argmax = make([]int32, n)
	}
	return g.OutShape(), nil
}

// Forward pools x into y, remembering the winners of max pooling when
// training.
func (l *PoolLayer) Forward(y, x *core.Tensor, train bool) {
	if l.Max {
		// Only training needs the argmax for Backward; without it the
		// pooling takes its vector kernels.
		argmax := l.argmax
		if !train {
			argmax = nil
		}
		core.MaxPool2D(y.Data, x.Data, argmax, &l.geom)
		return
	}
	core.AvgPool2D(y.Data, x.Data, &l.geom, l.CountIncludePad)
}

// Backward routes dy back through the windows.
func (l *PoolLayer) Backward(dx, dy, x, y *core.Tensor) {
	if dx == nil {
		return
	}
	if l.Max {
		core.MaxPool2DBackward(dx.Data, dy.Data, l.argmax, &l.geom)
		return
	}
	core.AvgPool2DBackward(dx.Data, dy.Data, &l.geom, l.CountIncludePad)
}

// Params returns nothing: pooling learns nothing.
func (l *PoolLayer) Params() []Param { return nil }

func (l *PoolLayer) replica() Layer {
	r := *l
	r.argmax = nil
	return &r
}

// GlobalAvgPoolLayer averages each feature map to one value: [N, C, H, W] → [N, C, 1, 1].
type GlobalAvgPoolLayer struct {
	Name     string
	n, c, hw int
}

// Kind returns "GlobalAvgPool".
func (l *GlobalAvgPoolLayer) Kind() string { return "GlobalAvgPool" }

// Setup checks that the input is [N, C, H, W].
func (l *GlobalAvgPoolLayer) Setup(in []int) ([]int, error) {
	if len(in) != 4 {
		return nil, fmtlite.Errorf("layer %s: input %v, want [N, C, H, W]", l.Name, in)
	}
	l.n, l.c, l.hw = in[0], in[1], in[2]*in[3]
	return []int{in[0], in[1], 1, 1}, nil
}

// Forward averages each plane.
func (l *GlobalAvgPoolLayer) Forward(y, x *core.Tensor, train bool) {
	core.GlobalAvgPool2D(y.Data, x.Data, l.n, l.c, l.hw)
}

// Backward spreads dy over each plane.
func (l *GlobalAvgPoolLayer) Backward(dx, dy, x, y *core.Tensor) {
	if dx != nil {
		core.GlobalAvgPool2DBackward(dx.Data, dy.Data, l.n, l.c, l.hw)
	}
}

// Params returns nothing.
func (l *GlobalAvgPoolLayer) Params() []Param { return nil }

func (l *GlobalAvgPoolLayer) replica() Layer { r := *l; return &r }
