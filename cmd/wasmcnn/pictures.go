package main

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"wasmcnn/core/nn"
)

// label draws text with its top-left corner at (x, y).
func label(img draw.Image, x, y int, s string, c color.Color) {
	d := &font.Drawer{Dst: img, Src: image.NewUniform(c), Face: basicfont.Face7x13,
		Dot: fixed.P(x, y+basicfont.Face7x13.Ascent)}
	d.DrawString(s)
}

// drawConfusion draws the confusion matrix as a heat map with counts:
// white for none, deepening blue for many, the diagonal in green.
func drawConfusion(conf *[10][10]int, title string) image.Image {
	const cell, left, top = 44, 40, 56
	img := image.NewRGBA(image.Rect(0, 0, left+10*cell+20, top+10*cell+40))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	label(img, 10, 8, title, color.Black)
	label(img, left, 28, "predicted ->", color.Gray{90})
	label(img, 4, top+10*cell+14, "rows: true digit", color.Gray{90})
	maxOff := 1
	for d := 0; d < 10; d++ {
		for k := 0; k < 10; k++ {
			if d != k && conf[d][k] > maxOff {
				maxOff = conf[d][k]
			}
		}
	}
	for d := 0; d < 10; d++ {
		label(img, left-14, top+d*cell+cell/2-6, fmt.Sprint(d), color.Black)
		label(img, left+d*cell+cell/2-3, top-14, fmt.Sprint(d), color.Black)
		for k := 0; k < 10; k++ {
			var c color.RGBA
			n := conf[d][k]
			switch {
			case d == k:
				c = color.RGBA{200, 235, 200, 255}
			case n == 0:
				c = color.RGBA{255, 255, 255, 255}
			default:
				t := 0.15 + 0.85*float64(n)/float64(maxOff)
				c = color.RGBA{uint8(255 - 200*t), uint8(255 - 150*t), 255, 255}
			}
			r := image.Rect(left+k*cell+1, top+d*cell+1, left+(k+1)*cell, top+(d+1)*cell)
			draw.Draw(img, r, image.NewUniform(c), image.Point{}, draw.Src)
			if n > 0 {
				s := fmt.Sprint(n)
				label(img, left+k*cell+cell/2-3*len(s)-1, top+d*cell+cell/2-7, s, color.Black)
			}
		}
	}
	return img
}

// drawMisclassified draws up to limit misclassified digits in a grid, each
// captioned "true→predicted", as the network saw them (white ink on black).
func drawMisclassified(set *nn.Dataset, preds []int, limit int) image.Image {
	var pix [][]float32
	var captions []string
	for i, p := range preds {
		if p != set.Y[i] && len(pix) < limit {
			pix = append(pix, set.Image(i))
			captions = append(captions, fmt.Sprintf("%d->%d", set.Y[i], p))
		}
	}
	return drawTiles(pix, captions, fmt.Sprintf("misclassified: %d shown (true->predicted)", len(pix)), 12)
}

// drawTiles lays out 28×28 inputs as the model sees them, three times
// enlarged, cols to a row, each over its caption, under a title.
func drawTiles(pix [][]float32, captions []string, title string, cols int) image.Image {
	const scale = 3
	const w, h = 28*scale + 8, 28*scale + 22
	rows := max(1, (len(pix)+cols-1)/cols)
	img := image.NewRGBA(image.Rect(0, 0, cols*w, rows*h+24))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	label(img, 6, 4, title, color.Black)
	for n, p := range pix {
		x0, y0 := (n%cols)*w+4, (n/cols)*h+24
		for y := 0; y < 28*scale; y++ {
			for x := 0; x < 28*scale; x++ {
				v := uint8(255 * min(max(p[(y/scale)*28+x/scale], 0), 1))
				img.Set(x0+x, y0+y, color.Gray{v})
			}
		}
		label(img, x0+2, y0+28*scale+2, captions[n], color.RGBA{170, 0, 0, 255})
	}
	return img
}

// drawCurves plots training loss and accuracies per epoch.
func drawCurves(path string, hist []nn.EpochStats) error {
	p := plot.New()
	p.Title.Text = "training"
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = "error rate (%) / loss"
	loss, trainErr, testErr := plotter.XYs{}, plotter.XYs{}, plotter.XYs{}
	for _, h := range hist {
		x := float64(h.Epoch)
		loss = append(loss, plotter.XY{X: x, Y: h.Loss})
		trainErr = append(trainErr, plotter.XY{X: x, Y: 100 * (1 - h.TrainAcc)})
		if h.TestAcc >= 0 {
			testErr = append(testErr, plotter.XY{X: x, Y: 100 * (1 - h.TestAcc)})
		}
	}
	for i, s := range []struct {
		name string
		xy   plotter.XYs
	}{{"training loss", loss}, {"training error % (augmented)", trainErr}, {"MNIST test error %", testErr}} {
		if len(s.xy) == 0 {
			continue
		}
		l, pts, err := plotter.NewLinePoints(s.xy)
		if err != nil {
			return err
		}
		c := []color.RGBA{{31, 119, 180, 255}, {255, 127, 14, 255}, {44, 160, 44, 255}}[i]
		l.Color, pts.Color = c, c
		l.Width = vg.Points(1.5)
		p.Add(l, pts)
		p.Legend.Add(s.name, l, pts)
	}
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	return p.Save(6*vg.Inch, 4*vg.Inch, path)
}
