package onnx_test

import (
	"testing"

	"wasmcnn/core/nn"

	"wasmcnn/core"
	"wasmcnn/core/onnx"
)

// fuzzSeeds are valid models covering the reader's paths: exported networks,
// exporter patterns and a model with external data.
func fuzzSeeds() [][]byte {
	var seeds [][]byte
	for _, n := range []*nn.Net{nn.ReferenceNetS(1)} {
		if data, err := n.ExportONNX(nn.ExportOptions{}); err == nil {
			seeds = append(seeds, data)
		}
	}
	for _, c := range conformanceCases() {
		if c.name != "wasmcnn_net_M" { // large; S covers the same paths
			seeds = append(seeds, c.model())
		}
	}
	return append(seeds, onnx.ExternalModel("model.onnx.data", 0))
}

// FuzzLoadModel feeds arbitrary bytes to the model reader and planner: they
// must give a model or an error, never a panic, a hang or a huge allocation.
// Models that load are also run once.
func FuzzLoadModel(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	ext := append(make([]byte, 0, 64), make([]byte, 64)...)
	lim := onnx.Limits{MaxModelBytes: 1 << 20, MaxParams: 1 << 20, MaxActivations: 1 << 22, MaxMACs: 1 << 24}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := onnx.LoadModel(data, &onnx.LoadOptions{Limits: lim, ExternalData: func(string) ([]byte, error) { return ext, nil }})
		if err != nil {
			return
		}
		inputs := make([]*core.Tensor, len(m.Inputs))
		for i := range inputs {
			inputs[i] = core.NewTensor(m.InputShape(i)...)
		}
		if _, err := m.Run(inputs...); err != nil {
			t.Fatalf("planned model failed to run: %v", err)
		}
	})
}
