package page

import (
	"errors"
	"strconv"
	"time"

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

// modelSource is a model the page can answer with, and how the drawing
// and pictures are fed to it: its input layout and size, its pixel scale
// (the drawing's), its normalisation (a picture's), its labels, what its
// outputs are. The page answers with one source at a time.
type modelSource struct {
	kind  string
	name  string
	bytes int // size of the model file
	model *onnx.Model
	in    *adapt.Input
	scale adapt.Scale
	norm  adapt.Normalization
	// normFallback says the normalisation of the model's metadata was asked for and
	// its metadata says none.
	normFallback bool
	classes      int
	labels       []string
	// took is the time of the model's last complete run on the page, 0
	// before its first.
	took time.Duration
	// labelKey is where the labels came from: the metadata key, labelsFile
	// or labelsImageNet ("" for indexes); labelFile names a dropped file.
	labelKey, labelFile string
	outKind             adapt.OutputKind
	x                   []float32 // the model's input, reused
	out                 []float32 // the raw outputs of example 0 of the last run
	probs               []float32 // their probabilities
	ran                 bool      // x, out and probs hold a run on a drawing or a picture
	// rule is the model's verdict rule, nil when it carries none; noRule
	// then says so, for the answer's lesson line (verdict.go).
	rule   *verdict.Rule
	noRule string
	// shown are the probabilities the page shows: calibrated by the rule,
	// or probs for a model without one; judged is the verdict on them.
	shown  []float32
	judged verdict.Verdict
}

// Where labels came from when not from the metadata (modelSource.labelKey).
const (
	labelsFile     = "file"
	labelsImageNet = "imagenet"
)

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
	s.setNorm(adapt.NormModel)
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
			s.rule, s.noRule = nil, "This model's verdict rule needs at least two classes: it names its class, whatever it is shown."
		} else {
			s.shown = make([]float32, s.classes)
		}
	}
	return s, nil
}

// setNorm resolves how pictures are normalised for the model.
func (s *modelSource) setNorm(n adapt.Norm) {
	s.norm, s.normFallback = adapt.NormalizationFor(n, s.model.Metadata, s.in.C)
}

// takesPictures reports whether the model may be given a picture: a
// dropped model (the shipped and personal ones read digits drawn
// MNIST-style, which a photo is not).
func (s *modelSource) takesPictures() bool { return s.kind == sourceDropped }

// fillDrawing writes the model's input for the drawing (28×28,
// MNIST-style), at the model's pixel scale.
func (s *modelSource) fillDrawing(digit []float32) { s.in.Fill(s.x, digit, s.scale) }

// fillPicture writes the model's input for a picture, at its
// normalisation.
func (s *modelSource) fillPicture(p adapt.Picture) error {
	return s.in.FillPicture(s.x, p, s.norm)
}

// finish reads the outputs of a run of the model on its input and returns
// the probabilities to show: the model's own, calibrated by its verdict
// rule when it has one (the verdict is then in s.judged).
func (s *modelSource) finish() ([]float32, error) {
	out := s.model.Output(0)
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

// seenCaption explains the input view for a drawing.
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

// pictureCaption explains the input view for a picture of w×h pixels
// named name.
func (s *modelSource) pictureCaption(name string, w, h int) string {
	c := adapt.CropFor(w, h, s.in.W, s.in.H)
	size := func(w, h int) string { return strconv.Itoa(w) + "×" + strconv.Itoa(h) }
	t := "What " + s.name + " sees: " + name + " (" + size(w, h) + "), scaled to " + size(c.RW, c.RH) +
		" and its centre cut to " + size(s.in.W, s.in.H)
	if s.in.C == 1 {
		t += ", in grey"
	}
	if s.norm.BGR {
		t += ", blue first"
	}
	t += ", normalised with " + s.norm.Said
	switch {
	case s.normFallback:
		t += " (the model does not say how; choose another if it was trained otherwise)"
	case s.norm.From != "":
		t += " (from its metadata)"
	}
	return t + "."
}

// chooseLabels names the classes, in order of preference: a labels file
// the person gave (text, named file; "" for none), the model's metadata,
// ImageNet's names for a 1,000-way model (imagenet, the list shipped with
// the page; "" when not at hand), indexes. A file that does not fit the
// model is not used: the error says why, for people.
func (s *modelSource) chooseLabels(text, file, imagenet string) error {
	s.labels, s.labelKey = adapt.Labels(s.model.Metadata, s.classes)
	s.labelFile = ""
	var err error
	if text != "" {
		var ls []string
		if ls, err = adapt.LabelsFile(text, s.classes); err == nil {
			s.labels, s.labelKey, s.labelFile = ls, labelsFile, file
			return nil
		}
		err = errors.New(file + " was not used: " + err.Error())
	}
	if s.labelKey == "" && imagenet != "" {
		if ls, ok := adapt.ImageNetLabels(imagenet, s.classes); ok {
			s.labels, s.labelKey = ls, labelsImageNet
		}
	}
	return err
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
