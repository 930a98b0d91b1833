package main

import (
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"wasmcnn/core"
)

// runInfo prints what a model is: its inputs and outputs, opset, producer,
// the ops it uses, its parameter count and its cost.
func runInfo(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("info", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("model", "", "ONNX model `file`")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *path == "" {
		return fmt.Errorf("-model is required")
	}
	m, err := core.LoadModelFile(*path, nil)
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
	fmt.Fprintf(stdout, "cost       %d multiply-accumulates per run at batch 1; %d activation values\n", m.MACs(), m.Activations())
	keys := make([]string, 0, len(m.Metadata))
	for k := range m.Metadata {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(stdout, "metadata   %s = %s\n", k, firstLine(m.Metadata[k]))
	}
	return nil
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
