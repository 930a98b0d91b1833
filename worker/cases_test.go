package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"image"
	"image/jpeg"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wasmcnn/core/ink"
	"wasmcnn/core/onnx"
	"wasmcnn/core/verdict"
	"wasmcnn/data"
)

// reqCase is one request to the worker and what must come back.
type reqCase struct {
	desc   string
	method string
	path   string
	ctype  string
	body   []byte
	status int
	// want, if set, is the digit expected (−1 for null) and the input the
	// native engine must agree on.
	want  int
	input []float32
	// nonDigit marks a drawing that is no digit (want −1): the worker
	// must answer it as the native engine does.
	nonDigit bool
}

// penDigits returns the held-out pen digits used by the tests.
func penDigits(t testing.TB) []data.StrokeDigit {
	ds, err := data.LoadStrokeDigits(filepath.Join("..", "testdata", "pendigits", "heldout300.json"))
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// nativeInput renders strokes the way the worker and the page do.
func nativeInput(strokes [][][2]float32) []float32 {
	var r ink.StrokeRenderer
	img := make([]float32, 784)
	r.Render(img, strokes, ink.DigitFraction, ink.PenWidth)
	return img
}

// digitImage draws strokes on a w×h image, ink dark on light or the reverse.
func digitImage(strokes [][][2]float32, w, h int, darkInk bool) image.Image {
	var g ink.GrayImage
	ink.RasterizeStrokes(&g, ink.PlaceStrokes(strokes, min(w, h), 0.7), w, h, float32(min(w, h))*18/280)
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i, v := range g.Pix {
		if darkInk {
			img.Pix[i] = uint8(255 * (1 - v))
		} else {
			img.Pix[i] = uint8(255 * v)
		}
	}
	return img
}

func encodePNG(img image.Image) []byte {
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

func encodeJPEG(img image.Image) []byte {
	var b bytes.Buffer
	jpeg.Encode(&b, img, &jpeg.Options{Quality: 90})
	return b.Bytes()
}

// pngBomb is a PNG whose header declares w×h pixels over almost no data.
func pngBomb(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		c := append([]byte(typ), data...)
		b.Write(c)
		binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(c))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 0 // 8-bit greyscale
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	chunk("IEND", nil)
	return b.Bytes()
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// requestCases lists every kind of body and every refusal.
func requestCases(t testing.TB) []reqCase {
	ds := penDigits(t)
	var cs []reqCase
	for i := 0; i < 12; i++ {
		d := ds[i*7]
		cs = append(cs, reqCase{desc: fmt.Sprintf("strokes of a %d", d.Label), method: "POST", path: "/predict", ctype: "application/json",
			body: mustJSON(map[string]any{"strokes": d.Strokes}), status: 200, want: d.Label, input: nativeInput(d.Strokes)})
	}
	non := nonDigits(t)
	for i := 0; i < 8; i++ {
		d := non[i*len(non)/8]
		cs = append(cs, reqCase{desc: "strokes of " + d.Source, method: "POST", path: "/predict", ctype: "application/json",
			body: mustJSON(map[string]any{"strokes": d.Strokes}), status: 200, want: -1, nonDigit: true, input: nativeInput(d.Strokes)})
	}
	px := nativeInput(ds[1].Strokes)
	cs = append(cs,
		reqCase{desc: "784 pixels", method: "POST", path: "/predict", ctype: "application/json", body: mustJSON(map[string]any{"pixels": px}), status: 200, want: ds[1].Label, input: px},
		reqCase{desc: "empty drawing: no strokes", method: "POST", path: "/predict", ctype: "application/json", body: []byte(`{"strokes": []}`), status: 200, want: -1},
		reqCase{desc: "empty drawing: blank pixels", method: "POST", path: "/predict", ctype: "application/json", body: mustJSON(map[string]any{"pixels": make([]float32, 784)}), status: 200, want: -1},
		reqCase{desc: "content type with charset", method: "POST", path: "/predict", ctype: "application/json; charset=utf-8", body: mustJSON(map[string]any{"strokes": ds[2].Strokes}), status: 200, want: ds[2].Label, input: nativeInput(ds[2].Strokes)},
	)
	for i, d := range []data.StrokeDigit{ds[3], ds[4]} {
		for _, dark := range []bool{true, false} {
			img := digitImage(d.Strokes, 240+40*i, 200, dark)
			g := ink.FromImage(img)
			var pre ink.Preprocessor
			in := make([]float32, 784)
			pre.Run(in, &g)
			cs = append(cs, reqCase{desc: fmt.Sprintf("PNG of a %d, dark ink %v", d.Label, dark), method: "POST", path: "/predict", ctype: "image/png", body: encodePNG(img), status: 200, want: d.Label, input: in})
		}
		img := digitImage(d.Strokes, 300, 300, true)
		cs = append(cs, reqCase{desc: fmt.Sprintf("JPEG of a %d", d.Label), method: "POST", path: "/predict", ctype: "image/jpeg", body: encodeJPEG(img), status: 200, want: d.Label})
	}
	blank := image.NewGray(image.Rect(0, 0, 50, 50))
	for i := range blank.Pix {
		blank.Pix[i] = 255
	}
	huge := strings.Repeat("[", 20000) + strings.Repeat("]", 20000)
	cs = append(cs,
		reqCase{desc: "blank PNG", method: "POST", path: "/predict", ctype: "image/png", body: encodePNG(blank), status: 200, want: -1},
		reqCase{desc: "GET /healthz", method: "GET", path: "/healthz", status: 200},
		reqCase{desc: "GET /model", method: "GET", path: "/model", status: 200},
		reqCase{desc: "OPTIONS preflight", method: "OPTIONS", path: "/predict", status: 204},
		reqCase{desc: "malformed JSON", method: "POST", path: "/predict", ctype: "application/json", body: []byte(`{"strokes": [[[0.1, 0.2]`), status: 400},
		reqCase{desc: "not JSON at all", method: "POST", path: "/predict", ctype: "application/json", body: []byte(`strokes please`), status: 400},
		reqCase{desc: "unknown field", method: "POST", path: "/predict", ctype: "application/json", body: []byte(`{"stroke": []}`), status: 400},
		reqCase{desc: "neither strokes nor pixels", method: "POST", path: "/predict", ctype: "application/json", body: []byte(`{}`), status: 400},
		reqCase{desc: "both strokes and pixels", method: "POST", path: "/predict", ctype: "application/json", body: []byte(`{"strokes": [], "pixels": []}`), status: 400},
		reqCase{desc: "783 pixels", method: "POST", path: "/predict", ctype: "application/json", body: mustJSON(map[string]any{"pixels": make([]float32, 783)}), status: 400},
		reqCase{desc: "pixel above 1", method: "POST", path: "/predict", ctype: "application/json", body: []byte(`{"pixels": [2` + strings.Repeat(",0", 783) + `]}`), status: 400},
		reqCase{desc: "pixels as strings", method: "POST", path: "/predict", ctype: "application/json", body: []byte(`{"pixels": ["0"]}`), status: 400},
		reqCase{desc: "point with three numbers", method: "POST", path: "/predict", ctype: "application/json", body: []byte(`{"strokes": [[[0.1, 0.2, 0.3]]]}`), status: 400},
		reqCase{desc: "point far outside the box", method: "POST", path: "/predict", ctype: "application/json", body: []byte(`{"strokes": [[[1e9, 0.2]]]}`), status: 400},
		reqCase{desc: "too many strokes", method: "POST", path: "/predict", ctype: "application/json", body: mustJSON(map[string]any{"strokes": make([][][2]float32, 65)}), status: 400},
		reqCase{desc: "too many points", method: "POST", path: "/predict", ctype: "application/json", body: mustJSON(map[string]any{"strokes": [][][2]float32{make([][2]float32, 8193)}}), status: 400},
		reqCase{desc: "deeply nested JSON", method: "POST", path: "/predict", ctype: "application/json", body: []byte(`{"strokes": ` + huge + `}`), status: 400},
		reqCase{desc: "body over the JSON limit", method: "POST", path: "/predict", ctype: "application/json", body: bytes.Repeat([]byte(" "), MaxJSONBody+1), status: 413},
		reqCase{desc: "image over the size limit", method: "POST", path: "/predict", ctype: "image/png", body: bytes.Repeat([]byte{0}, MaxImageBody+1), status: 413},
		reqCase{desc: "PNG bomb: 30000×30000 declared", method: "POST", path: "/predict", ctype: "image/png", body: pngBomb(30000, 30000), status: 413},
		reqCase{desc: "PNG declaring 5000×10 pixels", method: "POST", path: "/predict", ctype: "image/png", body: pngBomb(5000, 10), status: 413},
		reqCase{desc: "garbage as PNG", method: "POST", path: "/predict", ctype: "image/png", body: []byte("not a png"), status: 400},
		reqCase{desc: "truncated PNG", method: "POST", path: "/predict", ctype: "image/png", body: encodePNG(blank)[:60], status: 400},
		reqCase{desc: "unsupported type", method: "POST", path: "/predict", ctype: "text/plain", body: []byte("7"), status: 415},
		reqCase{desc: "no content type", method: "POST", path: "/predict", body: []byte(`{}`), status: 415},
		reqCase{desc: "GIF", method: "POST", path: "/predict", ctype: "image/gif", body: []byte("GIF89a"), status: 415},
		reqCase{desc: "GET /predict", method: "GET", path: "/predict", status: 405},
		reqCase{desc: "PUT /predict", method: "PUT", path: "/predict", ctype: "application/json", body: []byte(`{}`), status: 405},
		reqCase{desc: "POST /healthz", method: "POST", path: "/healthz", status: 405},
		reqCase{desc: "unknown path", method: "GET", path: "/nope", status: 404},
	)
	return cs
}

// checkResponse verifies one response against its case and returns the
// digit it gave (−1 for null).
func checkResponse(t *testing.T, c reqCase, resp *http.Response, body []byte, native func([]float32) verdict.Verdict) {
	t.Helper()
	if resp.StatusCode != c.status {
		t.Errorf("%s: status %d, want %d (%s)", c.desc, resp.StatusCode, c.status, body)
		return
	}
	if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("%s: no CORS header", c.desc)
	}
	if c.status == 204 {
		if m := resp.Header.Get("Access-Control-Allow-Methods"); !strings.Contains(m, "POST") || resp.Header.Get("Access-Control-Allow-Headers") == "" {
			t.Errorf("%s: preflight answered without the methods and headers allowed (%q)", c.desc, m)
		}
		return
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: Content-Type %q", c.desc, ct)
	}
	if c.status != 200 {
		var e struct{ Error string }
		if json.Unmarshal(body, &e) != nil || e.Error == "" {
			t.Errorf("%s: error body %q is not {\"error\": ...}", c.desc, body)
		}
		return
	}
	if c.path != "/predict" {
		return
	}
	var a struct {
		Digit         *int
		Verdict       *string
		Candidates    []int
		Probabilities []float32
		Model         string
	}
	if err := json.Unmarshal(body, &a); err != nil {
		t.Errorf("%s: %v", c.desc, err)
		return
	}
	if c.want < 0 && !c.nonDigit {
		if a.Digit != nil || a.Verdict != nil || a.Probabilities != nil {
			t.Errorf("%s: %s, want digit, verdict and probabilities null", c.desc, body)
		}
		return
	}
	if a.Verdict == nil || len(a.Probabilities) != 10 || a.Model == "" {
		t.Errorf("%s: answer %s", c.desc, body)
		return
	}
	if (*a.Verdict == string(verdict.NotDigit)) != (a.Digit == nil) {
		t.Errorf("%s: verdict %s with digit %v: the digit is null exactly for not-a-digit", c.desc, *a.Verdict, a.Digit)
	}
	if (*a.Verdict == string(verdict.Unsure)) != (len(a.Candidates) == 2) {
		t.Errorf("%s: verdict %s with candidates %v: two candidates exactly when unsure", c.desc, *a.Verdict, a.Candidates)
	}
	if c.input != nil && native != nil {
		want := native(c.input)
		if *a.Verdict != string(want.Kind) {
			t.Errorf("%s: verdict %s, the native engine's %s", c.desc, *a.Verdict, want.Kind)
		}
		if want.Kind == verdict.Unsure && len(a.Candidates) == 2 && [2]int(a.Candidates) != want.Candidates {
			t.Errorf("%s: candidates %v, the native engine's %v", c.desc, a.Candidates, want.Candidates)
		}
		for i := range want.Probabilities {
			if d := a.Probabilities[i] - want.Probabilities[i]; d > 1e-6 || d < -1e-6 {
				t.Errorf("%s: calibrated probability %d is %v, the native engine and rule give %v", c.desc, i, a.Probabilities[i], want.Probabilities[i])
				break
			}
		}
	}
	if c.nonDigit {
		if *a.Verdict != string(verdict.NotDigit) {
			t.Logf("%s: called %s", c.desc, *a.Verdict)
		}
		return
	}
	if a.Digit == nil || *a.Digit != c.want {
		t.Logf("%s: read as %v (%s), labelled %d", c.desc, a.Digit, *a.Verdict, c.want)
	}
}

// nativeModel returns a function running the shipped model natively and
// deciding its verdict with the rule in the model's metadata.
func nativeModel(t testing.TB) func([]float32) verdict.Verdict {
	b, err := os.ReadFile(filepath.Join("..", "web", "models", "digits.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := onnx.LoadModel(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	rule, err := verdict.FromMetadata(m.Metadata)
	if err != nil {
		t.Fatalf("the shipped model's verdict rule: %v", err)
	}
	return func(x []float32) verdict.Verdict {
		out, _ := m.Predict(x)
		v, err := rule.Decide(out)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// nonDigits returns the committed non-digit drawings of held-out sources.
func nonDigits(t testing.TB) []data.Drawing {
	ds, err := data.LoadDrawings(filepath.Join("..", "testdata", "notdigits", "sample.json"))
	if err != nil {
		t.Fatal(err)
	}
	return ds
}
