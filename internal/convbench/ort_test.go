//go:build !(js && wasm)

package convbench

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"wasmcnn/core"
	"wasmcnn/core/onnx"
	"wasmcnn/internal/convshapes"
	"wasmcnn/internal/floattest"
	"wasmcnn/internal/orttest"
)

// layerModel writes one layer as an ONNX model: the convolution, the
// residual Add (a second input) and the activation, as an exporter writes
// them, for onnxruntime to fuse as it does in a whole network.
func layerModel(l convshapes.Layer, r *rand.Rand) ([]byte, []map[string]any) {
	b := onnx.NewModelBuilder(17)
	x := []int{1, l.C, l.H, l.W}
	y := []int{1, l.K, l.OH(), l.OW()}
	b.Input("x", x)
	inputs := []map[string]any{{"name": "x", "shape": x}}
	w := []int{l.K, l.C / l.Group, l.KH, l.KW}
	b.Initializer("w", &core.Tensor{Shape: w, Data: floattest.RandSlice(r, core.Product(w))})
	b.Initializer("b", &core.Tensor{Shape: []int{l.K}, Data: floattest.RandSlice(r, l.K)})
	p := int64(l.Pad)
	b.Node("Conv", "conv", []string{"x", "w", "b"}, []string{"c"},
		onnx.AttrInts("strides", int64(l.Stride), int64(l.Stride)), onnx.AttrInts("pads", p, p, p, p),
		onnx.AttrInt("group", int64(l.Group)), onnx.AttrInts("kernel_shape", int64(l.KH), int64(l.KW)))
	last := "c"
	if l.Residual {
		b.Input("r", y)
		inputs = append(inputs, map[string]any{"name": "r", "shape": y})
		b.Node("Add", "add", []string{last, "r"}, []string{"s"})
		last = "s"
	}
	switch l.Act {
	case convshapes.ReLU:
		b.Node("Relu", "act", []string{last}, []string{"y"})
	case convshapes.ReLU6:
		b.Initializer("lo", &core.Tensor{Shape: []int{}, Data: []float32{0}})
		b.Initializer("hi", &core.Tensor{Shape: []int{}, Data: []float32{6}})
		b.Node("Clip", "act", []string{last, "lo", "hi"}, []string{"y"})
	case convshapes.HardSwish:
		b.Node("HardSwish", "act", []string{last}, []string{"y"})
	case convshapes.HardSigmoid:
		b.Node("HardSigmoid", "act", []string{last}, []string{"y"}, onnx.AttrFloat("alpha", 1.0/6), onnx.AttrFloat("beta", 0.5))
	default:
		b.Node("Identity", "act", []string{last}, []string{"y"})
	}
	b.Output("y", y)
	return b.Bytes(), inputs
}

// BenchmarkORTLayers times every layer in onnxruntime-node ("ort-node")
// and in ONNX Runtime Web's WebAssembly build under Node ("ort-web"), one
// thread, all graph optimisations: the peers' rows of -table. A model of
// one layer pays a session run's fixed cost (some µs) that a whole network
// pays once per node too, and the layout conversions that onnxruntime adds
// around its blocked-layout kernels natively, which a network pays once:
// the smallest layers flatter wasmcnn a little.
func BenchmarkORTLayers(b *testing.B) {
	root := orttest.Require(b)
	dir := b.TempDir()
	type entry struct {
		Name   string           `json:"name"`
		Model  string           `json:"model"`
		Inputs []map[string]any `json:"inputs"`
	}
	var manifest struct {
		Cases []entry `json:"cases"`
	}
	keys := map[string][2]string{}
	r := rand.New(rand.NewPCG(3, 4))
	for _, a := range convshapes.Archs {
		for _, l := range a.Layers {
			name := "l" + strconv.Itoa(len(manifest.Cases))
			model, inputs := layerModel(l, r)
			if err := os.WriteFile(filepath.Join(dir, name+".onnx"), model, 0o644); err != nil {
				b.Fatal(err)
			}
			manifest.Cases = append(manifest.Cases, entry{name, name + ".onnx", inputs})
			keys[name] = [2]string{a.Name, l.Name}
		}
	}
	// One run of the script times every layer; the loop has nothing left to time.
	for _, runtime := range []string{"node", "web"} {
		times := orttest.Time(b, root, "internal/convbench/ort_layers.js", dir, runtime, manifest)
		for name, ms := range times {
			k := keys[name]
			results[[3]string{k[0], k[1], "ort-" + runtime}] = ms * 1e6
		}
	}
	for b.Loop() {
	}
}
