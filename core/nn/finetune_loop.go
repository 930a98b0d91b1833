package nn

import (
	"context"
	"math/rand/v2"

	"wasmcnn/core"
	"wasmcnn/core/ink"
	"wasmcnn/internal/fmtlite"
)

// fineTuner holds one run of [FineTune]: the frozen front of the network
// and the trained back, the front's outputs for every copy of every example
// and replay example, and the batch being stepped.
type fineTuner struct {
	opts           FineTuneOptions
	front, back    *Net // front is nil when every layer is trained
	inputs         []float32
	labels         []int
	feat           int       // values of one front output
	copies         []float32 // front outputs: example i, copy c at (i*Copies+c)*feat
	replay         []float32 // front outputs of the replay examples
	replayY        []int
	anchors        [][]float32 // the trained parameters' starting values
	x, dl          *core.Tensor
	batchY, userIx []int
	tmp            []float32
}

// newFineTuner splits net at the first trained layer.
func newFineTuner(net *Net, inputs []float32, labels []int, o FineTuneOptions) (*fineTuner, error) {
	split, seen := len(net.Layers), 0
	for split > 0 && seen < o.TrainLayers {
		split--
		if len(net.Layers[split].Params()) > 0 {
			seen++
		}
	}
	// Trained layers start at the first layer with parameters among the
	// last TrainLayers; layers without parameters just before it (a ReLU,
	// a pooling) stay frozen, so their outputs are cached too.
	ft := &fineTuner{opts: o, inputs: inputs, labels: labels, tmp: make([]float32, ink.FieldSize*ink.FieldSize)}
	in := net.In
	if split > 0 {
		front, err := NewNet(net.In, net.Layers[:split]...)
		if err != nil {
			return nil, err
		}
		ft.front, in = front, front.OutShape()
	}
	back, err := NewNet(in, net.Layers[split:]...)
	if err != nil {
		return nil, err
	}
	ft.back, ft.feat = back, core.Product(in)
	cached := int64(len(labels)) * int64(o.Copies)
	if o.Replay != nil && o.ReplayBatch > 0 {
		cached += int64(o.Replay.Len())
	}
	// The distorted copies of the inputs exist together once, before the
	// frozen layers turn them into the cached outputs.
	copies := int64(len(labels)) * int64(o.Copies) * int64(core.Product(net.In))
	if copies > MaxFineTuneCache {
		return nil, fmtlite.Errorf("nn: fine-tuning: %d examples in %d copies of %v exceed the limit of %d values kept; use fewer examples or copies", len(labels), o.Copies, net.In, MaxFineTuneCache)
	}
	if cached*int64(ft.feat) > MaxFineTuneCache {
		return nil, fmtlite.Errorf("nn: fine-tuning: %d examples, copies and replayed examples of %d values each exceed the limit of %d values kept; use fewer examples or copies, or train fewer layers", cached, ft.feat, MaxFineTuneCache)
	}
	for _, p := range back.Params() {
		ft.anchors = append(ft.anchors, append([]float32(nil), p.W.Data...))
	}
	return ft, nil
}

// run caches the front's outputs, takes the steps and assembles the new
// network.
func (ft *fineTuner) run(ctx context.Context, progress FineTuneProgress) (*FineTuneResult, error) {
	o := ft.opts
	size := core.Product(ft.netIn())
	n := len(ft.labels)
	// The copies: the example itself, then distortions of it.
	imgs := make([]float32, n*o.Copies*size)
	for i := 0; i < n; i++ {
		src := ft.inputs[i*size : (i+1)*size]
		copy(imgs[i*o.Copies*size:], src)
		for c := 1; c < o.Copies; c++ {
			r := rand.New(rand.NewPCG(o.Seed, uint64(i)<<16|uint64(c)))
			o.Augment.Apply(imgs[(i*o.Copies+c)*size:(i*o.Copies+c+1)*size], src, ft.tmp, r)
		}
	}
	var err error
	if ft.copies, err = ft.frontOutputs(ctx, imgs, n*o.Copies); err != nil {
		return nil, err
	}
	if o.Replay != nil && o.ReplayBatch > 0 {
		if ft.replay, err = ft.frontOutputs(ctx, o.Replay.X, o.Replay.Len()); err != nil {
			return nil, err
		}
		ft.replayY = o.Replay.Y
	}
	res := &FineTuneResult{}
	res.LossBefore, res.CorrectBefore = ft.fit()

	opt := NewAdam(0)
	sched := OneCycle{Max: o.LR, Steps: o.Steps}
	params := ft.back.Params()
	order := newCycler(n, rand.New(rand.NewPCG(o.Seed, 0xba7c4)))
	var replayOrder *cycler
	if ft.replay != nil {
		replayOrder = newCycler(len(ft.replayY), rand.New(rand.NewPCG(o.Seed, 0x4e91a)))
	}
	pick := rand.New(rand.NewPCG(o.Seed, 0xc0b1e5))
	for step := 0; step < o.Steps; step++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		loss := ft.step(order, replayOrder, pick)
		for i, p := range params {
			if o.Anchor > 0 {
				for k, w := range p.W.Data {
					p.DW.Data[k] += o.Anchor * (w - ft.anchors[i][k])
				}
			}
		}
		opt.Step(params, sched.At(step))
		if progress != nil {
			progress(step+1, o.Steps, loss)
		}
	}
	res.LossAfter, res.CorrectAfter = ft.fit()
	layers := ft.back.Layers
	if ft.front != nil {
		layers = append(append([]Layer(nil), ft.front.Layers...), layers...)
	}
	if res.Net, err = NewNet(ft.netIn(), layers...); err != nil {
		return nil, err
	}
	return res, nil
}

// netIn is the shape of one example of the whole network.
func (ft *fineTuner) netIn() []int {
	if ft.front != nil {
		return ft.front.In
	}
	return ft.back.In
}

// frontOutputs runs the frozen layers over count examples in x, in chunks
// so that cancellation is noticed and memory stays small.
func (ft *fineTuner) frontOutputs(ctx context.Context, x []float32, count int) ([]float32, error) {
	if ft.front == nil {
		return x, nil
	}
	const chunk = 32
	size := core.Product(ft.front.In)
	out := make([]float32, count*ft.feat)
	for s := 0; s < count; s += chunk {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		e := min(s+chunk, count)
		shape := append([]int{e - s}, ft.front.In...)
		y, err := ft.front.Forward(&core.Tensor{Shape: shape, Data: x[s*size : e*size]}, false)
		if err != nil {
			return nil, err
		}
		copy(out[s*ft.feat:], y.Data)
	}
	return out, nil
}

// step runs forward and backward on one batch: up to BatchSize of the
// person's examples, each as a random one of its copies, and ReplayBatch
// replay examples. It leaves the gradient of the batch's mean loss in the
// parameters and returns the mean loss of the person's examples.
func (ft *fineTuner) step(order, replayOrder *cycler, pick *rand.Rand) float64 {
	o := ft.opts
	b := min(o.BatchSize, len(ft.labels))
	r := 0
	if replayOrder != nil {
		r = o.ReplayBatch
	}
	ft.reserve(b + r)
	for j := 0; j < b; j++ {
		i := order.next()
		c := pick.IntN(o.Copies)
		copy(ft.x.Data[j*ft.feat:(j+1)*ft.feat], ft.copies[(i*o.Copies+c)*ft.feat:])
		ft.batchY[j] = ft.labels[i]
	}
	for j := b; j < b+r; j++ {
		i := replayOrder.next()
		copy(ft.x.Data[j*ft.feat:(j+1)*ft.feat], ft.replay[i*ft.feat:])
		ft.batchY[j] = ft.replayY[i]
	}
	ft.back.ZeroGrad()
	out, err := ft.back.Forward(ft.x, true)
	if err != nil {
		panic(err) // the shapes were checked when the network was split
	}
	k := out.Shape[1]
	SoftmaxCrossEntropy(ft.dl.Data, out.Data, ft.batchY, k, o.LabelSmoothing)
	ft.back.Backward(ft.dl)
	// The person's part of the loss, for progress (the gradient above is
	// that of the whole batch).
	loss, _ := SoftmaxCrossEntropy(ft.dl.Data[:b*k], out.Data[:b*k], ft.batchY[:b], k, o.LabelSmoothing)
	return loss
}

// reserve sizes the batch tensors for m examples.
func (ft *fineTuner) reserve(m int) {
	if ft.x != nil && ft.x.Shape[0] == m {
		return
	}
	ft.x = core.NewTensor(append([]int{m}, ft.back.In...)...)
	ft.dl = core.NewTensor(append([]int{m}, ft.back.OutShape()...)...)
	ft.batchY = make([]int, m)
}

// fit returns the mean loss (without smoothing) and the number right of the
// undistorted examples under the current weights.
func (ft *fineTuner) fit() (float64, int) {
	n, o := len(ft.labels), ft.opts
	x := core.NewTensor(append([]int{n}, ft.back.In...)...)
	for i := 0; i < n; i++ {
		copy(x.Data[i*ft.feat:(i+1)*ft.feat], ft.copies[i*o.Copies*ft.feat:])
	}
	out, err := ft.back.Forward(x, false)
	if err != nil {
		panic(err)
	}
	k := out.Shape[1]
	return SoftmaxCrossEntropy(make([]float32, n*k), out.Data, ft.labels, k, 0)
}

// cycler deals indices 0..n−1 in shuffled rounds, so every example is seen
// equally often.
type cycler struct {
	perm []int
	at   int
	r    *rand.Rand
}

func newCycler(n int, r *rand.Rand) *cycler {
	return &cycler{perm: r.Perm(n), r: r}
}

func (c *cycler) next() int {
	if c.at == len(c.perm) {
		c.r.Shuffle(len(c.perm), func(i, j int) { c.perm[i], c.perm[j] = c.perm[j], c.perm[i] })
		c.at = 0
	}
	c.at++
	return c.perm[c.at-1]
}
