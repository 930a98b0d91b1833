package onnx

import (
	"slices"

	"wasmcnn/internal/fmtlite"
)

// This file places the buffers of a plan's runtime tensors in one arena by
// their lifetimes: a tensor needs its memory from the step that writes it
// to the last step that reads it (through any view), so tensors never alive
// at the same time may share memory, and the arena holds the plan's peak,
// not the sum of its tensors. A network of N layers then needs about two
// layers' worth of activations instead of N.

// bufferAlign is the granularity of buffer offsets, in floats: 64 bytes, a
// cache line, so that no two buffers share one.
const bufferAlign = 16

// greedyLimit is the number of buffers up to which placeBuffers places them
// largest first, which compares each buffer with every buffer placed before
// it; above it, buffers are placed in the order they are written, against
// the buffers alive at that moment only.
const greedyLimit = 8192

// placeBuffers computes every buffer's lifetime over the steps, places the
// buffers in an arena, refusing a peak over limit, and points every tensor
// and view at its memory. Graph inputs live through the whole plan (so that
// a run can be repeated, see [Model.KeepAllTensors]), graph outputs from
// their step to the end. Concatenations are written in place where that
// needs no more memory (concat.go).
func (p *modelPlan) placeBuffers(limit int64) error {
	p.lifetimes()
	p.sum = 0
	for _, b := range p.bufs {
		p.sum += int64(b.size)
	}
	peak := placeBest(p.bufs)
	if h := p.homeConcats(); h != nil {
		p.lifetimes()
		if homed := placeBest(p.bufs); homed <= peak {
			peak = homed
		} else {
			h.fit(peak)
			p.copying = true
			p.lifetimes()
			peak = placeBest(p.bufs)
		}
	}
	if peak > limit {
		if p.keep {
			return fmtlite.Errorf("onnx: keeping every tensor of the model needs %d activation values for input shapes %v, more than the limit of %d (MaxActivations)", peak, p.inShapes, limit)
		}
		return fmtlite.Errorf("onnx: the model needs %d activation values at its peak for input shapes %v, more than the limit of %d (MaxActivations)", peak, p.inShapes, limit)
	}
	p.peak = peak
	p.arena = make([]float32, peak)
	for _, b := range p.bufs {
		b.f = p.arena[b.off : b.off+b.size : b.off+b.size]
	}
	for _, v := range p.views {
		v.f = v.root.f[v.viewOff : v.viewOff+v.size : v.viewOff+v.size]
	}
	for _, bind := range p.binds {
		if err := bind(); err != nil {
			return err
		}
	}
	// Binds run once: dropping them frees what they held to build their
	// kernels (a convolution's weights with the batch norm folded in,
	// which its plan has packed).
	p.binds = nil
	return nil
}

// lifetimes sets every buffer's last step: the last that reads it through
// any view, the end of the plan for graph inputs and outputs and for
// every tensor when the plan keeps them.
func (p *modelPlan) lifetimes() {
	end := len(p.steps)
	for _, b := range p.bufs {
		b.last = b.def
	}
	for si, s := range p.steps {
		for _, v := range s.reads {
			if b := v.base(); b.last < si {
				b.last = si
			}
		}
	}
	for _, v := range p.inputs {
		v.def, v.last = -1, end
	}
	for _, v := range p.outputs {
		if !v.konst {
			v.base().last = end
		}
	}
	if p.keep {
		for _, b := range p.bufs {
			if !b.scratch {
				b.def, b.last = -1, end
			}
		}
	}
}

// placeBest places bufs in the arena by first fit and by best fit, and
// keeps the placement that needs less memory: each is a heuristic, and
// either may lose a few percent to the other on a given network (best
// fit keeps the holes that smaller buffers fill later).
func placeBest(bufs []*val) int64 {
	if len(bufs) > greedyLimit {
		return placeArena(bufs, false, false)
	}
	first := placeArena(bufs, true, false)
	offs := make([]int, len(bufs))
	for i, b := range bufs {
		offs[i] = b.off
	}
	best := placeArena(bufs, true, true)
	if best < first {
		return best
	}
	for i, b := range bufs {
		b.off = offs[i]
	}
	return first
}

// placeArena gives every buffer an offset such that buffers whose lifetimes
// overlap do not overlap in memory, and returns the arena's length. Greedy
// places the largest buffers first, each at the lowest offset free over its
// lifetime, or with bestFit in the smallest gap free over its lifetime
// that holds it (the "greedy by size" strategy of TensorFlow Lite's
// planner, within a few percent of the optimum on convolutional networks);
// otherwise buffers are placed in the order they are first written.
func placeArena(bufs []*val, greedy, bestFit bool) int64 {
	order := slices.Clone(bufs)
	if greedy {
		slices.SortStableFunc(order, func(a, b *val) int {
			if a.size != b.size {
				return b.size - a.size
			}
			return a.def - b.def
		})
	} else {
		slices.SortStableFunc(order, func(a, b *val) int { return a.def - b.def })
	}
	var placed, conflicts []*val
	var peak int64
	for _, b := range order {
		conflicts = conflicts[:0]
		if greedy {
			for _, q := range placed {
				if q.def <= b.last && b.def <= q.last {
					conflicts = append(conflicts, q)
				}
			}
		} else {
			// In order of definition, the buffers alive when b is written
			// are exactly those it conflicts with.
			alive := placed[:0]
			for _, q := range placed {
				if q.last >= b.def {
					alive = append(alive, q)
				}
			}
			placed = alive
			conflicts = append(conflicts, alive...)
		}
		slices.SortFunc(conflicts, func(a, c *val) int { return a.off - c.off })
		size := (b.size + bufferAlign - 1) / bufferAlign * bufferAlign
		off, end, gap := 0, 0, -1
		for _, q := range conflicts {
			if q.off-end >= size && (gap < 0 || q.off-end < gap) {
				off, gap = end, q.off-end
				if !bestFit {
					break
				}
			}
			end = max(end, q.off+(q.size+bufferAlign-1)/bufferAlign*bufferAlign)
		}
		if gap < 0 {
			off = end
		}
		b.off = off
		peak = max(peak, int64(off+b.size))
		placed = append(placed, b)
	}
	return peak
}
