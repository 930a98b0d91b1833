// Command worker is the wasmcnn edge worker: digit classification over
// HTTP, for Cloudflare Workers (built with GOOS=js GOARCH=wasm through
// github.com/syumai/workers) and, for local development, as a plain Go
// server. Both run the same handler, the same core and the same model as
// the drawing page.
//
//	POST /predict   application/json {"strokes": [[[x, y], ...], ...]} (0..1 box, y down)
//	                application/json {"pixels": [784 numbers, 0..1, ink high, centred]}
//	                image/png or image/jpeg of any polarity
//	             →  {"digit": d or null, "verdict": "digit" | "unsure" | "not-a-digit" | null,
//	                 "candidates": [a, b] (unsure only), "probabilities": [10] calibrated, "model": "..."}
//	GET  /healthz   {"ok": true, "model": "...", "kernel": "...", "instance": "...", "requests": n}
//	GET  /model     the model card
package main

import (
	"bytes"
	"errors"
	"image"
	_ "image/jpeg" // decoders for uploads
	_ "image/png"
	"math"
	"math/rand/v2"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"wasmcnn/core"
	"wasmcnn/core/ink"
	"wasmcnn/core/onnx"
	"wasmcnn/core/verdict"
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

// MaxBody is the largest body any request may have: the entry module of
// the edge worker stops reading a body there.
const MaxBody = max(MaxJSONBody, MaxImageBody)

// handler serves the API. Each predictor holds a decoded, planned model
// with its buffers; a request borrows one and gives it back. Under
// WebAssembly a prediction never yields to another goroutine, so one
// predictor serves every request of the instance; natively there is one
// per request running at the same time.
type handler struct {
	name  string
	card  []byte
	model []byte

	mu   sync.Mutex
	idle []*predictor

	// instance names this handler in /healthz, so that one can tell a
	// restarted worker from one that kept going; served counts its requests.
	instance string
	served   atomic.Int64

	// fault, set by tests only, runs at the start of every request; it
	// lets them make a request fail the way a bug would.
	fault func(*http.Request)
}

// faultHook is the fault the handler is built with: nil, except in the
// worker tests' fault build (faults_js.go).
var faultHook func(*http.Request)

// predictor is what one request needs to classify. Its work runs on a
// goroutine of its own, whose stack grows to what a prediction needs once:
// a request's goroutine (github.com/syumai/workers starts one per request)
// would otherwise grow its small stack anew on every request, copying it
// several times.
type predictor struct {
	model   *onnx.Model
	rule    verdict.Rule // read from the model's metadata
	hasRule bool
	rend    ink.StrokeRenderer
	pre     ink.Preprocessor
	input   []float32
	jobs    chan func()
	done    chan any // nil, or what the job panicked with
	stopped bool
}

func newPredictor(m *onnx.Model) *predictor {
	p := &predictor{model: m, input: make([]float32, ink.FieldSize*ink.FieldSize), jobs: make(chan func()), done: make(chan any)}
	// A model without a rule is answered without a verdict ("verdict":
	// null, its own probabilities) rather than with a guessed one.
	p.rule, p.hasRule = readRule(m)
	go func() {
		for job := range p.jobs {
			p.done <- p.run(job)
		}
	}()
	return p
}

func (p *predictor) run(job func()) (panicked any) {
	defer func() {
		if v := recover(); v != nil {
			panicked = v
		}
	}()
	job()
	return nil
}

// do runs job on the predictor's goroutine; a panic of job ends that
// goroutine and is raised again in the caller's.
func (p *predictor) do(job func()) {
	p.jobs <- job
	if v := <-p.done; v != nil {
		p.stop()
		panic(v)
	}
}

// stop ends the predictor's goroutine; the predictor is not used again.
func (p *predictor) stop() {
	if !p.stopped {
		p.stopped = true
		close(p.jobs)
	}
}

func newHandler() *handler {
	h := &handler{card: models.DigitsCard, model: models.Digits, name: "digits", fault: faultHook}
	h.instance = strconv.FormatUint(rand.Uint64(), 36)
	if name, arch, version := cardString(h.card, "name"), cardString(h.card, "architecture"), cardString(h.card, "version"); name != "" {
		h.name = name + " (" + arch + ", wasmcnn " + version + ")"
	}
	return h
}

// take returns an idle predictor, decoding and planning the model when
// there is none.
func (h *handler) take() (*predictor, error) {
	h.mu.Lock()
	if n := len(h.idle); n > 0 {
		p := h.idle[n-1]
		h.idle = h.idle[:n-1]
		h.mu.Unlock()
		return p, nil
	}
	h.mu.Unlock()
	m, err := onnx.LoadModel(h.model, nil)
	if err != nil {
		return nil, err
	}
	return newPredictor(m), nil
}

// give returns a predictor after a request that finished normally; one
// whose request panicked is never given back, so nothing half-written in
// it reaches another request.
func (h *handler) give(p *predictor) {
	h.mu.Lock()
	h.idle = append(h.idle, p)
	h.mu.Unlock()
}

// warm decodes and plans the model ahead of the first request.
func (h *handler) warm() error {
	p, err := h.take()
	if err != nil {
		return err
	}
	h.give(p)
	return nil
}

// kernel names the matrix kernel that answers: the SIMD module's under
// WebAssembly when it is installed, Go's own otherwise.
func kernel() string {
	if k := core.ActivePanelKernel(); k != "" {
		return k
	}
	return core.GemmKernelName()
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Access-Control-Allow-Origin", "*")
	hd.Set("X-Content-Type-Options", "nosniff")
	// A panic must not end the program: under WebAssembly that would take
	// every request of the instance with it.
	defer func() {
		if v := recover(); v != nil {
			println("wasmcnn worker: recovered from a panic:", panicText(v))
			hd.Del("Server-Timing")
			fail(w, http.StatusInternalServerError, "internal error: the request could not be answered")
		}
	}()
	h.served.Add(1)
	if h.fault != nil {
		h.fault(r)
	}
	if r.Method == http.MethodOptions {
		// The preflight alone needs the rest of CORS; every header costs
		// calls into JavaScript on the edge.
		hd.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
		hd.Set("Access-Control-Allow-Headers", "Content-Type")
		hd.Set("Access-Control-Max-Age", "86400")
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
		b := append([]byte(`{"ok":true,"model":`), appendString(nil, h.name)...)
		b = append(append(b, `,"kernel":`...), appendString(nil, kernel())...)
		b = append(append(b, `,"instance":`...), appendString(nil, h.instance)...)
		b = strconv.AppendInt(append(b, `,"requests":`...), h.served.Load(), 10)
		writeJSON(w, http.StatusOK, append(b, '}', '\n'))
	case "/model":
		if !allowGet(w, r) {
			return
		}
		writeJSON(w, http.StatusOK, h.card)
	default:
		fail(w, http.StatusNotFound, "no such endpoint; try POST /predict, GET /healthz or GET /model")
	}
}

func panicText(v any) string {
	switch v := v.(type) {
	case error:
		return v.Error()
	case string:
		return v
	}
	return "(not a string)"
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

func refuse(status int, msg string) error {
	return &requestError{status: status, msg: msg}
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
		fail(w, http.StatusUnsupportedMediaType, "Content-Type "+strconv.Quote(r.Header.Get("Content-Type"))+" is not supported; send application/json, image/png or image/jpeg")
		return
	}
	if r.ContentLength > limit {
		// Read a body of up to 4× the limit before answering, so that the
		// client, still sending, sees the 413 rather than a broken pipe;
		// larger ones are cut off.
		if r.ContentLength <= 4*limit {
			discardBody(r)
		}
		fail(w, http.StatusRequestEntityTooLarge, "body of "+strconv.FormatInt(r.ContentLength, 10)+" bytes exceeds the limit of "+strconv.FormatInt(limit, 10)+" for "+ct)
		return
	}
	body, err := readBody(w, r, limit)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			fail(w, http.StatusRequestEntityTooLarge, "body exceeds the limit of "+strconv.FormatInt(limit, 10)+" bytes for "+ct)
			return
		}
		fail(w, http.StatusBadRequest, "reading the body: "+err.Error())
		return
	}
	t0 := time.Now()
	p, err := h.take()
	if err != nil {
		fail(w, http.StatusInternalServerError, "model: "+err.Error())
		return
	}
	defer func() {
		// A predictor whose request panicked is not given back: nothing
		// half-written in it may reach another request.
		if v := recover(); v != nil {
			p.stop()
			panic(v)
		}
	}()
	t1 := time.Now()
	var c classification
	p.do(func() { c = p.classify(ct, body) })
	h.give(p)
	if c.err != nil {
		var re *requestError
		if errors.As(c.err, &re) {
			fail(w, re.status, re.msg)
			return
		}
		fail(w, http.StatusBadRequest, c.err.Error())
		return
	}
	// Server-Timing tells a deployer where a request's time goes and which
	// kernel answered (on Workers the clock only advances on I/O, so there
	// the durations read 0).
	w.Header().Set("Server-Timing", "model;dur="+msText(t1.Sub(t0))+", input;dur="+msText(c.input)+
		", predict;dur="+msText(c.predict)+`, kernel;desc="`+kernel()+`"`)
	writeJSON(w, http.StatusOK, h.answer(c))
}

// readRule reads the verdict rule from a model's metadata; it reports false
// for a model without a usable one.
func readRule(m *onnx.Model) (verdict.Rule, bool) {
	r, err := verdict.FromMetadata(m.Metadata)
	if err != nil {
		if !errors.Is(err, verdict.ErrNoRule) {
			println("wasmcnn worker: the model's verdict rule is unusable:", err.Error())
		}
		return verdict.Rule{}, false
	}
	return r, true
}

// classification is a predictor's answer to one body.
type classification struct {
	digit          int // −1: an empty drawing or not a digit
	empty          bool
	kind           verdict.Kind // "" when the model has no rule
	candidates     [2]int
	probs          [10]float32 // calibrated when the model has a rule
	input, predict time.Duration
	err            error
}

// classify turns a body into the model's input and runs the model. The
// answer is copied out of the model, whose output buffer is the next
// request's.
func (p *predictor) classify(ct string, body []byte) (c classification) {
	c.digit, c.empty = -1, true
	t0 := time.Now()
	ok, err := p.prepare(ct, body)
	c.input = time.Since(t0)
	if err != nil || !ok {
		c.err = err
		return c
	}
	t1 := time.Now()
	out, err := p.model.Predict(p.input)
	c.predict = time.Since(t1)
	if err != nil || len(out) != len(c.probs) {
		c.err = refuse(http.StatusInternalServerError, "the model gave no answer")
		return c
	}
	copy(c.probs[:], out)
	c.digit = 0
	for i, v := range c.probs {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			c.err = refuse(http.StatusInternalServerError, "the model gave a non-finite probability")
			return c
		}
		if v > c.probs[c.digit] {
			c.digit = i
		}
	}
	c.empty = false
	if !p.hasRule {
		return c
	}
	v, err := p.rule.Decide(c.probs[:])
	if err != nil {
		c.err = refuse(http.StatusInternalServerError, "the verdict: "+err.Error())
		return c
	}
	copy(c.probs[:], v.Probabilities)
	c.kind, c.digit, c.candidates = v.Kind, v.Digit, v.Candidates
	return c
}

// answer is the JSON of a prediction: nulls for an empty drawing; for a
// model without a verdict rule, "verdict" null and its own probabilities.
func (h *handler) answer(c classification) []byte {
	b := make([]byte, 0, 320)
	if c.empty {
		b = append(b, `{"digit":null,"verdict":null,"probabilities":null,"model":`...)
		b = appendString(b, h.name)
		return append(b, '}', '\n')
	}
	if c.digit < 0 {
		b = append(b, `{"digit":null`...)
	} else {
		b = strconv.AppendInt(append(b, `{"digit":`...), int64(c.digit), 10)
	}
	if c.kind == "" {
		b = append(b, `,"verdict":null`...)
	} else {
		b = appendString(append(b, `,"verdict":`...), string(c.kind))
	}
	if c.kind == verdict.Unsure {
		b = strconv.AppendInt(append(b, `,"candidates":[`...), int64(c.candidates[0]), 10)
		b = strconv.AppendInt(append(b, ','), int64(c.candidates[1]), 10)
		b = append(b, ']')
	}
	b = append(b, `,"probabilities":[`...)
	for i, v := range c.probs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendFloat32(b, v)
	}
	b = append(b, `],"model":`...)
	b = appendString(b, h.name)
	return append(b, '}', '\n')
}

// prepare turns a request body into the model's input; it reports false for
// an empty drawing. The input is cleared first, so nothing of an earlier
// request can remain in it.
func (p *predictor) prepare(ct string, body []byte) (bool, error) {
	clear(p.input)
	if ct != "application/json" {
		return p.fromImage(body)
	}
	d, err := parseDrawing(body)
	if err != nil {
		return false, refuse(http.StatusBadRequest, "malformed JSON: "+err.Error()+`; send {"strokes": [[[x, y], ...], ...]} or {"pixels": [784 numbers]}`)
	}
	switch {
	case d.Strokes != nil && d.Pixels != nil:
		return false, refuse(http.StatusBadRequest, "send either strokes or pixels, not both")
	case d.Pixels != nil:
		if len(d.Pixels) != ink.FieldSize*ink.FieldSize {
			return false, refuse(http.StatusBadRequest, "pixels has "+strconv.Itoa(len(d.Pixels))+" values, want 784 (28×28, row-major)")
		}
		inked := false
		for i, v := range d.Pixels {
			if math.IsNaN(v) || v < 0 || v > 1 {
				return false, refuse(http.StatusBadRequest, "pixels["+strconv.Itoa(i)+"] is "+strconv.FormatFloat(v, 'g', -1, 64)+", want 0..1")
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
		return nil, refuse(http.StatusBadRequest, strconv.Itoa(len(in))+" strokes, at most "+strconv.Itoa(MaxStrokes)+" are allowed")
	}
	n := 0
	out := make([][][2]float32, len(in))
	for i, s := range in {
		n += len(s)
		if n > MaxPoints {
			return nil, refuse(http.StatusBadRequest, "more than "+strconv.Itoa(MaxPoints)+" points")
		}
		out[i] = make([][2]float32, len(s))
		for j, pt := range s {
			where := "strokes[" + strconv.Itoa(i) + "][" + strconv.Itoa(j) + "]"
			if len(pt) != 2 {
				return nil, refuse(http.StatusBadRequest, where+" has "+strconv.Itoa(len(pt))+" numbers, want [x, y]")
			}
			for _, v := range pt {
				if math.IsNaN(v) || v < -1 || v > 2 {
					return nil, refuse(http.StatusBadRequest, where+" = ["+strconv.FormatFloat(pt[0], 'g', -1, 64)+", "+strconv.FormatFloat(pt[1], 'g', -1, 64)+"]: coordinates are in the 0..1 box")
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
		return false, refuse(http.StatusBadRequest, "not a PNG or JPEG image: "+err.Error())
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > MaxImageSide || cfg.Height > MaxImageSide || cfg.Width*cfg.Height > MaxImagePixels {
		return false, refuse(http.StatusRequestEntityTooLarge, format+" image of "+strconv.Itoa(cfg.Width)+"×"+strconv.Itoa(cfg.Height)+" pixels exceeds the limit ("+strconv.Itoa(MaxImageSide)+" per side, "+strconv.Itoa(MaxImagePixels)+" in all)")
	}
	img, _, err := image.Decode(bytes.NewReader(body))
	if err != nil {
		return false, refuse(http.StatusBadRequest, "decoding the "+format+" image: "+err.Error())
	}
	g := ink.FromImage(img)
	return p.pre.Run(p.input, &g), nil
}

// msText formats a duration in milliseconds with two decimals.
func msText(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/1e6, 'f', 2, 64)
}

// writeJSON sends a JSON body with its status.
func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	writeBody(w, body)
}

func fail(w http.ResponseWriter, status int, msg string) {
	b := append(appendString([]byte(`{"error":`), msg), '}', '\n')
	writeJSON(w, status, b)
}
