package main

import (
	"fmt"
	"io"

	"wasmcnn/core/nn"
	"wasmcnn/core/onnx"
	"wasmcnn/core/verdict"
	"wasmcnn/data"
	"wasmcnn/wasm/adapt"
	"wasmcnn/wasm/tune"
)

// The page's replayed non-digits (web/models/notdigit-replay.bin) are
// records of the shipped digits' format — a label byte, then 28×28 pixels
// from 0 to 255 — whose label is adapt.NotDigitByte: none of the ten.
const notDigitReplayLabel = adapt.NotDigitByte

// readNotDigitReplay reads a non-digit replay file into examples labelled
// nn.NotDigit, as the page's fine-tuning reads it (tune.ReadReplay).
func readNotDigitReplay(b []byte) (*nn.Dataset, error) {
	d, err := tune.ReadReplay(b)
	if err != nil {
		return nil, err
	}
	for i, y := range d.Y {
		if y != nn.NotDigit {
			return nil, fmt.Errorf("record %d has label %d, want %d (not a digit)", i, y, notDigitReplayLabel)
		}
	}
	return d, nil
}

// notDigitReplay renders drawings into the non-digit replay format.
func notDigitReplay(ds []data.Drawing) []byte {
	x, _ := renderNonDigits(ds)
	n := len(x) / 784
	b := make([]byte, 0, n*785)
	for i := 0; i < n; i++ {
		b = append(b, notDigitReplayLabel)
		for _, v := range x[i*784 : (i+1)*784] {
			b = append(b, uint8(min(max(v, 0), 1)*255+0.5))
		}
	}
	return b
}

// verdictCheck measures how fine-tuning changes the verdict: the shipped
// and the personal models' refusals of non-digits, of the taught digits and
// of the writers' other digits, summed over the writers.
type verdictCheck struct {
	nonX                           []float32
	shipRefusedNon, persRefusedNon int // summed over personal models
	models                         int
	taught, taughtRefusedShip      int
	taughtRefusedPers              int
	tested                         int
	testRefused, testUnsure        [2]int // shipped, personal
	shipRule                       verdict.Rule
}

func newVerdictCheck(shipped *onnx.Model, nonPath string) (*verdictCheck, error) {
	rule, err := verdict.FromMetadata(shipped.Metadata)
	if err != nil {
		return nil, err
	}
	non, err := data.LoadDrawings(nonPath)
	if err != nil {
		return nil, err
	}
	x, _ := renderNonDigits(non)
	return &verdictCheck{nonX: x, shipRule: rule}, nil
}

// kinds counts the verdicts of m (by the rule in its metadata) on x.
func kinds(m *onnx.Model, x []float32) (map[verdict.Kind]int, error) {
	rule, err := verdict.FromMetadata(m.Metadata)
	if err != nil {
		return nil, fmt.Errorf("the model's rule: %w", err)
	}
	rows, err := predictAll(m, x)
	if err != nil {
		return nil, err
	}
	out := map[verdict.Kind]int{}
	for _, p := range rows {
		v, err := rule.Decide(p)
		if err != nil {
			return nil, err
		}
		out[v.Kind]++
	}
	return out, nil
}

func (vc *verdictCheck) add(shipped, personal *onnx.Model, teach, test *nn.Dataset) error {
	for i, m := range []*onnx.Model{shipped, personal} {
		t, err := kinds(m, teach.X)
		if err != nil {
			return err
		}
		o, err := kinds(m, test.X)
		if err != nil {
			return err
		}
		n, err := kinds(m, vc.nonX)
		if err != nil {
			return err
		}
		vc.testRefused[i] += o[verdict.NotDigit]
		vc.testUnsure[i] += o[verdict.Unsure]
		if i == 0 {
			vc.taughtRefusedShip += t[verdict.NotDigit]
			vc.shipRefusedNon += n[verdict.NotDigit]
		} else {
			vc.taughtRefusedPers += t[verdict.NotDigit]
			vc.persRefusedNon += n[verdict.NotDigit]
		}
	}
	vc.models++
	vc.taught += teach.Len()
	vc.tested += test.Len()
	return nil
}

func (vc *verdictCheck) report(w io.Writer) {
	nonN := vc.models * len(vc.nonX) / 784
	fmt.Fprintf(w, "verdict, shipped → personal models (%d):\n", vc.models)
	fmt.Fprintf(w, "  taught digits refused as not a digit: %s → %s (%d)\n", percent(vc.taughtRefusedShip, vc.taught), percent(vc.taughtRefusedPers, vc.taught), vc.taught)
	fmt.Fprintf(w, "  the writers' other digits: not a digit %s → %s, unsure %s → %s (%d)\n",
		percent(vc.testRefused[0], vc.tested), percent(vc.testRefused[1], vc.tested), percent(vc.testUnsure[0], vc.tested), percent(vc.testUnsure[1], vc.tested), vc.tested)
	fmt.Fprintf(w, "  non-digits refused: %s → %s (%d drawings per model)\n", percent(vc.shipRefusedNon, nonN), percent(vc.persRefusedNon, nonN), len(vc.nonX)/784)
}
