package archs_test

import (
	"testing"

	"wasmcnn/core"
	"wasmcnn/core/onnx"
	"wasmcnn/internal/archs"
	"wasmcnn/internal/floattest"
)

// benchArchs are the networks the bench times at full size.
var benchArchs = []archs.Arch{archs.ResNet18Arch, archs.ResNet50Arch, archs.MobileNetV2Arch, archs.MobileNetV3SmallArch,
	archs.SqueezeNet11Arch, archs.ShuffleNetV2Arch, archs.GoogLeNetArch, archs.DenseNet121Arch}

// BenchmarkArchitectures times a batch-1 prediction of each network at
// full size (224×224, 1000 classes, float, seeded weights): natively on
// the CPU's kernels, under js/wasm on the SIMD kernel module as the
// browser installs it. It uses only LoadModel and Run, so that the same
// file times an older engine too; docs/bench.md gives the side-by-side
// commands (before and after a change, onnxruntime-node beside them):
//
//	go test ./internal/archs -run '^$' -bench 'Architectures' -benchtime 5x -count 5
//	GOOS=js GOARCH=wasm go test -exec "$PWD/tools/go_js_wasm_exec" ./internal/archs -run '^$' -bench 'Architectures$' -benchtime 3x -count 3
func BenchmarkArchitectures(b *testing.B) {
	if name, err := installKernel(); err != nil {
		b.Fatal(err)
	} else if name != "" {
		b.Logf("kernel %s", name)
	}
	for ai, a := range benchArchs {
		b.Run(string(a), func(b *testing.B) {
			model, err := archs.Build(a, archs.Options{Seed: uint64(ai + 1)})
			if err != nil {
				b.Fatal(err)
			}
			m, err := onnx.LoadModel(model, nil)
			if err != nil {
				b.Fatal(err)
			}
			x := &core.Tensor{Shape: []int{1, 3, 224, 224}, Data: floattest.Seeded(uint64(ai+1), 3*224*224)}
			if _, err := m.Run(x); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := m.Run(x); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
