package tune

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wasmcnn/core/ink"
	"wasmcnn/core/nn"
	"wasmcnn/core/onnx"
	"wasmcnn/core/verdict"
	"wasmcnn/data"
	"wasmcnn/wasm/bridge"
)

// tinyNet is a small digit network for checks that need no quality.
func tinyNet() *nn.Net {
	net, err := nn.NewNet([]int{1, 28, 28},
		nn.NewConvLayer("conv", 1, 2, 3, 3, true),
		&nn.ReLULayer{Name: "relu"},
		nn.NewMaxPool("pool", 2, 2),
		&nn.FlattenLayer{Name: "flatten"},
		nn.NewDenseLayer("fc", 2*14*14, 10))
	if err != nil {
		panic(err)
	}
	return net
}

// twoExamples are two blank examples of different classes.
func twoExamples() ([]float32, []int) { return make([]float32, 2*784), []int{3, 7} }

// TestOptionsAgreeWithNN holds the bridge's option ranges to nn.FineTune's
// checks: every end of every range is accepted by nn (a cancelled context
// then stops it before any work), a step beyond is refused by the bridge,
// and the defaults are nn's.
func TestOptionsAgreeWithNN(t *testing.T) {
	if bridge.MaxFineTuneExamples != nn.MaxFineTuneExamples {
		t.Errorf("bridge allows %d examples, nn %d", bridge.MaxFineTuneExamples, nn.MaxFineTuneExamples)
	}
	limits := map[string]float64{"steps": nn.MaxFineTuneSteps, "copies": nn.MaxFineTuneCopies, "batchSize": nn.MaxFineTuneBatch, "replayBatch": nn.MaxFineTuneBatch}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	x, y := twoExamples()
	replay, _ := ReadReplay(replayFile(20))
	for _, o := range bridge.FineTuneOptions {
		if hi, ok := limits[o.Name]; ok && o.Hi != hi {
			t.Errorf("%s: the bridge allows up to %v, nn %v", o.Name, o.Hi, hi)
		}
		ends := []float64{o.Lo, o.Hi}
		if o.OpenLo {
			ends[0] = math.Nextafter(o.Lo, o.Hi)
			if o.Name == "lr" {
				ends[0] = 1e-9 // float32 must stay above 0
			}
		}
		if o.OpenHi {
			ends[1] = math.Nextafter(float32Below(o.Hi), o.Lo)
		}
		for _, v := range ends {
			opts := Options([]bridge.FineTuneSetting{{Name: o.Name, Value: v}})
			opts.Replay = replay
			_, err := nn.FineTune(ctx, tinyNet(), x, y, opts, nil)
			if !errors.Is(err, context.Canceled) {
				t.Errorf("%s = %v: nn says %v, want it accepted", o.Name, v, err)
			}
		}
	}
	if d, o := nn.DefaultFineTuneOptions(), Options(nil); d.Steps != o.Steps || d.Copies != o.Copies || d.Augment != o.Augment || d.LR != o.LR {
		t.Errorf("Options(nil) = %+v, want nn's defaults %+v", o, d)
	}
}

// float32Below returns the largest float32 value below v, as a float64:
// an open upper end must stay open once the option is a float32.
func float32Below(v float64) float64 {
	return float64(math.Nextafter32(float32(v), float32(math.Inf(-1))))
}

func TestOptionsApply(t *testing.T) {
	o := Options([]bridge.FineTuneSetting{{Name: "trainLayers", Value: 2}, {Name: "steps", Value: 5}, {Name: "batchSize", Value: 8}, {Name: "lr", Value: 0.25}, {Name: "anchor", Value: 3},
		{Name: "copies", Value: 2}, {Name: "augment", Value: 0}, {Name: "replayBatch", Value: 4}, {Name: "labelSmoothing", Value: 0.1}, {Name: "seed", Value: 42}})
	if o.TrainLayers != 2 || o.Steps != 5 || o.BatchSize != 8 || o.LR != 0.25 || o.Anchor != 3 || o.Copies != 2 ||
		o.Augment != (nn.Augment{ScaleMin: 1, ScaleMax: 1}) || o.ReplayBatch != 4 || o.LabelSmoothing != 0.1 || o.Seed != 42 {
		t.Errorf("got %+v", o)
	}
	if a := Options([]bridge.FineTuneSetting{{Name: "augment", Value: 2}}).Augment; a.Rotate != 2*nn.DefaultFineTuneOptions().Augment.Rotate {
		t.Errorf("augment 2 rotates up to %v", a.Rotate)
	}
}

// replayFile returns n digits in the replay format: digit i has label i%10
// and its pixels set to i.
func replayFile(n int) []byte {
	b := make([]byte, 0, n*ReplayRecord)
	for i := 0; i < n; i++ {
		b = append(b, byte(i%10))
		for k := 0; k < ReplayRecord-1; k++ {
			b = append(b, byte(i))
		}
	}
	return b
}

func TestReadReplay(t *testing.T) {
	d, err := ReadReplay(replayFile(12))
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != 12 || d.Y[11] != 1 || d.X[11*784+5] != 11.0/255 || len(d.X) != 12*784 {
		t.Errorf("read %d digits, label 11 = %d, a pixel of 11 = %v", d.Len(), d.Y[11], d.X[11*784+5])
	}
	// A record labelled 10 is no digit (web/models/notdigit-replay.bin).
	mixed := replayFile(3)
	mixed[ReplayRecord] = 10
	if d, err := ReadReplay(mixed); err != nil || d.Y[0] != 0 || d.Y[1] != nn.NotDigit || d.Y[2] != 2 {
		t.Errorf("a replay with a non-digit: %v, %v; want labels 0, nn.NotDigit, 2", d, err)
	}
	bad := replayFile(3)
	bad[ReplayRecord] = 11
	for _, c := range []struct {
		b    []byte
		want string
	}{
		{nil, "a digits file of 0 bytes"},
		{replayFile(2)[:ReplayRecord+3], "a digits file of 788 bytes is not whole records of 785"},
		{bad, "digit 1 has label 11"},
		{make([]byte, 1001*ReplayRecord), "is not whole records"},
	} {
		if _, err := ReadReplay(c.b); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%d bytes: %v, want %q", len(c.b), err, c.want)
		}
	}
}

// FuzzReadReplay: any bytes give examples labelled 0–9 or nn.NotDigit with
// pixels in 0..1, or an error.
func FuzzReadReplay(f *testing.F) {
	f.Add(replayFile(1))
	f.Add([]byte{1, 2, 3})
	f.Add(append([]byte{10}, make([]byte, ReplayRecord-1)...))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := ReadReplay(b)
		if err != nil {
			return
		}
		for _, y := range d.Y {
			if (y < 0 || y > 9) && y != nn.NotDigit {
				t.Fatalf("label %d", y)
			}
		}
		for _, v := range d.X {
			if !(v >= 0 && v <= 1) {
				t.Fatalf("pixel %v", v)
			}
		}
	})
}

// TestRun fine-tunes the shipped model to a few pen digits with the
// shipped replay files as the page sends them (the MNIST digits, then the
// non-digits): progress comes once a step, the model comes back as ONNX
// that loads, reads the taught digits at least as well as before and keeps
// its base's verdict rule.
func TestRun(t *testing.T) {
	root := filepath.Join("..", "..")
	raw, err := os.ReadFile(filepath.Join(root, "web", "models", "digits.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	base, err := onnx.LoadModel(raw, nil)
	if err != nil {
		t.Fatal(err)
	}
	var replay []byte
	for _, f := range []string{"mnist-replay.bin", "notdigit-replay.bin"} {
		b, err := os.ReadFile(filepath.Join(root, "web", "models", f))
		if err != nil {
			t.Fatal(err)
		}
		replay = append(replay, b...)
	}
	if d, err := ReadReplay(replay); err != nil || d.Y[d.Len()-1] != nn.NotDigit {
		t.Fatalf("the page's replay: %v", err)
	}
	digits, err := data.LoadStrokeDigits(filepath.Join(root, "testdata", "pendigits", "heldout300.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r ink.StrokeRenderer
	img := make([]float32, 784)
	args := &bridge.FineTuneArgs{Options: []bridge.FineTuneSetting{{Name: "steps", Value: 12}}}
	for _, d := range digits {
		if len(args.Labels) < 20 && r.Render(img, d.Strokes, ink.DigitFraction, ink.PenWidth) {
			args.Inputs = append(args.Inputs, img...)
			args.Labels = append(args.Labels, d.Label)
		}
	}
	var steps []int
	res, err := Run(context.Background(), base, args, replay, func(step, total int, loss float64) {
		if total != 12 || math.IsNaN(loss) {
			t.Errorf("progress (%d, %d, %v)", step, total, loss)
		}
		steps = append(steps, step)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != 12 || steps[11] != 12 {
		t.Errorf("progress at steps %v", steps)
	}
	if res.CorrectAfter < res.CorrectBefore || res.LossAfter >= res.LossBefore {
		t.Errorf("examples read right %d → %d, loss %v → %v", res.CorrectBefore, res.CorrectAfter, res.LossBefore, res.LossAfter)
	}
	tuned, err := onnx.LoadModel(res.ONNX, nil)
	if err != nil {
		t.Fatalf("the new model does not load: %v", err)
	}
	want, err := verdict.FromMetadata(base.Metadata)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := verdict.FromMetadata(tuned.Metadata); err != nil || got != want {
		t.Errorf("the personal model's verdict rule %+v (%v), want its base's %+v", got, err, want)
	}
	// A replay set for other inputs than the model's, and a bad file.
	if _, err := Run(context.Background(), base, args, []byte{1, 2}, nil); err == nil || !strings.Contains(err.Error(), "replay") {
		t.Errorf("a bad replay file: %v", err)
	}
	small := &bridge.FineTuneArgs{Inputs: make([]float32, 2*4), Labels: []int{0, 1}}
	if _, err := Run(context.Background(), base, small, replay, nil); err == nil || !strings.Contains(err.Error(), "takes 4 values per example") {
		t.Errorf("replay for a model of other inputs: %v", err)
	}
	// Cancelled: the context's error.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, base, args, replay, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
