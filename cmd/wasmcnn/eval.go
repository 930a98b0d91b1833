package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"wasmcnn/core/ink"
	"wasmcnn/core/nn"
	"wasmcnn/core/onnx"
	"wasmcnn/data"
	"wasmcnn/internal/site"
)

// runEval measures a digit model on MNIST's test set or on a file of pen
// strokes, prints accuracy, per-class results and the confusion matrix, and
// draws pictures: the confusion matrix, the misclassified digits and, from
// the model card, the training curves.
func runEval(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	modelPath := fs.String("model", "web/models/digits.onnx", "ONNX digit model `file`")
	strokes := fs.String("strokes", "", "evaluate pen strokes from this `file` (the pen-digit JSON format) instead of MNIST")
	writers := fs.String("writers", "", "with -strokes: only these writers, like 25-30")
	fraction := fs.Float64("fraction", ink.DigitFraction, "with -strokes: size of the digit on the canvas")
	outDir := fs.String("out", "dist/eval", "`directory` for the pictures (empty: none)")
	notDigits := fs.String("notdigits", "", "with -strokes: also measure the verdict on these non-digit drawings (`file`, the notdigits command's JSON): refusals, unsure, accuracy, AUROC, calibration error and its reliability diagram")
	crossed := fs.Bool("crossed-sevens", false, "with -strokes: measure only the 7s, each drawn crossed (a bar through its stem, as much of Europe writes it)")
	record := fs.Bool("record", false, "with -notdigits: record the verdict's measurement in the model card beside the model")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *crossed && *strokes == "" {
		return fmt.Errorf("-crossed-sevens needs -strokes: the pen 7s to cross")
	}
	if *notDigits != "" && *strokes == "" {
		return fmt.Errorf("-notdigits needs -strokes: the pen digits to measure the verdict on")
	}
	m, err := onnx.LoadModelFile(*modelPath, nil)
	if err != nil {
		return err
	}
	var set *nn.Dataset
	name := "MNIST test set"
	if *strokes != "" {
		digits, err := data.LoadStrokeDigits(*strokes)
		if err != nil {
			return err
		}
		if *writers != "" {
			ws, err := parseWriters(*writers)
			if err != nil {
				return err
			}
			digits, _ = splitByWriter(digits, ws)
		}
		if *crossed {
			digits = crossedSevens(digits, 1)
		}
		set = &nn.Dataset{}
		var r ink.StrokeRenderer
		img := make([]float32, 784)
		for _, d := range digits {
			if r.Render(img, d.Strokes, float32(*fraction), ink.PenWidth) {
				set.Append(img, d.Label, fmt.Sprintf("writer %d sample %d", d.Writer, d.Sample))
			}
		}
		name = fmt.Sprintf("%d pen digits from %s", set.Len(), filepath.Base(*strokes))
		if *writers != "" {
			name += " (writers " + *writers + ")"
		}
		if *crossed {
			name += ", the 7s crossed"
		}
	} else {
		_, set, err = loadMNIST(0)
		if err != nil {
			return err
		}
	}
	if set.Len() == 0 {
		return fmt.Errorf("no digits to evaluate")
	}
	if *notDigits != "" {
		return evalNotDigits(stdout, m, *modelPath, set, *notDigits, *writers, *outDir, *record)
	}
	preds, err := classify(m, set)
	if err != nil {
		return err
	}
	var conf [10][10]int
	correct := 0
	for i, p := range preds {
		conf[set.Y[i]][p]++
		if p == set.Y[i] {
			correct++
		}
	}
	fmt.Fprintf(stdout, "%s: accuracy %.2f%% (%d of %d)\n\n", name, 100*float64(correct)/float64(set.Len()), correct, set.Len())
	printConfusion(stdout, &conf)
	if *outDir == "" {
		return nil
	}
	if err := os.MkdirAll(*outDir, 0o755); err != nil {
		return err
	}
	prefix := "mnist"
	if *strokes != "" {
		prefix = "strokes"
	}
	written := []string{}
	p := filepath.Join(*outDir, prefix+"-confusion.png")
	if err := site.WritePNG(p, drawConfusion(&conf, name)); err != nil {
		return err
	}
	written = append(written, p)
	p = filepath.Join(*outDir, prefix+"-misclassified.png")
	if err := site.WritePNG(p, drawMisclassified(set, preds, 120)); err != nil {
		return err
	}
	written = append(written, p)
	if card, err := readCard(*modelPath); err == nil && len(card.History) > 0 {
		p = filepath.Join(*outDir, "training-curves.png")
		if err := drawCurves(p, card.History); err != nil {
			return err
		}
		written = append(written, p)
	}
	fmt.Fprintf(stdout, "\npictures: %s\n", strings.Join(written, ", "))
	return nil
}

// classify runs the model over the set in batches and returns the predicted digits.
func classify(m *onnx.Model, set *nn.Dataset) ([]int, error) {
	preds := make([]int, set.Len())
	const batch = 250
	for s := 0; s < set.Len(); s += batch {
		e := min(s+batch, set.Len())
		out, err := m.Predict(set.X[s*784 : e*784])
		if err != nil {
			return nil, err
		}
		k := len(out) / (e - s)
		for i := 0; i < e-s; i++ {
			row := out[i*k : (i+1)*k]
			best := 0
			for j, v := range row {
				if v > row[best] {
					best = j
				}
			}
			preds[s+i] = best
		}
	}
	return preds, nil
}

// printConfusion prints per-class recall and precision and the matrix
// (rows: true digit, columns: predicted).
func printConfusion(w io.Writer, conf *[10][10]int) {
	fmt.Fprintln(w, "digit  recall  precision")
	for d := 0; d < 10; d++ {
		row, col := 0, 0
		for k := 0; k < 10; k++ {
			row += conf[d][k]
			col += conf[k][d]
		}
		fmt.Fprintf(w, "  %d    %6.2f%%   %6.2f%%\n", d, pct(conf[d][d], row), pct(conf[d][d], col))
	}
	fmt.Fprintln(w, "\nconfusion matrix (rows: true digit, columns: predicted)")
	fmt.Fprint(w, "      ")
	for k := 0; k < 10; k++ {
		fmt.Fprintf(w, "%6d", k)
	}
	fmt.Fprintln(w)
	for d := 0; d < 10; d++ {
		fmt.Fprintf(w, "  %d : ", d)
		for k := 0; k < 10; k++ {
			fmt.Fprintf(w, "%6d", conf[d][k])
		}
		fmt.Fprintln(w)
	}
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

// readCard reads the model card beside a model file.
func readCard(modelPath string) (*modelCard, error) {
	b, err := os.ReadFile(cardPath(modelPath))
	if err != nil {
		return nil, err
	}
	var c modelCard
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, err
	}
	return &c, nil
}
