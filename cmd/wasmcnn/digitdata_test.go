package main

import (
	"slices"
	"strings"
	"testing"

	"wasmcnn/core/nn"
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
	for _, args := range [][]string{{"-mnist-copies", "0"}, {"-augment-scale", "-1"}} {
		code, _, errs := cli(append([]string{"train", "-arch", "lenet-s", "-limit", "64", "-epochs", "1", "-batch", "32", "-pen", "", "-out", t.TempDir() + "/m.onnx"}, args...)...)
		if code == 0 || !strings.Contains(errs, strings.Join(args, " ")) {
			t.Errorf("train %v: exit %d\n%s", args, code, errs)
		}
	}
}
