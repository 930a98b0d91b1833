package nn

import (
	"math/rand/v2"
	"path/filepath"
	"testing"
)

// tinySet returns n random 28×28 examples whose label is readable from
// the image (a bright bar at a row chosen by the label), so training can
// make progress.
func tinySet(n int, seed uint64) *Dataset {
	r := rand.New(rand.NewPCG(seed, 1))
	d := &Dataset{}
	img := make([]float32, 784)
	for i := 0; i < n; i++ {
		label := r.IntN(10)
		for k := range img {
			img[k] = r.Float32() * 0.1
		}
		row := 4 + 2*label
		for x := 6; x < 22; x++ {
			img[row*28+x] = 1
		}
		d.Append(img, label, "")
	}
	return d
}

func tinyConfig() TrainConfig {
	return TrainConfig{Arch: "lenet-s", Epochs: 2, BatchSize: 32, Optimizer: "adam", LR: 3e-3, WeightDecay: 0.01,
		Warmup: 0.2, LabelSmoothing: 0.05, Seed: 42, Workers: 2, Augment: DefaultAugment}
}

func trainTiny(t *testing.T, cfg TrainConfig, train *Dataset, ckpt string, stopAfter int) *Trainer {
	t.Helper()
	net, err := NewDigitNet(cfg.Arch)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTrainer(net, cfg, train.Len())
	if err != nil {
		t.Fatal(err)
	}
	if ckpt != "" && stopAfter < 0 {
		if err := tr.LoadCheckpoint(ckpt); err != nil {
			t.Fatal(err)
		}
	}
	for tr.Epoch < cfg.Epochs {
		if _, err := tr.TrainEpoch(train, nil, nil); err != nil {
			t.Fatal(err)
		}
		if stopAfter > 0 && tr.Epoch == stopAfter {
			if err := tr.SaveCheckpoint(ckpt, nil); err != nil {
				t.Fatal(err)
			}
			return tr
		}
	}
	return tr
}

func sameParams(t *testing.T, what string, a, b *Net) {
	t.Helper()
	pa, pb := a.Params(), b.Params()
	for i := range pa {
		for k := range pa[i].W.Data {
			if pa[i].W.Data[k] != pb[i].W.Data[k] {
				t.Fatalf("%s: %s[%d] differs: %v vs %v", what, pa[i].Name, k, pa[i].W.Data[k], pb[i].W.Data[k])
			}
		}
	}
}

// TestTrainingReproducible trains twice with the same seed (two workers
// sharing each batch) and requires identical weights; and checks that
// stopping after one epoch and resuming from the checkpoint gives the same
// weights as training straight through.
func TestTrainingReproducible(t *testing.T) {
	train := tinySet(640, 1)
	cfg := tinyConfig()
	a := trainTiny(t, cfg, train, "", 0)
	b := trainTiny(t, cfg, train, "", 0)
	sameParams(t, "two runs with seed 42", a.Net, b.Net)

	ckpt := filepath.Join(t.TempDir(), "run.ckpt")
	trainTiny(t, cfg, train, ckpt, 1)
	c := trainTiny(t, cfg, train, ckpt, -1)
	sameParams(t, "straight through vs resumed", a.Net, c.Net)
	if len(c.History) != 2 {
		t.Errorf("resumed history has %d epochs, want 2", len(c.History))
	}

	// And training does learn: without distortions the bar's row is easy to read.
	plain := cfg
	plain.Augment = Augment{ScaleMin: 1, ScaleMax: 1}
	plain.Epochs = 3
	e := trainTiny(t, plain, train, "", 0)
	acc, _, err := e.Evaluate(tinySet(200, 2))
	if err != nil {
		t.Fatal(err)
	}
	if acc < 0.9 {
		t.Errorf("accuracy %.2f after training on an easy task", acc)
	}
	other := cfg
	other.Seed = 43
	d := trainTiny(t, other, train, "", 0)
	if d.Net.Params()[0].W.Data[0] == a.Net.Params()[0].W.Data[0] {
		t.Error("a different seed gave the same first weight")
	}
}

func TestOneCycle(t *testing.T) {
	s := OneCycle{Max: 1, Warmup: 0.2, Steps: 100}
	if s.At(0) != 1.0/25 || s.At(20) < 0.99 || s.At(99) > 0.001 {
		t.Errorf("schedule: start %v, peak %v, end %v", s.At(0), s.At(20), s.At(99))
	}
	for i := 21; i < 100; i++ {
		if s.At(i) > s.At(i-1) {
			t.Fatalf("not decreasing after the warm-up at step %d", i)
		}
	}
}
