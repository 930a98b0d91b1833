package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"wasmcnn/core"
	"wasmcnn/core/onnx"
)

// runRun runs a model on an input read from a .npy or JSON file and prints
// the outputs as JSON.
func runRun(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("model", "", "ONNX model `file`")
	input := fs.String("input", "", "input `file`: NumPy .npy (float32) or JSON {\"shape\":[...],\"data\":[...]}")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *path == "" || *input == "" {
		return fmt.Errorf("-model and -input are required")
	}
	m, err := onnx.LoadModelFile(*path, nil)
	if err != nil {
		return err
	}
	if len(m.Inputs) != 1 {
		return fmt.Errorf("the model has %d inputs; run takes models with one", len(m.Inputs))
	}
	x, err := readInput(*input)
	if err != nil {
		return err
	}
	outs, err := m.Run(x)
	if err != nil {
		return err
	}
	type output struct {
		Name  string    `json:"name"`
		Shape []int     `json:"shape"`
		Data  []float64 `json:"data"`
	}
	var res struct {
		Outputs []output `json:"outputs"`
	}
	for i, o := range outs {
		data := make([]float64, len(o.Data))
		for k, v := range o.Data {
			data[k] = float64(v)
			if math.IsNaN(data[k]) || math.IsInf(data[k], 0) {
				return fmt.Errorf("output %s holds %v, which JSON cannot carry", m.Outputs[i].Name, v)
			}
		}
		res.Outputs = append(res.Outputs, output{Name: m.Outputs[i].Name, Shape: o.Shape, Data: data})
	}
	enc := json.NewEncoder(stdout)
	return enc.Encode(res)
}

// readInput reads a tensor from a .npy file or a JSON file.
func readInput(path string) (*core.Tensor, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if strings.HasSuffix(strings.ToLower(path), ".npy") || strings.HasPrefix(string(b), "\x93NUMPY") {
		return readNPY(b)
	}
	var in struct {
		Shape []int     `json:"shape"`
		Data  []float32 `json:"data"`
	}
	if err := json.Unmarshal(b, &in); err != nil {
		return nil, fmt.Errorf("%s: not a .npy file nor JSON {\"shape\":[...],\"data\":[...]}: %v", path, err)
	}
	t, err := core.TensorFrom(in.Shape, in.Data)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return t, nil
}
