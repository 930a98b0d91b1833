package page

import (
	"errors"
	"strconv"

	"wasmcnn/core"
)

// Teaching the page a person's handwriting (web/teach.js) fine-tunes the
// shipped model twice: once on every example, the personal model, and
// once on all but the examples [HeldOut] sets aside, to say with
// [CountRight] how the shipped and the new model read drawings neither
// learned from. The rules live here, once, and JavaScript asks for them
// (wasmcnnPage.heldOut, wasmcnnPage.countRight).

// MaxExamples bounds the examples one call judges, as teach.js bounds what
// it keeps.
const MaxExamples = 10000

// HeldOut marks the examples, given by their labels in the order they were
// taught, that the measure holds out of learning: the last quarter of each
// label's examples (rounded down), and at least one of every label taught
// twice or more, so that every digit taught twice is measured.
func HeldOut(labels []int) []bool {
	count := map[int]int{}
	for _, l := range labels {
		count[l]++
	}
	seen := map[int]int{}
	held := make([]bool, len(labels))
	for i, l := range labels {
		k := seen[l]
		seen[l]++
		out := count[l] / 4
		if out == 0 && count[l] >= 2 {
			out = 1
		}
		held[i] = k >= count[l]-out
	}
	return held
}

// CountRight counts the examples whose outputs (one row of classes values
// per example, in the order of labels) are highest at their label.
func CountRight(outputs []float32, labels []int) (int, error) {
	if len(labels) == 0 || len(outputs)%len(labels) != 0 || len(outputs) == 0 {
		return 0, errors.New("countRight: " + strconv.Itoa(len(outputs)) + " outputs are not a whole row for each of " + strconv.Itoa(len(labels)) + " labels")
	}
	classes := len(outputs) / len(labels)
	right := 0
	for i, l := range labels {
		if core.Argmax(outputs[i*classes:(i+1)*classes]) == l {
			right++
		}
	}
	return right, nil
}
