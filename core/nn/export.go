package nn

import (
	"math"

	"wasmcnn/internal/fmtlite"

	"wasmcnn/core"
	"wasmcnn/core/onnx"
)

// ExportOptions configure [Net.ExportONNX].
type ExportOptions struct {
	Opset      int64       // default 13
	InputName  string      // default "input"
	OutputName string      // default "output"
	Doc        string      // the model's description
	Metadata   [][2]string // written as metadata_props
}

// ExportONNX writes the network as an ONNX model for inference, with an
// open batch dimension. A BatchNorm layer right after a convolution or a
// dense layer is folded into that layer's weights and bias, so the exported
// model runs one node fewer per normalisation.
func (n *Net) ExportONNX(opts ExportOptions) ([]byte, error) {
	if opts.Opset == 0 {
		opts.Opset = 13
	}
	if opts.InputName == "" {
		opts.InputName = "input"
	}
	if opts.OutputName == "" {
		opts.OutputName = "output"
	}
	if opts.Opset < onnx.MinOpset || opts.Opset > onnx.MaxOpset {
		return nil, fmtlite.Errorf("nn: cannot export opset %d", opts.Opset)
	}
	b := onnx.NewModelBuilder(opts.Opset)
	b.Doc, b.Metadata = opts.Doc, opts.Metadata
	b.Input(opts.InputName, append([]int{-1}, n.In...))
	cur := opts.InputName
	names := map[string]int{}
	unique := func(l Layer, name string) string {
		if name == "" {
			name = l.Kind()
		}
		names[name]++
		if names[name] > 1 {
			name = fmtlite.Sprintf("%s_%d", name, names[name])
		}
		return name
	}
	for i := 0; i < len(n.Layers); i++ {
		l := n.Layers[i]
		var bn *BatchNormLayer
		if i+1 < len(n.Layers) {
			bn, _ = n.Layers[i+1].(*BatchNormLayer)
		}
		// Each case sets the node; its output is named after the node, or
		// after the graph output for the last layer.
		var op, out string
		var ins []string
		var attrs []onnx.Attr
		switch l := l.(type) {
		case *ConvLayer:
			name := unique(l, l.Name)
			w, bias := l.W.W, l.B.W
			if bn != nil {
				w, bias = foldBatchNorm(w, bias, bn)
				i++
			}
			b.Initializer(name+".weight", w)
			b.Initializer(name+".bias", bias)
			win := l.Window
			op, out, ins = "Conv", name, []string{cur, name + ".weight", name + ".bias"}
			attrs = []onnx.Attr{
				onnx.AttrInts("kernel_shape", int64(w.Shape[2]), int64(w.Shape[3])),
				onnx.AttrInts("strides", int64(max(1, win.StrideH)), int64(max(1, win.StrideW))),
				onnx.AttrInts("dilations", int64(max(1, win.DilationH)), int64(max(1, win.DilationW))),
				onnx.AttrInts("pads", int64(win.PadTop), int64(win.PadLeft), int64(win.PadBottom), int64(win.PadRight)),
				onnx.AttrInt("group", int64(max(1, l.Group))),
			}
		case *DenseLayer:
			name := unique(l, l.Name)
			w, bias := l.W.W, l.B.W
			if bn != nil {
				w, bias = foldBatchNorm(w, bias, bn)
				i++
			}
			b.Initializer(name+".weight", w)
			b.Initializer(name+".bias", bias)
			op, out, ins = "Gemm", name, []string{cur, name + ".weight", name + ".bias"}
			attrs = []onnx.Attr{onnx.AttrInt("transB", 1)}
		case *BatchNormLayer:
			name := unique(l, l.Name)
			c := len(l.Mean)
			for _, p := range []struct {
				suffix string
				data   []float32
			}{{".scale", l.Gamma.W.Data}, {".bias", l.Beta.W.Data}, {".mean", l.Mean}, {".var", l.Var}} {
				b.Initializer(name+p.suffix, &core.Tensor{Shape: []int{c}, Data: p.data})
			}
			op, out, ins = "BatchNormalization", name, []string{cur, name + ".scale", name + ".bias", name + ".mean", name + ".var"}
			attrs = []onnx.Attr{onnx.AttrFloat("epsilon", l.Eps)}
		case *ReLULayer:
			op, out, ins = "Relu", unique(l, l.Name), []string{cur}
		case *PoolLayer:
			op, out, ins = "AveragePool", unique(l, l.Name), []string{cur}
			win := l.Window
			attrs = []onnx.Attr{
				onnx.AttrInts("kernel_shape", int64(win.KernelH), int64(win.KernelW)),
				onnx.AttrInts("strides", int64(max(1, win.StrideH)), int64(max(1, win.StrideW))),
				onnx.AttrInts("pads", int64(win.PadTop), int64(win.PadLeft), int64(win.PadBottom), int64(win.PadRight)),
			}
			if win.CeilMode {
				attrs = append(attrs, onnx.AttrInt("ceil_mode", 1))
			}
			if l.Max {
				op = "MaxPool"
			} else if l.CountIncludePad {
				attrs = append(attrs, onnx.AttrInt("count_include_pad", 1))
			}
		case *GlobalAvgPoolLayer:
			op, out, ins = "GlobalAveragePool", unique(l, l.Name), []string{cur}
		case *FlattenLayer:
			op, out, ins = "Flatten", unique(l, l.Name), []string{cur}
			attrs = []onnx.Attr{onnx.AttrInt("axis", 1)}
		case *SoftmaxLayer:
			op, out, ins = "Softmax", unique(l, l.Name), []string{cur}
			attrs = []onnx.Attr{onnx.AttrInt("axis", 1)}
		default:
			return nil, fmtlite.Errorf("nn: cannot export layer type %s", l.Kind())
		}
		name := out
		if i == len(n.Layers)-1 {
			out = opts.OutputName
		}
		b.Node(op, name, ins, []string{out}, attrs...)
		cur = out
	}
	b.Output(opts.OutputName, append([]int{-1}, n.OutShape()...))
	return b.Bytes(), nil
}

// foldBatchNorm returns the weights and bias of a layer followed by bn, as
// one layer: each output unit k is scaled by γ_k/√(σ²_k+ε) and shifted.
func foldBatchNorm(w, b *core.Tensor, bn *BatchNormLayer) (*core.Tensor, *core.Tensor) {
	w2, b2 := w.Clone(), b.Clone()
	k := w.Shape[0]
	per := w.Len() / k
	for o := 0; o < k; o++ {
		s := bn.Gamma.W.Data[o] / float32(math.Sqrt(float64(bn.Var[o]+bn.Eps)))
		for j := range w2.Data[o*per : (o+1)*per] {
			w2.Data[o*per+j] *= s
		}
		b2.Data[o] = (b.Data[o]-bn.Mean[o])*s + bn.Beta.W.Data[o]
	}
	return w2, b2
}
