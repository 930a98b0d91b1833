package adapt_test

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wasmcnn/core/onnx"
	"wasmcnn/wasm/adapt"
)

// inputOf fits the page to a model whose one input has shape.
func inputOf(t *testing.T, shape []int) *adapt.Input {
	t.Helper()
	b := onnx.NewModelBuilder(13)
	b.Input("x", shape)
	b.Node("Flatten", "f", []string{"x"}, []string{"y"})
	b.Output("y", nil)
	_, x := load(t, b.Bytes())
	return x
}

// randomPicture is a w×h picture of random colours, or of smooth ones
// (a gradient and a disc) when smooth is set.
func randomPicture(rng *rand.Rand, w, h int, smooth bool) adapt.Picture {
	p := adapt.Picture{W: w, H: h, RGBA: make([]byte, 4*w*h)}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			o := 4 * (y*w + x)
			if smooth {
				r := 255 * float64(x) / float64(w)
				g := 255 * float64(y) / float64(h)
				b := 40.0
				if dx, dy := float64(x-w/2), float64(y-h/3); dx*dx+dy*dy < float64(w*w)/25 {
					b = 230
				}
				p.RGBA[o], p.RGBA[o+1], p.RGBA[o+2] = byte(r), byte(g), byte(b)
			} else {
				p.RGBA[o], p.RGBA[o+1], p.RGBA[o+2] = byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(256))
			}
			p.RGBA[o+3] = byte(rng.IntN(256)) // alpha is ignored
		}
	}
	return p
}

// TestCropFor holds the geometry to torchvision's Resize(S·256/224) and
// CenterCrop(S), worked out by hand from their definitions.
func TestCropFor(t *testing.T) {
	for _, c := range []struct {
		w, h, W, H int
		want       adapt.Crop
	}{
		{640, 480, 224, 224, adapt.Crop{RW: 341, RH: 256, Left: 58, Top: 16}}, // 58.5 rounds to even
		{480, 640, 224, 224, adapt.Crop{RW: 256, RH: 341, Left: 16, Top: 58}},
		{224, 224, 224, 224, adapt.Crop{RW: 256, RH: 256, Left: 16, Top: 16}},
		{300, 300, 299, 299, adapt.Crop{RW: 342, RH: 342, Left: 22, Top: 22}}, // Inception's 342 and 299
		{1000, 100, 224, 224, adapt.Crop{RW: 2560, RH: 256, Left: 1168, Top: 16}},
		{400, 400, 200, 100, adapt.Crop{RW: 229, RH: 229, Left: 14, Top: 64}}, // the width binds
		{20, 10, 28, 28, adapt.Crop{RW: 64, RH: 32, Left: 18, Top: 2}},        // enlarged
		{1, 1, 64, 64, adapt.Crop{RW: 73, RH: 73, Left: 4, Top: 4}},
	} {
		if got := adapt.CropFor(c.w, c.h, c.W, c.H); got != c.want {
			t.Errorf("%d×%d to %d×%d: %+v, want %+v", c.w, c.h, c.W, c.H, got, c.want)
		}
	}
}

// TestFillPicture holds the fast path to its reference twin on pictures
// smaller and larger than the input, square, tall and wide, in every
// layout, grey and colour, BGR, with a fixed batch, at every
// normalisation; a plain colour must come out as that colour normalised.
func TestFillPicture(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	shapes := [][]int{{1, 3, 224, 224}, {-1, 64, 48, 3}, {1, 1, 28, 28}, {2, 3, 32, 40}, {-1, 20, 20}, {1, 256}}
	sizes := [][2]int{{640, 480}, {480, 640}, {224, 224}, {37, 23}, {1, 1}, {301, 97}}
	for si, shape := range shapes {
		x := inputOf(t, shape)
		for _, sz := range sizes {
			for _, norm := range adapt.Norms {
				meta := map[string]string{}
				if norm == adapt.NormModel {
					meta["mean"], meta["std"] = "[123.7, 116.3, 103.5]", "58.4 57.1 57.4"
					meta[adapt.PixelFormatKey] = "Bgr8"
				}
				n, _ := adapt.NormalizationFor(norm, meta, x.C)
				p := randomPicture(rng, sz[0], sz[1], si%2 == 0)
				got := make([]float32, x.Len())
				if err := x.FillPicture(got, p, n); err != nil {
					t.Fatal(err)
				}
				want, err := adapt.FillPictureRef(x, p, n)
				if err != nil {
					t.Fatal(err)
				}
				for i := range want {
					if d := math.Abs(float64(got[i] - want[i])); !(d <= 2e-5*math.Max(1, math.Abs(float64(want[i])))) {
						t.Fatalf("%v from %v at %s: value %d is %v, the reference %v", shape, sz, norm, i, got[i], want[i])
					}
				}
			}
		}
	}
	// A plain colour stays that colour, whatever the scaling.
	x := inputOf(t, []int{1, 3, 224, 224})
	n, _ := adapt.NormalizationFor(adapt.NormImageNet, nil, 3)
	p := adapt.Picture{W: 333, H: 97, RGBA: make([]byte, 4*333*97)}
	for i := 0; i < len(p.RGBA); i += 4 {
		p.RGBA[i], p.RGBA[i+1], p.RGBA[i+2] = 255, 128, 0
	}
	got := make([]float32, x.Len())
	if err := x.FillPicture(got, p, n); err != nil {
		t.Fatal(err)
	}
	for c, v := range []float32{1, 128.0 / 255, 0} {
		want := (v - adapt.ImageNetMean[c]) / adapt.ImageNetStd[c]
		for i := c * 224 * 224; i < (c+1)*224*224; i++ {
			if math.Abs(float64(got[i]-want)) > 1e-5 {
				t.Fatalf("channel %d value %d: %v, want %v", c, i, got[i], want)
			}
		}
	}
	planes, ch := x.Seen()
	if ch != 3 || len(planes) != 3*224*224 || math.Abs(float64(planes[224*224]-128.0/255)) > 1e-6 {
		t.Errorf("Seen: %d channels, %d values, green %v", ch, len(planes), planes[224*224])
	}
	// After a drawing, the seen image is the grey drawing again.
	x.Fill(got, make([]float32, 28*28), adapt.Unit)
	if _, ch := x.Seen(); ch != 1 {
		t.Errorf("after a drawing Seen has %d channels", ch)
	}
}

// TestPictureRefused refuses pictures of bad sizes and short pixels.
func TestPictureRefused(t *testing.T) {
	x := inputOf(t, []int{1, 3, 32, 32})
	n, _ := adapt.NormalizationFor(adapt.NormUnit, nil, 3)
	dst := make([]float32, x.Len())
	for _, p := range []adapt.Picture{{W: 0, H: 5}, {W: 5, H: 5, RGBA: make([]byte, 99)}, {W: adapt.MaxPictureSide + 1, H: 1, RGBA: make([]byte, 4*(adapt.MaxPictureSide+1))}, {W: -2, H: -2, RGBA: make([]byte, 16)}} {
		if err := x.FillPicture(dst, p, n); err == nil {
			t.Errorf("a %d×%d picture of %d bytes was taken", p.W, p.H, len(p.RGBA))
		}
	}
	if err := x.FillPicture(dst[:5], adapt.Picture{W: 1, H: 1, RGBA: make([]byte, 4)}, n); err == nil {
		t.Error("FillPicture wrote into 5 values")
	}
}

// TestNormalizationFor reads the normalisation from each kind of metadata,
// falls back when there is none, and applies the person's choice.
func TestNormalizationFor(t *testing.T) {
	apply := func(n adapt.Normalization, c int, v float32) float32 { return v*n.Scale[c] + n.Offset[c] }
	for _, c := range []struct {
		choice   adapt.Norm
		meta     map[string]string
		channels int
		// the values of black and white in channels 0 and 2, the key, the fallback
		black0, white0, white2 float32
		from                   string
		fallback, bgr          bool
	}{
		{adapt.NormModel, nil, 3, -0.485 / 0.229, (1 - 0.485) / 0.229, (1 - 0.406) / 0.225, "", true, false},
		{adapt.NormModel, nil, 1, 0, 1, 1, "", true, false},
		{adapt.NormModel, map[string]string{"mean": "[0.5, 0.5, 0.5]", "std": "[0.5, 0.5, 0.5]"}, 3, -1, 1, 1, "mean, std", false, false},
		{adapt.NormModel, map[string]string{"image_mean": "0.5", "image_std": "0.25"}, 1, -2, 2, 2, "image_mean, image_std", false, false},
		{adapt.NormModel, map[string]string{"mean": "123.675,116.28,103.53", "std": "58.395 57.12 57.375"}, 3, -123.675 / 58.395, (255 - 123.675) / 58.395, (255 - 103.53) / 57.375, "mean, std", false, false},
		{adapt.NormModel, map[string]string{"mean": "[104, 117, 123]", adapt.PixelFormatKey: "Bgr8"}, 3, -104, 255 - 104, 255 - 123, "mean", false, true},
		{adapt.NormModel, map[string]string{adapt.PixelRangeKey: "NominalRange_0_255"}, 3, 0, 255, 255, adapt.PixelRangeKey, false, false},
		{adapt.NormModel, map[string]string{adapt.PixelRangeKey: "Normalized_1_1"}, 1, -1, 1, 1, adapt.PixelRangeKey, false, false},
		{adapt.NormModel, map[string]string{adapt.PixelRangeKey: "NominalRange_16_235"}, 3, 16, 235, 235, adapt.PixelRangeKey, false, false},
		{adapt.NormModel, map[string]string{adapt.NormKey: "pm1"}, 3, -1, 1, 1, adapt.NormKey, false, false},
		{adapt.NormModel, map[string]string{adapt.NormKey: "Raw ", adapt.PixelRangeKey: "Normalized_0_1"}, 3, 0, 255, 255, adapt.NormKey, false, false},
		// Unreadable metadata is passed over.
		{adapt.NormModel, map[string]string{"mean": "[0.5, 0.5]", "std": "zero"}, 3, -0.485 / 0.229, (1 - 0.485) / 0.229, (1 - 0.406) / 0.225, "", true, false},
		{adapt.NormModel, map[string]string{"std": "0"}, 3, -0.485 / 0.229, (1 - 0.485) / 0.229, (1 - 0.406) / 0.225, "", true, false},
		// The person's choice wins over the metadata, but not its channel order.
		{adapt.NormUnit, map[string]string{"mean": "0.5", "std": "0.5", adapt.PixelFormatKey: "BGR8"}, 3, 0, 1, 1, "", false, true},
		{adapt.NormRaw, nil, 1, 0, 255, 255, "", false, false},
		{adapt.NormPM1, nil, 3, -1, 1, 1, "", false, false},
		{adapt.NormImageNet, map[string]string{"mean": "0"}, 3, -0.485 / 0.229, (1 - 0.485) / 0.229, (1 - 0.406) / 0.225, "", false, false},
	} {
		n, fb := adapt.NormalizationFor(c.choice, c.meta, c.channels)
		got := [3]float32{apply(n, 0, 0), apply(n, 0, 1), apply(n, 2, 1)}
		for i, w := range [3]float32{c.black0, c.white0, c.white2} {
			if math.Abs(float64(got[i]-w)) > 1e-4 {
				t.Errorf("%s %v: black, white of channel 0 and white of 2: %v, want %v, %v, %v", c.choice, c.meta, got, c.black0, c.white0, c.white2)
				break
			}
		}
		if n.From != c.from || fb != c.fallback || n.BGR != c.bgr || n.Said == "" {
			t.Errorf("%s %v: from %q fallback %v BGR %v (%q), want %q %v %v", c.choice, c.meta, n.From, fb, n.BGR, n.Said, c.from, c.fallback, c.bgr)
		}
	}
	for _, n := range adapt.Norms {
		if !n.Valid() || n.Label() == "" {
			t.Errorf("norm %q: valid %v, label %q", n, n.Valid(), n.Label())
		}
	}
	if adapt.Norm("mnist").Valid() || adapt.Norm("auto").Valid() {
		t.Error("a drawing's scale passes as a picture's normalisation")
	}
}

// TestLabelsFile reads labels files of each form and says what is wrong
// with bad ones; the ImageNet list shipped with the page names 1,000 and
// 1,001 classes.
func TestLabelsFile(t *testing.T) {
	for _, c := range []struct {
		text string
		k    int
		want string // joined labels, or "error: …" with a part of the message
	}{
		{"cat\ndog\nbird\n", 3, "cat|dog|bird"},
		{"\xef\xbb\xbfcat\r\ndog\r\nbird\r\n\r\n", 3, "cat|dog|bird"},
		{"tench, Tinca tinca\ngoldfish, Carassius auratus\n", 2, "tench, Tinca tinca|goldfish, Carassius auratus"},
		{`["cat", "dog"]`, 2, "cat|dog"},
		{`{"1": "dog", "0": "cat"}`, 2, "cat|dog"},
		{"cat\ndog\n", 3, "error: 2 lines; the model has 3"},
		{"cat\n\ndog\n", 3, "error: line 2 is empty"},
		{`["cat", "dog", "bird"]`, 2, "error: lists 3 labels; the model has 2"},
		{`[1, 2]`, 2, "error: lists 2 labels"},
		{`["cat", `, 2, "error: not a list of strings"},
		{"  \n ", 2, "error: empty"},
		{strings.Repeat("x", adapt.MaxLabelsFile+1), 1, "error: bytes"},
	} {
		ls, err := adapt.LabelsFile(c.text, c.k)
		got := strings.Join(ls, "|")
		if err != nil {
			got = "error: " + err.Error()
		}
		if want, ok := strings.CutPrefix(c.want, "error: "); ok {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%.40q: %q, want an error with %q", c.text, got, want)
			}
			continue
		}
		if got != c.want {
			t.Errorf("%.40q: %q, want %q", c.text, got, c.want)
		}
	}
	list, err := os.ReadFile(filepath.Join("..", "..", "web", "models", "imagenet-classes.txt"))
	if err != nil {
		t.Fatal(err)
	}
	ls, ok := adapt.ImageNetLabels(string(list), 1000)
	if !ok || ls[0] != "tench" || ls[999] != "toilet tissue" {
		t.Fatalf("ImageNet's 1,000: %v %v", ok, ls[:2])
	}
	if ls, ok := adapt.ImageNetLabels(string(list), 1001); !ok || ls[0] != "background" || ls[1] != "tench" || len(ls) != 1001 {
		t.Errorf("1,001 classes: %v %d", ok, len(ls))
	}
	if _, ok := adapt.ImageNetLabels(string(list), 10); ok {
		t.Error("ImageNet labels for 10 classes")
	}
}
