package core

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"wasmcnn/internal/floattest"
)

// gflops reports the rate of flops floating-point operations per iteration.
func gflops(b *testing.B, flops float64) {
	b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// gemmSizes are the matrix products of the reference networks after im2col
// (m filters × n output pixels × k taps), and a dense layer.
var gemmSizes = []struct {
	name    string
	m, n, k int
}{
	{"Sconv1_8x784x25", 8, 784, 25},
	{"Sconv2_16x196x200", 16, 196, 200},
	{"Mconv1_32x676x9", 32, 676, 9},
	{"Mconv2_64x576x288", 64, 576, 288},
	{"Mfc1_64x128x9216", 64, 128, 9216},
}

func BenchmarkGemm(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, s := range gemmSizes {
		a, bm, c := floattest.RandSlice(r, s.m*s.k), floattest.RandSlice(r, s.k*s.n), make([]float32, s.m*s.n)
		impls := []struct {
			name string
			f    gemmFunc
		}{{"ref", GemmRef}}
		for _, kern := range gemmKernels {
			impls = append(impls, struct {
				name string
				f    gemmFunc
			}{kern.name, func(ta, tb bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
				gemmWith(kern, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
			}})
		}
		for _, impl := range impls {
			b.Run(s.name+"/"+impl.name, func(b *testing.B) {
				for b.Loop() {
					impl.f(false, false, s.m, s.n, s.k, 1, a, s.k, bm, s.n, 0, c, s.n)
				}
				gflops(b, 2*float64(s.m*s.n*s.k))
			})
		}
	}
}

func BenchmarkConv2D(b *testing.B) {
	r := rand.New(rand.NewPCG(2, 2))
	cases := []struct {
		name  string
		x, w  []int
		win   Window
		group int
	}{
		{"Small_1x1x28x28_8x5x5_same", []int{1, 1, 28, 28}, []int{8, 1, 5, 5}, Window{AutoPad: AutoPadSameUpper}, 1},
		{"Medium_1x32x26x26_64x3x3", []int{1, 32, 26, 26}, []int{64, 32, 3, 3}, Window{}, 1},
		{"Depthwise_1x32x28x28_3x3", []int{1, 32, 28, 28}, []int{32, 1, 3, 3}, Window{AutoPad: AutoPadSameUpper}, 32},
	}
	for _, c := range cases {
		g, err := NewConvGeom(c.x, c.w, c.win, c.group)
		if err != nil {
			b.Fatal(err)
		}
		x, w, bias := floattest.RandSlice(r, Product(c.x)), floattest.RandSlice(r, Product(c.w)), floattest.RandSlice(r, c.w[0])
		y, col := make([]float32, Product(g.OutShape())), make([]float32, g.ColSize())
		b.Run(c.name+"/fast", func(b *testing.B) {
			for b.Loop() {
				Conv2D(y, x, w, bias, &g, col)
			}
			gflops(b, 2*float64(g.MACs()))
		})
		b.Run(c.name+"/ref", func(b *testing.B) {
			for b.Loop() {
				Conv2DRef(y, x, w, bias, &g)
			}
			gflops(b, 2*float64(g.MACs()))
		})
	}
}

// BenchmarkGemv times a classifier's product at batch 1 (MobileNetV3-small's
// two and MobileNetV2's, B transposed as ONNX's Gemm holds a Linear's
// weights) through Gemm and, beside it, through Go's scalar dot products.
func BenchmarkGemv(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, s := range [][2]int{{576, 1024}, {1024, 1000}, {1280, 1000}} {
		k, n := s[0], s[1]
		x, w, y := floattest.RandSlice(r, k), floattest.RandSlice(r, n*k), make([]float32, n)
		b.Run(fmt.Sprintf("%dx%d/gemm", k, n), func(b *testing.B) {
			for b.Loop() {
				Gemm(false, true, 1, n, k, 1, x, k, w, k, 0, y, n)
			}
			gflops(b, 2*float64(n*k))
		})
		b.Run(fmt.Sprintf("%dx%d/go", k, n), func(b *testing.B) {
			for b.Loop() {
				for j := range y {
					y[j] = dot(x, w[j*k:(j+1)*k])
				}
			}
			gflops(b, 2*float64(n*k))
		})
	}
}

// BenchmarkBroadcastPlanes times a squeeze-excite block's Mul of [1 C H W]
// by [1 C 1 1] (MobileNetV3-small's shapes) on the scale-shift kernel and,
// beside it, through the general broadcasting loop.
func BenchmarkBroadcastPlanes(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, s := range [][2]int{{16, 56}, {96, 14}, {240, 14}, {576, 7}} {
		c, hw := s[0], s[1]
		p, err := NewBroadcast("Mul", []int{1, c, 1, 1}, []int{1, c, hw, hw})
		if err != nil {
			b.Fatal(err)
		}
		general := *p
		general.planes = nil
		v, x, y := floattest.RandSlice(r, c), floattest.RandSlice(r, c*hw*hw), make([]float32, c*hw*hw)
		for _, q := range []struct {
			name string
			p    *Broadcast
		}{{"planes", p}, {"general", &general}} {
			b.Run(fmt.Sprintf("%dx%dx%d/%s", c, hw, hw, q.name), func(b *testing.B) {
				for b.Loop() {
					q.p.Apply(OpMul, y, v, x)
				}
			})
		}
	}
}

// BenchmarkGlobalAvgPool times GlobalAvgPool2D on squeeze-excite's and
// SqueezeNet's planes and, beside it, its Go twin.
func BenchmarkGlobalAvgPool(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, s := range [][2]int{{96, 14 * 14}, {576, 7 * 7}, {1000, 13 * 13}} {
		c, hw := s[0], s[1]
		x, y := floattest.RandSlice(r, c*hw), make([]float32, c)
		b.Run(fmt.Sprintf("%dx%d/kernel", c, hw), func(b *testing.B) {
			for b.Loop() {
				GlobalAvgPool2D(y, x, 1, c, hw)
			}
		})
		b.Run(fmt.Sprintf("%dx%d/go", c, hw), func(b *testing.B) {
			for b.Loop() {
				globalAvgPool2DGo(y, x, 1, c, hw)
			}
		})
	}
}
