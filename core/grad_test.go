package core

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// lossOf runs net in training mode on x and returns the cross-entropy loss
// of labels, leaving the gradient of the logits in dl.
func lossOf(t *testing.T, net *Net, x *Tensor, labels []int, dl *Tensor) float64 {
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
func checkGradients(t *testing.T, desc string, net *Net, x *Tensor, labels []int) {
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
	dl := NewTensor(len(labels), net.OutShape()[0])
	net.ZeroGrad()
	lossOf(t, net, x, labels, dl)
	net.Backward(dl)
	const delta = 1e-3
	checked := 0
	for _, p := range net.Params() {
		for _, i := range sampleIndices(r, p.W.Len(), 12) {
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

// sampleIndices returns up to k distinct indices below n.
func sampleIndices(r *rand.Rand, n, k int) []int {
	if n <= k {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	return r.Perm(n)[:k]
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
		x := NewTensor(append([]int{batch}, c.in...)...)
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

// TestConvInputGradient checks dx of Conv2DBackward against finite
// differences of Σ y·dy, on random geometries.
func TestConvInputGradient(t *testing.T) {
	r := rand.New(rand.NewPCG(25, 26))
	for iter := 0; iter < 60; iter++ {
		xs, ws, win, group := randomConvCase(r)
		g, err := NewConvGeom(xs, ws, win, group)
		if err != nil {
			t.Fatal(err)
		}
		desc := fmt.Sprintf("x=%v w=%v %+v group=%d", xs, ws, win, group)
		x, w := randSlice(r, product(xs)), randSlice(r, product(ws))
		dy := randSlice(r, product(g.OutShape()))
		col := make([]float32, g.BackwardScratchSize())
		dx := make([]float32, len(x))
		dw := make([]float32, len(w))
		Conv2DBackward(dx, dw, nil, dy, x, w, &g, col, false)
		y := make([]float32, len(dy))
		f := func() float64 {
			conv2dRef(y, x, w, nil, &g)
			var s float64
			for i := range y {
				s += float64(y[i]) * float64(dy[i])
			}
			return s
		}
		// The objective is linear in x and w, so a difference of 1 is exact up to rounding.
		for _, i := range sampleIndices(r, len(x), 5) {
			old := x[i]
			x[i] = old + 1
			up := f()
			x[i] = old
			num := up - f()
			if math.Abs(num-float64(dx[i])) > 1e-3*(1+math.Abs(num)) {
				t.Fatalf("%s: dx[%d] = %v, numeric %v", desc, i, dx[i], num)
			}
		}
		for _, i := range sampleIndices(r, len(w), 5) {
			old := w[i]
			w[i] = old + 1
			up := f()
			w[i] = old
			num := up - f()
			if math.Abs(num-float64(dw[i])) > 1e-3*(1+math.Abs(num)) {
				t.Fatalf("%s: dw[%d] = %v, numeric %v", desc, i, dw[i], num)
			}
		}
	}
}
