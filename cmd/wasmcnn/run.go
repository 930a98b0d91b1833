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

// inputFlags collects repeated -input arguments: "file" for a model of one
// input, "name=file" for each input of a model of several.
type inputFlags []string

func (f *inputFlags) String() string     { return strings.Join(*f, ",") }
func (f *inputFlags) Set(v string) error { *f = append(*f, v); return nil }

// runRun runs a model on inputs read from .npy or JSON files and prints
// the outputs as JSON.
func runRun(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("model", "", "ONNX model `file`")
	var inputs inputFlags
	fs.Var(&inputs, "input", "input `file` (NumPy .npy of float32, float16, float64, an integer type or bool; or JSON {\"shape\":[...],\"data\":[...]}); `name=file` for each input of a model with several, repeated")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *path == "" || len(inputs) == 0 {
		return fmt.Errorf("-model and -input are required")
	}
	m, err := onnx.LoadModelFile(*path, nil)
	if err != nil {
		return err
	}
	xs, err := readInputs(m, inputs)
	if err != nil {
		return err
	}
	outs, err := m.Run(xs...)
	if err != nil {
		return err
	}
	type output struct {
		Name  string    `json:"name"`
		Type  string    `json:"type"`
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
		res.Outputs = append(res.Outputs, output{Name: m.Outputs[i].Name, Type: m.Outputs[i].Type, Shape: o.Shape, Data: data})
	}
	enc := json.NewEncoder(stdout)
	return enc.Encode(res)
}

// readInputs reads one tensor per input of m from the -input arguments:
// a single "file" feeds a model of one input; otherwise each argument is
// "name=file" and every input must be named once.
func readInputs(m *onnx.Model, args []string) ([]*core.Tensor, error) {
	names := make([]string, len(m.Inputs))
	for i, in := range m.Inputs {
		names[i] = in.Name
	}
	byName := map[string]string{}
	for _, a := range args {
		name, file, named := strings.Cut(a, "=")
		if !named || !contains(names, name) {
			if len(args) == 1 && len(names) == 1 {
				byName[names[0]] = a // one input: the whole argument is a file
				break
			}
			if !named {
				return nil, fmt.Errorf("-input %q: the model has %d inputs (%s); give each as -input name=file", a, len(names), strings.Join(names, ", "))
			}
			return nil, fmt.Errorf("-input %q: the model has no input %q; its inputs are %s", a, name, strings.Join(names, ", "))
		}
		if _, dup := byName[name]; dup {
			return nil, fmt.Errorf("-input: input %q given twice", name)
		}
		byName[name] = file
	}
	xs := make([]*core.Tensor, len(names))
	for i, n := range names {
		file, ok := byName[n]
		if !ok {
			return nil, fmt.Errorf("-input: input %q is missing; the model's inputs are %s (give each as -input name=file)", n, strings.Join(names, ", "))
		}
		x, err := readInput(file)
		if err != nil {
			return nil, err
		}
		xs[i] = x
	}
	return xs, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// readInput reads a tensor from a .npy file or a JSON file.
func readInput(path string) (*core.Tensor, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if strings.HasSuffix(strings.ToLower(path), ".npy") || strings.HasPrefix(string(b), "\x93NUMPY") {
		t, err := readNPY(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		return t, nil
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
