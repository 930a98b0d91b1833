// Package adapt fits a model the drawing page did not ship to the drawing:
// which of its input layouts takes one image ([InputFor]), how a 28×28
// MNIST-style digit becomes that input at the model's size, channels and
// pixel scale ([Input.Fill]), how its outputs become probabilities
// ([Scores]), where its labels are ([Labels]), and which pixel scale it
// was trained with, judged on a few MNIST digits shipped with the page
// ([ChooseScale]).
//
// It is portable Go, tested natively; the page (package main, js only)
// calls it, and so do the browser tests, to compute what the page must show.
package adapt

import (
	"errors"
	"math"
	"strconv"

	"wasmcnn/core"
	"wasmcnn/core/ink"
	"wasmcnn/core/onnx"
	"wasmcnn/internal/fmtlite"
)

// Layout is how a model lays out one image.
type Layout int

// The layouts the page feeds.
const (
	NCHW Layout = iota // [N, C, H, W], PyTorch's
	NHWC               // [N, H, W, C], Keras's
	NHW                // [N, H, W], one channel
	Flat               // [N, H·W], one channel, a square image flattened
)

func (l Layout) String() string { return [...]string{"NCHW", "NHWC", "[N, H, W]", "[N, H·W]"}[l] }

// MaxSide is the largest image side the page feeds.
const MaxSide = 256

// DefaultSide is the side used where a model leaves its image size open.
const DefaultSide = ink.FieldSize

// Input is how the page feeds one drawing to a model: Shape is the input
// of its plan, Batch examples of which the first holds the drawing.
type Input struct {
	Layout      Layout
	Batch       int
	C, H, W     int
	Shape       []int
	resize      ink.Resizer
	gray, fixed []float32
	// The picture of the last FillPicture (picture.go): its scratch, the
	// scaled picture and its channels, 0 after a drawing's Fill.
	pic   picturePlan
	seen  []float32
	seenC int
}

// InputFor decides how to feed a drawing to m: it must have one float
// input holding one image of 1 or 3 channels as [N, C, H, W], [N, H, W, C],
// [N, H, W] or [N, H·W] (a square), at most [MaxSide] a side. Open
// dimensions are taken as 1 for the batch and [DefaultSide] (or the other
// side) for the image. The error says why a model does not fit.
func InputFor(m *onnx.Model) (*Input, error) {
	if len(m.Inputs) != 1 {
		return nil, fmtlite.Errorf("it has %d inputs; the page feeds models with one input, an image", len(m.Inputs))
	}
	in := m.Inputs[0]
	s := in.Shape
	batch := 1
	if len(s) > 0 && s[0] > 0 {
		batch = s[0]
	}
	if batch > 64 {
		return nil, fmtlite.Errorf("input %q has a fixed batch of %d; the page feeds one image (batches up to 64)", in.Name, batch)
	}
	side := func(a, b int) (int, int) { // open sides: the other one, or DefaultSide
		switch {
		case a < 0 && b < 0:
			return DefaultSide, DefaultSide
		case a < 0:
			return b, b
		case b < 0:
			return a, a
		}
		return a, b
	}
	x := &Input{Batch: batch}
	switch {
	case len(s) == 4 && (s[1] == 1 || s[1] == 3):
		x.Layout, x.C = NCHW, s[1]
		x.H, x.W = side(s[2], s[3])
	case len(s) == 4 && (s[3] == 1 || s[3] == 3):
		x.Layout, x.C = NHWC, s[3]
		x.H, x.W = side(s[1], s[2])
	case len(s) == 4:
		return nil, fmtlite.Errorf("input %q has shape %s: neither its second nor its last dimension is 1 or 3 channels", in.Name, ShapeString(s, in.DimNames))
	case len(s) == 3:
		x.Layout, x.C = NHW, 1
		x.H, x.W = side(s[1], s[2])
	case len(s) == 2:
		n := s[1]
		if n < 0 {
			n = DefaultSide * DefaultSide
		}
		r := int(math.Sqrt(float64(n)) + 0.5)
		if r*r != n {
			return nil, fmtlite.Errorf("input %q has shape %s: %d values are not a square image", in.Name, ShapeString(s, in.DimNames), n)
		}
		x.Layout, x.C, x.H, x.W = Flat, 1, r, r
	default:
		return nil, fmtlite.Errorf("input %q has shape %s; the page feeds an image as [N, C, H, W], [N, H, W, C], [N, H, W] or [N, H·W]", in.Name, ShapeString(s, in.DimNames))
	}
	if x.H < 1 || x.W < 1 || x.H > MaxSide || x.W > MaxSide {
		return nil, fmtlite.Errorf("input %q takes %d×%d images; the page feeds images of up to %d×%d", in.Name, x.H, x.W, MaxSide, MaxSide)
	}
	switch x.Layout {
	case NCHW:
		x.Shape = []int{batch, x.C, x.H, x.W}
	case NHWC:
		x.Shape = []int{batch, x.H, x.W, x.C}
	case NHW:
		x.Shape = []int{batch, x.H, x.W}
	default:
		x.Shape = []int{batch, x.H * x.W}
	}
	return x, nil
}

// Len is the number of values of the input.
func (x *Input) Len() int { return core.Product(x.Shape) }

// Gray returns the image of the last Fill at the model's size (H×W, 0..1,
// ink high), before the pixel scale.
func (x *Input) Gray() []float32 { return x.gray }

// Fill writes into dst (of [Input.Len] values) the input for a 28×28 digit
// (0..1, ink high, as [ink.Preprocessor] makes it): resized to H×W, copied
// into every channel, put through the pixel scale, laid out as the model
// wants; the other examples of a fixed batch get the background.
func (x *Input) Fill(dst, digit []float32, s Scale) {
	hw := x.H * x.W
	x.seenC = 0
	if cap(x.gray) < hw {
		x.gray = make([]float32, hw)
	}
	x.gray = x.gray[:hw]
	if !x.resize.Run(x.gray, x.W, x.H, digit, ink.FieldSize, ink.FieldSize) {
		clear(x.gray)
	}
	one := dst[:hw*x.C]
	for i, v := range x.gray {
		v = s.Apply(v)
		if x.Layout == NHWC {
			for c := 0; c < x.C; c++ {
				one[i*x.C+c] = v
			}
			continue
		}
		for c := 0; c < x.C; c++ {
			one[c*hw+i] = v
		}
	}
	bg := s.Apply(0)
	for i := hw * x.C; i < len(dst); i++ {
		dst[i] = bg
	}
}

// Scale is a pixel scale: how a model trained elsewhere wants 0..1 ink.
type Scale string

// The scales the page offers.
const (
	Unit  Scale = "unit"  // 0..1
	Raw   Scale = "raw"   // 0..255
	PM1   Scale = "pm1"   // −1..1
	MNIST Scale = "mnist" // (v − 0.1307) / 0.3081, MNIST's mean and deviation
)

// Scales lists the scales in the order the page offers them.
var Scales = []Scale{Unit, Raw, PM1, MNIST}

// Apply maps v (0..1) to the scale.
func (s Scale) Apply(v float32) float32 {
	switch s {
	case Raw:
		return 255 * v
	case PM1:
		return 2*v - 1
	case MNIST:
		return (v - 0.1307) / 0.3081
	}
	return v
}

// Label names the scale for people.
func (s Scale) Label() string {
	switch s {
	case Raw:
		return "0..255"
	case PM1:
		return "−1..1"
	case MNIST:
		return "MNIST-normalised"
	}
	return "0..1"
}

// Valid reports whether s is one of [Scales].
func (s Scale) Valid() bool {
	for _, v := range Scales {
		if s == v {
			return true
		}
	}
	return false
}

// OutputKind says what a model's outputs are.
type OutputKind int

// The kinds of output.
const (
	Probabilities    OutputKind = iota // non-negative, summing to 1 (a Softmax)
	LogProbabilities                   // a LogSoftmax: shown through exp
	Scores                             // anything else (logits): shown through softmax
)

// Classes returns how many values one example of the first output has.
func Classes(m *onnx.Model, x *Input) int {
	return core.Product(m.OutputShape(0)) / x.Batch
}

// ToProbabilities writes into dst the probabilities of out (one example's
// outputs): out itself when it already holds probabilities, its softmax
// otherwise (which undoes a LogSoftmax too). It reports which it found.
func ToProbabilities(dst, out []float32) OutputKind {
	var sum float64
	probs, logs := true, true
	for _, v := range out {
		if v < 0 || v > 1 || v != v {
			probs = false
		}
		if v > 0 || v != v {
			logs = false
		}
		sum += float64(v)
	}
	if probs && math.Abs(sum-1) < 0.01 {
		copy(dst, out)
		return Probabilities
	}
	core.Softmax(dst[:len(out)], out, 1, len(out), 1, false)
	if logs {
		var e float64
		for _, v := range out {
			e += math.Exp(float64(v))
		}
		if math.Abs(e-1) < 0.01 {
			return LogProbabilities
		}
	}
	return Scores
}

// Digit is one of the MNIST digits shipped with the page.
type Digit struct {
	Label int
	Pix   []float32 // 28×28, 0..1, ink high
}

// DigitBytes is the size of one record of the shipped digits file: the
// label, then 28×28 pixels row-major from 0 (background) to 255 (ink).
const DigitBytes = 1 + ink.FieldSize*ink.FieldSize

// ReadDigits reads the shipped digits file (records of [DigitBytes]),
// labels 0–9.
func ReadDigits(b []byte) ([]Digit, error) { return readRecords(b, false) }

// NotDigitByte is the label byte of a record that is no digit at all:
// web/models/notdigit-replay.bin holds such drawings, which fine-tuning
// replays so that a personal model keeps refusing them.
const NotDigitByte = 10

// NotDigitLabel is the label [ReadReplay] gives a record of [NotDigitByte],
// the value of nn.NotDigit (which this package does not import: the page
// build leaves training out).
const NotDigitLabel = -1

// ReadReplay reads a replay file: records of [DigitBytes] labelled 0–9 or
// [NotDigitByte], the latter read as [NotDigitLabel]. It is ReadDigits for
// the files fine-tuning replays (web/models/mnist-replay.bin,
// web/models/notdigit-replay.bin, or both one after the other).
func ReadReplay(b []byte) ([]Digit, error) { return readRecords(b, true) }

func readRecords(b []byte, notDigits bool) ([]Digit, error) {
	if len(b) == 0 || len(b)%DigitBytes != 0 || len(b) > 1000*DigitBytes {
		return nil, fmtlite.Errorf("adapt: a digits file of %d bytes is not whole records of %d (1 to 1000 of them)", len(b), DigitBytes)
	}
	ds := make([]Digit, len(b)/DigitBytes)
	for i := range ds {
		r := b[i*DigitBytes : (i+1)*DigitBytes]
		label := int(r[0])
		switch {
		case notDigits && r[0] == NotDigitByte:
			label = NotDigitLabel
		case r[0] > 9:
			return nil, fmtlite.Errorf("adapt: digit %d has label %d", i, r[0])
		}
		ds[i] = Digit{Label: label, Pix: make([]float32, DigitBytes-1)}
		for k, v := range r[1:] {
			ds[i].Pix[k] = float32(v) / 255
		}
	}
	return ds, nil
}

// ScaleResult is how a model read the shipped digits at one scale.
type ScaleResult struct {
	Scale   Scale
	Right   int     // digits read right
	Of      int     // digits tried
	MeanTop float32 // mean probability given to the right digit
	Loss    float32 // mean −ln of that probability (the cross-entropy), at most 50 a digit
}

// ErrNotDigits says the automatic choice could not judge the model: it has
// no ten outputs, or reads no scale well.
var ErrNotDigits = errors.New("adapt: the model does not read the MNIST digits at any scale")

// ChooseScale runs m on the digits at every scale and returns, of the
// scales that read the most digits right, the one with the lowest
// cross-entropy (the mean −ln of the probability given to the right digit),
// with every scale's result. The loss decides between them because a
// network of ReLUs reads digits about as well at 0..255 as at 0..1, only far
// too sure of itself: its confident mistakes cost it, and where it makes
// none its certainty does ([bestScale]). It needs a model of ten outputs that
// reads at least half the digits right at the chosen scale; otherwise it
// returns [Unit], the results and [ErrNotDigits]. progress, if not nil, is
// called after each run with the runs done and in all; an error it returns
// stops the choice and is returned.
func ChooseScale(m *onnx.Model, x *Input, digits []Digit, progress func(done, total int) error) (Scale, []ScaleResult, error) {
	if len(digits) == 0 {
		return Unit, nil, errors.New("adapt: no digits to judge the scale with")
	}
	if k := Classes(m, x); k != 10 {
		return Unit, nil, fmtlite.Errorf("%w: it has %d outputs, not the ten digits", ErrNotDigits, k)
	}
	in := make([]float32, x.Len())
	probs := make([]float32, 10)
	results := make([]ScaleResult, len(Scales))
	done, total := 0, len(Scales)*len(digits)
	for si, s := range Scales {
		r := ScaleResult{Scale: s, Of: len(digits)}
		var top, loss float64
		for _, d := range digits {
			x.Fill(in, d.Pix, s)
			out, err := m.Predict(in)
			if err != nil {
				return Unit, nil, err
			}
			ToProbabilities(probs, out[:10])
			if core.Argmax(probs) == d.Label {
				r.Right++
			}
			p := float64(probs[d.Label])
			top += p
			loss += min(50, -math.Log(p))
			done++
			if progress != nil {
				if err := progress(done, total); err != nil {
					return Unit, nil, err
				}
			}
		}
		r.MeanTop = float32(top / float64(len(digits)))
		r.Loss = float32(loss / float64(len(digits)))
		results[si] = r
	}
	best := bestScale(results)
	if 2*results[best].Right < results[best].Of {
		return Unit, results, ErrNotDigits
	}
	return results[best].Scale, results, nil
}

// saturated is the mean probability of the right digit from which a
// scale's answers count as saturated: certain of every digit, as a network
// of ReLUs is when fed inputs far larger than it was made for.
const saturated = 0.9999

// bestScale picks, among the scales that read the most digits right, the
// one of lowest loss — leaving out saturated ones when any is not: a
// network of ReLUs scales its scores with its inputs, so at 0..255 a model
// made for 0..1 can read every digit right with certainty, and a loss of
// nearly 0 that says nothing of the scale it was made for.
func bestScale(results []ScaleResult) int {
	most := 0
	for _, r := range results {
		most = max(most, r.Right)
	}
	calm := false
	for _, r := range results {
		calm = calm || r.Right == most && r.MeanTop < saturated
	}
	best := -1
	for i, r := range results {
		if r.Right != most || calm && r.MeanTop >= saturated {
			continue
		}
		if best < 0 || r.Loss < results[best].Loss {
			best = i
		}
	}
	return best
}

// ShapeString writes a shape with open dimensions by name ("N" where
// unnamed): [N, 1, 28, 28].
func ShapeString(shape []int, names []string) string {
	b := []byte{'['}
	for i, d := range shape {
		if i > 0 {
			b = append(b, ", "...)
		}
		switch {
		case d >= 0:
			b = strconv.AppendInt(b, int64(d), 10)
		case i < len(names) && names[i] != "":
			b = append(b, names[i]...)
		default:
			b = append(b, '?')
		}
	}
	return string(append(b, ']'))
}
