package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"wasmcnn/core"
)

// BenchmarkNet runs the reference networks S and M of BENCHMARKS.md forward
// at batch 1 and 64; GFLOP/s counts 2 × MACs per image.
func BenchmarkNet(b *testing.B) {
	for _, nc := range []struct {
		name string
		net  *Net
	}{{"S", ReferenceNetS(1)}, {"M", ReferenceNetM(1)}} {
		macs := nc.net.MACs()
		for _, batch := range []int{1, 64} {
			x := core.NewTensor(batch, 1, 28, 28)
			r := rand.New(rand.NewPCG(3, 3))
			for i := range x.Data {
				x.Data[i] = r.Float32()
			}
			b.Run(fmt.Sprintf("%s/batch%d", nc.name, batch), func(b *testing.B) {
				for b.Loop() {
					if _, err := nc.net.Forward(x, false); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(2*float64(macs)*float64(batch)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "img/s")
			})
		}
	}
}
