package main

import (
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"wasmcnn/core"
	"wasmcnn/core/onnx"
)

// runInfo prints what a model is: its inputs and outputs, opset, producer,
// the ops it uses, its parameter count and its cost.
func runInfo(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("info", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("model", "", "ONNX model `file`")
	profile := fs.Int("profile", 0, "also time `N` runs at batch 1 and show where the time goes, node by node")
	var inputs inputFlags
	fs.Var(&inputs, "input", "with -profile: input `file` (or name=file for each input, repeated) to time instead of seeded random inputs")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *profile < 0 {
		return fmt.Errorf("-profile must be at least 0, got %d", *profile)
	}
	if *path == "" {
		return fmt.Errorf("-model is required")
	}
	m, err := onnx.LoadModelFile(*path, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "model      %s\n", *path)
	fmt.Fprintf(stdout, "producer   %s %s\n", m.Producer, m.ProducerVersion)
	fmt.Fprintf(stdout, "format     IR version %d, opset %d\n", m.IRVersion, m.Opset)
	if m.Description != "" {
		fmt.Fprintf(stdout, "about      %s\n", firstLine(m.Description))
	}
	for _, in := range m.Inputs {
		fmt.Fprintf(stdout, "input      %s %s %s\n", in.Name, in.Type, shapeString(in.Shape, in.DimNames))
	}
	for i, out := range m.Outputs {
		fmt.Fprintf(stdout, "output     %s %s %s (for batch 1: %v)\n", out.Name, out.Type, shapeString(out.Shape, out.DimNames), m.OutputShape(i))
	}
	counts := map[string]int{}
	for _, n := range m.Nodes {
		counts[n.Op]++
	}
	ops := make([]string, 0, len(counts))
	for op, c := range counts {
		ops = append(ops, fmt.Sprintf("%s×%d", op, c))
	}
	sort.Strings(ops)
	fmt.Fprintf(stdout, "ops        %d nodes: %s\n", len(m.Nodes), strings.Join(ops, " "))
	fmt.Fprintf(stdout, "parameters %d (%.1f KiB as float32)\n", m.ParamCount, float64(m.ParamCount)*4/1024)
	fmt.Fprintf(stdout, "cost       %d multiply-accumulates per run at batch 1\n", m.MACs())
	fmt.Fprintf(stdout, "memory     %d activation values at the plan's peak (%.1f MiB as float32; %d if every tensor kept its own buffer)\n",
		m.Activations(), float64(m.Activations())*4/(1<<20), m.ActivationsSum())
	keys := make([]string, 0, len(m.Metadata))
	for k := range m.Metadata {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(stdout, "metadata   %s = %s\n", k, firstLine(m.Metadata[k]))
	}
	if *profile > 0 {
		var xs []*core.Tensor
		if len(inputs) > 0 {
			if xs, err = readInputs(m, inputs); err != nil {
				return err
			}
		}
		return printProfile(stdout, m, *profile, xs)
	}
	if len(inputs) > 0 {
		return fmt.Errorf("-input is for -profile")
	}
	return nil
}

// printProfile times runs of m on xs (or, when nil, at batch 1 on fixed
// pseudo-random inputs: values in [0, 1), or for an integer input its
// type's integers) and prints each node's share, with a bar for the eye.
func printProfile(w io.Writer, m *onnx.Model, runs int, xs []*core.Tensor) error {
	s := uint32(12345)
	next := func() float32 {
		s = s*1103515245 + 12345
		return float32(s>>8) / (1 << 24)
	}
	if xs == nil {
		for i, in := range m.Inputs {
			shape := m.InputShape(i)
			x := core.NewTensor(shape...)
			lo, span := integerSpan(in.Type)
			for k := range x.Data {
				x.Data[k] = next()
				if span > 0 {
					x.Data[k] = float32(lo + int(x.Data[k]*float32(span)))
				}
			}
			xs = append(xs, x)
		}
	}
	start := time.Now()
	steps, err := m.ProfileInputs(xs, runs, func() int64 { return int64(time.Since(start)) })
	if err != nil {
		return err
	}
	var total time.Duration
	for _, st := range steps {
		total += time.Duration(st.Nanos)
	}
	shapes := make([]string, len(xs))
	for i, x := range xs {
		shapes[i] = fmt.Sprint(x.Shape)
	}
	fmt.Fprintf(w, "profile    %d runs on inputs %s, %.3f ms per run (kernel %s)\n", runs, strings.Join(shapes, " "), float64(total.Microseconds())/1000/float64(runs), kernelName())
	for _, st := range steps {
		share := 0.0
		if total > 0 {
			share = float64(st.Nanos) / float64(total)
		}
		fmt.Fprintf(w, "  %-17s %-24s %9.1f µs %5.1f%% %s\n", st.Node.Op, firstLine(st.Node.Name), float64(st.Nanos)/1000/float64(runs), 100*share, strings.Repeat("█", int(share*40+0.5)))
	}
	return nil
}

// integerSpan returns the values a random input of an integer type takes:
// from lo, span of them (0 for a float type).
func integerSpan(typ string) (lo, span int) {
	switch typ {
	case "UINT8":
		return 0, 256
	case "INT8":
		return -128, 256
	case "BOOL":
		return 0, 2
	case "INT16", "INT32", "INT64", "UINT16", "UINT32", "UINT64":
		return 0, 16 // small indices and counts
	}
	return 0, 0
}

// kernelName names the matrix kernel this build runs.
func kernelName() string {
	if k := core.ActivePanelKernel(); k != "" {
		return k
	}
	return core.GemmKernelName()
}

// shapeString prints a shape with open dimensions by name.
func shapeString(shape []int, names []string) string {
	parts := make([]string, len(shape))
	for i, d := range shape {
		switch {
		case d >= 0:
			parts[i] = fmt.Sprint(d)
		case i < len(names) && names[i] != "":
			parts[i] = names[i]
		default:
			parts[i] = "?"
		}
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}
