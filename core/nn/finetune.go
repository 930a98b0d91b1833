package nn

import (
	"context"
	"errors"
	"slices"

	"wasmcnn/core"
	"wasmcnn/core/ink"
	"wasmcnn/internal/fmtlite"
)

// FineTuneOptions configure [FineTune]. Start from [DefaultFineTuneOptions]
// and change what you need: every field is used as given.
type FineTuneOptions struct {
	// TrainLayers is how many of the layers with parameters are trained,
	// counted from the output; the layers before them keep their weights.
	// A number at least the count of such layers trains all of them.
	TrainLayers int `json:"train_layers"`
	// Steps is the number of optimizer steps.
	Steps int `json:"steps"`
	// BatchSize is how many of the person's examples each step sees (all of
	// them when there are fewer).
	BatchSize int `json:"batch_size"`
	// LR is the learning rate of the first step; it decays along a half
	// cosine to LR/2500 at the last (Adam, no weight decay).
	LR float32 `json:"lr"`
	// Anchor is the strength λ of the pull towards the starting weights w₀:
	// the loss gains λ/2·‖w − w₀‖² over the trained parameters.
	Anchor float32 `json:"anchor"`
	// Copies is how many versions of each example the steps draw from: the
	// example itself and Copies−1 distortions of it by Augment.
	Copies int `json:"copies"`
	// Augment distorts the copies; used when Copies > 1 (28×28 inputs only).
	Augment Augment `json:"augment"`
	// Replay, if not nil, holds examples of the original task, ReplayBatch of
	// which join every step so the model keeps reading them. Examples
	// labelled [NotDigit] keep it refusing what is no digit: without them a
	// model taught a few digits drifts towards naming one for everything.
	Replay      *Dataset `json:"-"`
	ReplayBatch int      `json:"replay_batch"`
	// LabelSmoothing spreads this much of each target over all classes.
	LabelSmoothing float32 `json:"label_smoothing"`
	// Seed fixes the copies' distortions and the order of the examples: the
	// same inputs, options and seed give the same model.
	Seed uint64 `json:"seed"`
}

// DefaultFineTuneOptions returns the procedure chosen by measurement (the
// finetune command, over held-out pen writers; docs/models.md): train the last
// layer only, 60 steps at 1e-2 over each example and 3 mild distortions of
// it, with 16 replayed digits of the original task in every step. Replay is
// what keeps the rest of the model intact — without it, teaching only a few
// digits makes the model answer them for everything — so callers should pass
// a replay set (about a hundred digits, ten of each, is enough).
func DefaultFineTuneOptions() FineTuneOptions {
	return FineTuneOptions{
		TrainLayers:    1,
		Steps:          60,
		BatchSize:      32,
		LR:             1e-2,
		Anchor:         0,
		Copies:         4,
		Augment:        Augment{Rotate: 8, ScaleMin: 0.9, ScaleMax: 1.1, Aspect: 0.08, Shear: 0.12, Shift: 1.5, ThickProb: 0.3},
		ReplayBatch:    16,
		LabelSmoothing: 0.05,
		Seed:           1,
	}
}

// Limits of [FineTune]'s options, which may come from a web page.
const (
	MaxFineTuneSteps    = 10000
	MaxFineTuneCopies   = 64
	MaxFineTuneExamples = 10000
	MaxFineTuneBatch    = 1024
	// MaxFineTuneCache bounds the values FineTune keeps of the frozen
	// layers' outputs (every copy of every example and every replayed one),
	// and of the distorted copies of the inputs they are made from:
	// 32 Mi float32, 128 MiB each.
	MaxFineTuneCache = 32 << 20
)

// FineTuneProgress receives the state of fine-tuning after each step: the
// step number (1 to steps) and the mean cross-entropy of that step's
// examples of the person (distorted copies included, replay left out).
type FineTuneProgress func(step, steps int, loss float64)

// FineTuneResult is a fine-tuned network with how it fits the examples.
type FineTuneResult struct {
	// Net is the new network: a copy of the base one with its batch
	// normalisations folded into the layers before them, fine-tuned. The
	// base network is left unchanged.
	Net *Net
	// LossBefore and LossAfter are the mean cross-entropy of the examples
	// (undistorted) under the base and the new network; CorrectBefore and
	// CorrectAfter count the examples each network reads right.
	LossBefore, LossAfter       float64
	CorrectBefore, CorrectAfter int
}

// Errors of [FineTune] that a caller may want to tell apart.
var (
	ErrNoExamples = errors.New("nn: fine-tuning needs at least one example")
	ErrOneClass   = errors.New("nn: fine-tuning needs examples of at least two different classes: with one, the model would learn to answer it for everything")
)

// FineTune adapts base (a network giving scores, such as [ImportedNet].Net)
// to a few examples: inputs holds len(labels) examples of base.In each,
// labels their classes. It returns a new network and leaves base unchanged.
//
// The layers before the TrainLayers trained ones are frozen, so their output
// for every copy of every example (and every replay example) is computed
// once; the steps then run only the trained layers. Networks with batch
// normalisation are fine-tuned with it folded in: a few examples of one
// person are no sample of the population its statistics describe, and a
// single drawing has no batch statistics at all, so the statistics stay
// those of the original training.
//
// It returns ctx's error if ctx ends first, and an error saying what was
// wrong for bad inputs or options; it never panics on them.
func FineTune(ctx context.Context, base *Net, inputs []float32, labels []int, opts FineTuneOptions, progress FineTuneProgress) (*FineTuneResult, error) {
	if base == nil {
		return nil, errors.New("nn: fine-tuning: no network")
	}
	layers, err := trainableCopy(base)
	if err != nil {
		return nil, err
	}
	full, err := NewNet(base.In, layers...)
	if err != nil {
		return nil, err
	}
	if out := full.OutShape(); len(out) != 1 {
		return nil, fmtlite.Errorf("nn: fine-tuning needs a network that ends in one score per class; this one gives %v per example", out)
	}
	classes := core.Product(full.OutShape())
	if err := checkFineTune(full, inputs, labels, classes, &opts); err != nil {
		return nil, err
	}
	ft, err := newFineTuner(full, inputs, labels, opts)
	if err != nil {
		return nil, err
	}
	return ft.run(ctx, progress)
}

// checkFineTune validates the examples and options against the network.
func checkFineTune(net *Net, inputs []float32, labels []int, classes int, o *FineTuneOptions) error {
	n := len(labels)
	size := core.Product(net.In)
	switch {
	case n == 0:
		return ErrNoExamples
	case n > MaxFineTuneExamples:
		return fmtlite.Errorf("nn: fine-tuning: %d examples, at most %d", n, MaxFineTuneExamples)
	case len(inputs) != n*size:
		return fmtlite.Errorf("nn: fine-tuning: %d input values for %d labels; each example is %v, %d values, so want %d", len(inputs), n, net.In, size, n*size)
	}
	for i, y := range labels {
		if y < 0 || y >= classes {
			return fmtlite.Errorf("nn: fine-tuning: label %d of example %d is out of range 0..%d", y, i, classes-1)
		}
	}
	if i := core.FirstNonFinite(inputs); i >= 0 {
		return fmtlite.Errorf("nn: fine-tuning: example %d has a non-finite value (%v) at index %d", i/size, inputs[i], i%size)
	}
	distinct := map[int]bool{}
	for _, y := range labels {
		distinct[y] = true
	}
	if len(distinct) < 2 {
		return ErrOneClass
	}
	params := 0
	for _, l := range net.Layers {
		if len(l.Params()) > 0 {
			params++
		}
	}
	switch {
	case o.TrainLayers < 1:
		return fmtlite.Errorf("nn: fine-tuning: TrainLayers %d, want at least 1 (of %d layers with parameters)", o.TrainLayers, params)
	case o.Steps < 1 || o.Steps > MaxFineTuneSteps:
		return fmtlite.Errorf("nn: fine-tuning: Steps %d, want 1..%d", o.Steps, MaxFineTuneSteps)
	case o.BatchSize < 1 || o.BatchSize > MaxFineTuneBatch:
		return fmtlite.Errorf("nn: fine-tuning: BatchSize %d, want 1..%d", o.BatchSize, MaxFineTuneBatch)
	case !(o.LR > 0) || o.LR > 1:
		return fmtlite.Errorf("nn: fine-tuning: LR %v, want a number in (0, 1]", o.LR)
	case !(o.Anchor >= 0) || o.Anchor > 1e6:
		return fmtlite.Errorf("nn: fine-tuning: Anchor %v, want a number in [0, 1e6]", o.Anchor)
	case o.Copies < 1 || o.Copies > MaxFineTuneCopies:
		return fmtlite.Errorf("nn: fine-tuning: Copies %d, want 1..%d", o.Copies, MaxFineTuneCopies)
	case !(o.LabelSmoothing >= 0) || o.LabelSmoothing >= 1:
		return fmtlite.Errorf("nn: fine-tuning: LabelSmoothing %v, want a number in [0, 1)", o.LabelSmoothing)
	case o.ReplayBatch < 0 || o.ReplayBatch > MaxFineTuneBatch:
		return fmtlite.Errorf("nn: fine-tuning: ReplayBatch %d, want 0..%d", o.ReplayBatch, MaxFineTuneBatch)
	}
	o.TrainLayers = min(o.TrainLayers, params)
	if o.Copies > 1 {
		if !slices.Equal(net.In, []int{1, ink.FieldSize, ink.FieldSize}) {
			return fmtlite.Errorf("nn: fine-tuning: distorted copies need 28×28 examples, [1 28 28]; the network takes %v (set Copies to 1)", net.In)
		}
		if err := o.Augment.check(); err != nil {
			return err
		}
	}
	if o.Replay != nil && o.ReplayBatch > 0 {
		r := o.Replay
		if r.Len() == 0 || len(r.X) != r.Len()*size {
			return fmtlite.Errorf("nn: fine-tuning: the replay set has %d values for %d labels, want %d values per example", len(r.X), r.Len(), size)
		}
		for i, y := range r.Y {
			if (y < 0 || y >= classes) && y != NotDigit {
				return fmtlite.Errorf("nn: fine-tuning: replay label %d of example %d is out of range 0..%d", y, i, classes-1)
			}
		}
		if i := core.FirstNonFinite(r.X); i >= 0 {
			return fmtlite.Errorf("nn: fine-tuning: replay example %d has a non-finite value", i/size)
		}
	}
	return nil
}

// check validates augmentation settings that may come from a web page.
func (a Augment) check() error {
	ok := func(v, lo, hi float64) bool { return v >= lo && v <= hi } // false for NaN
	if !ok(a.Rotate, 0, 180) || !ok(a.ScaleMin, 0.25, 4) || !ok(a.ScaleMax, a.ScaleMin, 4) ||
		!ok(a.Aspect, 0, 0.9) || !ok(a.Shear, 0, 2) || !ok(a.Shift, 0, ink.FieldSize/2) || !ok(a.ThickProb, 0, 1) {
		return fmtlite.Errorf("nn: fine-tuning: augmentation %+v out of range (rotate 0..180°, scale 0.25..4 with min ≤ max, aspect 0..0.9, shear 0..2, shift 0..14 px, thickening probability 0..1)", a)
	}
	return nil
}

// trainableCopy returns deep copies of base's layers, ready to train on few
// examples: every BatchNorm folded into the Conv or Dense before it.
func trainableCopy(base *Net) ([]Layer, error) {
	var out []Layer
	for i, l := range base.Layers {
		switch l := l.(type) {
		case *ConvLayer:
			out = append(out, &ConvLayer{Name: l.Name, Window: l.Window, Group: l.Group, W: cloneParam(l.W), B: cloneParam(l.B)})
		case *DenseLayer:
			out = append(out, &DenseLayer{Name: l.Name, W: cloneParam(l.W), B: cloneParam(l.B)})
		case *BatchNormLayer:
			var w, b *Param
			if len(out) > 0 {
				switch p := out[len(out)-1].(type) {
				case *ConvLayer:
					w, b = &p.W, &p.B
				case *DenseLayer:
					w, b = &p.W, &p.B
				}
			}
			if w == nil {
				return nil, fmtlite.Errorf("nn: fine-tuning: batch normalisation %s (layer %d) does not follow a convolution or dense layer, so it cannot be folded", l.Name, i)
			}
			w.W, b.W = foldBatchNorm(w.W, b.W, l)
		case *ReLULayer:
			out = append(out, &ReLULayer{Name: l.Name})
		case *PoolLayer:
			out = append(out, &PoolLayer{Name: l.Name, Max: l.Max, Window: l.Window, CountIncludePad: l.CountIncludePad})
		case *GlobalAvgPoolLayer:
			out = append(out, &GlobalAvgPoolLayer{Name: l.Name})
		case *FlattenLayer:
			out = append(out, &FlattenLayer{Name: l.Name})
		case *SoftmaxLayer:
			return nil, errors.New("nn: fine-tuning: the network ends in a softmax; fine-tune the scores before it (ImportNet leaves it out)")
		default:
			return nil, fmtlite.Errorf("nn: fine-tuning: layer type %s is not supported", l.Kind())
		}
	}
	return out, nil
}

// cloneParam returns a copy of p's values with a fresh gradient.
func cloneParam(p Param) Param {
	p.W = p.W.Clone()
	p.DW = core.NewTensor(p.W.Shape...)
	return p
}
