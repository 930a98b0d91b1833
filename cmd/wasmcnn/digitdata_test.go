package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"wasmcnn/core/nn"
	"wasmcnn/data"
)

func TestRepeatDataset(t *testing.T) {
	d := &nn.Dataset{X: make([]float32, 2*784), Y: []int{3, 7}}
	d.X[0], d.X[784] = 0.25, 0.5
	if got := repeatDataset(d, 1); got != d {
		t.Errorf("one copy should be the dataset itself")
	}
	r := repeatDataset(d, 3)
	if r.Len() != 6 || !slices.Equal(r.Y, []int{3, 7, 3, 7, 3, 7}) {
		t.Fatalf("three copies: %d examples, labels %v", r.Len(), r.Y)
	}
	for i := range 6 {
		if want := d.X[(i%2)*784]; r.X[i*784] != want {
			t.Errorf("example %d starts with %v, want %v", i, r.X[i*784], want)
		}
	}
}

func TestTrainRefusesBadMix(t *testing.T) {
	for _, args := range [][]string{{"-mnist-copies", "0"}, {"-augment-scale", "-1"}, {"-mnist-validation", "-1"}, {"-mnist-validation", "64"}, {"-pen-crossed-sevens", "-1"}} {
		code, _, errs := cli(append([]string{"train", "-arch", "lenet-s", "-limit", "64", "-epochs", "1", "-batch", "32", "-pen", "", "-out", t.TempDir() + "/m.onnx"}, args...)...)
		if code == 0 || !strings.Contains(errs, strings.Join(args, " ")) {
			t.Errorf("train %v: exit %d\n%s", args, code, errs)
		}
	}
}

func TestSplitLast(t *testing.T) {
	d := &nn.Dataset{X: make([]float32, 3*784), Y: []int{1, 2, 3}}
	rest, last := splitLast(d, 1)
	if !slices.Equal(rest.Y, []int{1, 2}) || !slices.Equal(last.Y, []int{3}) || len(rest.X) != 2*784 || len(last.X) != 784 {
		t.Fatalf("split: %v (%d values) and %v (%d values)", rest.Y, len(rest.X), last.Y, len(last.X))
	}
	// Growing what is trained on must not write over what is held out.
	rest.X = append(rest.X, make([]float32, 784)...)
	rest.X[2*784] = 9
	if last.X[0] != 0 {
		t.Error("appending to the training part wrote into the held-out part")
	}
}

// TestTrainMNISTValidation trains on MNIST with some of its training
// images held out, and finds them measured and kept out.
func TestTrainMNISTValidation(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on MNIST")
	}
	dir := t.TempDir()
	model := filepath.Join(dir, "v.onnx")
	code, _, errs := cli("train", "-arch", "lenet-s", "-limit", "600", "-mnist-validation", "200", "-epochs", "1", "-batch", "50", "-pen", "", "-out", model)
	if code != 0 || !strings.Contains(errs, "epoch 1: MNIST validation") || !strings.Contains(errs, "(200 training images held out)") {
		t.Fatalf("train: exit %d\n%s", code, errs)
	}
	card, err := readCard(model)
	if err != nil {
		t.Fatal(err)
	}
	if card.Data.TrainExamples != 400 || card.Accuracy.MNISTValidation <= 0 || card.Accuracy.MNISTValidation > 1 {
		t.Errorf("card: %d training examples (want 400), MNIST validation %v", card.Data.TrainExamples, card.Accuracy.MNISTValidation)
	}
}

// TestTrainCrossedSevens trains with the pen 7s also drawn crossed, and
// finds every crossed copy among the training examples.
func TestTrainCrossedSevens(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on MNIST")
	}
	pen := filepath.Join("..", "..", "testdata", "pendigits", "heldout300.json")
	digits, err := data.LoadStrokeDigits(pen)
	if err != nil {
		t.Fatal(err)
	}
	crossed := len(crossedSevens(digits, 1))
	if crossed < 20 {
		t.Fatalf("only %d of the sample's 7s crossed", crossed)
	}
	dir := t.TempDir()
	model := filepath.Join(dir, "x.onnx")
	code, _, errs := cli("train", "-arch", "lenet-s", "-limit", "100", "-epochs", "1", "-batch", "50", "-pen", pen, "-pen-holdout", "", "-pen-copies", "1", "-pen-crossed-sevens", "2", "-seed", "1", "-out", model)
	if code != 0 || !strings.Contains(errs, fmt.Sprintf("rendering %d crossed 7s ×2", crossed)) {
		t.Fatalf("train: exit %d\n%s", code, errs)
	}
	card, err := readCard(model)
	if err != nil {
		t.Fatal(err)
	}
	if want := 100 + len(digits) + 2*crossed; card.Data.TrainExamples != want || card.Data.PenCrossedSevens != 2 {
		t.Errorf("card: %d training examples (want %d), pen_crossed_sevens %d", card.Data.TrainExamples, want, card.Data.PenCrossedSevens)
	}
}
