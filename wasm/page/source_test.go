package page

import (
	"math"
	"strings"
	"testing"

	"wasmcnn/core/onnx"
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
	probs, err := shipped.run(digit)
	if err != nil {
		t.Fatal(err)
	}
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
	if _, err := dropped.run(digit); err != nil {
		t.Fatal(err)
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
