package main

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"wasmcnn/core"
	"wasmcnn/core/nn"
)

// writeBenchModels writes each network as ONNX (for wasmcnn and ONNX
// Runtime Web) and, for TensorFlow.js, which builds the same network from
// them, its weights as TensorFlow.js stores them: raw little-endian float32
// in NAME.bin and a manifest NAME.json naming each tensor's shape and offset
// (named by the ONNX initializer names).
func writeBenchModels(dir string, nets map[string]*nn.Net) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name, n := range nets {
		b, err := n.ExportONNX(nn.ExportOptions{Doc: "wasmcnn reference network " + name})
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, name+".onnx"), b, 0o644); err != nil {
			return err
		}
		type entry struct {
			Name   string `json:"name"`
			Shape  []int  `json:"shape"`
			Offset int    `json:"offset"` // in float32s from the start of NAME.bin
		}
		var manifest []entry
		var weights []byte
		add := func(tensorName string, t *core.Tensor) {
			manifest = append(manifest, entry{tensorName, t.Shape, len(weights) / 4})
			for _, v := range t.Data {
				weights = binary.LittleEndian.AppendUint32(weights, math.Float32bits(v))
			}
		}
		for _, l := range n.Layers {
			switch l := l.(type) {
			case *nn.ConvLayer:
				add(l.Name+".weight", l.W.W)
				add(l.Name+".bias", l.B.W)
			case *nn.DenseLayer:
				add(l.Name+".weight", l.W.W)
				add(l.Name+".bias", l.B.W)
			}
		}
		j, err := json.Marshal(manifest)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, name+".json"), j, 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, name+".bin"), weights, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// printBench prints the table of BENCHMARKS.md with wasmcnn's ratio to the
// best peer in each column.
func printBench(w io.Writer, rows []benchRow, browser string, n benchNetwork) {
	fmt.Fprintf(w, "browser: %s\n", browser)
	fmt.Fprintf(w, "first prediction: from the start of the page, files served uncompressed from 127.0.0.1 (warm); first visit: over %s, cold cache, every file brotli -q 11\n\n", n)
	fmt.Fprintln(w, "| net | runtime | b1 median ms | b1 p90 ms | b64 img/s | b64 GFLOP/s | first prediction ms | first visit ms | runtime KiB gz / br | model KiB gz / br | max |Δ| vs wasmcnn |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %s | %.3f | %.3f | %.0f | %.2f | %.0f | %s | %s / %s | %s / %s | %s |\n",
			r.Net, r.Label, r.B1MedianMs, r.B1P90Ms, r.B64ImgPerSec, r.B64GFLOPs, r.FirstMs, orNA("%.0f", r.FirstNetMs),
			orNA("%.0f", r.RuntimeKiBGz), orNA("%.0f", r.RuntimeKiBBr), orNA("%.0f", r.ModelKiBGz), orNA("%.0f", r.ModelKiBBr), orNA("%.1e", r.MaxDiff))
	}
	for _, r := range rows {
		if len(r.Profile) == 0 {
			continue
		}
		var total float64
		parts := make([]string, len(r.Profile))
		for i, s := range r.Profile {
			total += s.Ms
			parts[i] = fmt.Sprintf("%s %.3f", s.Name, s.Ms)
		}
		fmt.Fprintf(w, "\n%s, %s, batch 1, ms per node (%.3f in all): %s", r.Net, r.Label, total, strings.Join(parts, ", "))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "\nwasmcnn against the peers (latency, first prediction and size: lower is better, so a ratio ≤ 1 wins; throughput: a ratio ≥ 1 wins):")
	for _, r := range benchRatios(rows) {
		fmt.Fprintf(w, "  %s: %s\n", r.Net, r.String())
	}
}

// orNA formats v, or "n/a" for the −1 of a figure not measured.
func orNA(format string, v float64) string {
	if v < 0 {
		return "n/a"
	}
	return fmt.Sprintf(format, v)
}

// benchRatio holds wasmcnn's ratios on one network, as the targets of the
// speed work define them.
type benchRatio struct {
	Net string
	// Batch-1 latency of one wasmcnn runtime to the best peer, any threads.
	Latency float64
	// Batch-64 throughput of one runtime to the best one-thread peer, and
	// of two workers to the best peer, any threads (0: not measured).
	Throughput1, Throughput2 float64
	// First prediction of one runtime to the best peer, over loopback and
	// on a first visit over the emulated network (0: not measured).
	First, FirstNet float64
	// Download of the runtime plus the model, and of the runtime alone, to
	// TensorFlow.js's (0: not measured).
	SizeVsTFJS, RuntimeVsTFJS float64
}

func (r benchRatio) String() string {
	s := fmt.Sprintf("batch-1 latency %.2f×, batch-64 throughput %.2f× (1 thread vs 1 thread)", r.Latency, r.Throughput1)
	if r.Throughput2 > 0 {
		s += fmt.Sprintf(", %.2f× (2 workers vs any)", r.Throughput2)
	}
	s += fmt.Sprintf(", first prediction %.2f×", r.First)
	if r.FirstNet > 0 {
		s += fmt.Sprintf(" (first visit over the network %.2f×)", r.FirstNet)
	}
	if r.SizeVsTFJS > 0 {
		s += fmt.Sprintf(", download (runtime + model) %.2f× TensorFlow.js's (runtime alone %.2f×)", r.SizeVsTFJS, r.RuntimeVsTFJS)
	}
	return s
}

// benchRatios computes wasmcnn's ratios per network, in table order.
func benchRatios(rows []benchRow) []benchRatio {
	var out []benchRatio
	seen := map[string]bool{}
	for _, row := range rows {
		n := row.Net
		if seen[n] {
			continue
		}
		seen[n] = true
		var one, two, tfjs benchRow
		bestLatency, bestFirst, bestFirstNet := math.Inf(1), math.Inf(1), math.Inf(1)
		best1, bestAny := 0.0, 0.0
		for _, r := range rows {
			if r.Net != n {
				continue
			}
			if r.Runtime == "wasmcnn" {
				if strings.Contains(r.Label, "worker") {
					two = r
				} else {
					one = r
				}
				continue
			}
			if r.Runtime == "tfjs" {
				tfjs = r
			}
			bestLatency = math.Min(bestLatency, r.B1MedianMs)
			bestFirst = math.Min(bestFirst, r.FirstMs)
			if r.FirstNetMs > 0 {
				bestFirstNet = math.Min(bestFirstNet, r.FirstNetMs)
			}
			bestAny = math.Max(bestAny, r.B64ImgPerSec)
			if strings.HasSuffix(r.Label, ", 1 thread") {
				best1 = math.Max(best1, r.B64ImgPerSec)
			}
		}
		if one.Label == "" || math.IsInf(bestLatency, 1) || best1 == 0 {
			continue // no wasmcnn or no one-thread peer in this run: nothing to compare
		}
		ratio := benchRatio{Net: n, Latency: one.B1MedianMs / bestLatency, Throughput1: one.B64ImgPerSec / best1, First: one.FirstMs / bestFirst}
		if two.Label != "" {
			ratio.Throughput2 = two.B64ImgPerSec / bestAny
		}
		if one.FirstNetMs > 0 && !math.IsInf(bestFirstNet, 1) {
			ratio.FirstNet = one.FirstNetMs / bestFirstNet
		}
		if tfjs.RuntimeKiBGz > 0 && one.RuntimeKiBGz > 0 && tfjs.ModelKiBGz >= 0 && one.ModelKiBGz >= 0 {
			ratio.SizeVsTFJS = (one.RuntimeKiBGz + one.ModelKiBGz) / (tfjs.RuntimeKiBGz + tfjs.ModelKiBGz)
			ratio.RuntimeVsTFJS = one.RuntimeKiBGz / tfjs.RuntimeKiBGz
		}
		out = append(out, ratio)
	}
	return out
}

// drawBench draws, for each network, batch-1 latency and batch-64
// throughput per runtime as horizontal bars with their values: one row of
// two panels per network, each on its own scale.
func drawBench(path string, rows []benchRow) error {
	var labels, nets []string
	seen := map[string]bool{}
	for _, r := range rows {
		if !seen[r.Label] {
			seen[r.Label] = true
			labels = append(labels, r.Label)
		}
		if !seen["net "+r.Net] {
			seen["net "+r.Net] = true
			nets = append(nets, r.Net)
		}
	}
	colors := []color.Color{color.RGBA{47, 111, 221, 255}, color.RGBA{120, 160, 235, 255}, color.RGBA{44, 160, 44, 255}, color.RGBA{148, 103, 189, 255}, color.RGBA{214, 39, 40, 255}, color.RGBA{140, 86, 75, 255}}
	panel := func(net, title, format string, value func(benchRow) float64) (*plot.Plot, error) {
		p := plot.New()
		p.Title.Text = net + ": " + title
		// Bars bottom-up in reverse, so the table's first row is on top.
		n := len(labels)
		names := make([]string, n)
		var marks plotter.XYLabels
		top := 0.0
		for i, l := range labels {
			pos := n - 1 - i
			names[pos] = l
			v := 0.0
			for _, r := range rows {
				if r.Label == l && r.Net == net {
					v = value(r)
				}
			}
			top = math.Max(top, v)
			vals := make(plotter.Values, n)
			vals[pos] = v
			bars, err := plotter.NewBarChart(vals, vg.Points(16))
			if err != nil {
				return nil, err
			}
			bars.Horizontal = true
			bars.Color = colors[i%len(colors)]
			bars.LineStyle.Width = 0
			p.Add(bars)
			marks.XYs = append(marks.XYs, plotter.XY{X: v, Y: float64(pos)})
			marks.Labels = append(marks.Labels, " "+fmt.Sprintf(format, v))
		}
		lab, err := plotter.NewLabels(marks)
		if err != nil {
			return nil, err
		}
		for i := range lab.TextStyle {
			lab.TextStyle[i].YAlign = -0.5
		}
		p.Add(lab)
		p.X.Min, p.X.Max = 0, 1.3*top // room for the values
		p.NominalY(names...)
		p.Add(plotter.NewGrid())
		return p, nil
	}
	var plots [][]*plot.Plot
	for _, n := range nets {
		lat, err := panel(n, "batch-1 latency, ms (lower is better)", "%.3f", func(r benchRow) float64 { return r.B1MedianMs })
		if err != nil {
			return err
		}
		thr, err := panel(n, "batch-64 images per second (higher is better)", "%.0f", func(r benchRow) float64 { return r.B64ImgPerSec })
		if err != nil {
			return err
		}
		plots = append(plots, []*plot.Plot{lat, thr})
	}
	img := vgimg.New(14*vg.Inch, vg.Length(len(nets))*2.6*vg.Inch)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: len(nets), Cols: 2, PadX: vg.Inch / 3, PadY: vg.Inch / 4, PadTop: vg.Inch / 8, PadBottom: vg.Inch / 8, PadLeft: vg.Inch / 8, PadRight: vg.Inch / 4}
	canvases := plot.Align(plots, tiles, dc)
	for i := range plots {
		for j := range plots[i] {
			plots[i][j].Draw(canvases[i][j])
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
