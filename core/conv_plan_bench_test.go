package core

import (
	"math/rand/v2"
	"testing"

	"wasmcnn/internal/convshapes"
	"wasmcnn/internal/floattest"
)

// BenchmarkNativeKernelSets times the fused plans of the real layers
// (package convshapes) on each of this CPU's kernel sets, to choose
// between them: go test ./core -run '^$' -bench NativeKernelSets.
func BenchmarkNativeKernelSets(b *testing.B) {
	saved := nativeFusedKernels
	defer func() { nativeFusedKernels = saved }()
	r := rand.New(rand.NewPCG(9, 9))
	alloc := func(_ string, n int) ([]float32, error) { return make([]float32, n), nil }
	for _, a := range convshapes.Archs {
		for _, l := range a.Layers {
			if l.Depthwise() {
				continue
			}
			g, x, w, y := layerData(b, r, l)
			for _, k := range nativeKernelSets() {
				nativeFusedKernels = k
				p, err := NewConvPlan(nil, &g, w, nil, ReLUActivation(), false, alloc)
				if err != nil {
					b.Fatal(err)
				}
				b.Run(a.Name+"/"+l.Name+"/"+k.name, func(b *testing.B) {
					p.Run(y, x, nil)
					for b.Loop() {
						p.Run(y, x, nil)
					}
					gflops(b, 2*float64(l.MACs()))
				})
			}
		}
	}
}

// BenchmarkDepthwise times the depthwise layers of the real networks
// (package convshapes) with this CPU's kernels and HardSwish, the
// activation MobileNetV3 fuses into them:
// go test ./core -run '^$' -bench Depthwise.
func BenchmarkDepthwise(b *testing.B) {
	r := rand.New(rand.NewPCG(9, 9))
	alloc := func(_ string, n int) ([]float32, error) { return make([]float32, n), nil }
	for _, a := range convshapes.Archs {
		for _, l := range a.Layers {
			if !l.Depthwise() {
				continue
			}
			g, x, w, y := layerData(b, r, l)
			p, err := NewConvPlan(nil, &g, w, nil, HardSwishActivation(), false, alloc)
			if err != nil {
				b.Fatal(err)
			}
			b.Run(a.Name+"/"+l.Name, func(b *testing.B) {
				p.Run(y, x, nil)
				for b.Loop() {
					p.Run(y, x, nil)
				}
				gflops(b, 2*float64(l.MACs()))
			})
		}
	}
}

// layerData returns the geometry of layer l at batch 1 with random input
// and weights and an output buffer.
func layerData(b *testing.B, r *rand.Rand, l convshapes.Layer) (g ConvGeom, x, w, y []float32) {
	g, err := NewConvGeom([]int{1, l.C, l.H, l.W}, []int{l.K, l.C / l.Group, l.KH, l.KW},
		Window{StrideH: l.Stride, StrideW: l.Stride, PadTop: l.Pad, PadLeft: l.Pad, PadBottom: l.Pad, PadRight: l.Pad}, l.Group)
	if err != nil {
		b.Fatal(err)
	}
	x, w = floattest.RandSlice(r, Product(g.InShape())), floattest.RandSlice(r, Product(g.WeightShape()))
	return g, x, w, make([]float32, Product(g.OutShape()))
}
