//go:build train

package main

// The training build (-tags apionly,train, lib/wasmcnn-train.wasm) adds
// fineTune to the API. web/wasmcnn.js runs it in a Web Worker, so that
// the page keeps answering while it trains; the page and the library
// builds leave the training code out.

import (
	"context"
	"syscall/js"
	"time"

	"wasmcnn/internal/fmtlite"
	"wasmcnn/wasm/bridge"
	"wasmcnn/wasm/tune"
)

// maxReplayBytes bounds a replay file (adapt.ReadDigits reads up to 1000
// digits).
const maxReplayBytes = 1000 * tune.ReplayRecord

func init() {
	apiExtensions = append(apiExtensions, func(a *api, add func(string, func([]js.Value) (any, error))) {
		add("fineTune", a.fineTune)
	})
}

// fineTune(handle, inputs, labels, options?, replay?, onProgress?) →
// {onnx: Uint8Array, lossBefore, lossAfter, correctBefore, correctAfter,
// ms}: model handle fine-tuned to the examples (see bridge.FineTuneExamples
// for the arguments), replaying the digits of replay (a replay file as a
// Uint8Array, or null for none) and calling onProgress(step, steps, loss)
// after every step. It runs to the end: a worker running it is stopped by
// ending the worker. An onProgress that throws stops it with that error.
func (a *api) fineTune(args []js.Value) (any, error) {
	if len(args) < 3 || len(args) > 6 {
		return nil, fmtlite.Errorf("fineTune: takes (model, inputs, labels, options?, replay?, onProgress?), got %d arguments", len(args))
	}
	ft, err := a.models.CheckFineTune(wrapArgs(args[:min(4, len(args))]))
	if err != nil {
		return nil, err
	}
	h, _ := handle(args, "fineTune")
	m, err := a.models.Get(h)
	if err != nil {
		return nil, fmtlite.Errorf("fineTune: %w", err)
	}
	var replay []byte
	if len(args) > 4 {
		if r := wrap(args[4]); r.Kind() != bridge.Undefined && r.Kind() != bridge.Null {
			if replay, err = bridge.Bytes(r, "fineTune: replay", maxReplayBytes); err != nil {
				return nil, err
			}
		}
	}
	var onProgress js.Value
	if len(args) > 5 {
		if p := wrap(args[5]); p.Kind() == bridge.Function {
			onProgress = args[5]
		} else if p.Kind() != bridge.Undefined && p.Kind() != bridge.Null {
			return nil, fmtlite.Errorf("fineTune: onProgress: got %s, want a function", p.Kind().String())
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var progressErr js.Value
	progress := func(step, steps int, loss float64) {
		if onProgress.IsUndefined() || !progressErr.IsUndefined() {
			return
		}
		defer func() {
			if r := recover(); r != nil {
				progressErr = js.ValueOf("onProgress failed")
				if je, ok := r.(js.Error); ok {
					progressErr = je.Value
				}
				cancel()
			}
		}()
		onProgress.Invoke(step, steps, loss)
	}
	start := time.Now()
	res, err := tune.Run(ctx, m, ft, replay, progress)
	if !progressErr.IsUndefined() {
		e := jsError.New("wasmcnn: fineTune: onProgress threw")
		e.Set("cause", progressErr)
		return e, nil
	}
	if err != nil {
		return nil, err
	}
	out := jsUint8Array.New(len(res.ONNX))
	js.CopyBytesToJS(out, res.ONNX)
	return map[string]any{
		"onnx": out, "lossBefore": res.LossBefore, "lossAfter": res.LossAfter,
		"correctBefore": res.CorrectBefore, "correctAfter": res.CorrectAfter,
		"examples": len(ft.Labels), "ms": float64(time.Since(start).Microseconds()) / 1000,
	}, nil
}
