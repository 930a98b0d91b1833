// Package tune runs the fine-tuning calls of the training build
// (lib/wasmcnn-train.wasm): it maps the options of wasmcnn.fineTune, as
// package bridge decodes them, onto nn.FineTuneOptions, reads the replay
// file of MNIST digits shipped with the page, and fine-tunes. Only the
// training build links it: nn's training code would cost the page and the
// library builds about 100 KB gzipped.
package tune

import (
	"context"

	"wasmcnn/core/nn"
	"wasmcnn/core/onnx"
	"wasmcnn/internal/fmtlite"
	"wasmcnn/wasm/adapt"
	"wasmcnn/wasm/bridge"
)

// Options returns nn's default fine-tuning procedure with the settings of
// a call applied (each already checked against its range by bridge).
// Without a replay set the replayed batch is empty.
func Options(settings []bridge.FineTuneSetting) nn.FineTuneOptions {
	o := nn.DefaultFineTuneOptions()
	for _, s := range settings {
		v := s.Value
		switch s.Name {
		case "trainLayers":
			o.TrainLayers = int(v)
		case "steps":
			o.Steps = int(v)
		case "batchSize":
			o.BatchSize = int(v)
		case "lr":
			o.LR = float32(v)
		case "anchor":
			o.Anchor = float32(v)
		case "copies":
			o.Copies = int(v)
		case "augment":
			o.Augment = o.Augment.Scaled(v)
		case "replayBatch":
			o.ReplayBatch = int(v)
		case "labelSmoothing":
			o.LabelSmoothing = float32(v)
		case "seed":
			o.Seed = uint64(v)
		}
	}
	return o
}

// ReplayRecord is the size of one digit of a replay file, the format of
// the page's other shipped digits (adapt.ReadDigits): its label (0–9), then
// its 28×28 pixels row by row, 0 the background and 255 full ink, as MNIST
// stores them. `wasmcnn digits -set train -per-digit 10` writes the
// shipped one, web/models/mnist-replay.bin.
const ReplayRecord = adapt.DigitBytes

// ReadReplay reads a replay file into a dataset with pixels in 0..1. A
// record labelled adapt.NotDigitByte (web/models/notdigit-replay.bin) is
// an example of nn.NotDigit, trained towards no digit at all.
func ReadReplay(b []byte) (*nn.Dataset, error) {
	ds, err := adapt.ReadReplay(b)
	if err != nil {
		return nil, fmtlite.Errorf("fineTune: replay: %w", err)
	}
	d := &nn.Dataset{X: make([]float32, 0, len(ds)*(ReplayRecord-1)), Y: make([]int, len(ds))}
	for i, digit := range ds {
		d.X = append(d.X, digit.Pix...)
		d.Y[i] = digit.Label
		if digit.Label == adapt.NotDigitLabel {
			d.Y[i] = nn.NotDigit
		}
	}
	return d, nil
}

// Run fine-tunes base to the decoded examples of args, replaying the
// digits of replay (a replay file; nil for none) in every step, and
// reports each step to progress (which may be nil). It returns ctx's error
// if ctx ends first.
func Run(ctx context.Context, base *onnx.Model, args *bridge.FineTuneArgs, replay []byte, progress nn.FineTuneProgress) (*nn.FineTunedModel, error) {
	if base == nil || args == nil || len(args.Labels) == 0 {
		return nil, fmtlite.Errorf("fineTune: no model or no examples")
	}
	o := Options(args.Options)
	if replay != nil {
		r, err := ReadReplay(replay)
		if err != nil {
			return nil, err
		}
		if size := len(args.Inputs) / len(args.Labels); size != ReplayRecord-1 {
			return nil, fmtlite.Errorf("fineTune: replay: the digits are 28×28 and the model takes %d values per example; pass replay: null", size)
		}
		o.Replay = r
	} else {
		o.ReplayBatch = 0
	}
	ft, err := nn.FineTuneModel(ctx, base, args.Inputs, args.Labels, o, progress)
	if err != nil {
		return nil, fmtlite.Errorf("fineTune: %w", err)
	}
	return ft, nil
}
