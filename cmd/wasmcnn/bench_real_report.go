package main

import (
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"wasmcnn/internal/archs"
)

// realModel is one of the bench's real architectures: full size (224×224×3
// in, 1000 classes out), weights from internal/archs with a fixed seed, one
// ONNX file that every runtime reads.
type realModel struct {
	Name  string // the -models name and the file's: bench/NAME.onnx
	Label string
	Arch  archs.Arch
	Quant archs.Quant
}

// realModels are the real architectures, in table order.
var realModels = []realModel{
	{"resnet50", "ResNet-50", archs.ResNet50Arch, archs.Float},
	{"mobilenetv2", "MobileNetV2", archs.MobileNetV2Arch, archs.Float},
	{"mobilenetv3small", "MobileNetV3-small", archs.MobileNetV3SmallArch, archs.Float},
	{"squeezenet1.1", "SqueezeNet 1.1", archs.SqueezeNet11Arch, archs.Float},
	{"shufflenetv2", "ShuffleNetV2", archs.ShuffleNetV2Arch, archs.Float},
	{"mobilenetv2-qdq", "MobileNetV2 int8 (QDQ)", archs.MobileNetV2Arch, archs.QDQ},
}

// realSeed seeds every real architecture's weights: the same file in every
// run, so that runs can be compared.
const realSeed = 1

// realBatches are the batch sizes of the real architectures.
var realBatches = []int{1, 8}

// parseRealModels reads -models: "all", "none" (or empty), or names from
// realModels separated by commas, kept in table order.
func parseRealModels(s string) ([]realModel, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "none" {
		return nil, nil
	}
	if s == "all" {
		return realModels, nil
	}
	want := map[string]bool{}
	for _, n := range strings.Split(s, ",") {
		n = strings.TrimSpace(n)
		found := false
		for _, m := range realModels {
			found = found || m.Name == n
		}
		if !found {
			return nil, fmt.Errorf("-models: unknown model %q (want all, none or some of %s)", n, realModelNames())
		}
		want[n] = true
	}
	var out []realModel
	for _, m := range realModels {
		if want[m.Name] {
			out = append(out, m)
		}
	}
	return out, nil
}

// realModelNames lists the -models names.
func realModelNames() string {
	names := make([]string, len(realModels))
	for i, m := range realModels {
		names[i] = m.Name
	}
	return strings.Join(names, ",")
}

// realRuns is how many timed runs each runtime gets at a batch: as many as
// fit about 4 G multiply-accumulates (a second or so per runtime), odd so
// that the median is a run, from 3 for ResNet-50 to 21 for the small
// networks at batch 1; override > 0 sets it.
func realRuns(macsPerImage int64, batch, override int) int {
	if override > 0 {
		return override
	}
	n := 3
	if macsPerImage > 0 && batch > 0 {
		n = int(math.Round(4e9 / float64(macsPerImage) / float64(batch)))
	}
	n = max(3, min(21, n))
	if n%2 == 0 {
		n++
	}
	return n
}

// realPeer is one runtime configuration the real architectures run on.
type realPeer struct {
	Runtime string `json:"runtime"` // wasmcnn or ort
	Threads int    `json:"threads"`
}

func (p realPeer) label() string {
	if p.Runtime == "wasmcnn" {
		return "wasmcnn"
	}
	return fmt.Sprintf("ONNX Runtime Web, %d thread%s", p.Threads, map[bool]string{true: "s"}[p.Threads > 1])
}

// realPeers are the configurations, the reference (ONNX Runtime Web on one
// thread, whose outputs the others are checked against) second.
var realPeers = []realPeer{{"wasmcnn", 1}, {"ort", 1}, {"ort", 2}}

// realReference is the peer whose outputs the others must agree with.
var realReference = realPeer{"ort", 1}

// realTiming is one runtime's runs at one batch.
type realTiming struct {
	Peer     realPeer  `json:"peer"`
	Label    string    `json:"label"`
	MedianMs float64   `json:"median_ms"`
	TimesMs  []float64 `json:"times_ms"`
	// Agreement of its outputs with the reference's (absent for the
	// reference itself).
	Agreement *realAgreement `json:"agreement,omitempty"`
}

// realAgreement compares a runtime's outputs with the reference's on the
// same input: the largest absolute difference, relative to the largest
// magnitude of the reference output.
type realAgreement struct {
	MaxAbsDiff float64 `json:"max_abs_diff"`
	MaxAbsRef  float64 `json:"max_abs_reference"`
	// Relative is MaxAbsDiff / MaxAbsRef, or −1 where that means nothing
	// (see Note): JSON has no infinity.
	Relative  float64 `json:"relative"`
	Differing int     `json:"differing_values"`
	Values    int     `json:"values"`
	// Rule is what agreement means for the model: "relative ≤ 1e-04" for
	// float models, "exact" for int8 ones.
	Rule  string `json:"rule"`
	Agree bool   `json:"agree"`
	Note  string `json:"note,omitempty"` // why the comparison failed outright
}

// floatTolerance is the agreement bound of a float model: the conformance
// tests' 1e-4 of the output's largest magnitude.
const floatTolerance = 1e-4

// agreement compares got with ref: a float model agrees within
// floatTolerance of ref's largest magnitude, an int8 one only exactly.
// NaNs, infinities and a length mismatch never agree.
func agreement(got, ref []float64, int8 bool) realAgreement {
	a := realAgreement{Values: len(ref), Rule: fmt.Sprintf("relative ≤ %.0e", floatTolerance)}
	if int8 {
		a.Rule = "exact"
	}
	if len(got) != len(ref) || len(ref) == 0 {
		a.Note = fmt.Sprintf("%d values against the reference's %d", len(got), len(ref))
		a.Relative = -1
		return a
	}
	finite := true
	for i, r := range ref {
		g := got[i]
		if math.IsNaN(g) || math.IsInf(g, 0) || math.IsNaN(r) || math.IsInf(r, 0) {
			finite = false
			a.Differing++
			continue
		}
		d := math.Abs(g - r)
		if d > 0 {
			a.Differing++
		}
		a.MaxAbsDiff = math.Max(a.MaxAbsDiff, d)
		a.MaxAbsRef = math.Max(a.MaxAbsRef, math.Abs(r))
	}
	switch {
	case !finite:
		a.Note = "not every value is finite"
		a.Relative = -1
	case a.MaxAbsRef > 0:
		a.Relative = a.MaxAbsDiff / a.MaxAbsRef
	case a.MaxAbsDiff > 0:
		a.Note = "the reference's outputs are all zero"
		a.Relative = -1
		finite = false
	}
	if finite {
		if int8 {
			a.Agree = a.Differing == 0
		} else {
			a.Agree = a.Relative <= floatTolerance
		}
	}
	return a
}

// realBatch is one model at one batch size: every runtime's runs, and
// wasmcnn's ratios when its outputs agree with the reference's.
type realBatch struct {
	Batch   int          `json:"batch"`
	Runs    int          `json:"runs"`
	Timings []realTiming `json:"runtimes"`
	// Ratios of wasmcnn's median to ONNX Runtime Web's on one thread and to
	// the best of its one- and two-thread runs (≤ 1: wasmcnn is faster);
	// absent when wasmcnn's outputs do not agree or a runtime did not run.
	VsORT1 *float64 `json:"wasmcnn_vs_ort_1_thread,omitempty"`
	VsBest *float64 `json:"wasmcnn_vs_ort_best,omitempty"`
	// Agrees: wasmcnn's outputs agree with the reference's.
	Agrees bool `json:"wasmcnn_agrees"`
}

// timing returns the runs of peer p, or nil.
func (b *realBatch) timing(p realPeer) *realTiming {
	for i := range b.Timings {
		if b.Timings[i].Peer == p {
			return &b.Timings[i]
		}
	}
	return nil
}

// medianText is peer p's median for the tables, or n/a.
func (b *realBatch) medianText(p realPeer) string {
	if t := b.timing(p); t != nil && t.MedianMs > 0 {
		return fmtMs(t.MedianMs)
	}
	return "n/a"
}

// ratios sets wasmcnn's ratios from the medians, when its outputs agree.
func (b *realBatch) ratios() {
	b.VsORT1, b.VsBest = nil, nil
	w, ref := b.timing(realPeer{"wasmcnn", 1}), b.timing(realReference)
	b.Agrees = w != nil && w.Agreement != nil && w.Agreement.Agree
	if !b.Agrees || ref == nil || ref.MedianMs <= 0 || w.MedianMs <= 0 {
		return
	}
	one := w.MedianMs / ref.MedianMs
	best := ref.MedianMs
	for _, t := range b.Timings {
		if t.Peer.Runtime == "ort" && t.MedianMs > 0 && (t.Agreement == nil || t.Agreement.Agree) {
			best = math.Min(best, t.MedianMs)
		}
	}
	vsBest := w.MedianMs / best
	b.VsORT1, b.VsBest = &one, &vsBest
}

// realResult is one model's results.
type realResult struct {
	Model     string      `json:"model"`
	Label     string      `json:"label"`
	Int8      bool        `json:"int8"`
	FileBytes int         `json:"file_bytes"`
	MACs      int64       `json:"macs_per_image"`
	Params    int64       `json:"float_params"`
	Batches   []realBatch `json:"batches"`
}

// realMemory is wasmcnn's WebAssembly memory on one model after the runs
// of one batch, against what the model needs: its weights and its plan's
// peak activations.
type realMemory struct {
	Model string `json:"model"`
	Batch int    `json:"batch"`
	// MemoryBytes is memory.buffer.byteLength after the runs (a
	// WebAssembly memory never shrinks, so this is the peak so far).
	MemoryBytes int64 `json:"memory_bytes"`
	// WeightsBytes is 4 bytes per float parameter (m.info.params).
	WeightsBytes int64 `json:"weights_bytes"`
	// ActivationBytes is 4 bytes per value of the plan's peak at this
	// batch: at batch 1 what m.info.activations reports in the browser,
	// at batch 8 what the same Go code plans natively (NativeBytes; the
	// API gives no plan but the first's).
	ActivationBytes int64 `json:"activation_peak_bytes"`
	NativeBytes     int64 `json:"native_activation_peak_bytes"`
	// InfoActivations is m.info.activations as the page read it (batch 1).
	InfoActivations int64 `json:"info_activations"`
	// Ratio is MemoryBytes / (WeightsBytes + ActivationBytes).
	Ratio float64 `json:"ratio"`
}

// settle picks the activation peak the ratio counts and computes the ratio.
func (m *realMemory) settle() {
	if m.NativeBytes == 0 {
		m.NativeBytes = m.ActivationBytes // a file from before the field
	}
	m.ActivationBytes = m.NativeBytes
	if m.Batch == 1 && m.InfoActivations > 0 {
		m.ActivationBytes = 4 * m.InfoActivations
	}
	m.Ratio = 0
	if need := m.WeightsBytes + m.ActivationBytes; need > 0 {
		m.Ratio = float64(m.MemoryBytes) / float64(need)
	}
}

// realTable writes the Markdown table of the real architectures: per model
// and batch, each runtime's median and wasmcnn's ratios, or why there is
// no ratio.
func realTable(w io.Writer, results []realResult) {
	fmt.Fprintln(w, "| model | batch | wasmcnn ms | ORT Web 1 thread ms | ORT Web 2 threads ms | wasmcnn / ORT 1 thread | wasmcnn / ORT best | outputs (wasmcnn vs ORT) | runs |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
	for _, r := range results {
		for _, b := range r.Batches {
			ms := b.medianText
			one, best := "n/a", "n/a"
			if b.VsORT1 != nil {
				one, best = fmt.Sprintf("**%.2f×**", *b.VsORT1), fmt.Sprintf("%.2f×", *b.VsBest)
			} else if !b.Agrees {
				one, best = "no ratio: outputs differ", "no ratio"
			}
			fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s | %s | %s | %d |\n", r.Label, b.Batch,
				ms(realPeer{"wasmcnn", 1}), ms(realPeer{"ort", 1}), ms(realPeer{"ort", 2}), one, best, agreementCell(b.timing(realPeer{"wasmcnn", 1})), b.Runs)
		}
	}
}

// realShortTable writes the README's short table: batch 1 only, the
// ratios and the agreement.
func realShortTable(w io.Writer, results []realResult) {
	fmt.Fprintln(w, "| model | wasmcnn ms | ORT Web 1 / 2 threads ms | wasmcnn / ORT 1 thread | wasmcnn / ORT best |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- |")
	for _, r := range results {
		for _, b := range r.Batches {
			if b.Batch != 1 {
				continue
			}
			ms := b.medianText
			one, best := "outputs differ", "—"
			if b.VsORT1 != nil {
				one, best = fmt.Sprintf("%.2f×", *b.VsORT1), fmt.Sprintf("%.2f×", *b.VsBest)
			} else if b.Agrees {
				one, best = "n/a", "n/a"
			}
			fmt.Fprintf(w, "| %s | %s | %s / %s | %s | %s |\n", r.Label, ms(realPeer{"wasmcnn", 1}), ms(realPeer{"ort", 1}), ms(realPeer{"ort", 2}), one, best)
		}
	}
}

// agreementCell says how wasmcnn's outputs compare with the reference's.
func agreementCell(t *realTiming) string {
	if t == nil || t.Agreement == nil {
		return "not compared"
	}
	a := t.Agreement
	switch {
	case a.Note != "":
		return "**differ**: " + a.Note
	case a.Rule == "exact" && a.Agree:
		return "equal"
	case a.Agree:
		return fmt.Sprintf("agree (%.1e)", a.Relative)
	case a.Rule == "exact":
		return fmt.Sprintf("**differ**: %d of %d values, by up to %.1e of the largest", a.Differing, a.Values, a.Relative)
	}
	return fmt.Sprintf("**differ**: %.1e of the largest", a.Relative)
}

// fmtMs writes milliseconds with three significant digits or more.
func fmtMs(ms float64) string {
	switch {
	case ms >= 100:
		return fmt.Sprintf("%.0f", ms)
	case ms >= 10:
		return fmt.Sprintf("%.1f", ms)
	}
	return fmt.Sprintf("%.2f", ms)
}

// memoryLine says what wasmcnn's memory was against what the model needs.
func memoryLine(m realMemory) string {
	mib := func(b int64) float64 { return float64(b) / (1 << 20) }
	src := "m.info"
	if m.Batch != 1 || m.InfoActivations <= 0 {
		src = "planned natively"
	}
	return fmt.Sprintf("%s at batch %d: WebAssembly memory %.0f MiB after the runs; weights %.1f MiB + peak activations %.1f MiB (%s) = %.1f MiB; ratio **%.2f×**",
		m.Model, m.Batch, mib(m.MemoryBytes), mib(m.WeightsBytes), mib(m.ActivationBytes), src, mib(m.WeightsBytes+m.ActivationBytes), m.Ratio)
}

// Markers around the generated parts of docs/bench.md and README.md.
const (
	realBegin = "<!-- bench: real architectures, generated by ./build.sh bench -write-docs -->"
	realEnd   = "<!-- end of the generated bench table -->"
)

// replaceGenerated returns doc with the text between its markers replaced
// by body; a document without both markers, in order, is an error, so a
// run never writes a table where nobody asked for one.
func replaceGenerated(doc, body string) (string, error) {
	i := strings.Index(doc, realBegin)
	j := strings.Index(doc, realEnd)
	if i < 0 || j < i {
		return "", errors.New("no generated-table markers (" + realBegin + " … " + realEnd + ")")
	}
	return doc[:i+len(realBegin)] + "\n" + body + doc[j:], nil
}

// writeGenerated replaces the generated part of the file at path.
func writeGenerated(path, body string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, err := replaceGenerated(string(b), body)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, []byte(out), 0o644)
}

// drawReal draws wasmcnn's ratios per model and batch: its time over ONNX
// Runtime Web's on one thread and over its best, bars left of 1 winning.
func drawReal(path string, results []realResult) error {
	type bar struct {
		name      string
		one, best float64
	}
	var bars []bar
	for _, r := range results {
		for _, b := range r.Batches {
			x := bar{name: fmt.Sprintf("%s, batch %d", r.Label, b.Batch)}
			if b.VsORT1 != nil {
				x.one, x.best = *b.VsORT1, *b.VsBest
			} else {
				x.name += " (no ratio)"
			}
			bars = append(bars, x)
		}
	}
	if len(bars) == 0 {
		return errors.New("no real architectures to draw")
	}
	p := plot.New()
	p.Title.Text = "wasmcnn's time / ONNX Runtime Web's (below 1: wasmcnn is faster)"
	n := len(bars)
	names := make([]string, n)
	one, best := make(plotter.Values, n), make(plotter.Values, n)
	var marks plotter.XYLabels
	top := 1.0
	for i, b := range bars {
		pos := n - 1 - i // the table's first row on top
		names[pos] = b.name
		one[pos], best[pos] = b.one, b.best
		top = math.Max(top, math.Max(b.one, b.best))
		if b.one > 0 {
			marks.XYs = append(marks.XYs, plotter.XY{X: math.Max(b.one, b.best), Y: float64(pos)})
			marks.Labels = append(marks.Labels, fmt.Sprintf(" %.2f× / %.2f×", b.one, b.best))
		}
	}
	w := vg.Points(9)
	b1, err := plotter.NewBarChart(one, w)
	if err != nil {
		return err
	}
	b2, err := plotter.NewBarChart(best, w)
	if err != nil {
		return err
	}
	for i, b := range []*plotter.BarChart{b1, b2} {
		b.Horizontal = true
		b.LineStyle.Width = 0
		b.Offset = vg.Length(2*i-1) * w / 2
	}
	b1.Color, b2.Color = color.RGBA{47, 111, 221, 255}, color.RGBA{214, 39, 40, 255}
	p.Add(b1, b2)
	// Said under the axis rather than in a legend, which would cover the
	// longest bars at the top right.
	p.X.Label.Text = "blue: against ONNX Runtime Web on 1 thread; red: against its best of 1 and 2 threads; dashed: parity"
	if len(marks.XYs) > 0 {
		lab, err := plotter.NewLabels(marks)
		if err != nil {
			return err
		}
		for i := range lab.TextStyle {
			lab.TextStyle[i].YAlign = -0.5
		}
		p.Add(lab)
	}
	parity, err := plotter.NewLine(plotter.XYs{{X: 1, Y: -0.5}, {X: 1, Y: float64(n) - 0.5}})
	if err != nil {
		return err
	}
	parity.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(parity)
	p.X.Min, p.X.Max = 0, 1.35*top
	p.NominalY(names...)
	p.Add(plotter.NewGrid())
	return p.Save(12*vg.Inch, vg.Length(1.2+0.4*float64(n))*vg.Inch, path)
}
