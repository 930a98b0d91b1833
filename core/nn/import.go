package nn

import (
	"math"

	"wasmcnn/core"
	"wasmcnn/core/onnx"
	"wasmcnn/internal/fmtlite"
)

// ImportedNet is a trainable [Net] rebuilt from a loaded ONNX model, with
// what is needed to write it back in the same form.
type ImportedNet struct {
	// Net computes the model's scores before any final Softmax (training
	// works on logits); it holds copies of the model's weights.
	Net *Net
	// Softmax records that the model ended in a Softmax over the scores,
	// which ExportONNX puts back.
	Softmax bool
	// InputName and OutputName are the model's graph input and output.
	InputName, OutputName string
	// Opset is the model's opset of the default domain.
	Opset int64
}

// ImportNet rebuilds a sequential model as a [Net]: a chain of Conv,
// BatchNormalization, Relu, MaxPool, AveragePool, GlobalAveragePool, Flatten
// and Gemm nodes, optionally ending in a Softmax, with one input [N, C, H, W]
// and one output — the models [Net.ExportONNX] writes, and simple ones from
// other tools. A BatchNormalization after a Conv or Gemm is folded into it,
// as the exporter does: the imported net has no batch statistics, so
// training it on a few examples (even one at a time) changes only weights
// and biases and its inference is that of the model exactly.
func ImportNet(m *onnx.Model) (*ImportedNet, error) {
	if len(m.Inputs) != 1 || len(m.Outputs) != 1 {
		return nil, fmtlite.Errorf("nn: import: the model has %d inputs and %d outputs, want one of each", len(m.Inputs), len(m.Outputs))
	}
	in := m.Inputs[0]
	if len(in.Shape) != 4 || in.Shape[1] < 1 || in.Shape[2] < 1 || in.Shape[3] < 1 {
		return nil, fmtlite.Errorf("nn: import: input %q has shape %v, want [N, C, H, W] with C, H and W fixed", in.Name, in.Shape)
	}
	im := &ImportedNet{InputName: in.Name, OutputName: m.Outputs[0].Name, Opset: m.Opset}
	b := importer{m: m, shape: []int{1, in.Shape[1], in.Shape[2], in.Shape[3]}}
	cur := in.Name
	for i, node := range m.Nodes {
		if im.Softmax {
			return nil, fmtlite.Errorf("nn: import: node %q (%s) comes after the final Softmax", node.Name, node.Op)
		}
		if len(node.Inputs) == 0 || node.Inputs[0] != cur {
			return nil, fmtlite.Errorf("nn: import: node %q (%s) does not take the output of the node before it; only a chain of nodes can be imported", node.Name, node.Op)
		}
		for _, o := range node.Outputs[1:] {
			if o != "" {
				return nil, fmtlite.Errorf("nn: import: node %q (%s) has a second output, %q", node.Name, node.Op, o)
			}
		}
		for _, name := range node.Inputs[1:] {
			if name != "" && !m.IsInitializer(name) {
				return nil, fmtlite.Errorf("nn: import: node %q (%s) input %q is not a constant", node.Name, node.Op, name)
			}
		}
		attrs := map[string]onnx.Attr{}
		for _, a := range m.NodeAttrs(i) {
			attrs[a.Name] = a
		}
		var err error
		if node.Op == "Softmax" {
			err = b.softmax(node, attrs)
			im.Softmax = err == nil
		} else {
			err = b.add(node, attrs)
		}
		if err != nil {
			return nil, fmtlite.Errorf("nn: import: node %q (%s): %w", node.Name, node.Op, err)
		}
		cur = node.Outputs[0]
	}
	if cur != im.OutputName {
		return nil, fmtlite.Errorf("nn: import: the chain ends in %q, not in the graph output %q", cur, im.OutputName)
	}
	if len(b.layers) == 0 {
		return nil, fmtlite.Errorf("nn: import: the model has no layers")
	}
	net, err := NewNet(in.Shape[1:], b.layers...)
	if err != nil {
		return nil, fmtlite.Errorf("nn: import: %w", err)
	}
	im.Net = net
	return im, nil
}

// ExportONNX writes net (the imported one or a trained copy of it) as a
// model of the same form: the same input and output names and opset, with
// the Softmax back at the end if the model had one.
func (im *ImportedNet) ExportONNX(net *Net, doc string, metadata [][2]string) ([]byte, error) {
	layers := append([]Layer(nil), net.Layers...)
	if im.Softmax {
		layers = append(layers, &SoftmaxLayer{Name: "softmax"})
	}
	out, err := NewNet(net.In, layers...)
	if err != nil {
		return nil, err
	}
	return out.ExportONNX(ExportOptions{Opset: im.Opset, InputName: im.InputName, OutputName: im.OutputName, Doc: doc, Metadata: metadata})
}

// importer builds the layers of [ImportNet], keeping the shape of one
// example's activations to resolve automatic padding.
type importer struct {
	m      *onnx.Model
	layers []Layer
	shape  []int // [1, C, H, W] or [1, K] after the last layer
}

// add appends the layer for one node.
func (b *importer) add(node onnx.NodeInfo, attrs map[string]onnx.Attr) error {
	if err := b.checkAttrs(node.Op, attrs); err != nil {
		return err
	}
	var l Layer
	var err error
	switch node.Op {
	case "Conv":
		l, err = b.conv(node, attrs)
	case "Gemm":
		l, err = b.gemm(node, attrs)
	case "BatchNormalization":
		return b.batchNorm(node, attrs)
	case "Relu":
		l = &ReLULayer{Name: node.Name}
	case "MaxPool", "AveragePool":
		l, err = b.pool(node, attrs)
	case "GlobalAveragePool":
		l = &GlobalAvgPoolLayer{Name: node.Name}
	case "Flatten":
		if axis := intAttr(attrs, "axis", 1); axis != 1 {
			return fmtlite.Errorf("axis %d, want 1", axis)
		}
		l = &FlattenLayer{Name: node.Name}
	default:
		return fmtlite.Errorf("op %s cannot be imported for training", node.Op)
	}
	if err != nil {
		return err
	}
	out, err := l.Setup(b.shape)
	if err != nil {
		return err
	}
	b.layers, b.shape = append(b.layers, l), out
	return nil
}

// importAttrs lists the attributes each op may carry; their values are
// checked where they are read.
var importAttrs = map[string]map[string]bool{
	"Conv":               {"kernel_shape": true, "strides": true, "pads": true, "dilations": true, "group": true, "auto_pad": true},
	"Gemm":               {"alpha": true, "beta": true, "transA": true, "transB": true},
	"BatchNormalization": {"epsilon": true, "momentum": true, "spatial": true, "training_mode": true},
	"Relu":               {},
	"MaxPool":            {"kernel_shape": true, "strides": true, "pads": true, "dilations": true, "ceil_mode": true, "auto_pad": true, "storage_order": true},
	"AveragePool":        {"kernel_shape": true, "strides": true, "pads": true, "dilations": true, "ceil_mode": true, "auto_pad": true, "count_include_pad": true},
	"GlobalAveragePool":  {},
	"Flatten":            {"axis": true},
	"Softmax":            {"axis": true},
}

// checkAttrs refuses attributes the importer does not know for op, so that
// nothing the model asks for is silently dropped.
func (b *importer) checkAttrs(op string, attrs map[string]onnx.Attr) error {
	known, ok := importAttrs[op]
	if !ok {
		return fmtlite.Errorf("op %s cannot be imported for training", op)
	}
	for name := range attrs {
		if !known[name] {
			return fmtlite.Errorf("attribute %s is not supported for training", name)
		}
	}
	return nil
}

// softmax accepts a final Softmax over the scores of [N, K].
func (b *importer) softmax(node onnx.NodeInfo, attrs map[string]onnx.Attr) error {
	if err := b.checkAttrs("Softmax", attrs); err != nil {
		return err
	}
	if len(b.shape) != 2 {
		return fmtlite.Errorf("softmax over a tensor of rank %d, want the scores [N, K]", len(b.shape))
	}
	def := int64(1)
	if b.m.Opset >= 13 {
		def = -1
	}
	if axis := intAttr(attrs, "axis", def); axis != 1 && axis != -1 {
		return fmtlite.Errorf("axis %d, want 1", axis)
	}
	return nil
}

// conv builds a convolution layer from the node's weights and window.
func (b *importer) conv(node onnx.NodeInfo, attrs map[string]onnx.Attr) (Layer, error) {
	w, err := b.weight(node, 1, 4)
	if err != nil {
		return nil, err
	}
	if len(b.shape) != 4 {
		return nil, fmtlite.Errorf("input of rank %d, want 4", len(b.shape))
	}
	k, kh, kw := w.Shape[0], w.Shape[2], w.Shape[3]
	if ks, ok := intsAttr(attrs, "kernel_shape"); ok && (len(ks) != 2 || int(ks[0]) != kh || int(ks[1]) != kw) {
		return nil, fmtlite.Errorf("kernel_shape %v does not match the weights %v", ks, w.Shape)
	}
	group := int(intAttr(attrs, "group", 1))
	win, err := b.window(attrs, kh, kw)
	if err != nil {
		return nil, err
	}
	bias, err := b.bias(node, 2, k)
	if err != nil {
		return nil, err
	}
	l := &ConvLayer{
		Name: node.Name, Window: win, Group: group,
		W: Param{Name: node.Name + ".W", W: w, DW: core.NewTensor(w.Shape...), Decay: true, Init: InitHe, FanIn: w.Shape[1] * kh * kw},
		B: Param{Name: node.Name + ".B", W: bias, DW: core.NewTensor(k), Init: InitZero},
	}
	return l, nil
}

// gemm builds a dense layer y = x·Wᵀ + B from Gemm's A·B·alpha + C·beta.
func (b *importer) gemm(node onnx.NodeInfo, attrs map[string]onnx.Attr) (Layer, error) {
	if len(b.shape) != 2 {
		return nil, fmtlite.Errorf("input of rank %d, want [N, K] (a Flatten before it)", len(b.shape))
	}
	if intAttr(attrs, "transA", 0) != 0 {
		return nil, fmtlite.Errorf("transA is not supported for training")
	}
	w, err := b.weight(node, 1, 2)
	if err != nil {
		return nil, err
	}
	if intAttr(attrs, "transB", 0) == 0 { // B is [in, out]: store it as [out, in]
		t := core.NewTensor(w.Shape[1], w.Shape[0])
		for i := 0; i < w.Shape[0]; i++ {
			for j := 0; j < w.Shape[1]; j++ {
				t.Data[j*w.Shape[0]+i] = w.Data[i*w.Shape[1]+j]
			}
		}
		w = t
	}
	out := w.Shape[0]
	bias, err := b.bias(node, 2, out)
	if err != nil {
		return nil, err
	}
	alpha, beta := floatAttr(attrs, "alpha", 1), floatAttr(attrs, "beta", 1)
	for i := range w.Data {
		w.Data[i] *= alpha
	}
	for i := range bias.Data {
		bias.Data[i] *= beta
	}
	return &DenseLayer{
		Name: node.Name,
		W:    Param{Name: node.Name + ".W", W: w, DW: core.NewTensor(w.Shape...), Decay: true, Init: InitHe, FanIn: w.Shape[1]},
		B:    Param{Name: node.Name + ".B", W: bias, DW: core.NewTensor(out), Init: InitZero},
	}, nil
}

// batchNorm folds an inference-mode normalisation into the Conv or Gemm
// before it.
func (b *importer) batchNorm(node onnx.NodeInfo, attrs map[string]onnx.Attr) error {
	if s, ok := attrs["spatial"]; ok {
		if v, _ := s.Int(); v != 1 {
			return fmtlite.Errorf("spatial=%d is not supported", v)
		}
	}
	if intAttr(attrs, "training_mode", 0) != 0 {
		return fmtlite.Errorf("training_mode 1 is not supported")
	}
	if len(node.Inputs) != 5 {
		return fmtlite.Errorf("%d inputs, want 5", len(node.Inputs))
	}
	if len(b.layers) == 0 {
		return fmtlite.Errorf("a normalisation must follow a Conv or Gemm to be imported")
	}
	var w, bias *core.Tensor
	switch l := b.layers[len(b.layers)-1].(type) {
	case *ConvLayer:
		w, bias = l.W.W, l.B.W
	case *DenseLayer:
		w, bias = l.W.W, l.B.W
	default:
		return fmtlite.Errorf("a normalisation after %s cannot be imported; it must follow a Conv or Gemm", l.Kind())
	}
	k := w.Shape[0]
	var p [4]*core.Tensor // scale, shift, mean, variance
	for j := range p {
		t, ok := b.m.Initializer(node.Inputs[1+j])
		if !ok || t.Len() != k {
			return fmtlite.Errorf("input %q is not a float tensor of %d values", node.Inputs[1+j], k)
		}
		p[j] = t
	}
	eps := floatAttr(attrs, "epsilon", 1e-5)
	per := w.Len() / k
	for o := 0; o < k; o++ {
		s := p[0].Data[o] / float32(math.Sqrt(float64(p[3].Data[o]+eps)))
		for j := range per {
			w.Data[o*per+j] *= s
		}
		bias.Data[o] = (bias.Data[o]-p[2].Data[o])*s + p[1].Data[o]
	}
	return nil
}

// pool builds a max or average pooling layer.
func (b *importer) pool(node onnx.NodeInfo, attrs map[string]onnx.Attr) (Layer, error) {
	ks, ok := intsAttr(attrs, "kernel_shape")
	if !ok || len(ks) != 2 {
		return nil, fmtlite.Errorf("kernel_shape %v, want two values", ks)
	}
	if intAttr(attrs, "storage_order", 0) != 0 {
		return nil, fmtlite.Errorf("storage_order 1 is not supported")
	}
	win, err := b.window(attrs, int(ks[0]), int(ks[1]))
	if err != nil {
		return nil, err
	}
	if win.DilationH > 1 || win.DilationW > 1 {
		return nil, fmtlite.Errorf("dilated pooling is not supported for training")
	}
	win.DilationH, win.DilationW = 0, 0
	win.CeilMode = intAttr(attrs, "ceil_mode", 0) != 0
	return &PoolLayer{Name: node.Name, Max: node.Op == "MaxPool", Window: win, CountIncludePad: intAttr(attrs, "count_include_pad", 0) != 0}, nil
}

// window reads strides, dilations and padding, resolving automatic padding
// to explicit pads for the current input size (the exporter writes pads).
func (b *importer) window(attrs map[string]onnx.Attr, kh, kw int) (core.Window, error) {
	win := core.Window{KernelH: kh, KernelW: kw, StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1}
	if s, ok := intsAttr(attrs, "strides"); ok {
		if len(s) != 2 {
			return win, fmtlite.Errorf("strides %v, want two values", s)
		}
		win.StrideH, win.StrideW = int(s[0]), int(s[1])
	}
	if d, ok := intsAttr(attrs, "dilations"); ok {
		if len(d) != 2 {
			return win, fmtlite.Errorf("dilations %v, want two values", d)
		}
		win.DilationH, win.DilationW = int(d[0]), int(d[1])
	}
	if p, ok := intsAttr(attrs, "pads"); ok {
		if len(p) != 4 {
			return win, fmtlite.Errorf("pads %v, want four values", p)
		}
		win.PadTop, win.PadLeft, win.PadBottom, win.PadRight = int(p[0]), int(p[1]), int(p[2]), int(p[3])
	}
	auto := "NOTSET"
	if a, ok := attrs["auto_pad"]; ok {
		auto, _ = a.Str()
	}
	switch auto {
	case "NOTSET", "":
	case core.AutoPadValid:
		win.PadTop, win.PadLeft, win.PadBottom, win.PadRight = 0, 0, 0, 0
	case core.AutoPadSameUpper, core.AutoPadSameLower:
		if len(b.shape) != 4 {
			return win, fmtlite.Errorf("input of rank %d, want 4", len(b.shape))
		}
		same := func(in, k, stride, dil int) (int, int) {
			out := (in + stride - 1) / max(stride, 1)
			total := max(0, (out-1)*stride+dil*(k-1)+1-in)
			if auto == core.AutoPadSameLower {
				return total - total/2, total / 2
			}
			return total / 2, total - total/2
		}
		win.PadTop, win.PadBottom = same(b.shape[2], kh, win.StrideH, win.DilationH)
		win.PadLeft, win.PadRight = same(b.shape[3], kw, win.StrideW, win.DilationW)
	default:
		return win, fmtlite.Errorf("auto_pad %q is not supported", auto)
	}
	return win, nil
}

// weight returns a copy of input i of node as a float tensor of the given rank.
func (b *importer) weight(node onnx.NodeInfo, i, rank int) (*core.Tensor, error) {
	if i >= len(node.Inputs) || node.Inputs[i] == "" {
		return nil, fmtlite.Errorf("no weights")
	}
	t, ok := b.m.Initializer(node.Inputs[i])
	if !ok || len(t.Shape) != rank {
		return nil, fmtlite.Errorf("weights %q are not a float tensor of rank %d", node.Inputs[i], rank)
	}
	return t, nil
}

// bias returns input i of node as k values ([k] or [1, k]), zeros if absent.
func (b *importer) bias(node onnx.NodeInfo, i, k int) (*core.Tensor, error) {
	if i >= len(node.Inputs) || node.Inputs[i] == "" {
		return core.NewTensor(k), nil
	}
	t, ok := b.m.Initializer(node.Inputs[i])
	if !ok || t.Len() != k || len(t.Shape) > 2 || len(t.Shape) == 2 && t.Shape[0] != 1 {
		return nil, fmtlite.Errorf("bias %q is not a float tensor of %d values", node.Inputs[i], k)
	}
	return &core.Tensor{Shape: []int{k}, Data: t.Data}, nil
}

func intAttr(attrs map[string]onnx.Attr, name string, def int64) int64 {
	if a, ok := attrs[name]; ok {
		if v, ok := a.Int(); ok {
			return v
		}
	}
	return def
}

func floatAttr(attrs map[string]onnx.Attr, name string, def float32) float32 {
	if a, ok := attrs[name]; ok {
		if v, ok := a.Float(); ok {
			return v
		}
	}
	return def
}

func intsAttr(attrs map[string]onnx.Attr, name string) ([]int64, bool) {
	if a, ok := attrs[name]; ok {
		return a.Ints()
	}
	return nil, false
}
