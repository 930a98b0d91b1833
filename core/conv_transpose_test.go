package core

import (
	"fmt"
	"testing"

	"wasmcnn/internal/floattest"
)

// TestConvTranspose2DMatchesReference compares the product-and-col2im form
// with the reference over strides, dilations, padding, groups and 1×1.
func TestConvTranspose2DMatchesReference(t *testing.T) {
	cases := []struct {
		x, w  []int
		win   Window
		group int
	}{
		{[]int{2, 4, 5, 5}, []int{3, 4, 3, 3}, Window{StrideH: 2, StrideW: 2, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1}, 1},
		{[]int{1, 4, 7, 6}, []int{6, 2, 3, 2}, Window{StrideH: 1, StrideW: 3, DilationH: 2, DilationW: 1}, 2},
		{[]int{1, 3, 4, 4}, []int{5, 3, 1, 1}, Window{}, 1},
		{[]int{2, 4, 3, 4}, []int{4, 1, 4, 4}, Window{StrideH: 2, StrideW: 2, PadTop: 1, PadBottom: 2}, 4},
	}
	for i, c := range cases {
		g, err := NewConvGeom(c.x, c.w, c.win, c.group)
		if err != nil {
			t.Fatal(err)
		}
		x := floattest.Seeded(uint64(i), g.N*g.K*g.OH*g.OW)
		w := floattest.Seeded(uint64(i+10), g.K*g.C/g.Group*g.KH*g.KW)
		b := floattest.Seeded(uint64(i+20), g.C)
		got := make([]float32, g.N*g.C*g.H*g.W)
		want := make([]float32, len(got))
		for k := range got {
			got[k] = 99 // overwritten
		}
		ConvTranspose2D(got, x, w, b, &g, make([]float32, g.C/g.Group*g.KH*g.KW*g.OH*g.OW))
		convTranspose2DRef(want, x, w, b, &g)
		floattest.AssertClose(t, fmt.Sprintf("case %d", i), got, want, 1e-5)
	}
}
