package site

import (
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"

	"wasmcnn/core/ink"
)

// iconStrokes is a pen-drawn "2" in the unit box, the app's mark.
var iconStrokes = [][][2]float32{{
	{0.18, 0.30}, {0.24, 0.16}, {0.38, 0.06}, {0.55, 0.05}, {0.70, 0.12}, {0.77, 0.26},
	{0.74, 0.42}, {0.62, 0.57}, {0.45, 0.72}, {0.28, 0.86}, {0.18, 0.95}, {0.45, 0.95}, {0.85, 0.95},
}}

// writeIcons draws the app icons: the mark in white on the page's blue,
// in a rounded square, and a full-bleed maskable version whose mark stays
// inside the 80 % safe zone.
func writeIcons(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, ic := range []struct {
		name     string
		size     int
		fraction float32
		rounded  bool
	}{{"icon-192.png", 192, 0.62, true}, {"icon-512.png", 512, 0.62, true}, {"maskable-512.png", 512, 0.5, false}} {
		if err := WritePNG(filepath.Join(dir, ic.name), icon(ic.size, ic.fraction, ic.rounded)); err != nil {
			return err
		}
	}
	return nil
}

func icon(size int, fraction float32, rounded bool) image.Image {
	var g ink.GrayImage
	placed := ink.PlaceStrokes(iconStrokes, size, fraction)
	ink.RasterizeStrokes(&g, placed, size, size, float32(size)*0.085)
	bg := color.NRGBA{0x2f, 0x6f, 0xdd, 0xff}
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	r := float64(size) * 0.2
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			a := 1.0
			if rounded {
				a = cornerCoverage(float64(x)+0.5, float64(y)+0.5, float64(size), r)
			}
			v := float64(g.Pix[y*size+x])
			c := color.NRGBA{
				R: uint8(float64(bg.R)*(1-v) + 255*v),
				G: uint8(float64(bg.G)*(1-v) + 255*v),
				B: uint8(float64(bg.B)*(1-v) + 255*v),
				A: uint8(255 * a),
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

// cornerCoverage is 1 inside a square of side s with corners rounded by r,
// 0 outside, with a one-pixel soft edge.
func cornerCoverage(x, y, s, r float64) float64 {
	cx := min(max(x, r), s-r)
	cy := min(max(y, r), s-r)
	d := (x-cx)*(x-cx) + (y-cy)*(y-cy)
	if d <= (r-0.5)*(r-0.5) {
		return 1
	}
	if d >= (r+0.5)*(r+0.5) {
		return 0
	}
	return r + 0.5 - math.Sqrt(d)
}

// WritePNG writes img to path as a PNG file.
func WritePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
