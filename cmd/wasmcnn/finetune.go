package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"time"

	"wasmcnn/core/nn"
	"wasmcnn/core/onnx"
	"wasmcnn/data"
	"wasmcnn/wasm/tune"
)

// runFineTune measures fine-tuning to one person's handwriting: for each pen
// writer it teaches the model a few examples of each digit from that writer,
// then compares the shipped and the personal model on the writer's other
// digits and measures the personal model on MNIST's test set.
func runFineTune(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("finetune", flag.ContinueOnError)
	fs.SetOutput(stderr)
	modelPath := fs.String("model", "web/models/digits.onnx", "ONNX digit model `file` to start from")
	strokes := fs.String("strokes", data.SharedPenDigitsPath(), "pen strokes `file` (the pen-digit JSON format)")
	writersFlag := fs.String("writers", "25-30", "writers to fine-tune for, one personal model each, like 25-30")
	perDigit := fs.Int("per-digit", 3, "examples of each digit taught from the writer; the writer's other digits test")
	taughtDigits := fs.String("digits", "0-9", "digits taught, like 0-9 or 1,7 (the writer's other digits of every kind test)")
	repeats := fs.Int("repeats", 1, "draws of the taught examples per writer (results are averaged)")
	mnistN := fs.Int("mnist", 0, "MNIST test images to measure each personal model on (0: all 10,000; -1: none)")
	replayN := fs.Int("replay", 100, "MNIST training digits replayed while fine-tuning (0: none)")
	replayFile := fs.String("replay-file", "", "replay the digits of this `file` (the page's web/models/mnist-replay.bin) instead of the first -replay MNIST training digits")
	outDir := fs.String("out", "", "`directory` to write the personal models to, as writerW.onnx (empty: none)")
	replayNon := fs.String("replay-notdigits", "", "also replay the non-digits of this `file` (web/models/notdigit-replay.bin), so the personal model keeps refusing what is no digit")
	nonPath := fs.String("notdigits", "", "measure the verdict too: the share of these non-digit drawings (`file`, the notdigits command's JSON) refused by the shipped and each personal model, and of the writer's digits refused or unsure")
	o := nn.DefaultFineTuneOptions()
	fs.IntVar(&o.TrainLayers, "layers", o.TrainLayers, "layers with parameters trained, counted from the output")
	fs.IntVar(&o.Steps, "steps", o.Steps, "optimizer steps")
	fs.IntVar(&o.BatchSize, "batch", o.BatchSize, "the writer's examples per step")
	lr := fs.Float64("lr", float64(o.LR), "learning rate of the first step (cosine decay)")
	anchor := fs.Float64("anchor", float64(o.Anchor), "pull towards the shipped weights, λ of λ/2·‖w−w₀‖²")
	fs.IntVar(&o.Copies, "copies", o.Copies, "versions of each example: itself and copies−1 distortions")
	augScale := fs.Float64("augment", 1, "scale of the distortions (0: none; 1: the default ones)")
	fs.IntVar(&o.ReplayBatch, "replay-batch", o.ReplayBatch, "replayed MNIST digits per step")
	smoothing := fs.Float64("smoothing", float64(o.LabelSmoothing), "label smoothing")
	fs.Uint64Var(&o.Seed, "seed", o.Seed, "seed of the distortions and order")
	if err := fs.Parse(args); err != nil {
		return err
	}
	o.LR, o.Anchor, o.LabelSmoothing = float32(*lr), float32(*anchor), float32(*smoothing)
	o.Augment = o.Augment.Scaled(*augScale)
	if *perDigit < 1 || *repeats < 1 {
		return fmt.Errorf("-per-digit and -repeats must be at least 1")
	}
	if *strokes == "" {
		return fmt.Errorf("no pen strokes file: pass -strokes")
	}
	writers, err := parseWriters(*writersFlag)
	if err != nil {
		return err
	}
	labels, err := parseWriters(*taughtDigits) // the same list syntax
	if err != nil {
		return err
	}
	for d := range labels {
		if d < 0 || d > 9 {
			return fmt.Errorf("-digits: %d is not a digit", d)
		}
	}
	shipped, err := onnx.LoadModelFile(*modelPath, nil)
	if err != nil {
		return err
	}
	if _, err := nn.ImportNet(shipped); err != nil {
		return err
	}
	digits, err := data.LoadStrokeDigits(*strokes)
	if err != nil {
		return err
	}
	var mnistTest *nn.Dataset
	if *replayFile != "" {
		b, err := os.ReadFile(*replayFile)
		if err != nil {
			return err
		}
		if o.Replay, err = tune.ReadReplay(b); err != nil {
			return fmt.Errorf("%s: %w", *replayFile, err)
		}
		*replayN = 0
		fmt.Fprintf(stdout, "replay set: %d digits of %s (%d bytes)\n", o.Replay.Len(), *replayFile, len(b))
	}
	if *mnistN >= 0 || *replayN > 0 {
		train, test, err := loadMNIST(0)
		if err != nil {
			return err
		}
		if *mnistN >= 0 {
			mnistTest = firstExamples(test, *mnistN)
		}
		if *replayN > 0 {
			o.Replay = balancedExamples(train, *replayN)
			fmt.Fprintf(stdout, "replay set: %d MNIST training digits, %d bytes as 8-bit pixels and labels\n", o.Replay.Len(), o.Replay.Len()*(784+1))
		}
	}
	if *replayNon != "" {
		b, err := os.ReadFile(*replayNon)
		if err != nil {
			return err
		}
		non, err := readNotDigitReplay(b)
		if err != nil {
			return fmt.Errorf("%s: %w", *replayNon, err)
		}
		if o.Replay == nil {
			o.Replay = &nn.Dataset{}
		}
		o.Replay = concat(o.Replay, non)
		fmt.Fprintf(stdout, "replay set: and %d non-digits of %s\n", non.Len(), *replayNon)
	}
	if o.Replay == nil {
		o.ReplayBatch = 0
	}
	var vc *verdictCheck
	if *nonPath != "" {
		if vc, err = newVerdictCheck(shipped, *nonPath); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "options: layers %d, steps %d, batch %d+%d replayed, lr %g, anchor %g, copies %d, augment ×%g, smoothing %g, seed %d\n",
		o.TrainLayers, o.Steps, o.BatchSize, o.ReplayBatch, o.LR, o.Anchor, o.Copies, *augScale, o.LabelSmoothing, o.Seed)
	baseMNIST := -1.0
	if mnistTest != nil {
		if baseMNIST, err = accuracyOf(shipped, mnistTest); err != nil {
			return err
		}
	}

	ids := make([]int, 0, len(writers))
	for w := range writers {
		ids = append(ids, w)
	}
	sort.Ints(ids)
	if *repeats > 1 {
		fmt.Fprintf(stdout, "\ncounts are sums over %d draws of the taught digits; MNIST is the lowest of the writer's models", *repeats)
	}
	fmt.Fprintf(stdout, "\n%-7s %6s %7s %16s %16s %8s %10s %9s\n", "writer", "taught", "tested", "error before", "error after", "change", "MNIST", "seconds")
	var rows []fineTuneRow
	var times []float64
	minMNIST := math.Inf(1)
	for _, w := range ids {
		var mine []data.StrokeDigit
		for _, d := range digits {
			if d.Writer == w {
				mine = append(mine, d)
			}
		}
		if len(mine) == 0 {
			return fmt.Errorf("writer %d has no digits in %s", w, *strokes)
		}
		row := fineTuneRow{writer: w, mnist: math.Inf(1)}
		for rep := 0; rep < *repeats; rep++ {
			teach, test := pickTeaching(mine, labels, *perDigit, rand.New(rand.NewPCG(uint64(w), uint64(rep))))
			teachSet, testSet := renderPenDigits(teach, 1, 0, 0), renderPenDigits(test, 1, 0, 0)
			before, err := errorsOf(shipped, testSet)
			if err != nil {
				return err
			}
			start := time.Now()
			ft, err := nn.FineTuneModel(context.Background(), shipped, teachSet.X, teachSet.Y, o, nil)
			if err != nil {
				return fmt.Errorf("writer %d: %w", w, err)
			}
			times = append(times, time.Since(start).Seconds())
			personal, b := ft.Model, ft.ONNX
			after, err := errorsOf(personal, testSet)
			if err != nil {
				return err
			}
			if vc != nil {
				if err := vc.add(shipped, personal, teachSet, testSet); err != nil {
					return err
				}
			}
			if mnistTest != nil {
				acc, err := accuracyOf(personal, mnistTest)
				if err != nil {
					return err
				}
				row.mnist = min(row.mnist, acc)
			}
			row.taught += teachSet.Len()
			row.tested += testSet.Len()
			row.before += before
			row.after += after
			if *outDir != "" && rep == 0 {
				if err := os.MkdirAll(*outDir, 0o755); err != nil {
					return err
				}
				if err := os.WriteFile(filepath.Join(*outDir, fmt.Sprintf("writer%d.onnx", w)), b, 0o644); err != nil {
					return err
				}
			}
		}
		rows = append(rows, row)
		minMNIST = min(minMNIST, row.mnist)
		fmt.Fprintf(stdout, "%-7d %6d %7d %16s %16s %+7.2f%s %10s %9.2f\n", w, row.taught, row.tested,
			errCell(row.before, row.tested), errCell(row.after, row.tested), 100*(row.rate(row.after)-row.rate(row.before)), "pt",
			pctCell(row.mnist), times[len(times)-1])
	}
	var meanBefore, meanAfter, worst float64
	worst = math.Inf(-1)
	for _, r := range rows {
		meanBefore += r.rate(r.before) / float64(len(rows))
		meanAfter += r.rate(r.after) / float64(len(rows))
		worst = max(worst, r.rate(r.after)-r.rate(r.before))
	}
	fmt.Fprintf(stdout, "\nmean error on the writers' other digits: %.2f%% before, %.2f%% after", 100*meanBefore, 100*meanAfter)
	if meanBefore > 0 {
		fmt.Fprintf(stdout, " (%.0f%% lower)", 100*(1-meanAfter/meanBefore))
	}
	fmt.Fprintf(stdout, "\nworst change of one writer: %+.2f points\n", 100*worst)
	if mnistTest != nil {
		fmt.Fprintf(stdout, "MNIST test accuracy (%d images): shipped %.2f%%, lowest personal model %.2f%%\n", mnistTest.Len(), 100*baseMNIST, 100*minMNIST)
	}
	if vc != nil {
		vc.report(stdout)
	}
	fmt.Fprintf(stdout, "fine-tuning time (native, one thread; import, train, export, load): median %.2f s, max %.2f s over %d runs\n", medianOf(slices.Clone(times)), slices.Max(times), len(times))
	return nil
}

// fineTuneRow sums one writer's results over the repeats.
type fineTuneRow struct {
	writer, taught, tested, before, after int
	mnist                                 float64
}

func (r fineTuneRow) rate(errs int) float64 { return float64(errs) / float64(max(1, r.tested)) }

func errCell(errs, n int) string {
	return fmt.Sprintf("%d (%.2f%%)", errs, 100*float64(errs)/float64(max(1, n)))
}

func pctCell(v float64) string {
	if math.IsInf(v, 0) {
		return "n/a"
	}
	return fmt.Sprintf("%.2f%%", 100*v)
}

// pickTeaching draws k digits of each label in labels to teach; the rest test.
func pickTeaching(digits []data.StrokeDigit, labels writerSet, k int, r *rand.Rand) (teach, test []data.StrokeDigit) {
	byLabel := map[int][]int{}
	for i, d := range digits {
		byLabel[d.Label] = append(byLabel[d.Label], i)
	}
	taught := map[int]bool{}
	for label := 0; label < 10; label++ {
		if !labels[label] {
			continue
		}
		idx := byLabel[label]
		r.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		for _, i := range idx[:min(k, len(idx))] {
			taught[i] = true
		}
	}
	for i, d := range digits {
		if taught[i] {
			teach = append(teach, d)
		} else {
			test = append(test, d)
		}
	}
	return teach, test
}

// errorsOf counts the examples of set that m reads wrong.
func errorsOf(m *onnx.Model, set *nn.Dataset) (int, error) {
	preds, err := classify(m, set)
	if err != nil {
		return 0, err
	}
	wrong := 0
	for i, p := range preds {
		if p != set.Y[i] {
			wrong++
		}
	}
	return wrong, nil
}

func accuracyOf(m *onnx.Model, set *nn.Dataset) (float64, error) {
	wrong, err := errorsOf(m, set)
	return 1 - float64(wrong)/float64(max(1, set.Len())), err
}

// firstExamples returns the first n examples of d (all of them for n = 0).
func firstExamples(d *nn.Dataset, n int) *nn.Dataset {
	if n <= 0 || n >= d.Len() {
		return d
	}
	return &nn.Dataset{X: d.X[:n*784], Y: d.Y[:n]}
}

// balancedExamples returns the first n/10 examples of each digit of d, in
// the order they come.
func balancedExamples(d *nn.Dataset, n int) *nn.Dataset {
	out := &nn.Dataset{}
	var count [10]int
	per := (n + 9) / 10
	for i := 0; i < d.Len() && out.Len() < n; i++ {
		if y := d.Y[i]; count[y] < per {
			count[y]++
			out.Append(d.Image(i), y, "")
		}
	}
	return out
}
