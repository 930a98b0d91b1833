package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wasmcnn/data"
	"wasmcnn/wasm/adapt"
	"wasmcnn/web/models"
)

// TestShippedDigits checks that the MNIST digits shipped with the page are
// exactly what `wasmcnn digits` writes: two test images of each digit.
func TestShippedDigits(t *testing.T) {
	if _, err := data.MNISTDir(); err != nil {
		t.Skipf("MNIST not available: %v", err)
	}
	out := filepath.Join(t.TempDir(), "sample.bin")
	code, stdout, errs := cli("digits", "-out", out)
	if code != 0 || !strings.Contains(stdout, "20 digits (15700 bytes)") {
		t.Fatalf("digits: %d %q %q", code, stdout, errs)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, models.MNISTSample) {
		t.Error("web/models/mnist-sample.bin differs from what `wasmcnn digits` writes; run it again")
	}
	ds, err := adapt.ReadDigits(b)
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range ds {
		if d.Label != i/2 {
			t.Errorf("digit %d has label %d, want %d", i, d.Label, i/2)
		}
	}
	if code, _, errs := cli("digits", "-per-digit", "0", "-out", out); code == 0 || !strings.Contains(errs, "want 1 to 100") {
		t.Errorf("-per-digit 0: %d %q", code, errs)
	}
	if code, _, errs := cli("digits", "-set", "validation", "-out", out); code == 0 || !strings.Contains(errs, "want test or train") {
		t.Errorf("-set validation: %d %q", code, errs)
	}
	// The digits fine-tuning replays: ten training images of each digit.
	code, stdout, errs = cli("digits", "-set", "train", "-per-digit", "10", "-out", out)
	if code != 0 || !strings.Contains(stdout, "100 digits (78500 bytes)") {
		t.Fatalf("digits -set train: %d %q %q", code, stdout, errs)
	}
	shipped, err := os.ReadFile(filepath.Join("..", "..", "web", "models", "mnist-replay.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ = os.ReadFile(out); !bytes.Equal(b, shipped) {
		t.Error("web/models/mnist-replay.bin differs from what `wasmcnn digits -set train -per-digit 10` writes; run it again")
	}
}
