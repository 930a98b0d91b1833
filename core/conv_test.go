package core

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"wasmcnn/internal/floattest"
)

// seedImage is the 5×5 binary image of the classic convolution walkthrough,
// and seedFilter its 3×3 "X" filter.
var (
	seedImage = []float32{
		1, 1, 1, 0, 0,
		0, 1, 1, 1, 0,
		0, 0, 1, 1, 1,
		0, 0, 1, 1, 0,
		0, 1, 1, 0, 0,
	}
	seedFilter = []float32{
		1, 0, 1,
		0, 1, 0,
		1, 0, 1,
	}
)

// convImpl runs a convolution implementation on geometry g.
type convImpl struct {
	name string
	run  func(y, x, w, b []float32, g *ConvGeom)
}

var convImpls = []convImpl{
	{"Conv2D", func(y, x, w, b []float32, g *ConvGeom) { Conv2D(y, x, w, b, g, make([]float32, g.ColSize())) }},
	{"Conv2DRef", Conv2DRef},
}

func TestConvSeedExamples(t *testing.T) {
	cases := []struct {
		desc  string
		x, w  []int
		win   Window
		xData []float32
		wData []float32
		bias  []float32
		want  []int
		out   []float32
	}{
		{
			desc: "5x5 image, 3x3 filter, valid: 3x3",
			x:    []int{1, 1, 5, 5}, w: []int{1, 1, 3, 3},
			xData: seedImage, wData: seedFilter,
			want: []int{1, 1, 3, 3},
			out:  []float32{4, 3, 4, 2, 4, 3, 2, 3, 4},
		},
		{
			desc: "5x5 image, 3x3 filter, one pixel of zero padding (same): 5x5",
			x:    []int{1, 1, 5, 5}, w: []int{1, 1, 3, 3},
			win:   Window{PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1},
			xData: seedImage, wData: seedFilter,
			want: []int{1, 1, 5, 5},
			out: []float32{
				2, 2, 3, 1, 1,
				1, 4, 3, 4, 1,
				1, 2, 4, 3, 3,
				1, 2, 3, 4, 1,
				0, 2, 2, 1, 1,
			},
		},
		{
			desc: "SAME_UPPER gives the same as one pixel of padding",
			x:    []int{1, 1, 5, 5}, w: []int{1, 1, 3, 3},
			win:   Window{AutoPad: AutoPadSameUpper},
			xData: seedImage, wData: seedFilter,
			want: []int{1, 1, 5, 5},
			out: []float32{
				2, 2, 3, 1, 1,
				1, 4, 3, 4, 1,
				1, 2, 4, 3, 3,
				1, 2, 3, 4, 1,
				0, 2, 2, 1, 1,
			},
		},
		{
			// Channel 0 is the seed image, channel 1 the image upside down. Filter 0
			// is the X filter on channel 0 and all ones on channel 1, bias 1; filter 1
			// ignores channel 0 and applies −X to channel 1, bias −1. Each filter
			// reaches through both channels and gives one output map.
			desc: "2 channels, 2 filters: one output map per filter",
			x:    []int{1, 2, 5, 5}, w: []int{2, 2, 3, 3},
			xData: append(append([]float32(nil), seedImage...), flipRows(seedImage, 5)...),
			wData: concat(seedFilter, fill(9, 1), fill(9, 0), scale(seedFilter, -1)),
			bias:  []float32{1, -1},
			want:  []int{1, 2, 3, 3},
			out: []float32{
				9, 10, 11, 7, 12, 11, 9, 11, 11,
				-3, -4, -5, -3, -5, -4, -5, -4, -5,
			},
		},
	}
	for _, c := range cases {
		g, err := NewConvGeom(c.x, c.w, c.win, 1)
		if err != nil {
			t.Fatalf("%s: %v", c.desc, err)
		}
		if !slices.Equal(g.OutShape(), c.want) {
			t.Fatalf("%s: output shape %v, want %v", c.desc, g.OutShape(), c.want)
		}
		for _, impl := range convImpls {
			y := make([]float32, len(c.out))
			impl.run(y, c.xData, c.wData, c.bias, &g)
			floattest.AssertClose(t, c.desc+" ("+impl.name+")", y, c.out, 0)
		}
	}
}

func TestConvGeomAutoPad(t *testing.T) {
	cases := []struct {
		desc                  string
		in, k, stride, dil    int
		autoPad               string
		out, padBegin, padEnd int
	}{
		{"valid 5/3", 5, 3, 1, 1, AutoPadValid, 3, 0, 0},
		{"same 5/3", 5, 3, 1, 1, AutoPadSameUpper, 5, 1, 1},
		{"same_upper even kernel puts the odd pixel at the end", 5, 2, 1, 1, AutoPadSameUpper, 5, 0, 1},
		{"same_lower even kernel puts it at the start", 5, 2, 1, 1, AutoPadSameLower, 5, 1, 0},
		{"same stride 2 odd input", 7, 3, 2, 1, AutoPadSameUpper, 4, 1, 1},
		{"same stride 2 even input", 28, 3, 2, 1, AutoPadSameUpper, 14, 0, 1},
		{"same_lower stride 2 even input", 28, 3, 2, 1, AutoPadSameLower, 14, 1, 0},
		{"valid stride 2", 28, 5, 2, 1, AutoPadValid, 12, 0, 0},
		{"valid dilated", 9, 3, 1, 2, AutoPadValid, 5, 0, 0},
	}
	for _, c := range cases {
		g, err := resolveAxis("Conv", "height", c.in, c.k, c.stride, c.dil, 0, 0, c.autoPad, false)
		if err != nil {
			t.Fatalf("%s: %v", c.desc, err)
		}
		if g.out != c.out || g.padBegin != c.padBegin || g.padEnd != c.padEnd {
			t.Errorf("%s: out %d pads %d,%d; want %d pads %d,%d", c.desc, g.out, g.padBegin, g.padEnd, c.out, c.padBegin, c.padEnd)
		}
	}
}

func TestConvGeomErrors(t *testing.T) {
	cases := []struct {
		desc  string
		x, w  []int
		win   Window
		group int
	}{
		{"rank 3 input", []int{1, 5, 5}, []int{1, 1, 3, 3}, Window{}, 1},
		{"channel mismatch", []int{1, 2, 5, 5}, []int{1, 3, 3, 3}, Window{}, 1},
		{"kernel larger than input", []int{1, 1, 2, 2}, []int{1, 1, 3, 3}, Window{}, 1},
		{"zero stride is default, negative is not", []int{1, 1, 5, 5}, []int{1, 1, 3, 3}, Window{StrideH: -1}, 1},
		{"negative pad", []int{1, 1, 5, 5}, []int{1, 1, 3, 3}, Window{PadTop: -1}, 1},
		{"groups not dividing channels", []int{1, 3, 5, 5}, []int{2, 1, 3, 3}, Window{}, 2},
		{"kernel_shape disagrees with weights", []int{1, 1, 5, 5}, []int{1, 1, 3, 3}, Window{KernelH: 5, KernelW: 5}, 1},
		{"unknown auto_pad", []int{1, 1, 5, 5}, []int{1, 1, 3, 3}, Window{AutoPad: "SAME"}, 1},
		{"huge output", []int{1 << 20, 1, 1 << 10, 1 << 10}, []int{1, 1, 1, 1}, Window{}, 1},
		{"zero batch", []int{0, 1, 5, 5}, []int{1, 1, 3, 3}, Window{}, 1},
	}
	for _, c := range cases {
		if _, err := NewConvGeom(c.x, c.w, c.win, c.group); err == nil {
			t.Errorf("%s: no error", c.desc)
		}
	}
}

// randomConvCase draws a convolution geometry covering the awkward cases:
// odd sizes, stride > 1, dilation, asymmetric padding wider than the kernel
// reach, 1×1 kernels, groups and depthwise, batch > 1.
func randomConvCase(r *rand.Rand) (x, w []int, win Window, group int) {
	group = 1
	switch r.IntN(4) {
	case 0:
		group = 2
	case 1:
		group = 3 // depthwise when C = 3
	}
	cg := 1 + r.IntN(4)
	c := cg * group
	if group == 3 && r.IntN(2) == 0 {
		cg, c = 1, 3
	}
	kg := 1 + r.IntN(5)
	kh, kw := 1+r.IntN(5), 1+r.IntN(5)
	win = Window{
		StrideH: 1 + r.IntN(3), StrideW: 1 + r.IntN(3),
		DilationH: 1 + r.IntN(2), DilationW: 1 + r.IntN(2),
	}
	switch r.IntN(4) {
	case 0:
		win.AutoPad = []string{AutoPadValid, AutoPadSameUpper, AutoPadSameLower}[r.IntN(3)]
	case 1, 2:
		win.PadTop, win.PadLeft, win.PadBottom, win.PadRight = r.IntN(7), r.IntN(7), r.IntN(7), r.IntN(7)
	}
	h := (kh-1)*win.DilationH + 1 + r.IntN(12)
	wd := (kw-1)*win.DilationW + 1 + r.IntN(12)
	return []int{1 + r.IntN(3), c, h, wd}, []int{kg * group, cg, kh, kw}, win, group
}

func TestConvCrossCheck(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for iter := 0; iter < 500; iter++ {
		xs, ws, win, group := randomConvCase(r)
		g, err := NewConvGeom(xs, ws, win, group)
		if err != nil {
			t.Fatalf("x %v w %v %+v group %d: %v", xs, ws, win, group, err)
		}
		desc := fmt.Sprintf("x=%v w=%v %+v group=%d", xs, ws, win, group)
		x := floattest.RandSlice(r, Product(xs))
		w := floattest.RandSlice(r, Product(ws))
		var b []float32
		if r.IntN(3) > 0 {
			b = floattest.RandSlice(r, ws[0])
		}
		want := make([]float32, Product(g.OutShape()))
		Conv2DRef(want, x, w, b, &g)
		got, check := floattest.Guarded(len(want))
		col, checkCol := floattest.Guarded(g.ColSize())
		Conv2D(got, x, w, b, &g, col)
		check(t, desc)
		checkCol(t, desc+" (scratch)")
		floattest.AssertClose(t, desc, got, want, 1e-5)
	}
}

func flipRows(img []float32, w int) []float32 {
	out := make([]float32, 0, len(img))
	for r := len(img)/w - 1; r >= 0; r-- {
		out = append(out, img[r*w:(r+1)*w]...)
	}
	return out
}

func concat(parts ...[]float32) []float32 {
	var out []float32
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func fill(n int, v float32) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = v
	}
	return s
}

func scale(s []float32, a float32) []float32 {
	out := make([]float32, len(s))
	for i, v := range s {
		out[i] = a * v
	}
	return out
}

// TestIm2colMatchesDefinition checks the im2col matrix entry by entry
// against its definition, on random geometries with every other one made
// "same" along the width at stride 1 (output as wide as the input), where
// each row is filled by one copy and its edge columns cleared afterwards.
// The scratch starts as NaN, so an entry left unwritten shows.
func TestIm2colMatchesDefinition(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 2))
	same := 0
	for iter := 0; iter < 600; iter++ {
		xs, ws, win, group := randomConvCase(r)
		if iter%2 == 0 {
			win.AutoPad, win.StrideW = "", 1
			reach := (ws[3] - 1) * win.DilationW
			win.PadLeft = r.IntN(reach + 1)
			win.PadRight = reach - win.PadLeft
			if r.IntN(3) == 0 {
				xs[2] = 1 + r.IntN(3) // shorter than the kernel's reach: rows off the top and bottom
				win.PadTop, win.PadBottom = r.IntN(6), r.IntN(6)
			}
		}
		g, err := NewConvGeom(xs, ws, win, group)
		if err != nil {
			continue
		}
		if g.SW == 1 && g.OW == g.W {
			same++
		}
		cg := g.C / g.Group
		x := floattest.RandSlice(r, g.C*g.H*g.W)
		p := g.OH * g.OW
		rows := cg * g.KH * g.KW
		ld, off := p+r.IntN(3)*p, 0 // a batched matrix puts each example at an offset
		if ld > p {
			off = p
		}
		col, check := floattest.Guarded(rows * ld)
		for i := range col {
			col[i] = float32(math.NaN())
		}
		im2col(col, ld, off, x, cg, &g)
		check(t, fmt.Sprintf("%+v", g))
		for c := 0; c < cg; c++ {
			for i := 0; i < g.KH; i++ {
				for j := 0; j < g.KW; j++ {
					row := (c*g.KH+i)*g.KW + j
					for oh := 0; oh < g.OH; oh++ {
						for ow := 0; ow < g.OW; ow++ {
							ih, iw := oh*g.SH-g.PT+i*g.DH, ow*g.SW-g.PL+j*g.DW
							var want float32
							if ih >= 0 && ih < g.H && iw >= 0 && iw < g.W {
								want = x[(c*g.H+ih)*g.W+iw]
							}
							if got := col[row*ld+off+oh*g.OW+ow]; got != want {
								t.Fatalf("%+v: row %d (c %d, tap %d,%d), output (%d,%d): got %v, want %v", g, row, c, i, j, oh, ow, got, want)
							}
						}
					}
				}
			}
		}
	}
	if same < 200 {
		t.Fatalf("only %d of the geometries were same-width at stride 1", same)
	}
}
