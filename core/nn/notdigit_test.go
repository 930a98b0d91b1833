package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"wasmcnn/core"
	"wasmcnn/core/ink"
)

// TestNotDigitLoss holds the loss of a NotDigit row to the cross-entropy
// against the uniform target, and its gradient to softmax − 1/k, whatever
// the smoothing; such a row never counts as correct.
func TestNotDigitLoss(t *testing.T) {
	logits := []float32{2, -1, 0.5, 0, 3}
	k := len(logits)
	dl := make([]float32, k)
	loss, correct := SoftmaxCrossEntropy(dl, logits, []int{NotDigit}, k, 0.3)
	var z float64
	for _, v := range logits {
		z += math.Exp(float64(v))
	}
	var want float64
	for j, v := range logits {
		p := math.Exp(float64(v)) / z
		want -= math.Log(p) / float64(k)
		if g := p - 1/float64(k); math.Abs(float64(dl[j])-g) > 1e-6 {
			t.Errorf("gradient %d: %v, want %v", j, dl[j], g)
		}
	}
	if math.Abs(loss-want) > 1e-6 || correct != 0 {
		t.Errorf("loss %v (correct %d), want %v (0)", loss, correct, want)
	}
	// Uniform logits are the minimum: no gradient.
	SoftmaxCrossEntropy(dl, make([]float32, k), []int{NotDigit}, k, 0)
	for j, g := range dl {
		if math.Abs(float64(g)) > 1e-7 {
			t.Errorf("uniform logits: gradient %d is %v", j, g)
		}
	}
	d := &Dataset{}
	d.Append(make([]float32, ink.FieldSize*ink.FieldSize), NotDigit, "")
	if err := d.Check(); err != nil {
		t.Errorf("a dataset with a non-digit: %v", err)
	}
	d.Y[0] = -2
	if err := d.Check(); err == nil {
		t.Error("label −2 passed the check")
	}
}

// TestStartFrom checks that a trainer starting from a network's weights
// has them, in the network and the replicas that train it, and that a
// network of other parameters is refused.
func TestStartFrom(t *testing.T) {
	mk := func() *Net {
		n, err := NewNet([]int{1, 4, 4}, NewConvLayer("c", 1, 2, 3, 3, true), &FlattenLayer{Name: "f"}, NewDenseLayer("d", 2*4*4, 3))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	src := mk()
	src.Init(rand.New(rand.NewPCG(5, 6)))
	net := mk()
	tr, err := NewTrainer(net, TrainConfig{Epochs: 1, BatchSize: 2, LR: 1e-3, Workers: 2, Seed: 9}, 4)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.StartFrom(src); err != nil {
		t.Fatal(err)
	}
	for i, p := range net.Params() {
		for j, v := range p.W.Data {
			if v != src.Params()[i].W.Data[j] {
				t.Fatalf("%s[%d] = %v, the starting network's %v", p.Name, j, v, src.Params()[i].W.Data[j])
			}
		}
	}
	x := core.NewTensor(1, 1, 4, 4)
	for i := range x.Data {
		x.Data[i] = float32(i) / 16
	}
	a, _ := src.Forward(x, false)
	want := append([]float32(nil), a.Data...)
	b, _ := tr.workers[1].net.Forward(x, false)
	for i := range want {
		if b.Data[i] != want[i] {
			t.Fatalf("a replica computes %v, the starting network %v", b.Data, want)
		}
	}
	other, err := NewNet([]int{1, 4, 4}, &FlattenLayer{Name: "f"}, NewDenseLayer("d", 16, 3))
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.StartFrom(other); err == nil {
		t.Error("StartFrom took a network of other parameters")
	}
}
