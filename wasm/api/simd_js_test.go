package api

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"

	"wasmcnn/core"
	"wasmcnn/core/nn"
	"wasmcnn/core/onnx"
)

// withSIMD installs the SIMD kernel for one test (skipping when this Node
// cannot run it) and removes it afterwards.
func withSIMD(t testing.TB) string {
	name := installSIMD()
	if name == "" {
		t.Fatal("the SIMD kernel did not install: run the wasm tests with tools/go_js_wasm_exec, which exposes the memory")
	}
	return name
}

func randF(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = r.Float32()*2 - 1
	}
	return s
}

// TestSIMDTiles checks the SIMD kernel against the definition on random
// panel sizes, with and without accumulation, with guard values around C.
func TestSIMDTiles(t *testing.T) {
	name := withSIMD(t)
	defer core.SetPanelKernel(nil)
	t.Logf("kernel: %s", name)
	tiles := simdTiles(t)
	r := rand.New(rand.NewPCG(1, 2))
	for iter := 0; iter < 200; iter++ {
		mp, np, kb := 4*(1+r.IntN(6)), 8*(1+r.IntN(6)), 1+r.IntN(300)
		ldc := np + r.IntN(3)
		// B packed (bPanel = 8·kb, bRow = 8) or read in place from rows of ldb.
		packed := r.IntN(2) == 0
		ldb := np + r.IntN(5)
		bPanel, bRow, bLen := 8, ldb, kb*ldb
		if packed {
			bPanel, bRow, bLen = 8*kb, 8, np*kb
		}
		pa, pb := randF(r, mp*kb), randF(r, bLen)
		c := randF(r, (mp-1)*ldc+np+32) // 16 guard values on each side
		orig := append([]float32(nil), c...)
		acc := r.IntN(2) == 0
		tiles(unsafe.Pointer(&pa[0]), unsafe.Pointer(&pb[0]), bPanel, bRow, unsafe.Pointer(&c[16]), ldc, mp, np, kb, acc)
		n := (mp-1)*ldc + np
		for i := 0; i < 16; i++ {
			if c[i] != orig[i] || c[16+n+i] != orig[16+n+i] {
				t.Fatalf("mp=%d np=%d kb=%d: wrote outside C", mp, np, kb)
			}
		}
		for i := 0; i < mp; i++ {
			for j := 0; j < ldc; j++ {
				o := 16 + i*ldc + j
				if o >= 16+n {
					break
				}
				if j >= np {
					if c[o] != orig[o] {
						t.Fatalf("wrote into the gap between rows at (%d,%d)", i, j)
					}
					continue
				}
				var s float64
				if acc {
					s = float64(orig[o])
				}
				for p := 0; p < kb; p++ {
					s += float64(pa[(i/4)*4*kb+4*p+i%4]) * float64(pb[(j/8)*bPanel+p*bRow+j%8])
				}
				if got := float64(c[o]); math.Abs(got-s) > 1e-4*math.Sqrt(float64(kb)) {
					t.Fatalf("mp=%d np=%d kb=%d acc=%v packed=%v: c[%d][%d] = %v, want %v", mp, np, kb, acc, packed, i, j, got, s)
				}
			}
		}
	}
}

// simdTiles returns the installed kernel's Tiles function.
func simdTiles(t *testing.T) func(pa, pb unsafe.Pointer, bPanel, bRow int, c unsafe.Pointer, ldc, mp, np, kb int, accumulate bool) {
	var k *core.PanelKernel
	k = core.CurrentPanelKernel()
	if k == nil {
		t.Fatal("no panel kernel")
	}
	return k.Tiles
}

// TestSIMDModelsMatchGo runs the reference networks with and without the
// SIMD kernel: the outputs must agree.
func TestSIMDModelsMatchGo(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, c := range []struct {
		name string
		net  *nn.Net
	}{{"S", nn.ReferenceNetS(1)}, {"M", nn.ReferenceNetM(1)}} {
		data, err := c.net.ExportONNX(nn.ExportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		m, err := onnx.LoadModel(data, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, batch := range []int{1, 3} {
			x := randF(r, batch*784)
			core.SetPanelKernel(nil)
			goOut, _ := m.Predict(x)
			goOut = append([]float32(nil), goOut...)
			withSIMD(t)
			simdOut, _ := m.Predict(x)
			core.SetPanelKernel(nil)
			for i := range goOut {
				if d := math.Abs(float64(goOut[i] - simdOut[i])); d > 2e-6 {
					t.Fatalf("%s batch %d: output %d: Go %v, SIMD %v", c.name, batch, i, goOut[i], simdOut[i])
				}
			}
		}
	}
}

// BenchmarkSIMD compares the Go and SIMD kernels on the reference networks
// at batch 1 and 64 (GFLOP/s counts 2 × multiply-accumulates per image).
func BenchmarkSIMD(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, c := range []struct {
		name string
		net  *nn.Net
	}{{"S", nn.ReferenceNetS(1)}, {"M", nn.ReferenceNetM(1)}} {
		data, _ := c.net.ExportONNX(nn.ExportOptions{})
		m, _ := onnx.LoadModel(data, nil)
		macs := c.net.MACs()
		for _, kernel := range []string{"go", "simd"} {
			for _, batch := range []int{1, 64} {
				x := randF(r, batch*784)
				b.Run(fmt.Sprintf("%s/%s/batch%d", c.name, kernel, batch), func(b *testing.B) {
					core.SetPanelKernel(nil)
					if kernel == "simd" {
						withSIMD(b)
					}
					defer core.SetPanelKernel(nil)
					m.Predict(x)
					for b.Loop() {
						m.Predict(x)
					}
					b.ReportMetric(2*float64(macs)*float64(batch)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
					b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/op")
				})
			}
		}
	}
}

// BenchmarkSIMDGemm times Gemm on the shapes of the reference networks with
// the Go kernel and with the SIMD one.
func BenchmarkSIMDGemm(b *testing.B) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, s := range []struct{ m, n, k int }{{64, 576, 288}, {64, 36864, 288}, {8, 784, 25}, {16, 196, 200}, {32, 676, 9}} {
		a, bm, c := randF(r, s.m*s.k), randF(r, s.k*s.n), make([]float32, s.m*s.n)
		for _, kernel := range []string{"go", "simd"} {
			b.Run(fmt.Sprintf("%dx%dx%d/%s", s.m, s.n, s.k, kernel), func(b *testing.B) {
				core.SetPanelKernel(nil)
				if kernel == "simd" {
					withSIMD(b)
				}
				defer core.SetPanelKernel(nil)
				for b.Loop() {
					core.Gemm(false, false, s.m, s.n, s.k, 1, a, s.k, bm, s.n, 0, c, s.n)
				}
				b.ReportMetric(2*float64(s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// BenchmarkSIMDTiles times the kernel alone on packed panels.
func BenchmarkSIMDTiles(b *testing.B) {
	withSIMD(b)
	defer core.SetPanelKernel(nil)
	tiles := core.CurrentPanelKernel().Tiles
	r := rand.New(rand.NewPCG(9, 9))
	for _, s := range []struct{ mp, np, kb int }{{64, 512, 256}, {64, 512, 32}, {8, 512, 25}} {
		pa, pb, c := randF(r, s.mp*s.kb), randF(r, s.np*s.kb), make([]float32, s.mp*s.np)
		b.Run(fmt.Sprintf("%dx%dx%d", s.mp, s.np, s.kb), func(b *testing.B) {
			for b.Loop() {
				tiles(unsafe.Pointer(&pa[0]), unsafe.Pointer(&pb[0]), 8*s.kb, 8, unsafe.Pointer(&c[0]), s.np, s.mp, s.np, s.kb, false)
			}
			b.ReportMetric(2*float64(s.mp*s.np*s.kb)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
