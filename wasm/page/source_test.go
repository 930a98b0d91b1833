package page

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wasmcnn/core/onnx"
	"wasmcnn/internal/archs"
	"wasmcnn/internal/testmodels"
	"wasmcnn/wasm/adapt"
	"wasmcnn/web/models"
)

// newTestSource loads a model file as a source of the kind.
func newTestSource(t *testing.T, kind, name string, b []byte) *modelSource {
	t.Helper()
	m, err := onnx.LoadModel(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := newSource(kind, name, m, len(b))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// runSource runs a source on a drawing as the page does, in one slice.
func runSource(t *testing.T, s *modelSource, digit []float32) []float32 {
	t.Helper()
	s.fillDrawing(digit)
	if _, err := s.model.Predict(s.x); err != nil {
		t.Fatal(err)
	}
	probs, err := s.finish()
	if err != nil {
		t.Fatal(err)
	}
	return probs
}

// TestSource fits the shipped model and a dropped one with labels to the
// drawing and runs them on a stroke.
func TestSource(t *testing.T) {
	digit := make([]float32, 28*28)
	for y := 6; y < 22; y++ {
		digit[y*28+14] = 1 // a "1"
	}
	shipped := newTestSource(t, sourceShipped, "digits.onnx", models.Digits)
	if shipped.classes != 10 || shipped.labels[7] != "7" || shipped.labelKey != "digits" || shipped.in.W != 28 {
		t.Fatalf("shipped: %d classes, labels %v (%q), input %d wide", shipped.classes, shipped.labels, shipped.labelKey, shipped.in.W)
	}
	probs := runSource(t, shipped, digit)
	sum := float32(0)
	for _, p := range probs {
		sum += p
	}
	if math.Abs(float64(sum-1)) > 1e-5 || !shipped.ran {
		t.Errorf("probabilities sum to %v", sum)
	}
	if a := shipped.about(); !strings.HasPrefix(a, "Model digits.onnx: ") || !strings.Contains(a, "parameters") {
		t.Errorf("about: %q", a)
	}
	var v testmodels.Variant
	for _, v = range testmodels.Variants() {
		if v.Labels != "" {
			break
		}
	}
	b, err := testmodels.Build(v)
	if err != nil {
		t.Fatal(err)
	}
	dropped := newTestSource(t, sourceDropped, v.Name, b)
	dropped.scale = adapt.MNIST
	if dropped.labels[2] != "two" || dropped.labelKey != "labels" {
		t.Errorf("dropped labels %v from %q", dropped.labels, dropped.labelKey)
	}
	if c := dropped.seenCaption(); !strings.Contains(c, v.Name) || !strings.HasSuffix(c, "pixels "+adapt.MNIST.Label()+".") {
		t.Errorf("caption: %q", c)
	}
	runSource(t, dropped, digit)
	if !dropped.takesPictures() || shipped.takesPictures() {
		t.Error("only a dropped model takes pictures")
	}
}

// TestSources switches between the shipped, a dropped and a personal
// model as the page's hooks do.
func TestSources(t *testing.T) {
	shipped := &modelSource{kind: sourceShipped}
	dropped := &modelSource{kind: sourceDropped}
	personal := &modelSource{kind: sourcePersonal}
	s := sources{shipped: shipped}
	s.use(shipped)
	if _, err := s.scalable(); err == nil || err.Error() != "The shipped model takes pixels 0..1." {
		t.Errorf("scalable with the shipped model answering: %v", err)
	}
	if s.useShipped() {
		t.Error("useShipped reported a change while the shipped model answered")
	}
	s.use(dropped)
	if got, err := s.scalable(); got != dropped || err != nil {
		t.Errorf("scalable with a dropped model answering: %v, %v", got, err)
	}
	s.use(personal)
	if _, err := s.scalable(); err == nil || !strings.Contains(err.Error(), "personal") {
		t.Errorf("scalable with the personal model answering: %v", err)
	}
	if !s.useShipped() || s.current != shipped || s.dropped != nil {
		t.Error("useShipped did not bring the shipped model back and forget the dropped one")
	}
	s.use(dropped)
	if !s.failed() || s.current != shipped || s.dropped != nil {
		t.Error("a failed dropped model left the shipped one not answering")
	}
	if s.failed() {
		t.Error("failed reported the shipped model replaced while it failed itself")
	}
}

// TestPictureSource fits a 1,000-way colour model to pictures: its
// normalisation falls back to ImageNet's and says so, its labels come from
// a labels file that fits, ImageNet's list otherwise, and a file that
// does not fit is refused with the reason.
func TestPictureSource(t *testing.T) {
	b, err := archs.Build(archs.ResNet18Arch, archs.Options{Seed: 1, Image: 32, Width: 0.25, Depth: 0.34, Classes: 1000})
	if err != nil {
		t.Fatal(err)
	}
	s := newTestSource(t, sourceDropped, "resnet.onnx", b)
	if !s.normFallback || s.norm.Said != adapt.NormImageNet.Label() || s.classes != 1000 || s.labelKey != "" {
		t.Fatalf("fallback %v (%q), %d classes, labels from %q", s.normFallback, s.norm.Said, s.classes, s.labelKey)
	}
	if c := s.pictureCaption("bird.jpg", 640, 480); c != "What resnet.onnx sees: bird.jpg (640×480), scaled to 49×37 and its centre cut to 32×32, normalised with ImageNet mean/std (the model does not say how; choose another if it was trained otherwise)." {
		t.Errorf("caption: %q", c)
	}
	s.setNorm(adapt.NormPM1)
	if c := s.pictureCaption("a", 10, 10); s.normFallback || !strings.HasSuffix(c, "normalised with "+adapt.NormPM1.Label()+".") {
		t.Errorf("caption at −1..1: %q", c)
	}
	imagenet, err := os.ReadFile(filepath.Join("..", "..", "web", "models", "imagenet-classes.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.chooseLabels("", "", string(imagenet)); err != nil || s.labelKey != labelsImageNet || s.labels[1] != "goldfish" {
		t.Errorf("ImageNet's labels: %v, from %q, %v", err, s.labelKey, s.labels[:2])
	}
	mine := strings.Repeat("thing\n", 999) + "last thing\n"
	if err := s.chooseLabels(mine, "mine.txt", string(imagenet)); err != nil || s.labelKey != labelsFile || s.labelFile != "mine.txt" || s.labels[999] != "last thing" {
		t.Errorf("a labels file: %v, from %q %q", err, s.labelKey, s.labelFile)
	}
	err = s.chooseLabels("a\nb\n", "two.txt", string(imagenet))
	if err == nil || err.Error() != "two.txt was not used: it has 2 lines; the model has 1000 classes (one label a line)" || s.labelKey != labelsImageNet {
		t.Errorf("a labels file of 2 lines: %v, labels from %q", err, s.labelKey)
	}
	if err := s.chooseLabels("", "", ""); err != nil || s.labelKey != "" || s.labels[5] != "5" {
		t.Errorf("without ImageNet's list: %v %q %q", err, s.labelKey, s.labels[5])
	}
}
