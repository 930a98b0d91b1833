package api

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"wasmcnn/core"
	"wasmcnn/core/ink"
	"wasmcnn/core/nn"
	"wasmcnn/core/onnx"
	"wasmcnn/data"
)

// BenchmarkFineTune times nn.FineTuneModel (import, fine-tune, export,
// load back) on the shipped model in WebAssembly (under Node, the engine
// Chromium uses), with the Go kernels and with the SIMD ones: 30 pen digits
// and 100 replayed 28×28 examples, at the default options (layers1) and
// training more layers. It estimates the page's time to learn.
func BenchmarkFineTune(b *testing.B) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "web", "models", "digits.onnx"))
	if err != nil {
		b.Fatal(err)
	}
	m, err := onnx.LoadModel(raw, nil)
	if err != nil {
		b.Fatal(err)
	}
	digits, err := data.LoadStrokeDigits(filepath.Join("..", "..", "testdata", "pendigits", "heldout300.json"))
	if err != nil {
		b.Fatal(err)
	}
	var r ink.StrokeRenderer
	img := make([]float32, 784)
	ex := &nn.Dataset{}
	for _, d := range digits {
		if ex.Len() < 30 && r.Render(img, d.Strokes, ink.DigitFraction, ink.PenWidth) {
			ex.Append(img, d.Label, "")
		}
	}
	rng := rand.New(rand.NewPCG(3, 9))
	replay := &nn.Dataset{X: randF(rng, 100*784), Y: make([]int, 100)}
	for i := range replay.Y {
		replay.Y[i] = i % 10
	}
	for _, layers := range []int{1, 2, 3} {
		for _, kernel := range []string{"go", "simd"} {
			o := nn.DefaultFineTuneOptions()
			o.TrainLayers, o.Replay = layers, replay
			b.Run(fmt.Sprintf("layers%d/%s", layers, kernel), func(b *testing.B) {
				core.SetPanelKernel(nil)
				if kernel == "simd" {
					withSIMD(b)
				}
				defer core.SetPanelKernel(nil)
				for b.Loop() {
					if _, err := nn.FineTuneModel(context.Background(), m, ex.X, ex.Y, o, nil); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
