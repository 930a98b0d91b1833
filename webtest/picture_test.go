package webtest

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"wasmcnn/core"
	"wasmcnn/core/ink"
	"wasmcnn/core/onnx"
	"wasmcnn/internal/archs"
	"wasmcnn/internal/site"
	"wasmcnn/wasm/adapt"
)

// pictureModel is a model the picture tests drop, with what the page must
// make of it.
type pictureModel struct {
	file  string
	bytes []byte
	norm  adapt.Norm // the normalisation "model" resolves to, for the caption
}

// withMetadata appends metadata_props (ModelProto field 14) to a model
// file: fields of a message may come in any order.
func withMetadata(b []byte, kv ...[2]string) []byte {
	out := append([]byte(nil), b...)
	str := func(dst []byte, field byte, s string) []byte {
		dst = append(dst, field)
		dst = appendVarint(dst, uint64(len(s)))
		return append(dst, s...)
	}
	for _, p := range kv {
		entry := str(str(nil, 0x0a, p[0]), 0x12, p[1])
		out = append(out, 0x72)
		out = appendVarint(out, uint64(len(entry)))
		out = append(out, entry...)
	}
	return out
}

func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// greyModel is an emotion-classifier-shaped model: one grey channel as
// [N, 64, 64, 1] (a Keras export, transposed inside), seven classes named
// in its metadata, pixels 0 to 255 as ONNX's image metadata says.
func greyModel(seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 9))
	w := func(shape ...int) *core.Tensor {
		t := core.NewTensor(shape...)
		for i := range t.Data {
			t.Data[i] = float32(rng.NormFloat64() * 0.05)
		}
		return t
	}
	b := onnx.NewModelBuilder(13)
	b.Input("image", []int{-1, 64, 64, 1})
	b.Node("Transpose", "to_nchw", []string{"image"}, []string{"x"}, onnx.AttrInts("perm", 0, 3, 1, 2))
	b.Initializer("w1", w(8, 1, 3, 3))
	b.Initializer("b1", w(8))
	b.Node("Conv", "conv1", []string{"x", "w1", "b1"}, []string{"c1"}, onnx.AttrInts("pads", 1, 1, 1, 1))
	b.Node("Relu", "relu1", []string{"c1"}, []string{"r1"})
	b.Node("MaxPool", "pool1", []string{"r1"}, []string{"p1"}, onnx.AttrInts("kernel_shape", 2, 2), onnx.AttrInts("strides", 2, 2))
	b.Initializer("w2", w(16, 8, 3, 3))
	b.Initializer("b2", w(16))
	b.Node("Conv", "conv2", []string{"p1", "w2", "b2"}, []string{"c2"}, onnx.AttrInts("pads", 1, 1, 1, 1))
	b.Node("Relu", "relu2", []string{"c2"}, []string{"r2"})
	b.Node("GlobalAveragePool", "gap", []string{"r2"}, []string{"g"})
	b.Node("Flatten", "flat", []string{"g"}, []string{"f"})
	b.Initializer("wf", w(7, 16))
	b.Initializer("bf", w(7))
	b.Node("Gemm", "fc", []string{"f", "wf", "bf"}, []string{"logits"}, onnx.AttrInt("transB", 1))
	b.Node("Softmax", "probs", []string{"logits"}, []string{"y"}, onnx.AttrInt("axis", 1))
	b.Output("y", nil)
	b.Metadata = [][2]string{
		{"labels", `["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]`},
		{adapt.PixelRangeKey, "NominalRange_0_255"},
	}
	return b.Bytes()
}

// pictureModels builds ImageNet-style models at 224×224×3 (a ResNet that
// says nothing of its normalisation, a MobileNetV2 with depthwise
// convolutions whose metadata gives a mean, a deviation and blue first)
// and a grey one, narrow and shallow for the tests' time.
func pictureModels(t *testing.T) []pictureModel {
	t.Helper()
	resnet, err := archs.Build(archs.ResNet18Arch, archs.Options{Seed: 7, Image: 224, Width: 0.25, Depth: 0.34, Classes: 1000})
	if err != nil {
		t.Fatal(err)
	}
	mobile, err := archs.Build(archs.MobileNetV2Arch, archs.Options{Seed: 8, Image: 224, Width: 0.25, Depth: 0.34, Classes: 1000})
	if err != nil {
		t.Fatal(err)
	}
	mobile = withMetadata(mobile, [2]string{"mean", "[0.5, 0.45, 0.4]"}, [2]string{"std", "[0.25, 0.25, 0.3]"}, [2]string{adapt.PixelFormatKey, "Bgr8"})
	return []pictureModel{
		{file: "resnet-224.onnx", bytes: resnet, norm: adapt.NormImageNet},
		{file: "mobilenetv2-224.onnx", bytes: mobile, norm: adapt.NormModel},
		{file: "emotion-64.onnx", bytes: greyModel(3), norm: adapt.NormRaw},
	}
}

// photo is a picture made in Go: a sky, a sun, hills and a bird, w×h, in
// colours a camera would give.
func photo(w, h int, seed uint64) *image.NRGBA {
	rng := rand.New(rand.NewPCG(seed, 1))
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			fy := float64(y) / float64(h)
			r, g, b := 90+80*fy, 150+60*fy, 235-30*fy // sky
			hill := 0.62 + 0.08*math.Sin(float64(x)/float64(w)*7+float64(seed))
			if fy > hill {
				r, g, b = 60+30*math.Sin(float64(x)/13), 120+40*(fy-hill), 50
			}
			if dx, dy := float64(x)-0.78*float64(w), float64(y)-0.2*float64(h); dx*dx+dy*dy < float64(h*h)/200 {
				r, g, b = 255, 226, 120 // the sun
			}
			if dx, dy := (float64(x)-0.4*float64(w))/(0.16*float64(w)), (float64(y)-0.45*float64(h))/(0.07*float64(h)); dx*dx+dy*dy < 1 {
				r, g, b = 120+60*dx, 40, 30 // a red bird
			}
			n := rng.Float64()*12 - 6 // sensor noise
			c := func(v float64) uint8 { return uint8(math.Max(0, math.Min(255, v+n))) }
			img.SetNRGBA(x, y, color.NRGBA{c(r), c(g), c(b), 255})
		}
	}
	return img
}

// pictureSite serves the site with the models, the pictures and a labels
// file under /testmodels/, and returns their directory.
func pictureSite(t *testing.T, ms []pictureModel) (string, *http.ServeMux) {
	t.Helper()
	dir := t.TempDir()
	write := func(name string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range ms {
		write(m.file, m.bytes)
	}
	for _, p := range []struct {
		name string
		img  *image.NRGBA
	}{{"bird.png", photo(640, 480, 1)}, {"face.png", photo(360, 480, 2)}} {
		var buf bytes.Buffer
		if err := png.Encode(&buf, p.img); err != nil {
			t.Fatal(err)
		}
		write(p.name, buf.Bytes())
	}
	var labels strings.Builder
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&labels, "thing number %d\n", i)
	}
	write("things.txt", []byte(labels.String()))
	write("broken.png", []byte("\x89PNG\r\n\x1a\nthis is no picture"))
	mux := http.NewServeMux()
	mux.Handle("/testmodels/", http.StripPrefix("/testmodels/", http.FileServer(http.Dir(dir))))
	mux.Handle("/", site.Handler(siteDir, site.HandlerOptions{}))
	return dir, mux
}

// pictureState is what the page says of the picture it answers.
type pictureState struct {
	Source, Name, Fed, Norm, NormSaid string
	SlowestStep                       string
	Input, Probs                      []float32
	Labels                            []string
	Took, LongestSlice                float64
	Slices                            int
	Picture                           struct {
		Name          string
		Width, Height int
		RGBA          string // base64
	}
	Top []struct {
		Index int
		P     float64
		Text  string
	}
}

func readPicture(t *testing.T, ctx context.Context) pictureState {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[pictureState](`(() => {
  const s = wasmcnnPage.state(), p = wasmcnnPage.picture();
  let rgba = "";
  if (p) { for (let i = 0; i < p.rgba.length; i += 32768) rgba += String.fromCharCode.apply(null, p.rgba.subarray(i, i + 32768)); rgba = btoa(rgba); }
  return {Source: s.source, Name: s.name, Fed: s.fed, Norm: s.norm, NormSaid: s.normSaid, Input: Array.from(s.input), Probs: Array.from(s.probabilities),
    Labels: s.labels, Took: s.took, Slices: s.slices, LongestSlice: s.longestSlice, SlowestStep: s.slowestStep,
    Picture: p ? {Name: p.name, Width: p.width, Height: p.height, RGBA: rgba} : {Name: "", Width: 0, Height: 0, RGBA: ""},
    Top: Array.from(document.querySelectorAll("#top5 li")).map((li) => ({Index: Number(li.dataset.index), P: Number(li.dataset.p), Text: li.textContent}))};
})()`))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// waitReady waits until the page answers (body[data-ready]) and cond holds.
func waitReady(t *testing.T, ctx context.Context, cond, what string) {
	t.Helper()
	js := `document.body.hasAttribute("data-ready") && (` + cond + `)`
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(90*time.Second))); err != nil {
		msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("picture-msg").textContent + " | " + document.getElementById("model-msg").textContent`))
		t.Fatalf("%s never happened (%v); the page says %q", what, err, msg)
	}
}

// checkPicture holds what the page fed the model answering to the
// reference done in Go on the picture the page decoded (and, for a PNG
// made in Go, that picture to the file's pixels), and the page's
// probabilities and top-5 to the native engine's on that input.
func checkPicture(t *testing.T, ctx context.Context, m pictureModel, norm adapt.Norm, want *image.NRGBA) pictureState {
	t.Helper()
	st := readPicture(t, ctx)
	if st.Fed != "picture" || st.Source != "dropped" || st.Name != m.file || st.Norm != string(norm) {
		t.Fatalf("%s: the page answers %s (%s) from %q at %q, want a picture at %q", m.file, st.Name, st.Source, st.Fed, st.Norm, norm)
	}
	rgba, err := base64.StdEncoding.DecodeString(st.Picture.RGBA)
	if err != nil || len(rgba) != 4*st.Picture.Width*st.Picture.Height {
		t.Fatalf("%s: the picture's pixels: %d bytes for %d×%d (%v)", m.file, len(rgba), st.Picture.Width, st.Picture.Height, err)
	}
	if want != nil {
		if st.Picture.Width != want.Rect.Dx() || st.Picture.Height != want.Rect.Dy() || !bytes.Equal(rgba, want.Pix) {
			t.Fatalf("%s: the page decoded %d×%d pixels unlike the PNG's %v", m.file, st.Picture.Width, st.Picture.Height, want.Rect)
		}
	}
	native, err := onnx.LoadModel(m.bytes, nil)
	if err != nil {
		t.Fatal(err)
	}
	x, err := adapt.InputFor(native)
	if err != nil {
		t.Fatal(err)
	}
	if err := native.Plan(x.Shape); err != nil {
		t.Fatal(err)
	}
	n, _ := adapt.NormalizationFor(norm, native.Metadata, x.C)
	ref, err := adapt.FillPictureRef(x, adapt.Picture{W: st.Picture.Width, H: st.Picture.Height, RGBA: rgba}, n)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Input) != len(ref) {
		t.Fatalf("%s: the page fed %d values, the reference has %d", m.file, len(st.Input), len(ref))
	}
	for i := range ref {
		if d := math.Abs(float64(st.Input[i] - ref[i])); !(d <= 2e-5*math.Max(1, math.Abs(float64(ref[i])))) {
			t.Fatalf("%s: fed value %d is %v on the page, %v in the reference", m.file, i, st.Input[i], ref[i])
		}
	}
	out, err := native.Predict(st.Input)
	if err != nil {
		t.Fatal(err)
	}
	probs := make([]float32, len(st.Probs))
	adapt.ToProbabilities(probs, out[:len(probs)])
	for i := range probs {
		if math.Abs(float64(probs[i]-st.Probs[i])) > 1e-5 {
			t.Fatalf("%s: probability %d is %v on the page, %v natively", m.file, i, st.Probs[i], probs[i])
		}
	}
	// The top five, in order, with the labels the page names them by.
	order := make([]int, len(probs))
	for i := range order {
		order[i] = i
	}
	for i := 0; i < min(5, len(order)); i++ {
		for j := i + 1; j < len(order); j++ {
			if probs[order[j]] > probs[order[i]] {
				order[i], order[j] = order[j], order[i]
			}
		}
	}
	if len(st.Top) != min(5, len(probs)) {
		t.Fatalf("%s: ol#top5 has %d answers", m.file, len(st.Top))
	}
	for i, a := range st.Top {
		if a.Index != order[i] || math.Abs(a.P-float64(probs[order[i]])) > 1e-5 || !strings.HasPrefix(a.Text, st.Labels[order[i]]) {
			t.Errorf("%s: answer %d is %d (%v, %q), natively %d (%v, %q)", m.file, i+1, a.Index, a.P, a.Text, order[i], probs[order[i]], st.Labels[order[i]])
		}
	}
	// A model of more than ten classes answers in the top five, the score
	// rows hidden; one of ten or fewer in the score rows.
	many := len(probs) > 10
	shown, err := chromedp.Run(ctx, chromedp.Evaluate[[]bool](`["probs", "top5"].map((id) => getComputedStyle(document.getElementById(id)).display !== "none")`))
	if err != nil || len(shown) != 2 || shown[0] == many || shown[1] != many {
		t.Errorf("%s: %d classes, #probs and #top5 shown: %v (%v)", m.file, len(probs), shown, err)
	}
	t.Logf("%s on %s (%d×%d) at %s: %q %.3f; one prediction %.1f ms in %d slices (longest %.1f ms; slowest step %s)", m.file, st.Picture.Name, st.Picture.Width, st.Picture.Height, st.NormSaid, st.Top[0].Text, st.Top[0].P, st.Took, st.Slices, st.LongestSlice, st.SlowestStep)
	return st
}

// deepestConv returns the node name of the last convolution of a model.
func deepestConv(t *testing.T, b []byte) string {
	t.Helper()
	m, err := onnx.LoadModel(b, &onnx.LoadOptions{KeepTensors: true})
	if err != nil {
		t.Fatal(err)
	}
	x, _ := adapt.InputFor(m)
	m.Plan(x.Shape)
	name := ""
	for _, s := range m.Steps() {
		if s.Node.Op == "Conv" {
			name = s.Node.Name
		}
	}
	return name
}

// openLayer opens a layer listed closed.
func openLayer(t *testing.T, ctx context.Context, node string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`(() => { const b = document.querySelector('.map-layer[data-node=%q] .layer-toggle');
		if (b.getAttribute("aria-expanded") === "false") b.click(); return true; })()`, node))); err != nil {
		t.Fatal(err)
	}
}

func decodePNG(t *testing.T, dir, name string) *image.NRGBA {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	n := image.NewNRGBA(img.Bounds())
	draw.Draw(n, n.Rect, img, img.Bounds().Min, draw.Src)
	return n
}

// TestPictureModels drops ImageNet-style models at 224×224 and a grey
// one, gives them photos made in Go (dropped and picked), and holds every
// fed tensor to the reference done in Go on the picture the page decoded,
// every top-5 to the native engine's, and the detail panel on the deepest
// convolution to the engine within 1e-5; a normalisation chosen by hand
// and a labels file are kept with the model over a reload; the drawing
// answers again on demand. It saves screenshots of a photo classified,
// its maps and a detail panel open.
func TestPictureModels(t *testing.T) {
	ms := pictureModels(t)
	dir, mux := pictureSite(t, ms)
	bird, face := decodePNG(t, dir, "bird.png"), decodePNG(t, dir, "face.png")
	ctx := newBrowser(t, 8*time.Minute)
	srv := serveHandler(t, mux)
	openPage(t, ctx, srv.URL+"/")

	// The shipped model takes no picture.
	if off, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("camera").disabled && document.getElementById("picture-file").disabled`)); !off {
		t.Error("the picture controls are on while the shipped model answers")
	}
	if r, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`wasmcnnPage.setPicture(new Uint8ClampedArray(4), 1, 1, "x").reason`)); !strings.Contains(r, "shipped model reads digits") {
		t.Errorf("a picture for the shipped model: %q", r)
	}

	resnet := ms[0]
	dropFile(t, ctx, "/testmodels/"+resnet.file, resnet.file)
	waitAnswering(t, ctx, "dropped", resnet.file)
	dropFile(t, ctx, "/testmodels/bird.png", "bird.png")
	waitReady(t, ctx, `document.body.dataset.input === "picture"`, "the bird answering")
	st := checkPicture(t, ctx, resnet, adapt.NormModel, bird)
	if st.NormSaid != adapt.NormImageNet.Label() || st.Labels[0] != "tench" {
		t.Errorf("%s: normalised with %q, class 0 %q; want ImageNet's mean/std and names", resnet.file, st.NormSaid, st.Labels[0])
	}
	caption, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("seen-caption").textContent`))
	if !strings.Contains(caption, "bird.png (640×480), scaled to 341×256 and its centre cut to 224×224") || !strings.Contains(caption, "does not say") {
		t.Errorf("the caption: %q", caption)
	}
	// Explain on the deepest convolution, opened from its closed layer.
	deep := deepestConv(t, resnet.bytes)
	openLayer(t, ctx, deep)
	clickMap(t, ctx, deep, 1)
	ps := readPanel(t, ctx)
	if ps.Hidden || ps.Node != deep {
		t.Fatalf("the panel of %s did not open: %+v", deep, ps)
	}
	native, _ := onnx.LoadModel(resnet.bytes, nil)
	x, _ := adapt.InputFor(native)
	native.Plan(x.Shape)
	checkPanel(t, native, readState(t, ctx), ps)
	t.Logf("explained %s (%d, %d, %d): %v", deep, ps.Channel, ps.Y, ps.X, ps.Value)
	// Every layer is listed; the first ones open, the rest closed.
	layers, _ := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[document.querySelectorAll(".map-layer").length, document.querySelectorAll(".map-layer.closed").length, document.querySelectorAll(".more-maps:not([hidden])").length]`))
	if len(layers) != 3 || layers[0] < 10 || layers[1] == 0 || layers[1] == layers[0] {
		t.Errorf("layers listed, closed, with more maps to show: %v", layers)
	}
	shot(t, ctx, "picture-desktop.png")

	// Another normalisation, chosen by hand.
	setSelect(t, ctx, "picture-norm", "unit")
	waitReady(t, ctx, `wasmcnnPage.state().norm === "unit"`, "0..1 chosen")
	checkPicture(t, ctx, resnet, adapt.NormUnit, bird)
	// The drawing answers again, and the picture when picked.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("use-drawing"))); err != nil {
		t.Fatal(err)
	}
	waitReady(t, ctx, `document.body.dataset.input === "drawing" && wasmcnnPage.state().fed === "drawing"`, "the drawing answering")
	drawPen(t, ctx, 0)
	waitReady(t, ctx, `wasmcnnPage.state().answered && wasmcnnPage.state().fed === "drawing"`, "the drawing answered")

	// MobileNetV2: its metadata's mean, deviation and channel order; the
	// picture stays in use; a labels file names its classes.
	mobile := ms[1]
	pickFile(t, ctx, filepath.Join(dir, mobile.file))
	waitAnswering(t, ctx, "dropped", mobile.file)
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.ID("picture-file"), []string{filepath.Join(dir, "face.png")})); err != nil {
		t.Fatal(err)
	}
	waitReady(t, ctx, `wasmcnnPage.state().fed === "picture" && wasmcnnPage.state().name === "`+mobile.file+`"`, "the face answering")
	st = checkPicture(t, ctx, mobile, adapt.NormModel, face)
	if !strings.Contains(st.NormSaid, "mean 0.5, 0.45, 0.4") {
		t.Errorf("%s: normalised with %q", mobile.file, st.NormSaid)
	}
	dropFile(t, ctx, "/testmodels/things.txt", "things.txt")
	waitReady(t, ctx, `wasmcnnPage.state().labels[3] === "thing number 3"`, "the labels file naming the classes")
	setSelect(t, ctx, "picture-norm", "imagenet")
	waitReady(t, ctx, `wasmcnnPage.state().norm === "imagenet"`, "ImageNet chosen")
	// The choice reaches IndexedDB after the page shows it; a reload before
	// that would test the reload's timing, not the keeping.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`wasmcnnStore.get("dropped-model").then((r) => !!r && r.norm === "imagenet")`,
		chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("the chosen normalisation was never kept: %v", err)
	}
	// Kept with the model: after a reload the model answers with both
	// (the drawing, until a picture is given again).
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	openPage(t, ctx, srv.URL+"/")
	waitAnswering(t, ctx, "dropped", mobile.file)
	kept, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[wasmcnnPage.state().norm, document.getElementById("picture-norm").value, wasmcnnPage.state().labels[999]]`))
	if strings.Join(kept, "|") != "imagenet|imagenet|thing number 999" {
		t.Errorf("after a reload the kept model's normalisation and labels are %v", kept)
	}
	dropFile(t, ctx, "/testmodels/face.png", "face.png")
	waitReady(t, ctx, `wasmcnnPage.state().fed === "picture"`, "the face answering after a reload")
	checkPicture(t, ctx, mobile, adapt.NormImageNet, face)

	// A grey model (NHWC) of seven named classes at 0 to 255.
	grey := ms[2]
	dropFile(t, ctx, "/testmodels/"+grey.file, grey.file)
	waitAnswering(t, ctx, "dropped", grey.file)
	waitReady(t, ctx, `wasmcnnPage.state().fed === "picture"`, "the grey model answering the face")
	// Seven classes are shown as score rows; the top five stay filled.
	st = checkPicture(t, ctx, grey, adapt.NormModel, face)
	if st.NormSaid != adapt.NormRaw.Label() || len(st.Top) != 5 || !slices.Contains(strings.Fields("angry disgust fear happy sad surprise neutral"), st.Labels[st.Top[0].Index]) {
		t.Errorf("%s: %q, top %v", grey.file, st.NormSaid, st.Top)
	}
}

// drawPen draws held-out pen digit i on the pad.
func drawPen(t *testing.T, ctx context.Context, i int) {
	t.Helper()
	d := heldOut(t)[i]
	placed := ink.PlaceStrokes(d.Strokes, ink.PadSize, ink.DigitFraction)
	strokes := make([][][2]float32, len(placed))
	for k, s := range placed {
		strokes[k] = s
	}
	r, err := padRect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := drawStrokes(ctx, r, strokes); err != nil {
		t.Fatal(err)
	}
}

// shot saves a full screenshot.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	// The maps are drawn a slice a frame: wait for them.
	chromedp.Run(ctx, chromedp.Evaluate[bool](afterFrames, chromedp.EvalAwaitPromise))
	if b, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		saveArtifact(t, name, b)
	}
}

// onnxConvModel is one convolution of 3 to c channels on 256×256 images:
// with c in the hundreds, more maps than the page keeps.
func onnxConvModel(t *testing.T, c int) []byte {
	t.Helper()
	b := onnx.NewModelBuilder(13)
	b.Input("x", []int{1, 3, 256, 256})
	b.Initializer("w", core.NewTensor(c, 3, 3, 3))
	b.Node("Conv", "wide", []string{"x", "w"}, []string{"c"}, onnx.AttrInts("pads", 1, 1, 1, 1))
	b.Node("GlobalAveragePool", "gap", []string{"c"}, []string{"g"})
	b.Node("Flatten", "flat", []string{"g"}, []string{"y"})
	b.Output("y", nil)
	return b.Bytes()
}

// archsBuild224 is a ResNet-18 at 224×224 of width w, a third of its
// blocks, 1,000 classes.
func archsBuild224(w float64) ([]byte, error) {
	return archs.Build(archs.ResNet18Arch, archs.Options{Seed: 11, Image: 224, Width: w, Depth: 0.34, Classes: 1000})
}

func writeFile(t *testing.T, dir, name string, b []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// addFrameMeter times the page's pointer handlers and animation frames
// from its first script on (teaching's frameMeter).
func addFrameMeter(t *testing.T, ctx context.Context) {
	t.Helper()
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: frameMeter}); err != nil {
		t.Fatal(err)
	}
}

// phone shows the page as a 390×844 phone with touch.
func phone(t *testing.T, ctx context.Context) {
	t.Helper()
	if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
		Width: 390, Height: 844, DeviceScaleFactor: 2, Mobile: true,
	}); err != nil {
		t.Fatal(err)
	}
}

// firstConv returns the node of the page's first layer of maps.
func firstConv(t *testing.T, ctx context.Context) string {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector(".map-layer:not(.closed)").dataset.node`))
	if err != nil {
		t.Fatal(err)
	}
	return n
}
