package onnx

import (
	"unsafe"

	"wasmcnn/internal/fmtlite"

	"wasmcnn/core"
)

// compileConv plans a Conv node as written.
func compileConv(x *nodeCtx) ([]*val, func(), error) { return compileConvFused(x, nil) }

// compileConvFused plans a convolution, with the nodes f merged into it
// ([Model.fuseConvs]) when f is not nil. Constant weights and bias (every
// model file's) run on a [core.ConvPlan], which chooses its own method;
// weights computed at run time go through [core.Conv2D].
func compileConvFused(x *nodeCtx, f *convFusion) ([]*val, func(), error) {
	in, shape4, err := x.image(0, false)
	if err != nil {
		return nil, nil, err
	}
	w, err := x.floatIn(1)
	if err != nil {
		return nil, nil, err
	}
	wshape := w.shape
	if len(in.shape) == 3 {
		if len(wshape) != 3 {
			return nil, nil, x.errorf("weights %v for a 1-D input %v", wshape, in.shape)
		}
		wshape = []int{wshape[0], wshape[1], 1, wshape[2]}
	}
	ws, err := x.windowND(len(in.shape)-2, false)
	if err != nil {
		return nil, nil, err
	}
	win := ws.window2D()
	group := x.attrInt("group", 1)
	if group < 1 || group > 1<<20 {
		return nil, nil, x.errorf("group %d", group)
	}
	g, err := core.NewConvGeom(shape4, wshape, win, int(group))
	if err != nil {
		return nil, nil, x.errorf("%v", err)
	}
	if err := x.addMACs(g.MACs()); err != nil {
		return nil, nil, err
	}
	bv := x.input(2)
	if bv != nil && (bv.isInt || len(bv.shape) != 1 || bv.shape[0] != g.K) {
		return nil, nil, x.errorf("bias %q has shape %v, want [%d]", bv.name, bv.shape, g.K)
	}
	outShape := flatShape(g.OutShape(), len(in.shape))
	if w.konst && (bv == nil || bv.konst) {
		run, out, err := x.convPlan(&g, w, bv, f, in, outShape)
		if err == nil || f != nil {
			return out, run, err
		}
		// A geometry the plans refuse (a padded copy past their bounds)
		// still runs as a product over the unrolled image.
	} else if f != nil {
		return nil, nil, &fuseError{x.n.name, "weights computed at run time"}
	}
	// The product reads the weights and bias as it runs.
	if err := x.load(1, 2); err != nil {
		return nil, nil, err
	}
	out, err := x.outFloat(outShape)
	if err != nil {
		return nil, nil, err
	}
	col, err := x.scratch("im2col", g.ColSize())
	if err != nil {
		return nil, nil, err
	}
	return []*val{out}, func() {
		var b []float32
		if bv != nil {
			b = bv.f
		}
		core.Conv2D(out.f, in.f, w.f, b, &g, col.f)
	}, nil
}

// convPlan plans the convolution g of constant weights w and bias bv (or
// nil) on a [core.ConvPlan], with the nodes f merged (or nil). A fusion
// that the values or shapes do not allow is a *fuseError.
func (x *nodeCtx) convPlan(g *core.ConvGeom, w, bv *val, f *convFusion, in *val, outShape []int) (func(), []*val, error) {
	prev := x.c.prevConv(x.n, g)
	if prev == nil {
		if err := x.load(1, 2, fuseBN, fuseBN+1, fuseBN+2, fuseBN+3); err != nil {
			return nil, nil, err
		}
	}
	wf := w.f
	var bf []float32
	if bv != nil {
		bf = bv.f
	}
	var act core.Activation
	var res *val
	if f != nil {
		var err error
		if wf, bf, act, res, err = f.resolve(x, g, wf, bf, outShape, prev == nil); err != nil {
			return nil, nil, err
		}
	}
	var p *core.ConvPlan
	alloc, err := x.planScratch(func(alloc func(string, int) ([]float32, error)) error {
		var err error
		if prev != nil {
			x.c.plan.reused++
			p, err = prev.ForBatch(g.N, alloc)
		} else {
			p, err = core.NewConvPlan(x.c.plan.kernel, g, wf, bf, act, res != nil, alloc)
		}
		return err
	})
	if err != nil {
		if f != nil {
			return nil, nil, &fuseError{x.n.name, err.Error()}
		}
		return nil, nil, err
	}
	out, err := x.outFloat(outShape)
	if err != nil {
		return nil, nil, err
	}
	x.c.plan.convs[x.n] = p
	x.onBind(func() error {
		var err error
		p, err = p.WithScratch(alloc())
		return err
	})
	x.packedIn = true
	return func() {
		var r []float32
		if res != nil {
			r = res.f
		}
		// The arena lends the plan scratch that other steps overwrite.
		p.ClearPadding()
		p.Run(out.f, in.f, r)
	}, []*val{out}, nil
}

// prevConv returns the convolution plan the model's current plan made for
// node n, when n's convolution differs from it by the batch size only:
// the same node, hence the same weights, activation and residual, on the
// same kernel. A plan for another batch size then shares its packed
// filters ([core.ConvPlan.ForBatch]) rather than packing a second copy
// beside them while the current plan lives.
func (c *compiler) prevConv(n *onnxNodeProto, g *core.ConvGeom) *core.ConvPlan {
	cur := c.m.plan
	if cur == nil || cur.kernel != c.plan.kernel {
		return nil
	}
	p := cur.convs[n]
	if p == nil {
		return nil
	}
	pg := p.Geom()
	pg.N = g.N
	if pg != *g {
		return nil
	}
	return p
}

// planScratch learns the scratch buffers a kernel's constructor asks for
// by calling build with an allocator that records their sizes (and hands
// out nothing: constructors only size and clear scratch), declares them
// as the step's scratch, and returns the allocator to bind the kernel to
// them once the plan's buffers are placed (WithScratch, in onBind), which
// hands out those buffers in the same order.
func (x *nodeCtx) planScratch(build func(alloc func(string, int) ([]float32, error)) error) (func() func(string, int) ([]float32, error), error) {
	var sizes []int
	var names []string
	probe := func(what string, n int) ([]float32, error) {
		sizes, names = append(sizes, n), append(names, what)
		return nil, nil
	}
	if err := build(probe); err != nil {
		return nil, x.errorf("%v", err)
	}
	bufs := make([]*val, len(sizes))
	for i, n := range sizes {
		var err error
		if bufs[i], err = x.scratch(names[i], n); err != nil {
			return nil, err
		}
	}
	return func() func(string, int) ([]float32, error) {
		next := 0
		return func(what string, n int) ([]float32, error) {
			if next >= len(bufs) || n > len(bufs[next].f) {
				return nil, fmtlite.Errorf("the convolution asked for %s of %d values, not planned", what, n)
			}
			next++
			return bufs[next-1].f[:n], nil
		}
	}, nil
}

// bytesOf views a float buffer's memory as bytes: scratch for the
// quantized convolution's output bytes, taken from the arena.
func bytesOf(f []float32) []byte {
	if len(f) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&f[0])), 4*len(f))
}
