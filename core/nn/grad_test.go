package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"wasmcnn/core"
	"wasmcnn/internal/floattest"
)

// lossOf runs net in training mode on x and returns the cross-entropy loss
// of labels, leaving the gradient of the logits in dl.
func lossOf(t *testing.T, net *Net, x *core.Tensor, labels []int, dl *core.Tensor) float64 {
	t.Helper()
	out, err := net.Forward(x, true)
	if err != nil {
		t.Fatal(err)
	}
	loss, _ := SoftmaxCrossEntropy(dl.Data, out.Data, labels, out.Shape[1], 0.1)
	return loss
}

// checkGradients compares sampled parameter gradients of net with a centred
// finite difference (convnetjs's check: relative error below 1e-2).
func checkGradients(t *testing.T, desc string, net *Net, x *core.Tensor, labels []int) {
	t.Helper()
	r := rand.New(rand.NewPCG(21, 22))
	net.Init(r)
	for _, p := range net.Params() {
		if p.Init != InitOne {
			for i := range p.W.Data {
				p.W.Data[i] += float32(r.NormFloat64()) * 0.1
			}
		}
	}
	dl := core.NewTensor(len(labels), net.OutShape()[0])
	net.ZeroGrad()
	lossOf(t, net, x, labels, dl)
	net.Backward(dl)
	const delta = 1e-3
	checked := 0
	for _, p := range net.Params() {
		for _, i := range floattest.SampleIndices(r, p.W.Len(), 12) {
			old := p.W.Data[i]
			p.W.Data[i] = old + delta
			up := lossOf(t, net, x, labels, dl)
			p.W.Data[i] = old - delta
			down := lossOf(t, net, x, labels, dl)
			p.W.Data[i] = old
			num := (up - down) / (2 * delta)
			ana := float64(p.DW.Data[i])
			relErr := math.Abs(num-ana) / math.Max(math.Abs(num)+math.Abs(ana), 1e-4)
			// The loss is computed in float32, so differences below about
			// 1e-4 are rounding noise (a bias before BatchNorm has a true
			// gradient of 0).
			if relErr > 1e-2 && math.Abs(num-ana) > 2e-4 {
				t.Errorf("%s: %s[%d]: analytic %.6g, numeric %.6g (rel error %.3g)", desc, p.Name, i, ana, num, relErr)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatalf("%s: no parameters checked", desc)
	}
}

func TestGradients(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	strided := NewConvLayer("c", 2, 3, 3, 3, false)
	strided.Window.StrideH, strided.Window.StrideW = 2, 2
	strided.Window.PadTop, strided.Window.PadRight = 1, 2
	grouped := NewConvLayer("g", 4, 4, 3, 3, true)
	grouped.Group = 2
	grouped.W = newParam("g.W", InitHe, 18, true, 4, 2, 3, 3)
	avg := NewAvgPool("a", 3, 2)
	avg.Window.PadTop, avg.Window.PadLeft = 1, 1
	cases := []struct {
		desc   string
		in     []int
		layers []Layer
	}{
		{"conv same + relu + maxpool + dense", []int{2, 6, 6}, []Layer{
			NewConvLayer("c1", 2, 3, 3, 3, true), &ReLULayer{}, NewMaxPool("p", 2, 2), &FlattenLayer{}, NewDenseLayer("d", 27, 4)}},
		{"strided asymmetric conv + avgpool with padding", []int{2, 9, 8}, []Layer{
			strided, avg, &FlattenLayer{}, NewDenseLayer("d", 3*2*2, 3)}},
		{"grouped conv + batchnorm + global average", []int{4, 5, 5}, []Layer{
			grouped, NewBatchNormLayer("bn", 4), &ReLULayer{}, &GlobalAvgPoolLayer{}, &FlattenLayer{}, NewDenseLayer("d", 4, 3)}},
		{"pointwise conv + dense + batchnorm", []int{3, 4, 4}, []Layer{
			NewConvLayer("pw", 3, 2, 1, 1, false), &FlattenLayer{}, NewDenseLayer("d1", 32, 6), NewBatchNormLayer("bn", 6), &ReLULayer{}, NewDenseLayer("d2", 6, 3)}},
	}
	for _, c := range cases {
		net, err := NewNet(c.in, c.layers...)
		if err != nil {
			t.Fatalf("%s: %v", c.desc, err)
		}
		const batch = 3
		x := core.NewTensor(append([]int{batch}, c.in...)...)
		for i := range x.Data {
			x.Data[i] = r.Float32()*2 - 1
		}
		labels := make([]int, batch)
		for i := range labels {
			labels[i] = r.IntN(net.OutShape()[0])
		}
		checkGradients(t, c.desc, net, x, labels)
	}
}
