package page

import (
	"errors"
	"strconv"
	"syscall/js"

	"honnef.co/go/js/dom/v2"

	"wasmcnn/wasm/adapt"
	"wasmcnn/wasm/api"
)

// pictureInput is the picture a dropped model may answer instead of the
// drawing: a photo or a camera snapshot that web/picture.js decoded (the
// browser's decoders, then one copy of its RGBA pixels into Go). While it
// is on, canvas#picture shows it in the pad's place with the part the
// model sees outlined (#picture-crop), and body[data-input] is "picture".
type pictureInput struct {
	adapt.Picture
	name   string
	on     bool
	view   *dom.HTMLCanvasElement
	ctx    *dom.CanvasRenderingContext2D
	crop   *dom.BasicHTMLElement
	caught string // why the last picture could not be used, for the event
}

func (pi *pictureInput) build() {
	pi.view = canvasByID("picture")
	pi.crop = byID("picture-crop")
	if pi.view != nil {
		pi.ctx = context2D(pi.view)
	}
}

// setPicture takes a picture from args (rgba: Uint8Array or
// Uint8ClampedArray, width, height, name) and makes the dropped model
// answering answer it. The result is {ok, reason} or {ok, message}.
func (p *page) setPicture(args []js.Value) (any, error) {
	bad := func(why string) (any, error) { return map[string]any{"ok": false, "reason": why}, nil }
	if len(args) != 4 || args[1].Type() != js.TypeNumber || args[2].Type() != js.TypeNumber || args[3].Type() != js.TypeString {
		return bad("setPicture takes (rgba: Uint8ClampedArray, width, height, name)")
	}
	src := p.src.current
	if !src.takesPictures() {
		return bad("The " + src.kindName() + " model reads digits drawn on the pad: drop a model of your own to give it a picture.")
	}
	wf, hf := args[1].Float(), args[2].Float()
	w, h := int(wf), int(hf)
	if float64(w) != wf || float64(h) != hf || w < 1 || h < 1 || w > adapt.MaxPictureSide || h > adapt.MaxPictureSide {
		return bad("a picture of " + strconv.FormatFloat(wf, 'g', -1, 64) + "×" + strconv.FormatFloat(hf, 'g', -1, 64) + " pixels; the page takes 1 to " + strconv.Itoa(adapt.MaxPictureSide) + " pixels a side")
	}
	b := api.Wrap(args[0])
	if ta := b.TypedArray(); ta != "Uint8ClampedArray" && ta != "Uint8Array" || b.ByteLength() != 4*w*h {
		return bad("setPicture wants the " + strconv.Itoa(4*w*h) + " bytes of a " + strconv.Itoa(w) + "×" + strconv.Itoa(h) + " picture's RGBA in a Uint8ClampedArray")
	}
	pi := &p.pic
	if cap(pi.RGBA) < 4*w*h {
		pi.RGBA = make([]byte, 4*w*h)
	}
	pi.RGBA = pi.RGBA[:4*w*h]
	if b.Bytes(pi.RGBA) != 4*w*h {
		return bad("the picture's pixels could not be read")
	}
	pi.W, pi.H, pi.name = w, h, args[3].String()
	if pi.name == "" {
		pi.name = "your picture"
	}
	pi.draw()
	p.setInput(true, "")
	return map[string]any{"ok": true, "message": src.name + " answers " + pi.name + "."}, nil
}

// draw shows the picture in canvas#picture.
func (pi *pictureInput) draw() {
	if pi.view == nil {
		return
	}
	pi.view.SetWidth(pi.W)
	pi.view.SetHeight(pi.H)
	writePixels(pi.ctx, pi.ctx.CreateImageData(pi.W, pi.H), pi.RGBA)
}

// outline outlines, over the picture, the part that model input in sees.
func (pi *pictureInput) outline(in *adapt.Input) {
	if pi.crop == nil || !pi.on {
		return
	}
	c := adapt.CropFor(pi.W, pi.H, in.W, in.H)
	pct := func(v, of int) string { return strconv.FormatFloat(100*float64(v)/float64(of), 'f', 3, 64) + "%" }
	style := pi.crop.Style()
	style.SetProperty("left", pct(c.Left, c.RW), "")
	style.SetProperty("top", pct(c.Top, c.RH), "")
	style.SetProperty("width", pct(in.W, c.RW), "")
	style.SetProperty("height", pct(in.H, c.RH), "")
	pi.crop.SetAttribute("title", "The part "+strconv.Itoa(in.W)+"×"+strconv.Itoa(in.H)+" the model sees")
}

// failed stops answering a picture that could not be fed: the drawing
// answers again, with the reason announced.
func (pi *pictureInput) failed(err error) {
	pi.on = false
	pi.caught = err.Error()
}

// setInput makes the picture (on) or the drawing answer, announces it
// (wasmcnn-input, with msg) and runs the model on it.
func (p *page) setInput(on bool, msg string) {
	src := p.src.current
	p.pic.on = on && src != nil && src.takesPictures()
	p.showInput(msg)
	p.frames.newInput()
}

// showInput shows which input answers (body[data-input], the input view's
// caption and the picture's outline) and announces it: wasmcnn-input
// {input, pictures, name, message}, pictures saying whether the model
// answering takes pictures.
func (p *page) showInput(msg string) {
	src := p.src.current
	if p.pic.caught != "" {
		msg = "The picture could not be used: " + p.pic.caught + "."
		p.pic.caught = ""
	}
	input, name := "drawing", ""
	if p.pic.on {
		input, name = "picture", p.pic.name
		p.pic.outline(src.in)
	}
	p.body.SetAttribute("data-input", input)
	p.answer.caption(src, &p.pic)
	announce(eventInput, map[string]any{"input": input, "pictures": src.takesPictures(), "name": name, "message": msg})
}

// useDrawing makes the drawing answer again.
func (p *page) useDrawing([]js.Value) (any, error) {
	if p.pic.on {
		p.setInput(false, "")
	}
	return nil, nil
}

// pictureData returns the picture in use: {name, width, height, rgba}, or
// null when the drawing answers.
func (p *page) pictureData([]js.Value) (any, error) {
	if !p.pic.on {
		return nil, nil
	}
	rgba := js.Global().Get("Uint8ClampedArray").New(len(p.pic.RGBA))
	js.CopyBytesToJS(rgba, p.pic.RGBA)
	return map[string]any{"name": p.pic.name, "width": p.pic.W, "height": p.pic.H, "rgba": rgba}, nil
}

// errNoPictures is what the hooks of a picture's normalisation say while
// no dropped model answers.
var errNoPictures = errors.New("no model of yours answers: the shipped model reads digits drawn on the pad")
