package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wasmcnn/core"
	"wasmcnn/core/nn"
	"wasmcnn/core/onnx"
)

// cli runs the command line and returns its exit status and outputs.
func cli(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// npy encodes a float32 array in NumPy's format.
func npy(shape []int, data []float32) []byte {
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = itoaCLI(d)
	}
	header := "{'descr': '<f4', 'fortran_order': False, 'shape': (" + strings.Join(dims, ", ") + ",), }"
	for (10+len(header)+1)%64 != 0 {
		header += " "
	}
	header += "\n"
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x01\x00")
	binary.Write(&b, binary.LittleEndian, uint16(len(header)))
	b.WriteString(header)
	for _, v := range data {
		binary.Write(&b, binary.LittleEndian, math.Float32bits(v))
	}
	return b.Bytes()
}

func itoaCLI(v int) string { b, _ := json.Marshal(v); return string(b) }

func TestInfoAndRun(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "s.onnx")
	data, err := nn.ReferenceNetS(5).ExportONNX(nn.ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(model, data, 0o644)

	code, out, errs := cli("info", "-model", model)
	if code != 0 {
		t.Fatalf("info: %d %s", code, errs)
	}
	for _, want := range []string{"opset 13", "input      input FLOAT [N 1 28 28]", "Conv×2", "MaxPool×2", "parameters 5994", "786560 multiply-accumulates", "activation values at the plan's peak"} {
		if !strings.Contains(out, want) {
			t.Errorf("info output lacks %q:\n%s", want, out)
		}
	}

	code, out, errs = cli("info", "-model", model, "-profile", "3")
	if code != 0 {
		t.Fatalf("info -profile: %d %s", code, errs)
	}
	for _, want := range []string{"profile    3 runs on inputs [1 1 28 28]", "Conv+Relu ", "Softmax "} {
		if !strings.Contains(out, want) {
			t.Errorf("info -profile output lacks %q:\n%s", want, out)
		}
	}

	m, _ := onnx.LoadModel(data, nil)
	x := make([]float32, 2*784)
	for i := range x {
		x[i] = float32(i%97) / 97
	}
	want, _ := m.Run(&core.Tensor{Shape: []int{2, 1, 28, 28}, Data: x})
	inputs := map[string][]byte{
		"x.npy":  npy([]int{2, 1, 28, 28}, x),
		"x.json": func() []byte { b, _ := json.Marshal(map[string]any{"shape": []int{2, 1, 28, 28}, "data": x}); return b }(),
	}
	for name, b := range inputs {
		p := filepath.Join(dir, name)
		os.WriteFile(p, b, 0o644)
		code, out, errs := cli("run", "-model", model, "-input", p)
		if code != 0 {
			t.Fatalf("run %s: %d %s", name, code, errs)
		}
		var res struct {
			Outputs []struct {
				Name  string
				Shape []int
				Data  []float64
			}
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("run %s printed %q: %v", name, out, err)
		}
		o := res.Outputs[0]
		if o.Name != "output" || len(o.Shape) != 2 || o.Shape[0] != 2 || o.Shape[1] != 10 {
			t.Fatalf("run %s: output %s %v", name, o.Name, o.Shape)
		}
		for i, v := range o.Data {
			if math.Abs(v-float64(want[0].Data[i])) > 1e-7 {
				t.Fatalf("run %s: output[%d] = %v, want %v", name, i, v, want[0].Data[i])
			}
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "-model", model}, "-model and -input are required"},
		{[]string{"run", "-model", filepath.Join(dir, "missing.onnx"), "-input", filepath.Join(dir, "x.npy")}, "no such file"},
		{[]string{"run", "-model", model, "-input", model}, "not a .npy file nor JSON"},
		{[]string{"info", "-model", filepath.Join(dir, "x.json")}, "corrupt model"},
		{[]string{"nonsense"}, "unknown command"},
	} {
		bad := filepath.Join(dir, "bad.json")
		os.WriteFile(bad, []byte(`{"shape": [3], "data": [1, 2]}`), 0o644)
		code, _, errs := cli(c.args...)
		if code == 0 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, code, errs, c.want)
		}
	}
	code, _, errs = cli("run", "-model", model, "-input", filepath.Join(dir, "bad.json"))
	if code == 0 || !strings.Contains(errs, "needs 3 values, got 2") {
		t.Errorf("bad JSON input: %d %q", code, errs)
	}
}

// TestTrainEval trains a small model for one epoch, evaluates it on MNIST
// and on pen strokes, and checks the files and pictures it writes.
func TestTrainEval(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on MNIST")
	}
	dir := t.TempDir()
	model := filepath.Join(dir, "tiny.onnx")
	code, _, errs := cli("train", "-arch", "lenet-s", "-limit", "2000", "-epochs", "1", "-batch", "64",
		"-pen", filepath.Join("..", "..", "testdata", "pendigits", "heldout300.json"), "-pen-holdout", "30", "-pen-copies", "1", "-out", model)
	if code != 0 {
		t.Fatalf("train: %d\n%s", code, errs)
	}
	if !strings.Contains(errs, "epoch 1: loss") || !strings.Contains(errs, "pen digits of held-out writers 30") {
		t.Errorf("train output:\n%s", errs)
	}
	var card modelCard
	b, err := os.ReadFile(filepath.Join(dir, "tiny.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &card); err != nil || card.Parameters != 5994 || len(card.History) != 1 || card.Accuracy.MNISTTest < 0.5 {
		t.Fatalf("card: %+v %v", card, err)
	}
	if _, err := os.Stat(model + ".ckpt"); err != nil {
		t.Errorf("no checkpoint: %v", err)
	}
	pics := filepath.Join(dir, "pics")
	code, out, errs := cli("eval", "-model", model, "-out", pics)
	if code != 0 || !strings.Contains(out, "MNIST test set: accuracy") || !strings.Contains(out, "confusion matrix") {
		t.Fatalf("eval: %d\n%s\n%s", code, out, errs)
	}
	code, out, errs = cli("eval", "-model", model, "-strokes", filepath.Join("..", "..", "testdata", "pendigits", "heldout300.json"), "-writers", "25-30", "-out", pics)
	if code != 0 || !strings.Contains(out, "300 pen digits") {
		t.Fatalf("eval -strokes: %d\n%s\n%s", code, out, errs)
	}
	for _, p := range []string{"mnist-confusion.png", "mnist-misclassified.png", "training-curves.png", "strokes-confusion.png", "strokes-misclassified.png"} {
		f, err := os.Open(filepath.Join(pics, p))
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if _, err := png.DecodeConfig(f); err != nil {
			t.Errorf("%s is not a PNG: %v", p, err)
		}
		f.Close()
	}
}
