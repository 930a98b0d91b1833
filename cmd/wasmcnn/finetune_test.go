package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"wasmcnn/core/nn"
	"wasmcnn/core/onnx"
	"wasmcnn/core/verdict"
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

// TestFineTuneKeepsVerdict fine-tunes the shipped model for two writers,
// replaying the page's non-digits, and measures the verdict: the personal
// models carry the rule, refuse none of the digits they were taught and
// still refuse most non-digits of the held-out sources.
func TestFineTuneKeepsVerdict(t *testing.T) {
	if testing.Short() {
		t.Skip("fine-tunes twice with MNIST replay")
	}
	dir := t.TempDir()
	pen := filepath.Join("..", "..", "testdata", "pendigits", "heldout300.json")
	non := filepath.Join("..", "..", "testdata", "notdigits", "sample.json")
	models := filepath.Join("..", "..", "web", "models")
	code, out, errs := cli("finetune", "-model", filepath.Join(models, "digits.onnx"), "-strokes", pen, "-writers", "27-28",
		"-mnist", "-1", "-replay-file", filepath.Join(models, "mnist-replay.bin"), "-replay-notdigits", filepath.Join(models, "notdigit-replay.bin"),
		"-notdigits", non, "-out", dir)
	if code != 0 {
		t.Fatalf("finetune: %d\n%s\n%s", code, out, errs)
	}
	t.Log(out)
	m := regexp.MustCompile(`taught digits refused as not a digit: [\d.]+ % → ([\d.]+) %`).FindStringSubmatch(out)
	n := regexp.MustCompile(`non-digits refused: [\d.]+ % → ([\d.]+) %`).FindStringSubmatch(out)
	if m == nil || n == nil {
		t.Fatalf("no verdict lines:\n%s", out)
	}
	if m[1] != "0.00" {
		t.Errorf("the personal models refuse %s %% of the digits they were taught", m[1])
	}
	if v, _ := strconv.ParseFloat(n[1], 64); v < 85 {
		t.Errorf("the personal models refuse %v %% of the non-digits, want at least 85 %%", v)
	}
	b, err := os.ReadFile(filepath.Join(dir, "writer27.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	pm, err := onnx.LoadModel(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := verdict.FromMetadata(pm.Metadata); err != nil {
		t.Errorf("the personal model's rule: %v", err)
	}
}
