package nn

import (
	"errors"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"wasmcnn/internal/fmtlite"

	"wasmcnn/core"
	"wasmcnn/core/ink"
)

// TrainConfig configures a [Trainer]. It is saved in checkpoints and in the
// model card, so a run can be resumed and reproduced.
type TrainConfig struct {
	Arch           string  `json:"arch"`       // network architecture, a key of DigitArchs
	Epochs         int     `json:"epochs"`     // passes over the training set
	BatchSize      int     `json:"batch_size"` // examples per optimizer step
	Optimizer      string  `json:"optimizer"`  // "adam" (AdamW) or "sgd" (with momentum)
	LR             float32 `json:"lr"`         // peak learning rate of the one-cycle schedule
	Momentum       float32 `json:"momentum"`   // SGD only
	WeightDecay    float32 `json:"weight_decay"`
	Warmup         float32 `json:"warmup"`          // fraction of the steps spent warming up
	LabelSmoothing float32 `json:"label_smoothing"` // mass spread over all classes
	Seed           uint64  `json:"seed"`            // initialisation, shuffling, augmentation
	Workers        int     `json:"workers"`         // goroutines sharing each batch
	Augment        Augment `json:"augment"`
}

// EpochStats records one epoch of training.
type EpochStats struct {
	Epoch        int     `json:"epoch"`
	Loss         float64 `json:"loss"`
	TrainAcc     float64 `json:"train_acc"`
	TestAcc      float64 `json:"test_acc"` // −1 when not measured
	LR           float64 `json:"lr"`       // at the end of the epoch
	Seconds      float64 `json:"seconds"`
	ImagesPerSec float64 `json:"images_per_sec"`
}

// Trainer runs mini-batch training of a [Net] on a [Dataset]. Each batch is
// split across Workers goroutines, each with a replica of the network; the
// replicas' gradients are summed in a fixed order, so a fixed seed gives the
// same model whatever the scheduling.
type Trainer struct {
	Net     *Net
	Opt     Optimizer
	Cfg     TrainConfig
	Epoch   int // epochs completed
	Step    int // optimizer steps taken
	History []EpochStats

	sched   OneCycle
	workers []*trainWorker
}

type trainWorker struct {
	net     *Net
	x, dl   *core.Tensor
	labels  []int
	tmp     []float32
	loss    float64
	correct int
}

// NewTrainer prepares training of net for cfg on a training set of
// trainSize examples, and initialises the weights from cfg.Seed.
func NewTrainer(net *Net, cfg TrainConfig, trainSize int) (*Trainer, error) {
	if cfg.BatchSize < 1 || cfg.Epochs < 1 || cfg.LR <= 0 {
		return nil, fmtlite.Errorf("nn: training needs batch size, epochs and learning rate > 0 (got %d, %d, %g)", cfg.BatchSize, cfg.Epochs, cfg.LR)
	}
	if trainSize < cfg.BatchSize {
		return nil, fmtlite.Errorf("nn: %d training examples, fewer than one batch of %d", trainSize, cfg.BatchSize)
	}
	cfg.Workers = max(1, min(cfg.Workers, cfg.BatchSize))
	t := &Trainer{Net: net, Cfg: cfg}
	switch cfg.Optimizer {
	case "adam", "":
		t.Opt = NewAdam(cfg.WeightDecay)
	case "sgd":
		t.Opt = &SGD{Momentum: cfg.Momentum, WeightDecay: cfg.WeightDecay}
	default:
		return nil, fmtlite.Errorf("nn: unknown optimizer %q (want adam or sgd)", cfg.Optimizer)
	}
	t.sched = OneCycle{Max: cfg.LR, Warmup: cfg.Warmup, Steps: cfg.Epochs * (trainSize / cfg.BatchSize)}
	net.Init(rand.New(rand.NewPCG(cfg.Seed, 1)))
	for w := 0; w < cfg.Workers; w++ {
		t.workers = append(t.workers, &trainWorker{net: net.Replica(), tmp: make([]float32, ink.FieldSize*ink.FieldSize)})
	}
	return t, nil
}

// LR returns the learning rate of the next step.
func (t *Trainer) LR() float32 { return t.sched.At(t.Step) }

// Progress receives the state of an epoch after each batch.
type Progress func(done, total int, loss, acc float64)

// TrainEpoch runs one pass over train in a shuffled order, one optimizer
// step per full batch (a last partial batch is left out), and returns the
// epoch's statistics. If test is not nil its accuracy is measured after.
func (t *Trainer) TrainEpoch(train, test *Dataset, progress Progress) (EpochStats, error) {
	if err := train.Check(); err != nil {
		return EpochStats{}, err
	}
	if t.Epoch >= t.Cfg.Epochs {
		return EpochStats{}, errors.New("nn: all epochs are done")
	}
	start := time.Now()
	bs := t.Cfg.BatchSize
	n := train.Len()
	steps := n / bs
	perm := rand.New(rand.NewPCG(t.Cfg.Seed, uint64(t.Epoch)+2)).Perm(n)
	var lossSum float64
	var correct, seen int
	params := t.Net.Params()
	workerParams := make([][]Param, len(t.workers))
	for w, tw := range t.workers {
		workerParams[w] = tw.net.Params()
	}
	for s := 0; s < steps; s++ {
		batch := perm[s*bs : (s+1)*bs]
		var wg sync.WaitGroup
		for w, tw := range t.workers {
			lo, hi := w*bs/len(t.workers), (w+1)*bs/len(t.workers)
			wg.Add(1)
			go func() {
				defer wg.Done()
				tw.trainChunk(train, batch[lo:hi], bs, t.Epoch, t.Cfg)
			}()
		}
		wg.Wait()
		// Sum the replicas' gradients in worker order, so the result does not
		// depend on which goroutine finished first.
		for i, p := range params {
			copy(p.DW.Data, workerParams[0][i].DW.Data)
			for w := 1; w < len(t.workers); w++ {
				for k, v := range workerParams[w][i].DW.Data {
					p.DW.Data[k] += v
				}
			}
		}
		t.Opt.Step(params, t.sched.At(t.Step))
		t.Step++
		t.syncBatchNorm()
		for _, tw := range t.workers {
			lossSum += tw.loss * float64(len(tw.labels))
			correct += tw.correct
			seen += len(tw.labels)
		}
		if progress != nil {
			progress(s+1, steps, lossSum/float64(seen), float64(correct)/float64(seen))
		}
	}
	t.Epoch++
	st := EpochStats{
		Epoch: t.Epoch, Loss: lossSum / float64(seen), TrainAcc: float64(correct) / float64(seen),
		TestAcc: -1, LR: float64(t.sched.At(max(0, t.Step-1))),
	}
	st.Seconds = time.Since(start).Seconds()
	st.ImagesPerSec = float64(seen) / st.Seconds
	if test != nil {
		acc, _, err := t.Evaluate(test)
		if err != nil {
			return st, err
		}
		st.TestAcc = acc
	}
	t.History = append(t.History, st)
	return st, nil
}

// trainChunk runs forward and backward on the examples idx of a batch of
// size bs: the gradient of the batch's mean loss, for this chunk.
func (tw *trainWorker) trainChunk(d *Dataset, idx []int, bs, epoch int, cfg TrainConfig) {
	const px = ink.FieldSize * ink.FieldSize
	m := len(idx)
	if tw.x == nil || tw.x.Shape[0] != m {
		tw.x = core.NewTensor(m, 1, ink.FieldSize, ink.FieldSize)
		tw.dl = core.NewTensor(m, 10)
		tw.labels = make([]int, m)
	}
	for i, k := range idx {
		// One generator per example and epoch: the same distortion whichever
		// worker draws it.
		r := rand.New(rand.NewPCG(cfg.Seed^0x5eed, uint64(epoch)<<32|uint64(k)))
		cfg.Augment.Apply(tw.x.Data[i*px:(i+1)*px], d.Image(k), tw.tmp, r)
		tw.labels[i] = d.Y[k]
	}
	tw.net.ZeroGrad()
	out, err := tw.net.Forward(tw.x, true)
	if err != nil {
		panic(err) // the shapes were checked when the trainer was built
	}
	tw.loss, tw.correct = SoftmaxCrossEntropy(tw.dl.Data, out.Data, tw.labels, out.Shape[1], cfg.LabelSmoothing)
	scale := float32(m) / float32(bs)
	for i := range tw.dl.Data {
		tw.dl.Data[i] *= scale
	}
	tw.net.Backward(tw.dl)
}

// syncBatchNorm averages the replicas' running statistics into the network
// and hands the average back to every replica.
func (t *Trainer) syncBatchNorm() {
	for li, l := range t.Net.Layers {
		bn, ok := l.(*BatchNormLayer)
		if !ok {
			continue
		}
		for c := range bn.Mean {
			var m, v float32
			for _, tw := range t.workers {
				r := tw.net.Layers[li].(*BatchNormLayer)
				m += r.Mean[c]
				v += r.Var[c]
			}
			bn.Mean[c], bn.Var[c] = m/float32(len(t.workers)), v/float32(len(t.workers))
		}
		for _, tw := range t.workers {
			r := tw.net.Layers[li].(*BatchNormLayer)
			copy(r.Mean, bn.Mean)
			copy(r.Var, bn.Var)
		}
	}
}

// Evaluate classifies every example of d with the network in inference
// mode, spread over the workers, and returns the accuracy and predictions.
func (t *Trainer) Evaluate(d *Dataset) (float64, []int, error) {
	if err := d.Check(); err != nil {
		return 0, nil, err
	}
	t.syncBatchNorm()
	preds := make([]int, d.Len())
	var wg sync.WaitGroup
	errs := make([]error, len(t.workers))
	for w, tw := range t.workers {
		lo, hi := w*d.Len()/len(t.workers), (w+1)*d.Len()/len(t.workers)
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[w] = classifyRange(tw.net, d, lo, hi, preds)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return 0, nil, err
	}
	correct := 0
	for i, p := range preds {
		if p == d.Y[i] {
			correct++
		}
	}
	return float64(correct) / float64(max(1, d.Len())), preds, nil
}

// classifyRange predicts examples [lo, hi) of d in batches of 256.
func classifyRange(net *Net, d *Dataset, lo, hi int, preds []int) error {
	const px = ink.FieldSize * ink.FieldSize
	for s := lo; s < hi; s += 256 {
		e := min(s+256, hi)
		x := &core.Tensor{Shape: []int{e - s, 1, ink.FieldSize, ink.FieldSize}, Data: d.X[s*px : e*px]}
		out, err := net.Forward(x, false)
		if err != nil {
			return err
		}
		k := out.Shape[1]
		for i := 0; i < e-s; i++ {
			preds[s+i] = core.Argmax(out.Data[i*k : (i+1)*k])
		}
	}
	return nil
}

// StartFrom replaces the trainer's freshly initialised weights with those of
// from, a network of the same parameters (such as an [ImportedNet]'s, which
// is how a shipped model is trained further rather than from scratch). The
// replicas share the weights, so they start from them too.
func (t *Trainer) StartFrom(from *Net) error {
	dst, src := t.Net.Params(), from.Params()
	if len(dst) != len(src) {
		return fmtlite.Errorf("nn: starting weights have %d parameters, the network %d", len(src), len(dst))
	}
	for i := range dst {
		if !slices.Equal(dst[i].W.Shape, src[i].W.Shape) {
			return fmtlite.Errorf("nn: starting weight %d (%s) has shape %v, the network's %s %v", i, src[i].Name, src[i].W.Shape, dst[i].Name, dst[i].W.Shape)
		}
	}
	for i := range dst {
		copy(dst[i].W.Data, src[i].W.Data)
	}
	return nil
}
