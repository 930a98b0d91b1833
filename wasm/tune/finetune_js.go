package tune

// The training build (wasm/cmd/train, lib/wasmcnn-train.wasm) adds fineTune
// to the API through [FineTune]. web/wasmcnn.mjs runs it in a Web Worker, so
// that the page keeps answering while it trains; the page and the library
// builds do not import this package, so they leave the training code out.

import (
	"context"
	"syscall/js"
	"time"

	"wasmcnn/internal/fmtlite"
	"wasmcnn/wasm/api"
	"wasmcnn/wasm/bridge"
	"wasmcnn/wasm/jsglue"
)

// maxReplayBytes bounds a replay file (adapt.ReadDigits reads up to 1000
// digits).
const maxReplayBytes = 1000 * ReplayRecord

var (
	jsError      = js.Global().Get("Error")
	jsUint8Array = js.Global().Get("Uint8Array")
)

// FineTune is the API extension of the training build: it adds fineTune.
func FineTune(models *bridge.Models, add func(name string, f func(args []js.Value) (any, error))) {
	add("fineTune", func(args []js.Value) (any, error) { return fineTune(models, args) })
}

// Check that FineTune is an extension of the API.
var _ api.Extension = FineTune

// fineTune(handle, inputs, labels, options?, replay?, onProgress?) →
// {onnx: Uint8Array, lossBefore, lossAfter, correctBefore, correctAfter,
// ms}: model handle fine-tuned to the examples (see bridge.FineTuneExamples
// for the arguments), replaying the digits of replay (a replay file as a
// Uint8Array, or null for none) and calling onProgress(step, steps, loss)
// after every step. It runs to the end: a worker running it is stopped by
// ending the worker. An onProgress that throws stops it with that error.
func fineTune(models *bridge.Models, args []js.Value) (any, error) {
	if len(args) < 3 || len(args) > 6 {
		return nil, fmtlite.Errorf("fineTune: takes (model, inputs, labels, options?, replay?, onProgress?), got %d arguments", len(args))
	}
	wrapped := make([]bridge.Value, min(4, len(args)))
	for i := range wrapped {
		wrapped[i] = api.Wrap(args[i])
	}
	ft, err := models.CheckFineTune(wrapped)
	if err != nil {
		return nil, err
	}
	h, _ := bridge.Int(wrapped[0], "fineTune: handle", 1, 1<<30) // checked by CheckFineTune
	m, err := models.Get(h)
	if err != nil {
		return nil, fmtlite.Errorf("fineTune: %w", err)
	}
	var replay []byte
	if len(args) > 4 {
		if r := api.Wrap(args[4]); r.Kind() != bridge.Undefined && r.Kind() != bridge.Null {
			if replay, err = bridge.Bytes(r, "fineTune: replay", maxReplayBytes); err != nil {
				return nil, err
			}
		}
	}
	var onProgress js.Value
	if len(args) > 5 {
		if p := api.Wrap(args[5]); p.Kind() == bridge.Function {
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
		if err := jsglue.Try(func() { onProgress.Invoke(step, steps, loss) }); err != nil {
			progressErr = js.ValueOf("onProgress failed")
			if v, ok := jsglue.Thrown(err); ok {
				progressErr = v
			}
			cancel()
		}
	}
	start := time.Now()
	res, err := Run(ctx, m, ft, replay, progress)
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
