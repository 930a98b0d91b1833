package verdict

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// TestCalibrateDefinition holds Calibrate to softmax(log p / T) computed
// the plain way, in float64, for several temperatures.
func TestCalibrateDefinition(t *testing.T) {
	p := []float32{0.70, 0.20, 0.05, 0.03, 0.02, 0, 0, 0, 0, 0}
	for _, temp := range []float64{0.5, 1, 2.5} {
		q := make([]float32, len(p))
		if err := Calibrate(q, p, temp); err != nil {
			t.Fatal(err)
		}
		var z float64
		for _, v := range p {
			z += math.Pow(math.Max(float64(v), minProb), 1/temp)
		}
		var sum float64
		for i, v := range p {
			want := math.Pow(math.Max(float64(v), minProb), 1/temp) / z
			if !near(float64(q[i]), want, 1e-6) {
				t.Errorf("T=%g: q[%d] = %v, want %v", temp, i, q[i], want)
			}
			sum += float64(q[i])
		}
		if !near(sum, 1, 1e-5) {
			t.Errorf("T=%g: calibrated probabilities add to %v", temp, sum)
		}
	}
	// T = 1 leaves probabilities as they are; T < 1 sharpens, T > 1 flattens.
	q := make([]float32, len(p))
	_ = Calibrate(q, p, 1)
	if !near(float64(q[0]), 0.7, 1e-6) {
		t.Errorf("T=1 changed 0.7 into %v", q[0])
	}
	_ = Calibrate(q, p, 0.5)
	if q[0] <= 0.7 {
		t.Errorf("T=0.5 did not sharpen: %v", q[0])
	}
}

func TestCalibrateRefusesBadInput(t *testing.T) {
	q := make([]float32, 3)
	for _, c := range []struct {
		p    []float32
		dst  []float32
		temp float64
	}{
		{[]float32{0.5, 0.5, 0}, q, 0},
		{[]float32{0.5, 0.5, 0}, q, math.NaN()},
		{[]float32{0.5, 0.5, 0}, q, math.Inf(1)},
		{[]float32{0.5, float32(math.NaN()), 0}, q, 1},
		{[]float32{1.5, -0.5, 0}, q, 1},
		{[]float32{1}, q[:1], 1},
		{[]float32{0.5, 0.5, 0}, q[:2], 1},
	} {
		if err := Calibrate(c.dst, c.p, c.temp); err == nil {
			t.Errorf("Calibrate(%v, T=%v) gave no error", c.p, c.temp)
		}
	}
}

// TestDecide walks the rule's three answers and its boundaries.
func TestDecide(t *testing.T) {
	r := Rule{Temperature: 1, NotDigitBelow: 0.6, SureAt: 0.9}
	one := func(i int, v float32) []float32 {
		p := make([]float32, 10)
		rest := (1 - v) / 9
		for k := range p {
			p[k] = rest
		}
		p[i] = v
		return p
	}
	v, err := r.Decide(one(7, 0.97))
	if err != nil || v.Kind != Digit || v.Digit != 7 || v.Candidates[0] != 7 {
		t.Errorf("a sure 7: %+v, %v", v, err)
	}
	torn := []float32{0, 0, 0, 0, 0.48, 0, 0, 0, 0, 0.47}
	torn[0] = 0.05
	v, err = r.Decide(torn)
	if err != nil || v.Kind != Unsure || v.Candidates != [2]int{4, 9} || v.Digit != 4 {
		t.Errorf("4 or 9: %+v, %v", v, err)
	}
	flat := one(3, 0.2)
	v, err = r.Decide(flat)
	if err != nil || v.Kind != NotDigit || v.Digit != -1 {
		t.Errorf("belief spread over all digits: %+v, %v", v, err)
	}
	if v.Candidates[0] != 3 {
		t.Errorf("not-a-digit still names its best candidate: %+v", v)
	}
	// At the thresholds themselves: a score equal to NotDigitBelow is no
	// refusal, a top probability equal to SureAt is sure.
	edge := Rule{Temperature: 1, NotDigitBelow: 0.75, SureAt: 0.5}
	p := []float32{0.5, 0.25, 0.25}
	if v, _ := edge.Decide(p); v.Kind != Digit {
		t.Errorf("score = NotDigitBelow and top = SureAt: %s, want digit", v.Kind)
	}
	// The temperature is applied before the thresholds: a cooler model
	// turns an unsure answer into a sure one.
	hot := Rule{Temperature: 1, NotDigitBelow: 0.5, SureAt: 0.95}
	cold := hot
	cold.Temperature = 0.3
	p = one(2, 0.9)
	if a, _ := hot.Decide(p); a.Kind != Unsure {
		t.Errorf("T=1: %s, want unsure", a.Kind)
	}
	if b, _ := cold.Decide(p); b.Kind != Digit || b.Probabilities[2] < 0.99 {
		t.Errorf("T=0.3: %s with %v, want digit above 0.99", b.Kind, b.Probabilities[2])
	}
	if _, err := r.Decide([]float32{0.5, float32(math.Inf(1))}); err == nil {
		t.Error("Decide took an infinite probability")
	}
	if _, err := (Rule{}).Decide(one(1, 0.9)); err == nil {
		t.Error("Decide ran a rule of zeros")
	}
}

func TestMetadataRoundTrip(t *testing.T) {
	r := Rule{Temperature: 0.6123, NotDigitBelow: 0.81, SureAt: 0.975}
	md := map[string]string{"model_card": "{}"}
	for _, kv := range r.Metadata() {
		md[kv[0]] = kv[1]
	}
	got, err := FromMetadata(md)
	if err != nil || got != r {
		t.Fatalf("FromMetadata(Metadata(%+v)) = %+v, %v", r, got, err)
	}
	if _, err := FromMetadata(map[string]string{"model_card": "{}"}); !errors.Is(err, ErrNoRule) {
		t.Errorf("a model without a rule: %v, want ErrNoRule", err)
	}
	if _, err := FromMetadata(nil); !errors.Is(err, ErrNoRule) {
		t.Errorf("no metadata: %v, want ErrNoRule", err)
	}
	for key, bad := range map[string]string{KeyTemperature: "warm", KeyNotDigitBelow: "1.5", KeySureAt: "NaN"} {
		m := map[string]string{}
		for k, v := range md {
			m[k] = v
		}
		m[key] = bad
		if _, err := FromMetadata(m); err == nil || errors.Is(err, ErrNoRule) {
			t.Errorf("%s = %q: %v, want an error naming it", key, bad, err)
		}
	}
	partial := map[string]string{KeyTemperature: "1"}
	if _, err := FromMetadata(partial); err == nil || !strings.Contains(err.Error(), KeyNotDigitBelow) {
		t.Errorf("a rule missing a key: %v", err)
	}
}

func TestTopTwo(t *testing.T) {
	for _, c := range []struct {
		q    []float32
		a, b int
	}{
		{[]float32{0.1, 0.2}, 1, 0},
		{[]float32{0.3, 0.3, 0.4}, 2, 0},
		{[]float32{0.5, 0.1, 0.1, 0.3}, 0, 3},
		{[]float32{0.1, 0.1, 0.1}, 0, 1},
	} {
		if a, b := TopTwo(c.q); a != c.a || b != c.b {
			t.Errorf("TopTwo(%v) = %d, %d, want %d, %d", c.q, a, b, c.a, c.b)
		}
	}
}
