package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wasmcnn/core/nn"
	"wasmcnn/core/onnx"
)

// TestFineTuneCommand runs the finetune command on the test pen digits
// (without MNIST: no replay, no MNIST measurement) and checks its table and
// the personal models it writes.
func TestFineTuneCommand(t *testing.T) {
	dir := t.TempDir()
	pen := filepath.Join("..", "..", "testdata", "pendigits", "heldout300.json")
	model := filepath.Join("..", "..", "web", "models", "digits.onnx")
	code, out, errs := cli("finetune", "-model", model, "-strokes", pen, "-writers", "28-29", "-per-digit", "2",
		"-mnist", "-1", "-replay", "0", "-steps", "5", "-copies", "2", "-out", dir)
	if code != 0 {
		t.Fatalf("finetune: %d\n%s\n%s", code, out, errs)
	}
	for _, want := range []string{"layers 1, steps 5", "\n28 ", "\n29 ", "mean error on the writers' other digits", "worst change of one writer", "fine-tuning time"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, w := range []string{"writer28.onnx", "writer29.onnx"} {
		b, err := os.ReadFile(filepath.Join(dir, w))
		if err != nil {
			t.Fatal(err)
		}
		m, err := onnx.LoadModel(b, nil)
		if err != nil || m.Metadata[nn.FineTuneOptionsKey] == "" {
			t.Errorf("%s: %v, metadata %v", w, err, m.Metadata)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-digits", "7"}, "at least two different classes"},
		{[]string{"-per-digit", "0"}, "-per-digit and -repeats must be at least 1"},
		{[]string{"-digits", "3,12"}, "12 is not a digit"},
		{[]string{"-writers", "99"}, "writer 99 has no digits"},
		{[]string{"-steps", "0"}, "Steps 0"},
	} {
		args := append([]string{"finetune", "-model", model, "-strokes", pen, "-writers", "28", "-mnist", "-1", "-replay", "0", "-steps", "2"}, c.args...)
		code, _, errs := cli(args...)
		if code == 0 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, code, errs, c.want)
		}
	}
}
