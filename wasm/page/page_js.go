package page

import (
	"errors"
	"syscall/js"

	"honnef.co/go/js/dom/v2"

	"wasmcnn/core/ink"
	"wasmcnn/core/onnx"
	"wasmcnn/internal/fmtlite"
	"wasmcnn/wasm/api"
	"wasmcnn/wasm/bridge"
	"wasmcnn/wasm/jsglue"
)

// page is the drawing page. Its parts live in files by job: the pad
// (pad_js.go), the frame loop (frame_js.go), the answer (answer_js.go),
// the maps (maps_js.go), the detail panel (detail_js.go), and the hooks of
// own.js and teach.js (own_js.go, teach_js.go).
type page struct {
	body    *dom.BasicHTMLElement
	pad     *dom.HTMLCanvasElement
	ink     *dom.CanvasRenderingContext2D // the pad's context
	drawing Drawing
	src     sources
	// shipped is the shipped model's file, which teach.js fine-tunes.
	shipped struct {
		url   string
		bytes []byte
	}
	answer answerView
	maps   mapsView
	detail *detailView
	own    ownModel
	pic    pictureInput
	frames frameLoop
	// choosing is set while a dropped model's pixel scale is judged on
	// MNIST digits: frames wait, so the model runs one thing at a time.
	choosing bool
	started  bool
}

// Install defines globalThis.wasmcnnPage, through which the page's
// JavaScript drives the page (see the package documentation). It touches
// nothing else until the page's start.
func Install() {
	installHooks(&page{})
}

// start loads the shipped model, announcing the download, finds the
// page's elements, arms the pad and makes the shipped model answer. The
// error says what went wrong; the page's scripts show it.
func (p *page) start() (err error) {
	if p.started {
		return errors.New("the page is started already")
	}
	p.pad = canvasByID("pad")
	link := byID("shipped-model")
	if p.pad == nil || link == nil {
		return errors.New("this is not the drawing page: it has no canvas#pad or link#shipped-model")
	}
	// One start at a time; one that failed to load the model may be tried
	// again.
	p.started = true
	defer func() {
		if err != nil && p.src.shipped == nil {
			p.started = false
		}
	}()
	p.body = body()
	url := link.GetAttribute("href")
	announce(eventBusy, map[string]any{"message": "Loading the network…"})
	progress := jsglue.Handler("page: download progress", func(args []js.Value) {
		if len(args) == 2 {
			announce(eventProgress, map[string]any{"done": args[0], "total": args[1], "unit": "bytes"})
		}
	})
	defer progress.Release()
	data, err := fetchBytes(url, progress)
	if err != nil {
		return fmtlite.Errorf("the network could not be loaded: %w", err)
	}
	m, err := onnx.LoadModel(data, &onnx.LoadOptions{Limits: bridge.ModelLimits(), KeepTensors: true})
	if err != nil {
		return fmtlite.Errorf("the network could not be loaded: %s: %w", url, err)
	}
	src, err := newSource(sourceShipped, url[lastSlash(url)+1:], m, len(data))
	if err != nil {
		return fmtlite.Errorf("the network cannot answer: %s: %w", url, err)
	}
	p.shipped.url, p.shipped.bytes = url, data
	p.src.shipped = src
	p.build()
	p.use(src)
	return nil
}

// fetchBytes downloads a file through the API's loader, wasmcnn.fetchBytes,
// reporting progress (loaded, total) to onProgress, a js.Func or nil.
func fetchBytes(url string, onProgress any) ([]byte, error) {
	var promise js.Value
	if err := jsglue.Try(func() { promise = js.Global().Get("wasmcnn").Call("fetchBytes", url, onProgress) }); err != nil {
		return nil, err
	}
	b, err := jsglue.Await(promise)
	if err != nil {
		return nil, err
	}
	data := make([]byte, b.Get("length").Int())
	js.CopyBytesToGo(data, b)
	return data, nil
}

func lastSlash(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '/' {
			return i
		}
	}
	return -1
}

// build finds the page's elements and arms the pad, once.
func (p *page) build() {
	p.ink = context2D(p.pad)
	p.ink.SetLineCap("round")
	p.ink.SetLineJoin("round")
	p.ink.SetLineWidth(ink.PenWidth)
	p.ink.SetStrokeStyle("#111")
	p.ink.SetFillStyle("#111")
	p.answer.build()
	p.maps.build(p)
	p.pic.build()
	p.detail = newDetailView(p)
	p.frames.build(p)
	p.armPad()
}

// use makes src the model that answers: its score rows, its input view,
// its feature maps, its name; it announces the change and answers the
// drawing.
func (p *page) use(src *modelSource) {
	p.detail.close()
	p.src.use(src)
	p.showSource("")
}

// showSource shows the model answering now and announces it; reason says
// why, when the model before it failed.
func (p *page) showSource(reason string) {
	src := p.src.current
	p.body.SetAttribute("data-model-source", src.kind)
	p.answer.fit(src)
	p.answer.armRows(p.detail.openScore)
	p.maps.fit(p, src.model)
	byID("about").SetTextContent(src.about())
	announce(eventModel, map[string]any{"source": src.kind, "name": src.name, "reason": reason, "pictures": src.takesPictures()})
	api.TuneMemoryLimit()
	p.setInput(p.pic.on, "") // a picture stays in use while the model takes pictures
}

// useShipped makes the shipped model answer again.
func (p *page) useShipped() {
	if p.src.useShipped() {
		p.detail.close()
		p.showSource("")
	}
}

// failed handles a model that stopped answering: the shipped model answers
// again, or, when the shipped model itself failed, the page says so.
func (p *page) failed(err error) {
	name := p.src.current.name
	if !p.src.failed() {
		announce(eventFailed, map[string]any{"message": "The network stopped answering: " + err.Error()})
		return
	}
	p.detail.close()
	p.showSource(name + " stopped answering: " + err.Error() + ".")
}

// errNotStarted is what a hook that needs the shipped model says before
// the page's start loaded it.
var errNotStarted = errors.New("the page has not started: await wasmcnnPage.start() first")

// busy announces long work: the page stops answering until idle.
func busy(msg string) { announce(eventBusy, map[string]any{"message": msg}) }

// idle announces that the page answers again.
func idle() { announce(eventIdle, nil) }
