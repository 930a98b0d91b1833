package onnx

import (
	"math"

	"wasmcnn/core"
)

// resizeOps are Resize and its predecessor Upsample, in nearest and
// (multi)linear modes, with every coordinate transformation mode, computed
// as onnxruntime does in float32: one output coordinate at a time is mapped
// to an input coordinate, then rounded (nearest) or split between the two
// neighbouring pixels (linear), axis by axis.
func resizeOps() map[string]opSpec {
	return map[string]opSpec{
		"Resize": {attrs: map[string]attrRule{
			"mode": always(attrString), "coordinate_transformation_mode": since(attrString, 11), "nearest_mode": since(attrString, 11),
			"cubic_coeff_a": since(attrFloat, 11), "exclude_outside": since(attrInt, 11), "extrapolation_value": since(attrFloat, 11),
			"antialias": since(attrInt, 18), "axes": since(attrInts, 18), "keep_aspect_ratio_policy": since(attrString, 18),
		}, minIn: 1, maxIn: 4, minOut: 1, maxOut: 1, compile: compileResize},
		"Upsample": {attrs: map[string]attrRule{"mode": always(attrString), "scales": until(attrFloats, 8)}, minIn: 1, maxIn: 2, minOut: 1, maxOut: 1, compile: compileResize},
	}
}

// resizeAxis is how one axis is resized: for each output coordinate, the
// input coordinates read and their weights, or none (extrapolation).
type resizeAxis struct {
	i0, i1 []int
	w0, w1 []float32
	out    []bool // extrapolated: outside the input
}

func compileResize(x *nodeCtx) ([]*val, func(), error) {
	in := x.input(0)
	r := len(in.shape)
	resize := x.n.opType == "Resize"
	mode := x.attrString("mode", "nearest")
	switch mode {
	case "nearest", "linear":
	case "cubic":
		return nil, nil, x.errorf("mode cubic is not supported (nearest and linear are)")
	default:
		return nil, nil, x.errorf("mode %q, want nearest, linear or cubic", mode)
	}
	if x.attrInt("antialias", 0) != 0 {
		return nil, nil, x.errorf("antialias is not supported")
	}
	if x.attrInt("exclude_outside", 0) != 0 {
		return nil, nil, x.errorf("exclude_outside applies to cubic mode, which is not supported")
	}
	coord := "asymmetric"
	if resize && x.opset >= 11 {
		coord = x.attrString("coordinate_transformation_mode", "half_pixel")
	}
	nearest := ""
	if resize && x.opset >= 11 && mode == "nearest" {
		nearest = x.attrString("nearest_mode", "round_prefer_floor")
	}
	axesAttr, haveAxes := x.attrInts("axes")
	axes, err := x.axesList(axesAttr, haveAxes, r)
	if err != nil {
		return nil, nil, err
	}
	// Scales and sizes, per axis of the input.
	scales := make([]float32, r)
	shape := append([]int(nil), in.shape...)
	for i := range scales {
		scales[i] = 1
	}
	var roi []float32
	scaleIn, sizeIn := -1, -1
	switch {
	case !resize && x.opset < 9:
		s, _ := x.attrFloats("scales")
		if len(s) != r {
			return nil, nil, x.errorf("scales has %d values for rank %d", len(s), r)
		}
		copy(scales, s)
	case !resize || x.opset == 10:
		scaleIn = 1
	default:
		scaleIn, sizeIn = 2, 3
		if v := x.input(1); v != nil && coord == "tf_crop_and_resize" {
			if !v.konst || v.isInt {
				return nil, nil, x.errorf("roi must be a float constant")
			}
			roi = v.f
		}
	}
	if sizeIn > 0 && x.input(sizeIn) != nil && x.input(sizeIn).len() > 0 {
		if v := x.input(scaleIn); v != nil && v.len() > 0 {
			return nil, nil, x.errorf("both scales and sizes given")
		}
		sizes, err := x.constInts(sizeIn)
		if err != nil {
			return nil, nil, err
		}
		if len(sizes) != len(axes) {
			return nil, nil, x.errorf("sizes has %d values for %d axes", len(sizes), len(axes))
		}
		for i, a := range axes {
			if sizes[i] < 0 || sizes[i] > core.MaxElements {
				return nil, nil, x.errorf("sizes %v", sizes)
			}
			shape[a] = int(sizes[i])
			if in.shape[a] > 0 {
				scales[a] = float32(shape[a]) / float32(in.shape[a])
			}
		}
		if err := x.keepAspect(in.shape, shape, scales, axes); err != nil {
			return nil, nil, err
		}
	} else if scaleIn > 0 {
		v := x.input(scaleIn)
		if v == nil || !v.konst || v.isInt {
			return nil, nil, x.errorf("scales must be a float constant")
		}
		if len(v.f) != len(axes) {
			return nil, nil, x.errorf("scales has %d values for %d axes", len(v.f), len(axes))
		}
		for i, a := range axes {
			scales[a] = v.f[i]
		}
	}
	for a, s := range scales {
		if !(s > 0) || s > 1<<20 || (!resize && s < 1) {
			return nil, nil, x.errorf("scale %v on axis %d", s, a)
		}
		if sizeIn < 0 || x.input(sizeIn) == nil || x.input(sizeIn).len() == 0 {
			shape[a] = int(float32(in.shape[a]) * s)
		}
	}
	if roi != nil && len(roi) != 2*len(axes) {
		return nil, nil, x.errorf("roi has %d values for %d axes", len(roi), len(axes))
	}
	if _, err := core.ShapeSize(shape); err != nil {
		return nil, nil, x.errorf("%v", err)
	}
	if err := x.resizeCheck(coord, nearest); err != nil {
		return nil, nil, err
	}
	plan := make([]*resizeAxis, r)
	roiAt := func(a int) (float32, float32) {
		for i, ax := range axes {
			if ax == a && roi != nil {
				return roi[i], roi[len(axes)+i]
			}
		}
		return 0, 1
	}
	for a := 0; a < r; a++ {
		if shape[a] == in.shape[a] && scales[a] == 1 {
			continue
		}
		lo, hi := roiAt(a)
		plan[a] = planResizeAxis(mode, coord, nearest, in.shape[a], shape[a], scales[a], lo, hi)
	}
	extrapolate := x.attrFloat("extrapolation_value", 0)
	if !in.isFloat() && mode == "linear" {
		return nil, nil, x.errorf("linear resizing of %s tensors is not supported", in.typeName())
	}
	out, err := x.outFloat(shape)
	if err != nil {
		return nil, nil, err
	}
	out.elem = in.elem
	if mode == "nearest" {
		maps := make([][]int, r)
		for a := range maps {
			maps[a] = make([]int, shape[a])
			for o := range maps[a] {
				switch {
				case plan[a] == nil:
					maps[a][o] = o
				case plan[a].out[o]:
					maps[a][o] = -1
				default:
					maps[a][o] = plan[a].i0[o]
				}
			}
		}
		strides := contiguous(in.shape).strides
		return []*val{out}, func() { gatherMaps(out.f, in.f, shape, maps, strides, extrapolate) }, nil
	}
	// Linear: one axis at a time, through scratch for the intermediate
	// tensors.
	var steps []int
	for a := range plan {
		if plan[a] != nil {
			steps = append(steps, a)
		}
	}
	var tmp [2]*val
	cur := append([]int(nil), in.shape...)
	maxTmp := 0
	for _, a := range steps {
		cur[a] = shape[a]
		maxTmp = max(maxTmp, core.Product(cur))
	}
	for i := range tmp {
		if len(steps) > i+1 {
			if tmp[i], err = x.scratch("resize", maxTmp); err != nil {
				return nil, nil, err
			}
		}
	}
	return []*val{out}, func() {
		src, srcShape := in.f, append([]int(nil), in.shape...)
		if len(steps) == 0 {
			copy(out.f, in.f)
		}
		for k, a := range steps {
			dst := out.f
			if k < len(steps)-1 {
				dst = tmp[k%2].f
			}
			dstShape := append([]int(nil), srcShape...)
			dstShape[a] = shape[a]
			lerpAxis(dst, src, srcShape, a, plan[a])
			src, srcShape = dst, dstShape
		}
		if coord == "tf_crop_and_resize" {
			extrapolateOutside(out.f, shape, plan, extrapolate)
		}
	}, nil
}

// resizeCheck refuses unknown coordinate and nearest modes.
func (x *nodeCtx) resizeCheck(coord, nearest string) error {
	switch coord {
	case "half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric", "tf_half_pixel_for_nn", "tf_crop_and_resize":
	case "half_pixel_symmetric":
		if x.opset < 19 {
			return x.errorf("coordinate_transformation_mode half_pixel_symmetric exists from opset 19")
		}
	default:
		return x.errorf("coordinate_transformation_mode %q is not one ONNX defines", coord)
	}
	switch nearest {
	case "", "round_prefer_floor", "round_prefer_ceil", "floor", "ceil":
		return nil
	}
	return x.errorf("nearest_mode %q is not one ONNX defines", nearest)
}

// keepAspect applies keep_aspect_ratio_policy to sizes given as input:
// the axes resized share the smallest (not_larger) or largest
// (not_smaller) of their scales.
func (x *nodeCtx) keepAspect(in, shape []int, scales []float32, axes []int) error {
	policy := x.attrString("keep_aspect_ratio_policy", "stretch")
	var s float32
	switch policy {
	case "stretch":
		return nil
	case "not_larger":
		s = math.MaxFloat32
		for _, a := range axes {
			s = min(s, scales[a])
		}
	case "not_smaller":
		for _, a := range axes {
			s = max(s, scales[a])
		}
	default:
		return x.errorf("keep_aspect_ratio_policy %q, want stretch, not_larger or not_smaller", policy)
	}
	for _, a := range axes {
		scales[a] = s
		shape[a] = int(math.Round(float64(s * float32(in[a]))))
	}
	return nil
}

// planResizeAxis maps every output coordinate of one axis.
func planResizeAxis(mode, coord, nearest string, inLen, outLen int, scale, roiLo, roiHi float32) *resizeAxis {
	p := &resizeAxis{i0: make([]int, outLen), i1: make([]int, outLen), w0: make([]float32, outLen), w1: make([]float32, outLen), out: make([]bool, outLen)}
	lenIn, lenOut := float32(inLen), float32(outLen)
	for o := range p.i0 {
		xr := float32(o)
		var xo float32
		switch coord {
		case "asymmetric":
			xo = xr / scale
		case "pytorch_half_pixel":
			if lenOut > 1 {
				xo = (xr+0.5)/scale - 0.5
			}
		case "tf_half_pixel_for_nn":
			xo = (xr + 0.5) / scale
		case "align_corners":
			if lenOut != 1 {
				xo = xr * (lenIn - 1) / (lenOut - 1)
			}
		case "tf_crop_and_resize":
			if lenOut > 1 {
				// In float32, as onnxruntime computes it (the explicit
				// conversions keep the operations from being fused).
				xo = float32(roiLo*(lenIn-1)) + float32(xr*(roiHi-roiLo)*(lenIn-1))/(lenOut-1)
			} else {
				xo = float32(0.5 * float64(roiLo+roiHi) * float64(lenIn-1))
			}
		case "half_pixel_symmetric":
			width := scale * lenIn
			adjust := lenOut / width
			center := lenIn / 2
			offset := center * (1 - adjust)
			xo = float32(float64(offset) + float64(xr+0.5)/float64(scale) - 0.5)
		default: // half_pixel
			xo = (xr+0.5)/scale - 0.5
		}
		if coord == "tf_crop_and_resize" && (xo < 0 || xo > lenIn-1) {
			p.out[o] = true
			continue
		}
		if mode == "nearest" {
			var i int
			switch nearest {
			case "": // Upsample and Resize-10
				if scale < 1 {
					i = int(math.Ceil(float64(xo)))
				} else {
					i = int(xo)
				}
			case "round_prefer_ceil":
				i = int(math.Round(float64(xo)))
			case "floor":
				i = int(math.Floor(float64(xo)))
			case "ceil":
				i = int(math.Ceil(float64(xo)))
			default: // round_prefer_floor
				if xo == float32(int(xo))+0.5 {
					i = int(math.Floor(float64(xo)))
				} else {
					i = int(math.Round(float64(xo)))
				}
			}
			p.i0[o] = min(max(i, 0), inLen-1)
			continue
		}
		xo = max(0, min(xo, lenIn-1))
		i0 := min(int(xo), inLen-1)
		i1 := min(i0+1, inLen-1)
		w1 := float32(math.Abs(float64(xo - float32(i0))))
		w0 := float32(math.Abs(float64(xo - float32(i1))))
		if i0 == i1 {
			w0, w1 = 0.5, 0.5
		}
		p.i0[o], p.i1[o], p.w0[o], p.w1[o] = i0, i1, w0, w1
	}
	return p
}

// gatherMaps fills dst, of the given shape, with src at the input index
// maps[a][o] along every axis, or fill where a map is −1.
func gatherMaps(dst, src []float32, shape []int, maps [][]int, strides []int, fill float32) {
	n := core.Product(shape)
	r := len(shape)
	if n == 0 {
		return
	}
	if r == 0 {
		dst[0] = src[0]
		return
	}
	idx := make([]int, r)
	inner := shape[r-1]
	last, ls := maps[r-1], strides[r-1]
	for o := 0; o < n; o += inner {
		base, ok := 0, true
		for d := 0; d < r-1; d++ {
			i := maps[d][idx[d]]
			if i < 0 {
				ok = false
				break
			}
			base += i * strides[d]
		}
		row := dst[o : o+inner]
		for k := range row {
			if i := last[k]; ok && i >= 0 {
				row[k] = src[base+i*ls]
			} else {
				row[k] = fill
			}
		}
		for d := r - 2; d >= 0; d-- {
			idx[d]++
			if idx[d] < shape[d] {
				break
			}
			idx[d] = 0
		}
	}
}

// lerpAxis interpolates src (of shape srcShape) along axis a into dst.
func lerpAxis(dst, src []float32, srcShape []int, a int, p *resizeAxis) {
	outer := core.Product(srcShape[:a])
	inLen, outLen := srcShape[a], len(p.i0)
	inner := core.Product(srcShape[a+1:])
	for o := 0; o < outer; o++ {
		s := src[o*inLen*inner : (o+1)*inLen*inner]
		d := dst[o*outLen*inner : (o+1)*outLen*inner]
		for k := 0; k < outLen; k++ {
			r0, r1 := s[p.i0[k]*inner:][:inner], s[p.i1[k]*inner:][:inner]
			w0, w1 := p.w0[k], p.w1[k]
			row := d[k*inner : (k+1)*inner]
			for i := range row {
				row[i] = w0*r0[i] + w1*r1[i]
			}
		}
	}
}

// extrapolateOutside sets every output element outside the input on some
// axis (tf_crop_and_resize) to the extrapolation value.
func extrapolateOutside(y []float32, shape []int, plan []*resizeAxis, v float32) {
	idx := make([]int, len(shape))
	for o := range y[:core.Product(shape)] {
		for a, p := range plan {
			if p != nil && p.out[idx[a]] {
				y[o] = v
				break
			}
		}
		for d := len(shape) - 1; d >= 0; d-- {
			idx[d]++
			if idx[d] < shape[d] {
				break
			}
			idx[d] = 0
		}
	}
}
