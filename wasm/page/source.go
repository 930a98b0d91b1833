package page

import (
	"errors"
	"strconv"

	"wasmcnn/core"
	"wasmcnn/core/onnx"
	"wasmcnn/core/verdict"
	"wasmcnn/wasm/adapt"
)

// The kinds of model the page answers with (body[data-model-source]).
// Each has a constant and a constructor calling newSource; [sources]
// decides which one answers.
const (
	sourceShipped  = "shipped"  // the model the page ships with
	sourceDropped  = "dropped"  // a model the person dropped on the page
	sourcePersonal = "personal" // the shipped model fine-tuned on the person's own digits (web/teach.js)
)

// modelSource is a model the page can answer with, and how the drawing is
// fed to it: its input layout and size, its pixel scale, its labels, what
// its outputs are. The page answers with one source at a time.
type modelSource struct {
	kind    string
	name    string
	bytes   int // size of the model file
	model   *onnx.Model
	in      *adapt.Input
	scale   adapt.Scale
	classes int
	labels  []string
	// labelKey is the metadata key the labels came from ("" for indexes).
	labelKey string
	outKind  adapt.OutputKind
	x        []float32 // the model's input, reused
	out      []float32 // the raw outputs of example 0 of the last run
	probs    []float32 // their probabilities
	ran      bool      // x, out and probs hold a run on a drawing
	// rule is the model's verdict rule, nil when it carries none; noRule
	// then says so, for the answer's lesson line (verdict.go).
	rule   *verdict.Rule
	noRule string
	// shown are the probabilities the page shows: calibrated by the rule,
	// or probs for a model without one; judged is the verdict on them.
	shown  []float32
	judged verdict.Verdict
}

// newSource fits model m (a file of size bytes) to the drawing: it decides
// the input, plans the model for it and reads the labels. The error says
// why the model cannot answer the drawing.
func newSource(kind, name string, m *onnx.Model, size int) (*modelSource, error) {
	in, err := adapt.InputFor(m)
	if err != nil {
		return nil, err
	}
	if err := m.Plan(in.Shape); err != nil {
		return nil, err
	}
	s := &modelSource{kind: kind, name: name, bytes: size, model: m, in: in, scale: adapt.Unit}
	s.classes = adapt.Classes(m, in)
	if s.classes < 1 || s.classes > 100000 {
		return nil, errors.New("its output has " + strconv.Itoa(s.classes) + " values per image; the page shows scores of 1 to 100,000 classes")
	}
	s.labels, s.labelKey = adapt.Labels(m.Metadata, s.classes)
	if kind != sourceDropped {
		s.labelKey = "digits"
	}
	s.x = make([]float32, in.Len())
	s.out = make([]float32, s.classes)
	s.probs = make([]float32, s.classes)
	s.shown = s.probs
	if s.rule, s.noRule = ruleOf(m); s.rule != nil {
		if s.classes < 2 {
			s.rule, s.noRule = nil, "This model's verdict rule needs at least two classes: it names its class, whatever the drawing."
		} else {
			s.shown = make([]float32, s.classes)
		}
	}
	return s, nil
}

// run feeds the drawing (28×28, MNIST-style) to the model and returns the
// probabilities to show: the model's own, calibrated by its verdict rule
// when it has one (the verdict is then in s.judged).
func (s *modelSource) run(digit []float32) ([]float32, error) {
	s.in.Fill(s.x, digit, s.scale)
	out, err := s.model.Predict(s.x)
	if err != nil {
		return nil, err
	}
	if len(out) < s.classes {
		return nil, errors.New("the model gave " + strconv.Itoa(len(out)) + " outputs, want " + strconv.Itoa(s.classes))
	}
	copy(s.out, out[:s.classes])
	s.outKind = adapt.ToProbabilities(s.probs, s.out)
	s.ran = true
	if s.rule != nil {
		v, err := s.rule.Decide(s.probs)
		if err != nil {
			s.ran = false
			return nil, err
		}
		copy(s.shown, v.Probabilities)
		v.Probabilities = s.shown
		s.judged = v
	}
	return s.shown, nil
}

// about describes the model and the engine for the page's footer.
func (s *modelSource) about() string {
	kernel := "Go's own matrix kernel (this browser has no WebAssembly SIMD)"
	if k := core.ActivePanelKernel(); k != "" {
		kernel = "SIMD kernels " + k
	}
	what := "Model " + s.name
	switch s.kind {
	case sourceDropped:
		what = "Your model " + s.name
	case sourcePersonal:
		what = "Your personal model (the shipped one, taught your handwriting)"
	}
	return what + ": " + groupDigits(s.model.ParamCount) + " parameters, " +
		strconv.FormatFloat(float64(s.model.MACs())/1e6, 'f', 1, 64) + " M multiply-accumulates per image, ONNX opset " +
		strconv.FormatInt(s.model.Opset, 10) + ". Engine wasmcnn " + core.Version + ", pure Go compiled to WebAssembly, " + kernel + "."
}

// seenCaption explains the input view.
func (s *modelSource) seenCaption() string {
	const mnist = "your drawing scaled into a 20×20 box and centred by its centre of mass in 28×28, the way MNIST digits were made"
	if s.kind != sourceDropped {
		return "What the network sees: " + mnist + "."
	}
	c := "What " + s.name + " sees: " + mnist
	if s.in.W != 28 || s.in.H != 28 {
		c += ", resized to " + strconv.Itoa(s.in.W) + "×" + strconv.Itoa(s.in.H)
	}
	if s.in.C == 3 {
		c += ", the grey copied into 3 channels"
	}
	return c + ", pixels " + s.scale.Label() + "."
}

// sources are the models the page can answer with, and the rules of which
// one answers: the shipped model, a model dropped on the page, or a
// personal one; when a dropped or personal model fails, the shipped one
// answers again; the pixel scale can be changed only for a dropped model
// while it answers.
type sources struct {
	shipped *modelSource
	dropped *modelSource // the dropped model, while it is the person's choice
	current *modelSource // the model answering, nil before the shipped one loads
}

// use makes src answer; a dropped model becomes the one the pixel scale
// applies to.
func (s *sources) use(src *modelSource) {
	if src.kind == sourceDropped {
		s.dropped = src
	}
	s.current = src
}

// useShipped makes the shipped model answer and forgets the dropped one;
// it reports whether the model answering changed.
func (s *sources) useShipped() bool {
	s.dropped = nil
	if s.current == s.shipped {
		return false
	}
	s.current = s.shipped
	return true
}

// failed makes the shipped model answer after the model answering failed,
// and reports false when that was the shipped model: then nothing answers.
func (s *sources) failed() bool {
	if s.current == s.shipped {
		return false
	}
	s.useShipped()
	return true
}

// scalable returns the dropped model when it answers: the one model whose
// pixel scale the person may choose.
func (s *sources) scalable() (*modelSource, error) {
	if s.dropped == nil || s.current != s.dropped {
		return nil, errors.New("The " + s.current.kindName() + " model takes pixels " + adapt.Unit.Label() + ".")
	}
	return s.dropped, nil
}

// kindName names the kind of the model for messages.
func (s *modelSource) kindName() string {
	if s.kind == sourcePersonal {
		return "personal"
	}
	return "shipped"
}

// groupDigits writes n with commas between groups of three digits.
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b []byte
	for i := 0; i < len(s); i++ {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			b = append(b, ',')
		}
		b = append(b, s[i])
	}
	return string(b)
}
