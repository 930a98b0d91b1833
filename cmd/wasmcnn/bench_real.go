package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"wasmcnn/core/onnx"
	"wasmcnn/internal/archs"
)

// realImage is the values of one input image of the real architectures.
const realImage = 3 * 224 * 224

// realSpec is a built model: its file in the bench's directory and what
// the engine plans for it natively, with the same Go code the browser runs.
type realSpec struct {
	realModel
	file       int
	macs       int64
	params     int64
	activation map[int]int64 // the plan's peak values, by batch
}

// buildRealModels writes each model as dir/NAME.onnx and plans it natively
// at every batch for its cost and its activation peak.
func buildRealModels(dir string, models []realModel, stderr io.Writer) ([]realSpec, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var out []realSpec
	for _, m := range models {
		fmt.Fprintf(stderr, "building %s (seed %d)…\n", m.Label, realSeed)
		b, err := archs.Build(m.Arch, archs.Options{Seed: realSeed, Quant: m.Quant})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", m.Label, err)
		}
		if err := os.WriteFile(filepath.Join(dir, m.Name+".onnx"), b, 0o644); err != nil {
			return nil, err
		}
		model, err := onnx.LoadModel(b, nil)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", m.Label, err)
		}
		s := realSpec{realModel: m, file: len(b), params: model.ParamCount, activation: map[int]int64{}}
		for _, n := range realBatches {
			if err := model.PlanFor(n * realImage); err != nil {
				return nil, fmt.Errorf("%s at batch %d: %w", m.Label, n, err)
			}
			if n == 1 {
				s.macs = model.MACs()
			}
			s.activation[n] = model.Activations()
		}
		out = append(out, s)
	}
	return out, nil
}

// realTab is one runtime loaded with one model in a tab of its own.
type realTab struct {
	peer   realPeer
	ctx    context.Context
	cancel context.CancelFunc
	detail string
}

// call evaluates expr in the tab, brought to the front first so that
// Chromium does not treat it as a background tab, and waits for its promise.
func (t *realTab) call(expr string, timeout time.Duration) (any, error) {
	ctx, cancel := context.WithTimeout(t.ctx, timeout)
	defer cancel()
	if _, err := chromedp.Call(ctx, page.BringToFront, cdp.Empty{}); err != nil {
		return nil, err
	}
	return chromedp.Run(ctx, chromedp.Evaluate[any](expr, chromedp.EvalAwaitPromise))
}

// openRealTab opens a tab running peer on model and waits until it is loaded.
func openRealTab(browserCtx context.Context, base string, p realPeer, model string) (*realTab, error) {
	ctx, cancel := chromedp.NewContext(browserCtx)
	t := &realTab{peer: p, ctx: ctx, cancel: cancel}
	url := fmt.Sprintf("%sbench.html?runtime=%s&model=%s&threads=%d", base, p.Runtime, model, p.Threads)
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		cancel()
		return nil, err
	}
	ready, err := chromedp.Run(ctx, chromedp.Poll[map[string]any](`window.__benchReady`, chromedp.WithPollingTimeout(5*time.Minute)))
	if err != nil {
		cancel()
		return nil, err
	}
	if e, _ := ready["error"].(string); e != "" {
		cancel()
		return nil, errors.New(e)
	}
	t.detail, _ = ready["detail"].(string)
	return t, nil
}

// realMeasurement is what runReal gives back.
type realMeasurement struct {
	Results  []realResult      `json:"models"`
	Memory   []realMemory      `json:"wasmcnn_memory"`
	Settings map[string]any    `json:"settings"` // each runtime's settings as its page read them back, by label
	Details  map[string]string `json:"details"`
}

// runReal runs each model in every peer, one tab per peer holding it, and
// at each batch: the outputs of a fixed input (the agreement check and the
// first call), two warm-up calls, then the timed runs, one call per tab in
// turn, the tab going first rotating from round to round.
func runReal(browserCtx context.Context, base string, specs []realSpec, runsOverride int, stderr io.Writer) (*realMeasurement, error) {
	out := &realMeasurement{Settings: map[string]any{}, Details: map[string]string{}}
	for _, s := range specs {
		res, mem, err := runRealModel(browserCtx, base, s, runsOverride, out, stderr)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.Label, err)
		}
		out.Results = append(out.Results, res)
		out.Memory = append(out.Memory, mem...)
	}
	return out, nil
}

func runRealModel(browserCtx context.Context, base string, s realSpec, runsOverride int, out *realMeasurement, stderr io.Writer) (realResult, []realMemory, error) {
	res := realResult{Model: s.Name, Label: s.Label, Int8: s.Quant != archs.Float, FileBytes: s.file, MACs: s.macs, Params: s.params}
	var tabs []*realTab
	defer func() {
		for _, t := range tabs {
			t.cancel()
		}
	}()
	for _, p := range realPeers {
		t, err := openRealTab(browserCtx, base, p, s.Name)
		if err != nil {
			return res, nil, fmt.Errorf("%s: loading: %w", p.label(), err)
		}
		tabs = append(tabs, t)
		out.Details[p.label()] = t.detail
	}
	// A call may take a while: ResNet-50 at batch 8 on a slow engine.
	const callTimeout = 5 * time.Minute
	var mems []realMemory
	for _, n := range realBatches {
		runs := realRuns(s.macs, n, runsOverride)
		b := realBatch{Batch: n, Runs: runs}
		outputs := map[realPeer][]float64{}
		for _, t := range tabs {
			v, err := t.call(fmt.Sprintf("__benchOutput(%d)", n), callTimeout)
			if err != nil {
				return res, nil, fmt.Errorf("%s, batch %d, outputs: %w", t.peer.label(), n, err)
			}
			outputs[t.peer] = floats(v)
			// Warm-up: two more calls (the first planned and allocated; the
			// engines' heaps and the code's tiers settle over the next).
			for range 2 {
				if _, err := t.call(fmt.Sprintf("__benchCall(%d)", n), callTimeout); err != nil {
					return res, nil, fmt.Errorf("%s, batch %d, warm-up: %w", t.peer.label(), n, err)
				}
			}
		}
		times := make([][]float64, len(tabs))
		for r := 0; r < runs; r++ {
			for k := range tabs {
				i := (k + r) % len(tabs)
				v, err := tabs[i].call(fmt.Sprintf("__benchCall(%d)", n), callTimeout)
				if err != nil {
					return res, nil, fmt.Errorf("%s, batch %d, run %d: %w", tabs[i].peer.label(), n, r+1, err)
				}
				ms, ok := v.(float64)
				if !ok {
					return res, nil, fmt.Errorf("%s, batch %d: the page answered %v, not milliseconds", tabs[i].peer.label(), n, v)
				}
				times[i] = append(times[i], ms)
			}
		}
		for i, t := range tabs {
			tm := realTiming{Peer: t.peer, Label: t.peer.label(), TimesMs: times[i], MedianMs: medianOf(append([]float64(nil), times[i]...))}
			if t.peer != realReference {
				a := agreement(outputs[t.peer], outputs[realReference], res.Int8)
				tm.Agreement = &a
			}
			b.Timings = append(b.Timings, tm)
			fmt.Fprintf(stderr, "%s batch %d %-30s median %s ms of %d runs\n", s.Label, n, t.peer.label(), fmtMs(tm.MedianMs), runs)
		}
		b.ratios()
		res.Batches = append(res.Batches, b)
		for _, t := range tabs {
			if t.peer.Runtime == "ort" {
				if v, err := t.call("__benchSettings()", time.Minute); err == nil {
					out.Settings[t.peer.label()] = v
				}
			}
			if t.peer.Runtime != "wasmcnn" {
				continue
			}
			v, err := t.call("__benchMemory()", time.Minute)
			if err != nil {
				return res, nil, fmt.Errorf("wasmcnn memory: %w", err)
			}
			info, _ := v.(map[string]any)
			num := func(k string) int64 { f, _ := info[k].(float64); return int64(f) }
			m := realMemory{Model: s.Label, Batch: n, MemoryBytes: num("memoryBytes"), WeightsBytes: 4 * num("params"),
				NativeBytes: 4 * s.activation[n], InfoActivations: num("activations")}
			if m.InfoActivations != s.activation[1] {
				fmt.Fprintf(stderr, "note: %s: m.info.activations is %d in the browser, %d natively at batch 1\n", s.Label, m.InfoActivations, s.activation[1])
			}
			m.settle()
			mems = append(mems, m)
		}
	}
	return res, mems, nil
}

// floats converts a JSON array of numbers; anything else gives nil, which
// fails the agreement check.
func floats(v any) []float64 {
	xs, ok := v.([]any)
	if !ok {
		return nil
	}
	out := make([]float64, len(xs))
	for i, x := range xs {
		f, ok := x.(float64)
		if !ok {
			return nil
		}
		out[i] = f
	}
	return out
}

// printReal prints the real architectures' table and wasmcnn's memory.
func printReal(w io.Writer, m *realMeasurement) {
	fmt.Fprintln(w, "\nReal architectures (224×224×3, seeded random weights, the same ONNX file in every runtime; medians of interleaved runs after a warm-up; ratios ≤ 1: wasmcnn is faster):")
	fmt.Fprintln(w)
	realTable(w, m.Results)
	for _, mem := range m.Memory {
		fmt.Fprintln(w, "\nwasmcnn memory: "+memoryLine(mem))
	}
	for _, p := range realPeers {
		if d, ok := m.Details[p.label()]; ok {
			fmt.Fprintf(w, "%s: %s\n", p.label(), d)
		}
	}
}

// realDocs is the generated part of docs/bench.md (full) and of the
// README (short) for one run.
func realDocs(m *realMeasurement, browser string, full bool) string {
	var b bytes.Buffer
	if full {
		realTable(&b, m.Results)
		fmt.Fprintln(&b)
		memoryTable(&b, m)
		fmt.Fprintf(&b, "\n%s; ONNX Runtime Web %s%s.\n", browserName(browser), ortVersion(m), ortThreads(m))
	} else {
		realShortTable(&b, m.Results)
	}
	return b.String()
}

// ortVersion is ONNX Runtime Web's version as its page read it back.
func ortVersion(m *realMeasurement) string {
	for _, s := range m.Settings {
		if s, ok := s.(map[string]any); ok {
			if v, ok := s["version"].(string); ok && v != "" {
				return v
			}
		}
	}
	return "(version not read)"
}

// ortThreads says how many Web Workers each ONNX Runtime Web configuration
// started and whether its page was cross-origin isolated, as read back.
func ortThreads(m *realMeasurement) string {
	var parts []string
	for _, p := range realPeers {
		s, ok := m.Settings[p.label()].(map[string]any)
		if p.Runtime != "ort" || !ok {
			continue
		}
		w, _ := s["workersStarted"].(float64)
		iso, _ := s["crossOriginIsolated"].(bool)
		parts = append(parts, fmt.Sprintf("numThreads %d started %.0f Web Worker%s (crossOriginIsolated %v)", p.Threads, w, map[bool]string{true: "s"}[w != 1], iso))
	}
	if len(parts) == 0 {
		return ""
	}
	return ": " + strings.Join(parts, "; ")
}

// memoryTable writes wasmcnn's WebAssembly memory on the float models
// against their weights and peak activations. The int8 models are left
// out: m.info.params counts float parameters, not their int8 weights.
func memoryTable(w io.Writer, m *realMeasurement) {
	int8 := map[string]bool{}
	for _, r := range m.Results {
		int8[r.Label] = r.Int8
	}
	mib := func(b int64) string { return fmt.Sprintf("%.1f", float64(b)/(1<<20)) }
	fmt.Fprintln(w, "| wasmcnn memory | batch | WebAssembly memory MiB | weights MiB | peak activations MiB | memory / (weights + activations) |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- |")
	for _, mem := range m.Memory {
		if int8[mem.Model] {
			continue
		}
		src := " (m.info)"
		if mem.Batch != 1 || mem.InfoActivations <= 0 {
			src = " (native plan)"
		}
		fmt.Fprintf(w, "| %s | %d | %s | %s | %s%s | **%.2f×** |\n", mem.Model, mem.Batch, mib(mem.MemoryBytes), mib(mem.WeightsBytes), mib(mem.ActivationBytes), src, mem.Ratio)
	}
}

// browserName picks Chromium's name and version out of a user agent.
func browserName(ua string) string {
	for _, f := range strings.Fields(ua) {
		if strings.HasPrefix(f, "HeadlessChrome/") || strings.HasPrefix(f, "Chrome/") {
			return strings.Replace(f, "/", " ", 1)
		}
	}
	return strings.TrimSpace(ua)
}
