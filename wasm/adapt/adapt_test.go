package adapt_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"wasmcnn/core"
	"wasmcnn/core/onnx"
	"wasmcnn/internal/testmodels"
	"wasmcnn/wasm/adapt"
	"wasmcnn/web/models"
)

// load loads a model and fits it to the page, planning it for the input.
func load(t *testing.T, b []byte) (*onnx.Model, *adapt.Input) {
	t.Helper()
	m, err := onnx.LoadModel(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	x, err := adapt.InputFor(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Plan(x.Shape); err != nil {
		t.Fatal(err)
	}
	return m, x
}

func digits(t *testing.T) []adapt.Digit {
	t.Helper()
	ds, err := adapt.ReadDigits(models.MNISTSample)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// TestVariants feeds every third-party shape: the layout and size are
// recognised, the automatic scale is the one the model was made for, and
// each gives the shipped model's probabilities on the same digit (the
// 3-channel one at 32×32 only agrees on the answer).
func TestVariants(t *testing.T) {
	ds := digits(t)
	shipped, sx := load(t, models.Digits)
	want := make([]float32, 10)
	in := make([]float32, sx.Len())
	for _, v := range testmodels.Variants() {
		b, err := testmodels.Build(v)
		if err != nil {
			t.Fatal(err)
		}
		m, x := load(t, b)
		wantC := 1
		if v.Layout == adapt.NCHW {
			wantC = v.Input[1]
		}
		if x.Layout != v.Layout || x.C != wantC {
			t.Errorf("%s: layout %v with %d channels", v.Name, x.Layout, x.C)
		}
		scale, results, err := adapt.ChooseScale(m, x, ds, nil)
		if err != nil || scale != v.Scale {
			t.Errorf("%s: chose %s (%v), want %s; %+v", v.Name, scale, err, v.Scale, results)
		}
		got := make([]float32, 10)
		xin := make([]float32, x.Len())
		agree := 0
		for _, d := range ds {
			x.Fill(xin, d.Pix, v.Scale)
			out, err := m.Predict(xin)
			if err != nil {
				t.Fatal(err)
			}
			kind := adapt.ToProbabilities(got, out[:10])
			wantKind := map[string]adapt.OutputKind{"softmax": adapt.Probabilities, "logsoftmax": adapt.LogProbabilities, "logits": adapt.Scores}[v.Output]
			if kind != wantKind {
				t.Errorf("%s: outputs taken as %v, want %v", v.Name, kind, wantKind)
			}
			sx.Fill(in, d.Pix, adapt.Unit)
			ref, _ := shipped.Predict(in)
			copy(want, ref)
			if core.Argmax(got) == core.Argmax(want) {
				agree++
			}
			if x.H != 28 {
				continue
			}
			for i := range got {
				if d := math.Abs(float64(got[i] - want[i])); d > 1e-5 {
					t.Fatalf("%s: probability %d is %v, the shipped model says %v", v.Name, i, got[i], want[i])
				}
			}
		}
		if agree < len(ds)-1 {
			t.Errorf("%s: agrees with the shipped model on %d of %d digits", v.Name, agree, len(ds))
		}
		t.Logf("%s: %v %d×%d×%d, chose %s: %+v", v.Name, x.Layout, x.C, x.H, x.W, scale, results)
	}
}

func TestMLP(t *testing.T) {
	b, err := testmodels.MLP()
	if err != nil {
		t.Skipf("no MLP (MNIST not available?): %v", err)
	}
	m, x := load(t, b)
	if x.Layout != adapt.Flat || x.H != 28 || x.W != 28 {
		t.Errorf("MLP input: %v %d×%d", x.Layout, x.H, x.W)
	}
	scale, results, err := adapt.ChooseScale(m, x, digits(t), nil)
	if err != nil || scale != adapt.PM1 {
		t.Errorf("MLP: chose %s (%v), want pm1; %+v", scale, err, results)
	}
	t.Logf("MLP: %+v", results)
}

// TestInputFor checks the layouts recognised and the refusals.
func TestInputFor(t *testing.T) {
	for _, c := range []struct {
		shape []int
		want  string // layout and C×H×W, or an error's words
	}{
		{[]int{-1, 1, 28, 28}, "NCHW 1×28×28 [1 1 28 28]"},
		{[]int{1, 3, -1, -1}, "NCHW 3×28×28 [1 3 28 28]"},
		{[]int{-1, 3, 64, -1}, "NCHW 3×64×64 [1 3 64 64]"},
		{[]int{4, 32, 32, 3}, "NHWC 3×32×32 [4 32 32 3]"},
		{[]int{-1, 28, 28}, "[N, H, W] 1×28×28 [1 28 28]"},
		{[]int{-1, 784}, "[N, H·W] 1×28×28 [1 784]"},
		{[]int{-1, -1}, "[N, H·W] 1×28×28 [1 784]"},
		{[]int{-1, 256, 256, 1}, "NHWC 1×256×256 [1 256 256 1]"},
		{[]int{-1, 1, 300, 28}, "up to 256×256"},
		{[]int{-1, 2, 28, 28}, "1 or 3 channels"},
		{[]int{-1, 785}, "not a square image"},
		{[]int{-1}, "feeds an image as"},
		{[]int{-1, 1, 1, 28, 28}, "feeds an image as"},
		{[]int{100, 1, 28, 28}, "fixed batch of 100"},
	} {
		b := onnx.NewModelBuilder(13)
		b.Input("x", c.shape)
		b.Node("Identity", "id", []string{"x"}, []string{"y"})
		b.Output("y", nil)
		m, err := onnx.LoadModel(b.Bytes(), nil)
		if err != nil {
			t.Fatal(err)
		}
		x, err := adapt.InputFor(m)
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = fmt.Sprintf("%v %d×%d×%d %v", x.Layout, x.C, x.H, x.W, x.Shape)
		}
		if !strings.Contains(got, c.want) {
			t.Errorf("%v: %q, want %q", c.shape, got, c.want)
		}
	}
	b := onnx.NewModelBuilder(13)
	b.Input("a", []int{1, 1, 28, 28})
	b.Input("b", []int{1, 1, 28, 28})
	b.Node("Add", "add", []string{"a", "b"}, []string{"y"})
	b.Output("y", nil)
	m, _ := onnx.LoadModel(b.Bytes(), nil)
	if _, err := adapt.InputFor(m); err == nil || !strings.Contains(err.Error(), "2 inputs") {
		t.Errorf("two inputs: %v", err)
	}
}

// TestFillLayouts checks where each pixel lands, in every layout, at every
// scale, and that the other examples of a batch hold the background.
func TestFillLayouts(t *testing.T) {
	digit := make([]float32, 784)
	for i := range digit {
		digit[i] = float32(i%7) / 6
	}
	for _, layout := range []struct {
		shape []int
		at    func(c, y, x int) int
	}{
		{[]int{2, 3, 28, 28}, func(c, y, x int) int { return (c*28+y)*28 + x }},
		{[]int{2, 28, 28, 3}, func(c, y, x int) int { return (y*28+x)*3 + c }},
		{[]int{2, 28, 28}, func(c, y, x int) int { return y*28 + x }},
		{[]int{2, 784}, func(c, y, x int) int { return y*28 + x }},
	} {
		b := onnx.NewModelBuilder(13)
		b.Input("x", layout.shape)
		b.Node("Identity", "id", []string{"x"}, []string{"y"})
		b.Output("y", nil)
		m, _ := onnx.LoadModel(b.Bytes(), nil)
		x, err := adapt.InputFor(m)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range adapt.Scales {
			dst := make([]float32, x.Len())
			x.Fill(dst, digit, s)
			for c := 0; c < x.C; c++ {
				for y := 0; y < 28; y++ {
					for xx := 0; xx < 28; xx++ {
						if got, want := dst[layout.at(c, y, xx)], s.Apply(digit[y*28+xx]); got != want {
							t.Fatalf("%v %s: pixel (%d,%d,%d) = %v, want %v", layout.shape, s, c, y, xx, got, want)
						}
					}
				}
			}
			for i := x.Len() / 2; i < x.Len(); i++ {
				if dst[i] != s.Apply(0) {
					t.Fatalf("%v %s: the second example holds %v at %d", layout.shape, s, dst[i], i)
				}
			}
		}
	}
}

func TestScales(t *testing.T) {
	for _, c := range []struct {
		s        adapt.Scale
		at0, at1 float32
	}{{adapt.Unit, 0, 1}, {adapt.Raw, 0, 255}, {adapt.PM1, -1, 1}, {adapt.MNIST, -0.1307 / 0.3081, (1 - 0.1307) / 0.3081}} {
		if a, b := c.s.Apply(0), c.s.Apply(1); math.Abs(float64(a-c.at0)) > 1e-6 || math.Abs(float64(b-c.at1)) > 1e-5 {
			t.Errorf("%s: 0 → %v, 1 → %v; want %v, %v", c.s, a, b, c.at0, c.at1)
		}
		if !c.s.Valid() || c.s.Label() == "" {
			t.Errorf("%s not valid or unlabelled", c.s)
		}
	}
	if adapt.Scale("auto").Valid() {
		t.Error("auto is not a scale")
	}
}

func TestToProbabilities(t *testing.T) {
	dst := make([]float32, 3)
	if k := adapt.ToProbabilities(dst, []float32{0.2, 0.3, 0.5}); k != adapt.Probabilities || dst[2] != 0.5 {
		t.Errorf("probabilities: %v %v", k, dst)
	}
	logs := []float32{float32(math.Log(0.2)), float32(math.Log(0.3)), float32(math.Log(0.5))}
	if k := adapt.ToProbabilities(dst, logs); k != adapt.LogProbabilities || math.Abs(float64(dst[2])-0.5) > 1e-6 {
		t.Errorf("log-probabilities: %v %v", k, dst)
	}
	if k := adapt.ToProbabilities(dst, []float32{2, -1, 0.5}); k != adapt.Scores || math.Abs(float64(dst[0]+dst[1]+dst[2])-1) > 1e-6 || core.Argmax(dst) != 0 {
		t.Errorf("logits: %v %v", k, dst)
	}
	if k := adapt.ToProbabilities(dst, []float32{0.6, 0.6, 0.6}); k != adapt.Scores {
		t.Errorf("values in 0..1 not summing to 1: %v", k)
	}
}

func TestLabels(t *testing.T) {
	for _, c := range []struct {
		meta map[string]string
		k    int
		want string
	}{
		{nil, 3, "0|1|2 "},
		{map[string]string{"labels": `["cat", "dog", "bird"]`}, 3, "cat|dog|bird labels"},
		{map[string]string{"classes": `{"0": "cat", "2": "bird", "1": "dog"}`}, 3, "cat|dog|bird classes"},
		{map[string]string{"names": `{0: 'person', 1: 'bicycle'}`}, 2, "person|bicycle names"},
		{map[string]string{"class_names": "a, b ,c"}, 3, "a|b|c class_names"},
		{map[string]string{"labels": "one\ntwo\n"}, 3, "0|1|2 "}, // two names for three outputs
		{map[string]string{"labels": "one\ntwo"}, 2, "one|two labels"},
		{map[string]string{"labels": `["a", "b"]`, "classes": "x,y,z"}, 3, "x|y|z classes"},
		{map[string]string{"labels": `["caf\u00e9", "it's \"q\""]`}, 2, `café|it's "q" labels`},
		{map[string]string{"labels": `["a", "b"`}, 2, "0|1 "},
		{map[string]string{"labels": `{0: 'a', 0: 'b'}`}, 2, "0|1 "},
		{map[string]string{"labels": `["` + strings.Repeat("x", 100) + `"]`}, 1, strings.Repeat("x", 39) + "… labels"},
	} {
		ls, key := adapt.Labels(c.meta, c.k)
		if got := strings.Join(ls, "|") + " " + key; got != c.want {
			t.Errorf("%v: %q, want %q", c.meta, got, c.want)
		}
	}
}

func TestReadDigits(t *testing.T) {
	ds := digits(t)
	if len(ds) != 20 {
		t.Fatalf("%d digits shipped", len(ds))
	}
	for _, b := range [][]byte{nil, make([]byte, adapt.DigitBytes+1), append([]byte{10}, make([]byte, adapt.DigitBytes-1)...)} {
		if _, err := adapt.ReadDigits(b); err == nil {
			t.Errorf("ReadDigits of %d bytes did not refuse", len(b))
		}
	}
	// A replay file may hold non-digits (label byte 10); the digits file of
	// the pixel-scale judge may not, and no file holds label 11.
	non := append([]byte{adapt.NotDigitByte}, make([]byte, adapt.DigitBytes-1)...)
	non[5] = 255
	if r, err := adapt.ReadReplay(append(non, models.MNISTSample[:adapt.DigitBytes]...)); err != nil || len(r) != 2 ||
		r[0].Label != adapt.NotDigitLabel || r[0].Pix[4] != 1 || r[1].Label != ds[0].Label {
		t.Errorf("ReadReplay of a non-digit and a digit: %v", err)
	}
	non[0] = 11
	if _, err := adapt.ReadReplay(non); err == nil {
		t.Error("ReadReplay took label 11")
	}
	// A model without ten outputs cannot be judged.
	b := onnx.NewModelBuilder(13)
	b.Input("x", []int{-1, 1, 28, 28})
	b.Node("Flatten", "f", []string{"x"}, []string{"y"})
	b.Output("y", nil)
	m, x := load(t, b.Bytes())
	if s, _, err := adapt.ChooseScale(m, x, ds, nil); s != adapt.Unit || err == nil || !strings.Contains(err.Error(), "784 outputs") {
		t.Errorf("a model of 784 outputs: %s %v", s, err)
	}
}
