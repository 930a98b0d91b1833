// Package page runs the drawing page (web/index.html) in the page's
// WebAssembly build (main.wasm, wasm/cmd/page): a pad to draw a digit on,
// the answer of the model in use with its scores, the image the model sees,
// the feature maps of its convolutions and poolings with a panel showing
// how any value was made, a model of the person's own dropped on the page
// answering the drawing, a photo or the camera, and a personal model
// taught the person's handwriting.
//
// # The contract between Go and the page's JavaScript
//
// Go owns the model, the drawing, the numbers and the decisions: it loads
// the shipped model (whose URL is the href of index.html's
// link#shipped-model, the one place it is written), takes the pointer and
// the pad's keys, preprocesses and runs the drawing, and decides which
// model answers and at which pixel scale. Every number the page shows is
// computed here once: the scores, the maps, the colour maps (colors.go),
// the pixel-scale and normalisation labels and how a picture is prepared
// (package adapt), the examples teaching holds out and how many a model
// reads right (teach.go).
//
// JavaScript owns storage, files and layout: web/start.js starts the
// engine and the page and shows the loading panel; web/store.js keeps what
// the page keeps between visits (IndexedDB, and the last drawing for the
// lesson page in localStorage); web/own.js reads a dropped model's file;
// web/teach.js keeps the taught examples and runs fine-tuning through the
// API; web/panel.js lays out explanations and model summaries.
//
// Calls go one way. JavaScript calls Go through globalThis.wasmcnnPage
// (hooks_js.go), and through the wasmcnn API; Go never calls the page's
// scripts. Go announces what changed with DOM events on document, each a
// CustomEvent whose detail carries the news:
//
//	wasmcnn-busy      {message}  the page stops answering for long work (loading, judging a pixel scale)
//	wasmcnn-progress  {done, total, unit}  how far it is ("bytes" or "runs"; total 0 when unknown)
//	wasmcnn-idle      {}  the work ended: the page answers again
//	wasmcnn-failed    {message}  the shipped model cannot answer
//	wasmcnn-model     {source, name, reason}  another model answers; reason says why when the last one failed
//	wasmcnn-drawing   {digit}  a stroke ended or the pad was cleared: the 28×28 input, or null for an empty pad
//	wasmcnn-detail    {explanation, layer, units, label, prob, calibrated, temperature, message}  the detail panel's content changed
//	wasmcnn-input     {input, pictures, name, message}  the drawing or a picture answers; whether the model takes pictures
//	wasmcnn-running   {}  an answer takes more than a frame (a new model or picture, a large model): the page works on it
//	wasmcnn-answered  {ms, slices}  that answer and its maps are on screen; the run's time and slices
//
// The one exception is loading: Go fetches files through the API's own
// loader, wasmcnn.fetchBytes.
//
// # Layout
//
// Plain Go, tested natively without a browser: drawing.go (strokes, undo),
// scores.go (top-k, how scores are written), source.go (fitting a model to
// the drawing and to pictures, its labels, which model answers), run.go (a
// run in slices of a few milliseconds), grid.go (how a layer's maps are
// laid out and found under the pointer, how many are shown), teach.go (the
// held-out split and the accuracy), colors.go. In the browser (files
// ending in _js.go): dom_js.go, the one DOM layer; page_js.go (starting,
// switching models); pad_js.go (pointer and keys); frame_js.go (runs: in
// an animation frame, the rest in slices between them; the maps a slice
// per frame); answer_js.go (scores, top five, the input view) and
// verdict_js.go (the verdict, written by verdict.go); maps_js.go;
// detail_js.go; own_js.go, picture_js.go and teach_js.go (what own.js,
// picture.js and teach.js call); hooks_js.go (wasmcnnPage).
package page

// The events Go announces on document (see the package documentation).
const (
	eventBusy     = "wasmcnn-busy"
	eventProgress = "wasmcnn-progress"
	eventIdle     = "wasmcnn-idle"
	eventFailed   = "wasmcnn-failed"
	eventModel    = "wasmcnn-model"
	eventDrawing  = "wasmcnn-drawing"
	eventDetail   = "wasmcnn-detail"
	eventInput    = "wasmcnn-input"
	eventRunning  = "wasmcnn-running"
	eventAnswered = "wasmcnn-answered"
)
