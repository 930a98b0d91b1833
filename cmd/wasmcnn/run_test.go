package main

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wasmcnn/core/onnx"
)

// npyOf writes a .npy file of the given NumPy dtype from integer values.
func npyOf(dtype string, shape []int, v []int64) []byte {
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = fmt.Sprint(d)
	}
	h := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s,), }", dtype, strings.Join(dims, ", "))
	for (10+len(h)+1)%64 != 0 {
		h += " "
	}
	h += "\n"
	b := append([]byte("\x93NUMPY\x01\x00"), byte(len(h)), byte(len(h)>>8))
	b = append(b, h...)
	for _, x := range v {
		switch dtype {
		case "|u1", "|i1":
			b = append(b, byte(x))
		case "<i8":
			b = binary.LittleEndian.AppendUint64(b, uint64(x))
		case "<f4":
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(x)))
		}
	}
	return b
}

// TestRunSeveralInputs feeds a model of a float input and a uint8 input by
// name (the uint8 one from a .npy of uint8), checks the outputs, profiles
// it on those inputs, and checks the refusals: a missing input, an
// unknown name, a bare file for several inputs, a value outside UINT8.
func TestRunSeveralInputs(t *testing.T) {
	dir := t.TempDir()
	b := onnx.NewModelBuilder(13)
	b.Input("a", []int{-1, 3})
	b.InputTyped("q", onnx.TypeUint8, []int{-1, 3})
	b.InitializerTyped("s", onnx.TypeFloat, []int{}, []float64{0.5})
	b.InitializerTyped("z", onnx.TypeUint8, []int{}, []float64{10})
	b.Node("DequantizeLinear", "dq", []string{"q", "s", "z"}, []string{"qf"})
	b.Node("Add", "add", []string{"a", "qf"}, []string{"sum"})
	b.Node("QuantizeLinear", "back", []string{"sum", "s", "z"}, []string{"requantized"})
	b.Output("sum", nil)
	b.OutputTyped("requantized", onnx.TypeUint8, nil)
	model := filepath.Join(dir, "two.onnx")
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("two.onnx", b.Bytes())
	a := write("a.npy", npyOf("<f4", []int{2, 3}, []int64{1, -2, 3, -4, 5, -6}))
	q := write("q.npy", npyOf("|u1", []int{2, 3}, []int64{10, 12, 255, 0, 20, 11}))
	code, out, errs := cli("run", "-model", model, "-input", "q="+q, "-input", "a="+a)
	if code != 0 {
		t.Fatalf("run: %d %s", code, errs)
	}
	var res struct {
		Outputs []struct {
			Name, Type string
			Shape      []int
			Data       []float64
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%q: %v", out, err)
	}
	if got := fmt.Sprint(res.Outputs[0].Data, res.Outputs[1].Data, res.Outputs[1].Type); got != "[1 -1 125.5 -9 10 -5.5] [12 8 255 0 30 0]UINT8" {
		t.Errorf("outputs %s", got)
	}
	code, out, errs = cli("info", "-model", model, "-profile", "2", "-input", "a="+a, "-input", "q="+q)
	if code != 0 || !strings.Contains(out, "profile    2 runs on inputs [2 3] [2 3]") || !strings.Contains(out, "input      q UINT8 [N 3]") {
		t.Errorf("info -profile: %d %s\n%s", code, errs, out)
	}
	if code, out, errs = cli("info", "-model", model, "-profile", "1"); code != 0 || !strings.Contains(out, "on inputs [1 3] [1 3]") {
		t.Errorf("info -profile on random inputs: %d %s\n%s", code, errs, out)
	}
	big := write("big.npy", npyOf("<i8", []int{1, 3}, []int64{1, 2, 300}))
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-input", "a=" + a}, `input "q" is missing`},
		{[]string{"-input", "a=" + a, "-input", "b=" + q}, `has no input "b"`},
		{[]string{"-input", a}, "give each as -input name=file"},
		{[]string{"-input", "a=" + a, "-input", "a=" + a}, "given twice"},
		{[]string{"-input", "a=" + a, "-input", "q=" + big}, "want an integer in [0, 255]"},
		{[]string{"-input", "a=" + a, "-input", "q=" + write("f8.npy", npyOf(">f8", []int{1}, []int64{0}))}, "not supported"},
	} {
		code, _, errs := cli(append([]string{"run", "-model", model}, c.args...)...)
		if code == 0 || !strings.Contains(errs, c.want) {
			t.Errorf("run %v: %d %q, want %q", c.args, code, errs, c.want)
		}
	}
}
