package nn

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"wasmcnn/core"
	"wasmcnn/core/ink"
	"wasmcnn/core/onnx"
	"wasmcnn/core/verdict"
	"wasmcnn/data"
	"wasmcnn/internal/floattest"
	"wasmcnn/internal/fmtlite"
)

// penExamples renders the held-out test pen digits of writer w as the page
// draws them, in file order.
func penExamples(t testing.TB, w int) *Dataset {
	t.Helper()
	digits, err := data.LoadStrokeDigits(filepath.Join("..", "..", "testdata", "pendigits", "heldout300.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r ink.StrokeRenderer
	img := make([]float32, ink.FieldSize*ink.FieldSize)
	d := &Dataset{}
	for _, dg := range digits {
		if dg.Writer == w && r.Render(img, dg.Strokes, ink.DigitFraction, ink.PenWidth) {
			d.Append(img, dg.Label, "")
		}
	}
	if d.Len() == 0 {
		t.Fatalf("no pen digits of writer %d", w)
	}
	return d
}

// replaySet returns n random examples of the ten classes, standing in for
// replayed digits where only the mechanics matter.
func replaySet(n int, seed uint64) *Dataset {
	r := rand.New(rand.NewPCG(seed, 9))
	d := &Dataset{X: make([]float32, n*ink.FieldSize*ink.FieldSize), Y: make([]int, n)}
	for i := range d.X {
		d.X[i] = r.Float32()
	}
	for i := range d.Y {
		d.Y[i] = i % 10
	}
	return d
}

// quickOptions are small fine-tuning options for tests.
func quickOptions() FineTuneOptions {
	o := DefaultFineTuneOptions()
	o.Steps, o.Copies = 10, 3
	o.Replay, o.ReplayBatch = replaySet(20, 1), 8
	return o
}

func TestFineTuneValidates(t *testing.T) {
	im, err := ImportNet(shippedModel(t))
	if err != nil {
		t.Fatal(err)
	}
	ex := penExamples(t, 28)
	good := func() ([]float32, []int, FineTuneOptions) {
		return append([]float32(nil), ex.X...), append([]int(nil), ex.Y...), quickOptions()
	}
	cases := []struct {
		name   string
		change func(x *[]float32, y *[]int, o *FineTuneOptions)
		want   string
		is     error
	}{
		{"no examples", func(x *[]float32, y *[]int, o *FineTuneOptions) { *x, *y = nil, nil }, "", ErrNoExamples},
		{"one digit only", func(x *[]float32, y *[]int, o *FineTuneOptions) {
			for i := range *y {
				(*y)[i] = 7
			}
		}, "", ErrOneClass},
		{"wrong size", func(x *[]float32, y *[]int, o *FineTuneOptions) { *x = (*x)[:len(*x)-1] }, "input values for", nil},
		{"label out of range", func(x *[]float32, y *[]int, o *FineTuneOptions) { (*y)[3] = 10 }, "label 10 of example 3 is out of range 0..9", nil},
		{"negative label", func(x *[]float32, y *[]int, o *FineTuneOptions) { (*y)[0] = -1 }, "label -1 of example 0", nil},
		{"NaN input", func(x *[]float32, y *[]int, o *FineTuneOptions) { (*x)[784*2+5] = float32(math.NaN()) }, "example 2 has a non-finite value (NaN) at index 5", nil},
		{"infinite input", func(x *[]float32, y *[]int, o *FineTuneOptions) { (*x)[9] = float32(math.Inf(1)) }, "example 0 has a non-finite value", nil},
		{"no steps", func(x *[]float32, y *[]int, o *FineTuneOptions) { o.Steps = 0 }, "Steps 0", nil},
		{"too many steps", func(x *[]float32, y *[]int, o *FineTuneOptions) { o.Steps = MaxFineTuneSteps + 1 }, "Steps 10001", nil},
		{"NaN learning rate", func(x *[]float32, y *[]int, o *FineTuneOptions) { o.LR = float32(math.NaN()) }, "LR NaN", nil},
		{"negative anchor", func(x *[]float32, y *[]int, o *FineTuneOptions) { o.Anchor = -1 }, "Anchor -1", nil},
		{"no trained layers", func(x *[]float32, y *[]int, o *FineTuneOptions) { o.TrainLayers = 0 }, "TrainLayers 0", nil},
		{"too many copies", func(x *[]float32, y *[]int, o *FineTuneOptions) { o.Copies = 65 }, "Copies 65", nil},
		{"bad augmentation", func(x *[]float32, y *[]int, o *FineTuneOptions) { o.Augment.ScaleMin = 0 }, "augmentation", nil},
		{"bad smoothing", func(x *[]float32, y *[]int, o *FineTuneOptions) { o.LabelSmoothing = 1 }, "LabelSmoothing 1", nil},
		{"replay of the wrong size", func(x *[]float32, y *[]int, o *FineTuneOptions) {
			o.Replay = &Dataset{X: make([]float32, 100), Y: []int{1}}
		}, "replay set has 100 values for 1 labels", nil},
		{"too much to keep", func(x *[]float32, y *[]int, o *FineTuneOptions) {
			// 32×14×14 values after the first pooling, for 64 copies of
			// each of the ~50 examples and 2,500 replayed ones.
			o.TrainLayers, o.Copies = 4, 64
			o.Replay = replaySet(2500, 2)
		}, "exceed the limit", nil},
		{"too many input copies", func(x *[]float32, y *[]int, o *FineTuneOptions) {
			// 700 examples in 64 copies of 784 values each are more than
			// 32 Mi, although their 96 features each would fit.
			for len(*y) < 700 {
				*x, *y = append(*x, ex.X...), append(*y, ex.Y...)
			}
			o.Copies = 64
		}, "copies of [1 28 28] exceed the limit", nil},
		{"replay label out of range", func(x *[]float32, y *[]int, o *FineTuneOptions) {
			o.Replay = replaySet(3, 2)
			o.Replay.Y[1] = 12
		}, "replay label 12 of example 1", nil},
	}
	for _, c := range cases {
		x, y, o := good()
		c.change(&x, &y, &o)
		_, err := FineTune(context.Background(), im.Net, x, y, o, nil)
		switch {
		case err == nil:
			t.Errorf("%s: no error", c.name)
		case c.is != nil && !errors.Is(err, c.is):
			t.Errorf("%s: error %v, want %v", c.name, err, c.is)
		case c.want != "" && !strings.Contains(err.Error(), c.want):
			t.Errorf("%s: error %q, want one containing %q", c.name, err, c.want)
		}
	}
	if _, err := FineTune(context.Background(), nil, ex.X, ex.Y, quickOptions(), nil); err == nil {
		t.Error("no error for a nil network")
	}
	withSoftmax, err := NewNet(im.Net.In, append(append([]Layer(nil), im.Net.Layers...), &SoftmaxLayer{Name: "p"})...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := FineTune(context.Background(), withSoftmax, ex.X, ex.Y, quickOptions(), nil); err == nil || !strings.Contains(err.Error(), "softmax") {
		t.Errorf("a network ending in a softmax: error %v", err)
	}
	// A convolution's maps are no scores per class, even when there are
	// ten of them.
	maps, err := NewNet([]int{1, 28, 28}, NewConvLayer("c", 1, 10, 3, 3, true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := FineTune(context.Background(), maps, ex.X, ex.Y, quickOptions(), nil); err == nil || !strings.Contains(err.Error(), "one score per class") {
		t.Errorf("a network ending in maps: error %v", err)
	}
}

// TestFineTuneLearns checks that fine-tuning fits the examples it is given
// (at every depth), reports its progress, leaves the base network alone and
// that the result, exported and loaded back, computes what the network does.
func TestFineTuneLearns(t *testing.T) {
	m := shippedModel(t)
	im, err := ImportNet(m)
	if err != nil {
		t.Fatal(err)
	}
	ex := penExamples(t, 28)
	// Wrong labels that the shipped model certainly does not give, so there
	// is something to learn: each digit is taught as the next one.
	y := make([]int, len(ex.Y))
	for i, v := range ex.Y {
		y[i] = (v + 1) % 10
	}
	before := im.Net.Params()[0].W.Clone()
	for _, layers := range []int{1, 2, 5} {
		o := quickOptions()
		o.TrainLayers, o.Steps, o.LR = layers, 60, 1e-2
		var steps []int
		var losses []float64
		res, err := FineTune(context.Background(), im.Net, ex.X, y, o, func(step, total int, loss float64) {
			if total != o.Steps {
				t.Errorf("progress says %d steps, want %d", total, o.Steps)
			}
			steps, losses = append(steps, step), append(losses, loss)
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(steps) != o.Steps || steps[0] != 1 || steps[len(steps)-1] != o.Steps {
			t.Errorf("layers %d: progress reported steps %v", layers, steps)
		}
		if !(res.LossAfter < res.LossBefore/2) || res.CorrectAfter <= res.CorrectBefore {
			t.Errorf("layers %d: loss %.3f → %.3f, right %d → %d of %d: did not learn the examples", layers, res.LossBefore, res.LossAfter, res.CorrectBefore, res.CorrectAfter, len(y))
		}
		if !(losses[len(losses)-1] < losses[0]) {
			t.Errorf("layers %d: step loss %.3f → %.3f", layers, losses[0], losses[len(losses)-1])
		}
		// Frozen layers keep their weights; trained ones move.
		ps, base := res.Net.Params(), im.Net.Params()
		for i := range ps {
			trained := i >= len(ps)-2*layers
			same := floattest.FirstMismatch(ps[i].W.Data, base[i].W.Data, 0) < 0
			if trained == same {
				t.Errorf("layers %d: parameter %s trained %v but unchanged %v", layers, ps[i].Name, trained, same)
			}
		}
		checkExportMatches(t, im, res.Net, ex.X)
	}
	if i := floattest.FirstMismatch(im.Net.Params()[0].W.Data, before.Data, 0); i >= 0 {
		t.Fatal("fine-tuning changed the base network")
	}
}

// checkExportMatches exports net like im and requires the loaded model to
// give net's probabilities for x.
func checkExportMatches(t *testing.T, im *ImportedNet, net *Net, x []float32) {
	t.Helper()
	b, err := im.ExportONNX(net, "personal", [][2]string{{"base", "digits"}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := onnx.LoadModel(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := len(x) / 784
	xt := &core.Tensor{Shape: []int{n, 1, 28, 28}, Data: x}
	got, err := m.Run(xt)
	if err != nil {
		t.Fatal(err)
	}
	want := netScores(t, net, xt, true)
	if i := floattest.FirstMismatch(got[0].Data, want, 1e-5); i >= 0 {
		t.Fatalf("exported model output %d = %v, the network %v", i, got[0].Data[i], want[i])
	}
}

func TestFineTuneDeterministic(t *testing.T) {
	im, err := ImportNet(shippedModel(t))
	if err != nil {
		t.Fatal(err)
	}
	ex := penExamples(t, 25)
	run := func(seed uint64) []float32 {
		o := quickOptions()
		o.TrainLayers, o.Seed = 2, seed
		res, err := FineTune(context.Background(), im.Net, ex.X, ex.Y, o, nil)
		if err != nil {
			t.Fatal(err)
		}
		var all []float32
		for _, p := range res.Net.Params() {
			all = append(all, p.W.Data...)
		}
		return all
	}
	a, b, c := run(7), run(7), run(8)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("two runs with the same seed differ at value %d: %v, %v", i, a[i], b[i])
		}
	}
	if floattest.FirstMismatch(a, c, 0) < 0 {
		t.Fatal("different seeds gave the same model")
	}
}

func TestFineTuneCancels(t *testing.T) {
	im, err := ImportNet(shippedModel(t))
	if err != nil {
		t.Fatal(err)
	}
	ex := penExamples(t, 26)
	ctx, cancel := context.WithCancel(context.Background())
	o := quickOptions()
	o.Steps = 1000
	_, err = FineTune(ctx, im.Net, ex.X, ex.Y, o, func(step, total int, loss float64) {
		if step == 3 {
			cancel()
		}
		if step > 3 {
			t.Fatalf("step %d ran after cancellation", step)
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	// Cancelled before it starts: no work at all.
	_, err = FineTune(ctx, im.Net, ex.X, ex.Y, o, func(int, int, float64) { t.Fatal("a step ran") })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
}

// TestFineTuneFoldsBatchNorm fine-tunes a network trained with batch
// normalisation: the result has none, computes what the network did before
// training (with no steps' worth of change, LR tiny) and trains on single
// examples without batch statistics.
func TestFineTuneFoldsBatchNorm(t *testing.T) {
	net, err := NewDigitNet("digits-v1")
	if err != nil {
		t.Fatal(err)
	}
	net.Init(rand.New(rand.NewPCG(1, 1)))
	r := rand.New(rand.NewPCG(2, 2))
	for _, l := range net.Layers {
		if bn, ok := l.(*BatchNormLayer); ok {
			for c := range bn.Mean {
				bn.Mean[c], bn.Var[c] = r.Float32()-0.5, 0.5+r.Float32()
				bn.Gamma.W.Data[c], bn.Beta.W.Data[c] = 0.5+r.Float32(), r.Float32()-0.5
			}
		}
	}
	ex := penExamples(t, 30)
	o := quickOptions()
	o.TrainLayers, o.Steps, o.LR, o.BatchSize, o.ReplayBatch = 5, 1, 1e-9, 1, 0
	res, err := FineTune(context.Background(), net, ex.X, ex.Y, o, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range res.Net.Layers {
		if _, ok := l.(*BatchNormLayer); ok {
			t.Fatal("the fine-tuned network kept a batch normalisation")
		}
	}
	x := &core.Tensor{Shape: []int{ex.Len(), 1, 28, 28}, Data: ex.X}
	want := netScores(t, net, x, false)
	got := netScores(t, res.Net, x, false)
	if i := floattest.FirstMismatch(got, want, 1e-3); i >= 0 {
		t.Fatalf("score %d: folded %v, original %v", i, got[i], want[i])
	}
}

// BenchmarkFineTune times the page's whole learning step, FineTuneModel
// (import, fine-tune, export, load back), on the shipped model with 30 pen
// digits and 100 replayed examples: at the default options (layers1) and
// training more layers with the same options.
func BenchmarkFineTune(b *testing.B) {
	base := shippedModel(b)
	ex := penExamples(b, 27)
	ex = &Dataset{X: ex.X[:30*784], Y: ex.Y[:30]}
	for _, layers := range []int{1, 2, 3} {
		o := DefaultFineTuneOptions()
		o.TrainLayers, o.Replay = layers, replaySet(100, 3)
		b.Run(fmtlite.Sprintf("layers%d", layers), func(b *testing.B) {
			for b.Loop() {
				if _, err := FineTuneModel(context.Background(), base, ex.X, ex.Y, o, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestFineTuneModel fine-tunes the loaded shipped model end to end: the new
// model keeps the base's input and output, says how it was made, reads the
// examples as the result claims, and the base model still answers as before.
func TestFineTuneModel(t *testing.T) {
	base := shippedModel(t)
	ex := penExamples(t, 28)
	x := &core.Tensor{Shape: []int{ex.Len(), 1, 28, 28}, Data: ex.X}
	first, err := base.Run(x)
	if err != nil {
		t.Fatal(err)
	}
	baseOut := append([]float32(nil), first[0].Data...)
	// The page's number of steps: the promise that the taught examples read
	// no worse afterwards is the procedure's, and ten steps of it are too few
	// to keep it for every model.
	o := quickOptions()
	o.Steps = DefaultFineTuneOptions().Steps
	ft, err := FineTuneModel(context.Background(), base, ex.X, ex.Y, o, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := ft.Model
	if m.Inputs[0].Name != base.Inputs[0].Name || m.Outputs[0].Name != base.Outputs[0].Name {
		t.Fatalf("input %q output %q, base %q %q", m.Inputs[0].Name, m.Outputs[0].Name, base.Inputs[0].Name, base.Outputs[0].Name)
	}
	if got := m.Metadata[FineTuneBaseKey]; got != base.Description || got == "" {
		t.Errorf("base %q, want %q", got, base.Description)
	}
	// The shipped model's verdict rule goes with the personal model.
	rule, err := verdict.FromMetadata(base.Metadata)
	if err != nil {
		t.Fatalf("the shipped model's rule: %v", err)
	}
	if got, err := verdict.FromMetadata(m.Metadata); err != nil || got != rule {
		t.Errorf("the personal model's rule %+v, %v; the base's %+v", got, err, rule)
	}
	total := 0
	for _, e := range strings.Fields(m.Metadata[FineTuneExamplesKey]) {
		var class, count int
		if _, err := fmt.Sscanf(e, "%d:%d", &class, &count); err != nil {
			t.Fatalf("examples %q: %v", m.Metadata[FineTuneExamplesKey], err)
		}
		total += count
	}
	if total != ex.Len() || !strings.Contains(m.Metadata[FineTuneOptionsKey], "replay=20 replay_batch=8") {
		t.Errorf("examples %q (%d, want %d), options %q", m.Metadata[FineTuneExamplesKey], total, ex.Len(), m.Metadata[FineTuneOptionsKey])
	}
	out, err := m.Run(x)
	if err != nil {
		t.Fatal(err)
	}
	right := 0
	for i, y := range ex.Y {
		if core.Argmax(out[0].Data[i*10:(i+1)*10]) == y {
			right++
		}
	}
	if right != ft.CorrectAfter || ft.CorrectAfter < ft.CorrectBefore {
		t.Fatalf("the model reads %d of %d right; the result says %d (before %d)", right, ex.Len(), ft.CorrectAfter, ft.CorrectBefore)
	}
	again, err := base.Run(x)
	if err != nil {
		t.Fatal(err)
	}
	for i := range baseOut {
		if again[0].Data[i] != baseOut[i] {
			t.Fatal("fine-tuning changed the base model's answers")
		}
	}
}
