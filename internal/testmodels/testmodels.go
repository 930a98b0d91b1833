// Package testmodels builds models shaped like those trained elsewhere, for
// the tests of the page's "your own model": the shipped digit model behind
// another input (NHWC through a Transpose, three channels, [N, H, W], a
// fixed batch, another size) and another pixel scale, with a Softmax, a
// LogSoftmax or bare logits at the end, and a small MLP trained on MNIST
// taking [N, 784]. Each is written as a real ONNX file: the shipped model's
// graph with nodes spliced in before and after it.
//
// Only tests import it.
package testmodels

import (
	"errors"
	"math/rand/v2"
	"sync"

	"wasmcnn/core"
	"wasmcnn/core/nn"
	"wasmcnn/core/onnx"
	"wasmcnn/data"
	"wasmcnn/wasm/adapt"
	"wasmcnn/web/models"
)

// Variant describes a model made from the shipped one.
type Variant struct {
	Name   string // a file name, such as "nhwc.onnx"
	Input  []int  // the new input's shape: −1 is an open dimension
	Layout adapt.Layout
	Scale  adapt.Scale // the pixel scale it expects
	Output string      // "softmax" (as shipped), "logsoftmax" or "logits"
	Labels string      // metadata "labels", if any
}

// Variants are the third-party shapes the page must run.
func Variants() []Variant {
	return []Variant{
		{Name: "nhwc-raw.onnx", Input: []int{-1, 28, 28, 1}, Layout: adapt.NHWC, Scale: adapt.Raw, Output: "softmax"},
		{Name: "rgb32-pm1.onnx", Input: []int{-1, 3, 32, 32}, Layout: adapt.NCHW, Scale: adapt.PM1, Output: "logits"},
		{Name: "fixed-mnist.onnx", Input: []int{1, 1, 28, 28}, Layout: adapt.NCHW, Scale: adapt.MNIST, Output: "softmax"},
		{Name: "logsoftmax-labels.onnx", Input: []int{-1, 28, 28}, Layout: adapt.NHW, Scale: adapt.Unit, Output: "logsoftmax",
			Labels: `["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]`},
	}
}

// Build writes the variant: the shipped digit model behind nodes that turn
// the variant's input into the shipped model's [N, 1, 28, 28] at 0..1, and
// before the output it asks for.
func Build(v Variant) ([]byte, error) {
	b := onnx.NewModelBuilder(13)
	b.Input("x", v.Input)
	cur := "x"
	step := func(op string, ins []string, attrs ...onnx.Attr) {
		out := cur + "_" + op
		b.Node(op, out, append([]string{cur}, ins...), []string{out}, attrs...)
		cur = out
	}
	scalar := func(name string, v float32) string {
		b.Initializer(name, &core.Tensor{Shape: []int{}, Data: []float32{v}})
		return name
	}
	switch v.Layout {
	case adapt.NHWC:
		step("Transpose", nil, onnx.AttrInts("perm", 0, 3, 1, 2))
	case adapt.NHW:
		b.InitializerInts("axis1", []int{1}, []int64{1})
		step("Unsqueeze", []string{"axis1"})
	case adapt.Flat:
		b.InitializerInts("nchw", []int{4}, []int64{-1, 1, 28, 28})
		step("Reshape", []string{"nchw"})
	}
	if c := v.Input[1]; v.Layout == adapt.NCHW && c == 3 {
		// The mean of the three channels: a 1×1 convolution.
		b.Initializer("grey", &core.Tensor{Shape: []int{1, 3, 1, 1}, Data: []float32{1.0 / 3, 1.0 / 3, 1.0 / 3}})
		step("Conv", []string{"grey"})
	}
	switch v.Scale { // back to 0..1
	case adapt.Raw:
		step("Mul", []string{scalar("inv255", 1.0/255)})
	case adapt.PM1:
		step("Add", []string{scalar("one", 1)})
		step("Mul", []string{scalar("half", 0.5)})
	case adapt.MNIST:
		step("Mul", []string{scalar("std", 0.3081)})
		step("Add", []string{scalar("mean", 0.1307)})
	}
	b.Node("Identity", "to_shipped", []string{cur}, []string{"input"})
	batch := v.Input[0]
	switch v.Output {
	case "logsoftmax":
		b.Node("LogSoftmax", "logsoftmax", []string{"fc"}, []string{"scores"}, onnx.AttrInt("axis", 1))
		b.Output("scores", []int{batch, 10})
	case "logits":
		b.Output("fc", []int{batch, 10})
	default:
		b.Node("Softmax", "softmax", []string{"fc"}, []string{"probabilities"}, onnx.AttrInt("axis", 1))
		b.Output("probabilities", []int{batch, 10})
	}
	if v.Labels != "" {
		b.Metadata = append(b.Metadata, [2]string{"labels", v.Labels})
	}
	b.Producer, b.ProducerVersion = "testmodels", "1"
	// The shipped model's Softmax ("probabilities", after its Gemm "fc")
	// gives way to the variant's ending.
	return splice(b.Bytes(), models.Digits, "probabilities")
}

// mlp caches the trained MLP.
var mlp struct {
	once sync.Once
	b    []byte
	err  error
}

// MLP returns a small multi-layer perceptron trained on 3,000 MNIST digits
// (784 → 32 → ReLU → 10, logits out) behind an input of [N, 784] at −1..1:
// dense layers only, as a model written for MNIST in a few lines would be.
func MLP() ([]byte, error) {
	mlp.once.Do(func() { mlp.b, mlp.err = trainMLP() })
	return mlp.b, mlp.err
}

func trainMLP() ([]byte, error) {
	dir, err := data.MNISTDir()
	if err != nil {
		return nil, err
	}
	train, _, err := data.LoadMNIST(dir)
	if err != nil {
		return nil, err
	}
	set := &nn.Dataset{}
	img := make([]float32, 784)
	for i := 0; i < 3000; i++ {
		for k, v := range train.Images.Image(i) {
			img[k] = float32(v) / 255
		}
		set.Append(img, int(train.Labels[i]), "")
	}
	net, err := nn.NewNet([]int{1, 28, 28}, &nn.FlattenLayer{Name: "flatten"}, nn.NewDenseLayer("fc1", 784, 32), &nn.ReLULayer{Name: "relu"}, nn.NewDenseLayer("fc2", 32, 10))
	if err != nil {
		return nil, err
	}
	net.Init(rand.New(rand.NewPCG(7, 0)))
	tr, err := nn.NewTrainer(net, nn.TrainConfig{Epochs: 4, BatchSize: 32, Optimizer: "adam", LR: 3e-3, Warmup: 0.1, Seed: 7, Workers: 2,
		Augment: nn.Augment{ScaleMin: 1, ScaleMax: 1}}, set.Len())
	if err != nil {
		return nil, err
	}
	for tr.Epoch < tr.Cfg.Epochs {
		if _, err := tr.TrainEpoch(set, nil, nil); err != nil {
			return nil, err
		}
	}
	body, err := net.ExportONNX(nn.ExportOptions{InputName: "image", OutputName: "logits", Doc: "an MLP for MNIST"})
	if err != nil {
		return nil, err
	}
	// In front: [N, 784] at −1..1 back to [N, 1, 28, 28] at 0..1.
	b := onnx.NewModelBuilder(13)
	b.Input("pixels", []int{-1, 784})
	b.Initializer("one", &core.Tensor{Shape: []int{}, Data: []float32{1}})
	b.Initializer("half", &core.Tensor{Shape: []int{}, Data: []float32{0.5}})
	b.InitializerInts("nchw", []int{4}, []int64{-1, 1, 28, 28})
	b.Node("Add", "unshift", []string{"pixels", "one"}, []string{"shifted"})
	b.Node("Mul", "unscale", []string{"shifted", "half"}, []string{"unit"})
	b.Node("Reshape", "to_image", []string{"unit", "nchw"}, []string{"image"})
	b.Output("logits", []int{-1, 10})
	b.Producer, b.ProducerVersion = "testmodels-mlp", "1"
	return splice(b.Bytes(), body)
}

// splice joins the graph of front with body's graph: front's nodes that
// produce body's input (under body's input name), then body's nodes but
// those producing the outputs named in drop, then front's nodes that read
// body's tensors; the initializers of both; front's input, outputs and
// metadata. The opset and IR version are front's.
func splice(front, body []byte, drop ...string) ([]byte, error) {
	fm, err := fields(front)
	if err != nil {
		return nil, err
	}
	bm, err := fields(body)
	if err != nil {
		return nil, err
	}
	fg, err := fields(fm.get(7))
	if err != nil {
		return nil, err
	}
	bg, err := fields(bm.get(7))
	if err != nil {
		return nil, err
	}
	// What body's nodes produce: front's nodes reading it come after them.
	fromBody := map[string]bool{}
	var bodyNodes msg
	for _, f := range bg.only(1) {
		nf, err := fields(f.data)
		if err != nil {
			return nil, err
		}
		dropped := false
		for _, o := range nf.all(2) {
			for _, d := range drop {
				dropped = dropped || string(o) == d
			}
			fromBody[string(o)] = true
		}
		if !dropped {
			bodyNodes = append(bodyNodes, f)
		}
	}
	var head, tail msg
	for _, f := range fg.only(1) {
		nf, err := fields(f.data)
		if err != nil {
			return nil, err
		}
		after := false
		for _, in := range nf.all(1) {
			after = after || fromBody[string(in)]
		}
		if after {
			tail = append(tail, f)
		} else {
			head = append(head, f)
		}
	}
	var g msg
	g = append(g, head...)
	g = append(g, bodyNodes...)
	g = append(g, tail...)
	g = append(g, fg.only(2)...)
	g = append(g, fg.only(5)...)
	g = append(g, bg.only(5)...)
	g = append(g, fg.only(11)...)
	g = append(g, fg.only(12)...)
	var m msg
	for _, f := range fm {
		if f.num == 7 {
			m = append(m, field{num: 7, wire: 2, data: g.bytes()})
			continue
		}
		m = append(m, f)
	}
	return m.bytes(), nil
}

// field is one protobuf field: its number, wire type and payload (the
// varint's bytes for wire type 0).
type field struct {
	num, wire int
	data      []byte
}

type msg []field

func (m msg) get(num int) []byte {
	for _, f := range m {
		if f.num == num {
			return f.data
		}
	}
	return nil
}

func (m msg) all(num int) [][]byte {
	var out [][]byte
	for _, f := range m {
		if f.num == num {
			out = append(out, f.data)
		}
	}
	return out
}

func (m msg) only(num int) msg {
	var out msg
	for _, f := range m {
		if f.num == num {
			out = append(out, f)
		}
	}
	return out
}

func (m msg) bytes() []byte {
	var b []byte
	for _, f := range m {
		b = appendVarint(b, uint64(f.num<<3|f.wire))
		if f.wire == 2 {
			b = appendVarint(b, uint64(len(f.data)))
		}
		b = append(b, f.data...)
	}
	return b
}

func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func varint(b []byte) (uint64, int) {
	var v uint64
	for i := 0; i < len(b) && i < 10; i++ {
		v |= uint64(b[i]&0x7f) << (7 * i)
		if b[i] < 0x80 {
			return v, i + 1
		}
	}
	return 0, 0
}

var errCorrupt = errors.New("testmodels: corrupt protobuf")

// fields splits a protobuf message into its fields.
func fields(b []byte) (msg, error) {
	var m msg
	for len(b) > 0 {
		tag, n := varint(b)
		if n == 0 {
			return nil, errCorrupt
		}
		b = b[n:]
		f := field{num: int(tag >> 3), wire: int(tag & 7)}
		switch f.wire {
		case 0:
			_, n = varint(b)
			if n == 0 {
				return nil, errCorrupt
			}
			f.data, b = b[:n], b[n:]
		case 1, 5:
			n = 8
			if f.wire == 5 {
				n = 4
			}
			if len(b) < n {
				return nil, errCorrupt
			}
			f.data, b = b[:n], b[n:]
		case 2:
			l, n := varint(b)
			if n == 0 || uint64(len(b)-n) < l {
				return nil, errCorrupt
			}
			f.data, b = b[n:n+int(l)], b[n+int(l):]
		default:
			return nil, errCorrupt
		}
		m = append(m, f)
	}
	return m, nil
}
