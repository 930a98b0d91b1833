package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"wasmcnn/core"
	"wasmcnn/core/nn"
	"wasmcnn/core/onnx"
	"wasmcnn/data"
)

// trainData records how the training set was made, in checkpoints and the
// model card.
type trainData struct {
	MNISTLimit int `json:"mnist_limit,omitempty"`
	// MNISTCopies is how often each MNIST training image is in an epoch
	// (0 or 1: once). The pen digits and non-digits outnumber MNIST in
	// the mix; copies give MNIST back its weight, each pass augmented anew.
	MNISTCopies int `json:"mnist_copies,omitempty"`
	// MNISTValidation is how many of the last MNIST training images are
	// kept out of training to choose models by, so that MNIST's test set
	// only measures.
	MNISTValidation int    `json:"mnist_validation,omitempty"`
	PenFile         string `json:"pen_file,omitempty"`
	PenHoldout      string `json:"pen_holdout_writers,omitempty"`
	PenCopies       int    `json:"pen_copies"`
	// PenJitter is the strength of the pen-like distortion of every
	// rendering of a pen digit but the first (0: none).
	PenJitter float64 `json:"pen_jitter,omitempty"`
	// PenCrossedSevens is how many renderings of each training 7, drawn
	// crossed, join the pen digits.
	PenCrossedSevens int `json:"pen_crossed_sevens,omitempty"`
	TrainExamples    int `json:"train_examples"`
	PenTrainDigits   int `json:"pen_train_digits"`
	PenTestDigits    int `json:"pen_test_digits"`
	// PenExclude are writers kept out of training but not tested on: the
	// calibration's validation writers.
	PenExclude string `json:"pen_exclude_writers,omitempty"`
	// From is the model whose weights training started from ("" for a
	// fresh initialisation).
	From string `json:"from,omitempty"`
	// NotDigitFile holds the non-digit drawings trained on, labelled
	// nn.NotDigit; NotDigits counts their renderings.
	NotDigitFile   string `json:"not_digit_file,omitempty"`
	NotDigitCopies int    `json:"not_digit_copies,omitempty"`
	NotDigits      int    `json:"not_digits,omitempty"`
}

// runTrain trains a digit model and writes it as ONNX with its model card.
func runTrain(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := nn.TrainConfig{Augment: nn.DefaultAugment}
	fs.StringVar(&cfg.Arch, "arch", "digits-v1", "network architecture")
	fs.IntVar(&cfg.Epochs, "epochs", 12, "passes over the training set")
	fs.IntVar(&cfg.BatchSize, "batch", 128, "examples per step")
	fs.StringVar(&cfg.Optimizer, "optimizer", "adam", "adam (AdamW) or sgd")
	lr := fs.Float64("lr", 3e-3, "peak learning rate (one-cycle schedule)")
	wd := fs.Float64("wd", 0.05, "weight decay (decoupled, scaled by the learning rate)")
	mom := fs.Float64("momentum", 0.9, "SGD momentum")
	smooth := fs.Float64("smoothing", 0.05, "label smoothing")
	warm := fs.Float64("warmup", 0.15, "fraction of steps spent warming up")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "random seed: initialisation, order, augmentation")
	fs.IntVar(&cfg.Workers, "workers", runtime.NumCPU(), "goroutines sharing each batch")
	noAug := fs.Bool("no-augment", false, "train without distortions")
	augScale := fs.Float64("augment-scale", 1, "strength of the distortions: 1 the default, 0.5 half as strong, 0 none")
	limit := fs.Int("limit", 0, "use only the first N MNIST training images (quick runs)")
	mnistCopies := fs.Int("mnist-copies", 1, "times each MNIST training image is in an epoch")
	mnistVal := fs.Int("mnist-validation", 0, "keep the last N MNIST training images out of training and measure every epoch on them (to choose models by; 0: none)")
	penFile := fs.String("pen", data.SharedPenDigitsPath(), "pen-digit strokes `file` to train on too (empty: none)")
	holdout := fs.String("pen-holdout", "25-30", "pen-digit writers kept out of training, to measure accuracy on")
	copies := fs.Int("pen-copies", 3, "renderings of each training pen digit")
	jitter := fs.Float64("pen-jitter", 0, "strength of the hand-like distortion (rotation, shear, aspect, warp, strokes moved) of every rendering of a pen digit but the first: 1 is a person's variation, 0 none")
	crossedCopies := fs.Int("pen-crossed-sevens", 0, "renderings of each training pen 7 drawn crossed (a bar through its stem, as much of Europe writes it), beside its -pen-copies")
	exclude := fs.String("pen-exclude", "", "pen-digit writers kept out of training and testing both, such as the calibration's 21-24")
	from := fs.String("from", "", "start from the weights of this ONNX `model` (of the same architecture) rather than from scratch")
	notDigits := fs.String("notdigits", "", "non-digit drawings `file` (the notdigits command's train.json) to train on as not a digit (outlier exposure)")
	notDigitCopies := fs.Int("notdigit-copies", 1, "renderings of each non-digit drawing")
	out := fs.String("out", "web/models/digits.onnx", "model `file` to write (the card goes beside it, .json)")
	ckpt := fs.String("checkpoint", "", "checkpoint `file` (default: the model file + .ckpt)")
	resume := fs.Bool("resume", false, "continue from the checkpoint")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg.LR, cfg.WeightDecay, cfg.Momentum = float32(*lr), float32(*wd), float32(*mom)
	cfg.LabelSmoothing, cfg.Warmup = float32(*smooth), float32(*warm)
	if *augScale < 0 {
		return fmt.Errorf("-augment-scale %g: give 0 or more", *augScale)
	}
	if *mnistCopies < 1 {
		return fmt.Errorf("-mnist-copies %d: give 1 or more", *mnistCopies)
	}
	if *crossedCopies < 0 {
		return fmt.Errorf("-pen-crossed-sevens %d: give 0 or more", *crossedCopies)
	}
	if *mnistVal < 0 {
		return fmt.Errorf("-mnist-validation %d: give 0 or more", *mnistVal)
	}
	cfg.Augment = cfg.Augment.Scaled(*augScale)
	if *noAug {
		cfg.Augment = nn.Augment{ScaleMin: 1, ScaleMax: 1}
	}
	if *ckpt == "" {
		*ckpt = *out + ".ckpt"
	}
	for _, p := range []string{*out, *ckpt} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
	}
	td := trainData{MNISTLimit: *limit, MNISTCopies: *mnistCopies, MNISTValidation: *mnistVal, PenFile: *penFile, PenHoldout: *holdout, PenCopies: *copies, PenJitter: *jitter, PenCrossedSevens: *crossedCopies,
		PenExclude: *exclude, From: *from, NotDigitFile: *notDigits, NotDigitCopies: *notDigitCopies}
	if *resume {
		c, extra, err := nn.ReadCheckpointConfig(*ckpt)
		if err != nil {
			return err
		}
		cfg = c
		if err := json.Unmarshal(extra, &td); err != nil {
			return fmt.Errorf("checkpoint data settings: %v", err)
		}
		fmt.Fprintf(stderr, "resuming from %s\n", *ckpt)
	}

	fmt.Fprintln(stderr, "loading MNIST…")
	train, test, err := loadMNIST(td.MNISTLimit)
	if err != nil {
		return err
	}
	var val *nn.Dataset
	if td.MNISTValidation > 0 {
		if td.MNISTValidation >= train.Len() {
			return fmt.Errorf("-mnist-validation %d: MNIST has only %d training images here", td.MNISTValidation, train.Len())
		}
		train, val = splitLast(train, td.MNISTValidation)
	}
	train = repeatDataset(train, td.MNISTCopies)
	var penTest *nn.Dataset
	if td.PenFile != "" {
		digits, err := data.LoadStrokeDigits(td.PenFile)
		if err != nil {
			return err
		}
		held, err := parseWriters(td.PenHoldout)
		if err != nil {
			return err
		}
		testDigits, trainDigits := splitByWriter(digits, held)
		if td.PenExclude != "" {
			ex, err := parseWriters(td.PenExclude)
			if err != nil {
				return err
			}
			_, trainDigits = splitByWriter(trainDigits, ex)
		}
		fmt.Fprintf(stderr, "rendering %d pen digits ×%d for training, %d of held-out writers %s for testing…\n", len(trainDigits), td.PenCopies, len(testDigits), td.PenHoldout)
		if td.PenCopies > 0 {
			train = concat(train, renderPenDigits(trainDigits, td.PenCopies, cfg.Seed, td.PenJitter))
		}
		if td.PenCrossedSevens > 0 {
			crossed := crossedSevens(trainDigits, cfg.Seed)
			fmt.Fprintf(stderr, "rendering %d crossed 7s ×%d…\n", len(crossed), td.PenCrossedSevens)
			train = concat(train, renderPenDigits(crossed, td.PenCrossedSevens, cfg.Seed+1, td.PenJitter))
		}
		penTest = renderPenDigits(testDigits, 1, 0, 0)
		td.PenTrainDigits, td.PenTestDigits = len(trainDigits), len(testDigits)
	}
	if td.NotDigitFile != "" {
		non, err := data.LoadDrawings(td.NotDigitFile)
		if err != nil {
			return err
		}
		x, _ := renderDrawings(non, td.NotDigitCopies, cfg.Seed, 0)
		n := len(x) / 784
		fmt.Fprintf(stderr, "rendering %d non-digit drawings ×%d…\n", len(non), td.NotDigitCopies)
		train.X = append(train.X, x...)
		for range n {
			train.Y = append(train.Y, nn.NotDigit)
		}
		td.NotDigits = n
	}
	td.TrainExamples = train.Len()

	net, err := nn.NewDigitNet(cfg.Arch)
	if err != nil {
		return err
	}
	var start0 *nn.Net
	if td.From != "" {
		m, err := onnx.LoadModelFile(td.From, nil)
		if err != nil {
			return err
		}
		// Two imports: the trainer initialises the network it is given,
		// the other keeps the weights to start from. The imported network
		// has its normalisations folded into the convolutions: it is
		// trained as it is.
		var ims [2]*nn.ImportedNet
		for i := range ims {
			if ims[i], err = nn.ImportNet(m); err != nil {
				return err
			}
		}
		net, start0 = ims[0].Net, ims[1].Net
	}
	tr, err := nn.NewTrainer(net, cfg, train.Len())
	if err != nil {
		return err
	}
	if start0 != nil {
		if err := tr.StartFrom(start0); err != nil {
			return err
		}
	}
	if *resume {
		if err := tr.LoadCheckpoint(*ckpt); err != nil {
			return err
		}
	}
	fmt.Fprintf(stderr, "%s: %d parameters, %d multiply-accumulates per image; %d training examples, %s, %d workers\n",
		cfg.Arch, net.ParamCount(), net.MACs(), train.Len(), tr.Opt.Name(), cfg.Workers)
	start := time.Now()
	steps := train.Len() / cfg.BatchSize
	valAcc := 0.0
	for tr.Epoch < cfg.Epochs {
		epoch := tr.Epoch + 1
		bar := progressbar.NewOptions(steps,
			progressbar.OptionSetWriter(stderr),
			progressbar.OptionSetDescription(fmt.Sprintf("epoch %d/%d", epoch, cfg.Epochs)),
			progressbar.OptionShowCount(),
			progressbar.OptionSetWidth(24),
			progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionFullWidth(),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(stderr) }),
		)
		epochStart := time.Now()
		st, err := tr.TrainEpoch(train, test, func(done, total int, loss, acc float64) {
			el := time.Since(epochStart).Seconds()
			ips := float64(done*cfg.BatchSize) / el
			left := time.Duration(float64(time.Second) * (float64(total-done) + float64(total*(cfg.Epochs-epoch))) * el / float64(done))
			bar.Describe(fmt.Sprintf("epoch %d/%d loss %.4f acc %.2f%% %.0f img/s, %s left", epoch, cfg.Epochs, loss, 100*acc, ips, left.Round(time.Second)))
			_ = bar.Set(done)
		})
		if err != nil {
			return err
		}
		_ = bar.Finish()
		fmt.Fprintf(stderr, "epoch %d: loss %.4f, train %.2f%%, MNIST test %.2f%%, %.0f img/s, %.0fs\n",
			st.Epoch, st.Loss, 100*st.TrainAcc, 100*st.TestAcc, st.ImagesPerSec, st.Seconds)
		if val != nil {
			if valAcc, _, err = tr.Evaluate(val); err != nil {
				return err
			}
			fmt.Fprintf(stderr, "epoch %d: MNIST validation %.2f%% (%d training images held out)\n", st.Epoch, 100*valAcc, val.Len())
		}
		if err := tr.SaveCheckpoint(*ckpt, td); err != nil {
			return fmt.Errorf("saving checkpoint: %v", err)
		}
	}
	mnistAcc := tr.History[len(tr.History)-1].TestAcc
	penAcc := -1.0
	if penTest != nil && penTest.Len() > 0 {
		if penAcc, _, err = tr.Evaluate(penTest); err != nil {
			return err
		}
	}
	penMsg := "no pen digits held out"
	if penAcc >= 0 {
		penMsg = fmt.Sprintf("pen digits of held-out writers %s: %.2f%%", td.PenHoldout, 100*penAcc)
	}
	fmt.Fprintf(stderr, "trained in %s: MNIST test %.2f%%, %s\n", time.Since(start).Round(time.Second), 100*mnistAcc, penMsg)
	card := modelCard{
		Name:         strings.TrimSuffix(filepath.Base(*out), filepath.Ext(*out)),
		Version:      core.Version,
		Architecture: cfg.Arch,
		Description:  describeNet(net),
		Parameters:   net.ParamCount(),
		MACs:         net.MACs(),
		Input:        "[N, 1, 28, 28] float32, 0..1, white ink on black, MNIST-style preprocessing",
		Output:       "[N, 10] probabilities of the digits 0-9",
		Command:      cardCommand(fs, "out", "pen", "checkpoint", "from", "notdigits"),
		Seed:         cfg.Seed,
		Config:       cfg,
		Data:         cardData(td),
		Accuracy:     accuracy{MNISTTest: mnistAcc, PenHeldout: penAcc, MNISTValidation: valAcc},
		History:      tr.History,
		Date:         time.Now().UTC().Format("2006-01-02"),
		TrainSeconds: time.Since(start).Seconds(),
	}
	return writeModel(net, *out, card)
}

// cardCommand is the command that trained a model, as the card records it:
// the flags given, with the files of pathFlags relative to the repository.
func cardCommand(fs *flag.FlagSet, pathFlags ...string) string {
	parts := []string{"wasmcnn", fs.Name()}
	fs.Visit(func(f *flag.Flag) {
		v := f.Value.String()
		for _, p := range pathFlags {
			if f.Name == p {
				v = repoRelative(v)
			}
		}
		parts = append(parts, "-"+f.Name, v)
	})
	return strings.Join(parts, " ")
}

// cardData is td with its file relative to the repository.
func cardData(td trainData) trainData {
	for _, p := range []*string{&td.PenFile, &td.From, &td.NotDigitFile} {
		if *p != "" {
			*p = repoRelative(*p)
		}
	}
	return td
}

// repoRelative returns path relative to the repository root (the nearest
// directory at or above the working directory holding go.mod), with forward
// slashes, so that a model card reads the same on every machine. A path it
// cannot relate is returned as it is.
func repoRelative(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return path
	}
	dir, err := os.Getwd()
	if err != nil {
		return path
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return path
		}
		dir = parent
	}
	rel, err := filepath.Rel(dir, abs)
	if err != nil {
		return path
	}
	return filepath.ToSlash(rel)
}

// describeNet lists the layers, for the model card.
func describeNet(n *nn.Net) string {
	var parts []string
	for _, l := range n.Layers {
		parts = append(parts, l.Kind())
	}
	return strings.Join(parts, " → ")
}

// modelCard is the JSON written beside a trained model.
type modelCard struct {
	Name         string          `json:"name"`
	Version      string          `json:"version"`
	Architecture string          `json:"architecture"`
	Description  string          `json:"layers"`
	Parameters   int             `json:"parameters"`
	MACs         int64           `json:"macs_per_image"`
	Input        string          `json:"input"`
	Output       string          `json:"output"`
	Command      string          `json:"training_command"`
	Seed         uint64          `json:"seed"`
	Config       nn.TrainConfig  `json:"config"`
	Data         trainData       `json:"data"`
	Accuracy     accuracy        `json:"accuracy"`
	History      []nn.EpochStats `json:"history"`
	Date         string          `json:"date"`
	TrainSeconds float64         `json:"train_seconds"`
	// Calibration is how the verdict rule was chosen (the calibrate
	// command), Verdict how it was measured (the eval command's -record).
	Calibration *calibrationRecord `json:"calibration,omitempty"`
	// Soup holds the training commands of the runs whose weights were
	// averaged into this model (the soup command); empty for one run.
	Soup    []string       `json:"soup,omitempty"`
	Verdict *verdictReport `json:"verdict,omitempty"`
}

type accuracy struct {
	MNISTTest  float64 `json:"mnist_test"`
	PenHeldout float64 `json:"pen_heldout_writers"`
	// MNISTValidation is the accuracy on the MNIST training images kept
	// out of training (train's -mnist-validation) after the last epoch.
	MNISTValidation float64 `json:"mnist_validation,omitempty"`
}

// writeModel exports net as ONNX (with a softmax at the end, so the model
// outputs probabilities) and writes its card beside it.
func writeModel(net *nn.Net, path string, card modelCard) error {
	withSoftmax, err := nn.NewNet(net.In, append(append([]nn.Layer(nil), net.Layers...), &nn.SoftmaxLayer{Name: "probabilities"})...)
	if err != nil {
		return err
	}
	cj, err := json.MarshalIndent(card, "", "  ")
	if err != nil {
		return err
	}
	b, err := withSoftmax.ExportONNX(nn.ExportOptions{
		OutputName: "probabilities",
		Doc:        fmt.Sprintf("wasmcnn digit classifier %s (%s): MNIST test %.2f%%", card.Name, card.Architecture, 100*card.Accuracy.MNISTTest),
		Metadata:   [][2]string{{"model_card", string(cj)}},
	})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(cardPath(path), append(cj, '\n'), 0o644); err != nil {
		return err
	}
	if card.Parameters == 0 {
		return errors.New("the model has no parameters")
	}
	return nil
}

// cardPath is where the card of the model at modelPath lives: beside it,
// .json for .onnx.
func cardPath(modelPath string) string {
	return strings.TrimSuffix(modelPath, filepath.Ext(modelPath)) + ".json"
}

// writeCard writes a model card beside its model.
func writeCard(modelPath string, card *modelCard) error {
	cj, err := json.MarshalIndent(card, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(cardPath(modelPath), append(cj, '\n'), 0o644)
}
