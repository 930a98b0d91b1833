// Command worker is the wasmcnn edge worker: digit classification over
// HTTP, for Cloudflare Workers (built with GOOS=js GOARCH=wasm through
// github.com/syumai/workers) and, for local development, as a plain Go
// server. Both run the same handler, the same core and the same model as
// the drawing page.
//
//	POST /predict   application/json {"strokes": [[[x, y], ...], ...]} (0..1 box, y down)
//	                application/json {"pixels": [784 numbers, 0..1, ink high, centred]}
//	                image/png or image/jpeg of any polarity
//	             →  {"digit": d or null, "probabilities": [10], "model": "..."}
//	GET  /healthz   {"ok": true, ...}
//	GET  /model     the model card
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // decoders for uploads
	_ "image/png"
	"io"
	"math"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"

	"wasmcnn/core/ink"
	"wasmcnn/core/onnx"
	"wasmcnn/web/models"
)

// Limits on requests. Anything larger is refused before it is decoded.
const (
	MaxJSONBody    = 256 << 10 // bytes of a JSON request
	MaxImageBody   = 4 << 20   // bytes of an uploaded image
	MaxImageSide   = 4096      // pixels on either side of an image
	MaxImagePixels = 8 << 20   // pixels of an image, width × height
	MaxStrokes     = 64        // strokes of one drawing
	MaxPoints      = 8192      // points of all strokes together
)

// handler serves the API. Predictors (a planned model with its buffers) are
// pooled: one per concurrent request natively, one per instance on Workers.
type handler struct {
	name  string
	card  []byte
	model []byte
	pool  sync.Pool
	init  sync.Once
	err   error
}

// predictor is what one request needs to classify.
type predictor struct {
	model *onnx.Model
	rend  ink.StrokeRenderer
	pre   ink.Preprocessor
	input []float32
}

func newHandler() *handler {
	h := &handler{card: models.DigitsCard, model: models.Digits, name: "digits"}
	var card struct {
		Name    string `json:"name"`
		Arch    string `json:"architecture"`
		Version string `json:"version"`
	}
	if json.Unmarshal(h.card, &card) == nil {
		h.name = fmt.Sprintf("%s (%s, wasmcnn %s)", card.Name, card.Arch, card.Version)
	}
	return h
}

// predictor returns a pooled predictor, loading the model when the pool is empty.
func (h *handler) predictor() (*predictor, error) {
	if p, ok := h.pool.Get().(*predictor); ok {
		return p, nil
	}
	m, err := onnx.LoadModel(h.model, nil)
	if err != nil {
		return nil, err
	}
	return &predictor{model: m, input: make([]float32, ink.FieldSize*ink.FieldSize)}, nil
}

// answer is the JSON of a prediction.
type answer struct {
	Digit         *int      `json:"digit"`
	Probabilities []float32 `json:"probabilities"`
	Model         string    `json:"model"`
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Access-Control-Allow-Origin", "*")
	hd.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
	hd.Set("Access-Control-Allow-Headers", "Content-Type")
	hd.Set("Access-Control-Max-Age", "86400")
	hd.Set("X-Content-Type-Options", "nosniff")
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	switch r.URL.Path {
	case "/predict":
		if r.Method != http.MethodPost {
			hd.Set("Allow", "POST, OPTIONS")
			fail(w, http.StatusMethodNotAllowed, "use POST with a drawing")
			return
		}
		h.predict(w, r)
	case "/healthz":
		if !allowGet(w, r) {
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"ok": true, "model": h.name})
	case "/model":
		if !allowGet(w, r) {
			return
		}
		hd.Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		w.Write(h.card)
	default:
		fail(w, http.StatusNotFound, "no such endpoint; try POST /predict, GET /healthz or GET /model")
	}
}

func allowGet(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD, OPTIONS")
	fail(w, http.StatusMethodNotAllowed, "use GET")
	return false
}

// requestError is a refusal with its HTTP status.
type requestError struct {
	status int
	msg    string
}

func (e *requestError) Error() string { return e.msg }

func refuse(status int, format string, args ...any) error {
	return &requestError{status: status, msg: fmt.Sprintf(format, args...)}
}

func (h *handler) predict(w http.ResponseWriter, r *http.Request) {
	ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		ct = ""
	}
	limit := int64(MaxJSONBody)
	if strings.HasPrefix(ct, "image/") {
		limit = MaxImageBody
	}
	if ct != "application/json" && ct != "image/png" && ct != "image/jpeg" {
		fail(w, http.StatusUnsupportedMediaType, fmt.Sprintf("Content-Type %q is not supported; send application/json, image/png or image/jpeg", r.Header.Get("Content-Type")))
		return
	}
	if r.ContentLength > limit {
		// Read a body of up to 4× the limit before answering, so that the
		// client, still sending, sees the 413 rather than a broken pipe;
		// larger ones are cut off.
		if r.ContentLength <= 4*limit {
			io.Copy(io.Discard, io.LimitReader(r.Body, r.ContentLength))
		}
		fail(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body of %d bytes exceeds the limit of %d for %s", r.ContentLength, limit, ct))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			fail(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body exceeds the limit of %d bytes for %s", limit, ct))
			return
		}
		fail(w, http.StatusBadRequest, "reading the body: "+err.Error())
		return
	}
	t0 := time.Now()
	p, err := h.predictor()
	if err != nil {
		fail(w, http.StatusInternalServerError, "model: "+err.Error())
		return
	}
	defer h.pool.Put(p)
	t1 := time.Now()
	ok, err := p.prepare(ct, body)
	if err != nil {
		var re *requestError
		if errors.As(err, &re) {
			fail(w, re.status, re.msg)
			return
		}
		fail(w, http.StatusBadRequest, err.Error())
		return
	}
	a := answer{Model: h.name}
	t2 := time.Now()
	if ok {
		out, err := p.model.Predict(p.input)
		if err != nil {
			fail(w, http.StatusInternalServerError, err.Error())
			return
		}
		best := 0
		for i, v := range out {
			if v > out[best] {
				best = i
			}
		}
		a.Digit, a.Probabilities = &best, out
	}
	// Server-Timing tells a deployer where a request's time goes (on
	// Workers the clock only advances on I/O, so there it reads 0).
	w.Header().Set("Server-Timing", fmt.Sprintf("model;dur=%.2f, input;dur=%.2f, predict;dur=%.2f",
		ms(t1.Sub(t0)), ms(t2.Sub(t1)), ms(time.Since(t2))))
	writeJSON(w, http.StatusOK, a)
}

// drawing is the JSON body of /predict.
type drawing struct {
	Strokes [][][]float64 `json:"strokes"`
	Pixels  []float64     `json:"pixels"`
}

// prepare turns a request body into the model's input; it reports false for
// an empty drawing.
func (p *predictor) prepare(ct string, body []byte) (bool, error) {
	if ct != "application/json" {
		return p.fromImage(body)
	}
	var d drawing
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return false, refuse(http.StatusBadRequest, "malformed JSON: %v; send {\"strokes\": [[[x, y], ...], ...]} or {\"pixels\": [784 numbers]}", err)
	}
	if dec.More() {
		return false, refuse(http.StatusBadRequest, "malformed JSON: data after the object")
	}
	switch {
	case d.Strokes != nil && d.Pixels != nil:
		return false, refuse(http.StatusBadRequest, "send either strokes or pixels, not both")
	case d.Pixels != nil:
		if len(d.Pixels) != ink.FieldSize*ink.FieldSize {
			return false, refuse(http.StatusBadRequest, "pixels has %d values, want 784 (28×28, row-major)", len(d.Pixels))
		}
		inked := false
		for i, v := range d.Pixels {
			if math.IsNaN(v) || v < 0 || v > 1 {
				return false, refuse(http.StatusBadRequest, "pixels[%d] is %v, want 0..1", i, v)
			}
			p.input[i] = float32(v)
			inked = inked || v > 0
		}
		return inked, nil
	case d.Strokes != nil:
		strokes, err := checkStrokes(d.Strokes)
		if err != nil {
			return false, err
		}
		return p.rend.Render(p.input, strokes, ink.DigitFraction, ink.PenWidth), nil
	}
	return false, refuse(http.StatusBadRequest, "the body has neither strokes nor pixels")
}

// checkStrokes validates strokes: at most MaxStrokes of MaxPoints points in
// all, each point [x, y] with finite coordinates near the unit box.
func checkStrokes(in [][][]float64) ([][][2]float32, error) {
	if len(in) > MaxStrokes {
		return nil, refuse(http.StatusBadRequest, "%d strokes, at most %d are allowed", len(in), MaxStrokes)
	}
	n := 0
	out := make([][][2]float32, len(in))
	for i, s := range in {
		n += len(s)
		if n > MaxPoints {
			return nil, refuse(http.StatusBadRequest, "more than %d points", MaxPoints)
		}
		out[i] = make([][2]float32, len(s))
		for j, pt := range s {
			if len(pt) != 2 {
				return nil, refuse(http.StatusBadRequest, "strokes[%d][%d] has %d numbers, want [x, y]", i, j, len(pt))
			}
			for _, v := range pt {
				if math.IsNaN(v) || v < -1 || v > 2 {
					return nil, refuse(http.StatusBadRequest, "strokes[%d][%d] = %v: coordinates are in the 0..1 box", i, j, pt)
				}
			}
			out[i][j] = [2]float32{float32(pt[0]), float32(pt[1])}
		}
	}
	return out, nil
}

// fromImage decodes an uploaded image after checking its dimensions from
// the header alone, so a small file that expands into gigapixels is refused
// before any pixel is decoded.
func (p *predictor) fromImage(body []byte) (bool, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(body))
	if err != nil {
		return false, refuse(http.StatusBadRequest, "not a PNG or JPEG image: %v", err)
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > MaxImageSide || cfg.Height > MaxImageSide || cfg.Width*cfg.Height > MaxImagePixels {
		return false, refuse(http.StatusRequestEntityTooLarge, "%s image of %d×%d pixels exceeds the limit (%d per side, %d in all)", format, cfg.Width, cfg.Height, MaxImageSide, MaxImagePixels)
	}
	img, _, err := image.Decode(bytes.NewReader(body))
	if err != nil {
		return false, refuse(http.StatusBadRequest, "decoding the %s image: %v", format, err)
	}
	g := ink.FromImage(img)
	return p.pre.Run(p.input, &g), nil
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
