package main

import (
	"flag"
	"fmt"
	"io"
	"slices"

	"wasmcnn/core/nn"
	"wasmcnn/core/onnx"
	"wasmcnn/data"
)

// runSoup averages the weights of models trained from the same starting
// weights with different seeds — a "model soup" (Wortsman et al., 2022):
// runs fine-tuned from one model stay in one basin, and their average reads
// better than either. It writes the average with a card that records the
// runs and measures it again on MNIST and the held-out pen writers.
func runSoup(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("soup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "web/models/digits.onnx", "model `file` to write (its card beside it)")
	pen := fs.String("pen", data.SharedPenDigitsPath(), "pen-digit strokes `file` to measure the held-out writers on")
	holdout := fs.String("pen-holdout", "25-30", "held-out pen writers")
	if err := fs.Parse(args); err != nil {
		return err
	}
	paths := fs.Args()
	if len(paths) < 2 {
		return fmt.Errorf("give two or more models to average")
	}
	var nets []*nn.ImportedNet
	var runs []string
	var first *modelCard
	for _, p := range paths {
		m, err := onnx.LoadModelFile(p, nil)
		if err != nil {
			return err
		}
		im, err := nn.ImportNet(m)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		card, err := readCard(p)
		if err != nil {
			return fmt.Errorf("%s: its card: %v", p, err)
		}
		if first == nil {
			first = card
		}
		nets = append(nets, im)
		runs = append(runs, card.Command)
	}
	avg, err := averageWeights(nets)
	if err != nil {
		return err
	}
	card := *first
	card.Soup = runs
	card.Command = cardCommand(fs, "out", "pen")
	card.History, card.Calibration, card.Verdict = nil, nil, nil
	card.TrainSeconds = 0
	_, test, err := loadMNIST(0)
	if err != nil {
		return err
	}
	b, err := nets[0].ExportONNX(avg, "", nil)
	if err != nil {
		return err
	}
	m, err := onnx.LoadModel(b, nil)
	if err != nil {
		return err
	}
	if card.Accuracy.MNISTTest, err = accuracyOf(m, test); err != nil {
		return err
	}
	card.Accuracy.PenHeldout = -1
	if *pen != "" {
		digits, err := data.LoadStrokeDigits(*pen)
		if err != nil {
			return err
		}
		ws, err := parseWriters(*holdout)
		if err != nil {
			return err
		}
		held, _ := splitByWriter(digits, ws)
		if card.Accuracy.PenHeldout, err = accuracyOf(m, renderPenDigits(held, 1, 0, 0)); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "average of %d models: MNIST test %.2f %%, pen digits of writers %s %.2f %%\n", len(nets), 100*card.Accuracy.MNISTTest, *holdout, 100*card.Accuracy.PenHeldout)
	return writeModel(avg, *out, card)
}

// averageWeights returns a copy of the first network with every weight the
// mean of the networks' (which must have the same parameters).
func averageWeights(nets []*nn.ImportedNet) (*nn.Net, error) {
	dst := nets[0].Net.Params()
	sum := make([][]float64, len(dst))
	for i, p := range dst {
		sum[i] = make([]float64, p.W.Len())
	}
	for _, im := range nets {
		ps := im.Net.Params()
		if len(ps) != len(dst) {
			return nil, fmt.Errorf("the models have different parameters")
		}
		for i, p := range ps {
			if !slices.Equal(p.W.Shape, dst[i].W.Shape) {
				return nil, fmt.Errorf("parameter %s has shapes %v and %v", p.Name, p.W.Shape, dst[i].W.Shape)
			}
			for j, v := range p.W.Data {
				sum[i][j] += float64(v)
			}
		}
	}
	out := nets[0].Net
	for i, p := range dst {
		for j := range p.W.Data {
			p.W.Data[j] = float32(sum[i][j] / float64(len(nets)))
		}
	}
	return out, nil
}
