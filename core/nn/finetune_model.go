package nn

import (
	"context"
	"sort"
	"strings"

	"wasmcnn/core/onnx"
	"wasmcnn/core/verdict"
	"wasmcnn/internal/fmtlite"
)

// FineTunedModel is a model fine-tuned by [FineTuneModel].
type FineTunedModel struct {
	// Model is the new model, loaded from ONNX: exactly what the file holds.
	Model *onnx.Model
	// ONNX is the model file, with the base model's input and output names.
	ONNX []byte
	// How the new network fits the examples, before and after.
	LossBefore, LossAfter       float64
	CorrectBefore, CorrectAfter int
}

// Metadata entries a fine-tuned model carries, as plain strings (the
// browser build leaves encoding/json out: it would cost ~95 KB gzipped).
const (
	// FineTuneBaseKey holds the base model's description.
	FineTuneBaseKey = "wasmcnn_fine_tune_base"
	// FineTuneExamplesKey holds the examples taught per class, such as
	// "0:3 1:3 7:5".
	FineTuneExamplesKey = "wasmcnn_fine_tune_examples"
	// FineTuneOptionsKey holds the options, such as "layers=1 steps=60 …".
	FineTuneOptionsKey = "wasmcnn_fine_tune_options"
)

// FineTuneModel fine-tunes a loaded model to a few examples (see
// [ImportNet] and [FineTune]) and returns the new model and its ONNX file.
// The base model is not changed. The returned model is the file loaded
// back, so what answers is exactly what is exported.
func FineTuneModel(ctx context.Context, base *onnx.Model, inputs []float32, labels []int, opts FineTuneOptions, progress FineTuneProgress) (*FineTunedModel, error) {
	if base == nil {
		return nil, fmtlite.Errorf("nn: fine-tuning: no model")
	}
	im, err := ImportNet(base)
	if err != nil {
		return nil, err
	}
	res, err := FineTune(ctx, im.Net, inputs, labels, opts, progress)
	if err != nil {
		return nil, err
	}
	counts := map[int]int{}
	for _, y := range labels {
		counts[y]++
	}
	classes := make([]int, 0, len(counts))
	for c := range counts {
		classes = append(classes, c)
	}
	sort.Ints(classes)
	var examples []string
	for _, c := range classes {
		examples = append(examples, fmtlite.Sprintf("%d:%d", c, counts[c]))
	}
	replayed := 0
	if opts.Replay != nil && opts.ReplayBatch > 0 {
		replayed = opts.Replay.Len()
	}
	a := opts.Augment
	settings := fmtlite.Sprintf("layers=%d steps=%d batch=%d lr=%g anchor=%g copies=%d augment=rotate:%g,scale:%g-%g,aspect:%g,shear:%g,shift:%g,thick:%g replay=%d replay_batch=%d smoothing=%g seed=%d",
		opts.TrainLayers, opts.Steps, opts.BatchSize, opts.LR, opts.Anchor, opts.Copies,
		a.Rotate, a.ScaleMin, a.ScaleMax, a.Aspect, a.Shear, a.Shift, a.ThickProb,
		replayed, opts.ReplayBatch, opts.LabelSmoothing, opts.Seed)
	doc := fmtlite.Sprintf("%s, fine-tuned on %d examples", base.Description, len(labels))
	if base.Description == "" {
		doc = fmtlite.Sprintf("fine-tuned on %d examples", len(labels))
	}
	md := [][2]string{
		{FineTuneBaseKey, base.Description},
		{FineTuneExamplesKey, strings.Join(examples, " ")},
		{FineTuneOptionsKey, settings},
	}
	// The base model's verdict rule goes with the personal model: only the
	// last layers moved, and the replayed digits and non-digits hold them
	// to the scores the rule was chosen for (measured by the finetune
	// command).
	if rule, err := verdict.FromMetadata(base.Metadata); err == nil {
		md = append(md, rule.Metadata()...)
	}
	b, err := im.ExportONNX(res.Net, doc, md)
	if err != nil {
		return nil, err
	}
	m, err := onnx.LoadModel(b, nil)
	if err != nil {
		return nil, fmtlite.Errorf("nn: fine-tuning: the new model does not load back: %w", err)
	}
	return &FineTunedModel{Model: m, ONNX: b, LossBefore: res.LossBefore, LossAfter: res.LossAfter,
		CorrectBefore: res.CorrectBefore, CorrectAfter: res.CorrectAfter}, nil
}
