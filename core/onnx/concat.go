package onnx

import "slices"

// This file lets the producers of a Concat's inputs write straight into
// their slices of its output, so that the concatenation copies nothing.
// DenseNet concatenates every feature map of a block before each layer
// (torchvision's torch.cat(features, 1)): copied, those concatenations
// hold each feature map twice (DenseNet-121's peak is 0.81× without them)
// and take a few percent of its time natively, more in wasm; GoogLeNet's
// and SqueezeNet's modules end in one.
//
// It applies where a slice of the output is contiguous: the dimensions
// before the axis multiply to 1 (channels of NCHW at batch 1, or any
// concatenation along the first dimension). Two rewrites, made by
// [modelPlan.homeConcats] after compiling and before placing buffers, on
// concatenations from the last to the first:
//
//   - An input is homed: it becomes a view at its offset of the output's
//     buffer, written there by its producer, when the Concat is its last
//     reader, it appears once among the inputs, a step writes it (not a
//     graph input, not a constant, not a view of another buffer) and
//     neither it nor a view of it is a graph output. The output's buffer
//     then lives from the first homed input's step: its memory replaces
//     theirs, and each slice is written only by its producer, so any
//     earlier reader of an input still sees it.
//   - A concatenation whose inputs already lie one after another in one
//     buffer, in its order (DenseNet's earlier concatenations, whose
//     feature maps the block's last one homed), becomes a view of that
//     memory, unless it is a graph output.
//
// Plans that keep every tensor (Steps, Explain) are left as written. The
// rewrites never raise the plan's peak: a homed input read long before its
// concatenation keeps a large output alive longer, and the arena's
// placement is a heuristic that a longer life can cost a few percent.
// Placing buffers ([modelPlan.placeBuffers]) undoes what was written into
// one buffer when that brings the peak back to the plan's as written, and
// everything otherwise.

// concatsInPlace turns the rewrites on; the tests turn them off to compare
// with the plan as written.
var concatsInPlace = true

// concatSite is a float Concat step whose output slices are contiguous.
type concatSite struct {
	step  int
	out   *val
	ins   []*val
	offs  []int  // where each input starts in out
	homed []bool // input i is written in place by its producer
	view  bool   // out is a view of inputs already in place: nothing to copy
}

// run copies the inputs that are not in place.
func (c *concatSite) run() {
	if c.view {
		return
	}
	for i, in := range c.ins {
		if !c.homed[i] {
			copy(c.out.f[c.offs[i]:c.offs[i]+len(in.f)], in.f)
		}
	}
}

// homeSaved is what the rewrites changed of a tensor: its place before
// and after, to undo and redo them.
type homeSaved struct {
	v               *val
	root, newRoot   *val
	viewOff, newOff int
	def, newDef     int
}

// homeGroup is what the rewrites placed in one buffer: undone together.
type homeGroup struct {
	saved []homeSaved
	sites []*concatSite
	homed [][]int // of each site, the inputs written in place
	views []bool  // of each site, whether it became a view
}

// homing is the rewrites of a plan, by the buffer they write into.
type homing struct {
	p           *modelPlan
	bufs, views []*val // the plan's as compiled
	groups      []*homeGroup
}

// homeConcats applies the rewrites of the file's comment to a plan whose
// lifetimes are computed and returns them (nil when nothing changed). The
// lifetimes must be computed again after them and after each
// [homing.set].
func (p *modelPlan) homeConcats() *homing {
	if p.keep || len(p.concats) == 0 || !concatsInPlace {
		return nil
	}
	// Graph inputs and outputs live to the end of the plan: no Concat is
	// their last reader, but the output of one may be a graph output.
	fixed := map[*val]bool{}
	for _, v := range p.outputs {
		if !v.konst {
			fixed[v.base()] = true
		}
	}
	h := &homing{p: p, bufs: p.bufs, views: p.views}
	groups := map[*val]*homeGroup{}
	seen := map[*val]bool{}
	group := func(root *val) *homeGroup {
		g := groups[root]
		if g == nil {
			g = &homeGroup{}
			groups[root] = g
			h.groups = append(h.groups, g)
		}
		return g
	}
	save := func(g *homeGroup, v *val) {
		if !seen[v] {
			seen[v] = true
			g.saved = append(g.saved, homeSaved{v: v, root: v.root, viewOff: v.viewOff, def: v.def})
		}
	}
	// place makes v, a buffer, a view at off of root's buffer.
	place := func(v, root *val, off int) {
		g := group(root)
		save(g, v)
		save(g, root)
		root.def = min(root.def, v.def)
		for _, w := range p.views {
			if w.root == v {
				save(g, w)
				w.root, w.viewOff = root, off+w.viewOff
			}
		}
		v.root, v.viewOff = root, off
		p.views = append(p.views, v)
	}
	for k := len(p.concats) - 1; k >= 0; k-- {
		c := p.concats[k]
		if root, off, ok := inPlace(c.ins); ok && c.out.root == nil && !fixed[c.out] && root != c.out {
			place(c.out, root, off)
			c.view = true
			g := group(root)
			g.sites, g.homed, g.views = append(g.sites, c), append(g.homed, nil), append(g.views, true)
			continue
		}
		root, base := c.out.base(), c.out.viewOff
		var homed []int
		for i, t := range c.ins {
			if t.konst || t.root != nil || t.scratch || t.def < 0 || t.last != c.step || t == root ||
				slices.Index(c.ins[i+1:], t) >= 0 || slices.Index(c.ins[:i], t) >= 0 {
				continue
			}
			place(t, root, base+c.offs[i])
			c.homed[i] = true
			homed = append(homed, i)
		}
		if homed != nil {
			g := group(root)
			g.sites, g.homed, g.views = append(g.sites, c), append(g.homed, homed), append(g.views, false)
		}
	}
	if len(h.groups) == 0 {
		return nil
	}
	for _, g := range h.groups {
		for i := range g.saved {
			s := &g.saved[i]
			s.newRoot, s.newOff, s.newDef = s.v.root, s.v.viewOff, s.v.def
		}
	}
	h.relist()
	return h
}

// set applies or undoes the rewrites of group g.
func (h *homing) set(g *homeGroup, on bool) {
	for _, s := range g.saved {
		if on {
			s.v.root, s.v.viewOff, s.v.def = s.newRoot, s.newOff, s.newDef
		} else {
			s.v.root, s.v.viewOff, s.v.def = s.root, s.viewOff, s.def
		}
	}
	for k, c := range g.sites {
		if g.views[k] {
			c.view = on
		}
		for _, i := range g.homed[k] {
			c.homed[i] = on
		}
	}
	h.relist()
}

// fitBudget bounds the work of fit's placements, each of which compares
// up to every pair of the plan's buffers: the groups tried times the
// square of the buffers (DenseNet-121 at batch 1: 4 groups, some 600
// buffers).
const fitBudget = 1 << 26

// fit undoes the rewrites of the one buffer whose undoing brings the peak
// to limit or below, the one that brings it lowest; if none does, it
// undoes them all.
func (h *homing) fit(limit int64) {
	best, at := int64(-1), -1
	if n := len(h.p.bufs); len(h.groups)*n*n <= fitBudget {
		for i, g := range h.groups {
			h.set(g, false)
			h.p.lifetimes()
			if peak := placeBest(h.p.bufs); peak <= limit && (at < 0 || peak < best) {
				best, at = peak, i
			}
			h.set(g, true)
		}
	}
	for i, g := range h.groups {
		if at < 0 || i == at {
			h.set(g, false)
		}
	}
}

// relist sorts the plan's tensors into the buffers and the views they are
// now.
func (h *homing) relist() {
	h.p.bufs, h.p.views = nil, slices.Clone(h.views)
	for _, v := range h.bufs {
		if v.root == nil {
			h.p.bufs = append(h.p.bufs, v)
		} else {
			h.p.views = append(h.p.views, v)
		}
	}
}

// inPlace reports whether the tensors ins lie one after another, in order,
// in one buffer (the root returned), starting at off.
func inPlace(ins []*val) (root *val, off int, ok bool) {
	for i, t := range ins {
		if t.konst || t.root == nil {
			return nil, 0, false
		}
		if i == 0 {
			root, off = t.root, t.viewOff
		} else if prev := ins[i-1]; t.root != root || t.viewOff != prev.viewOff+prev.size {
			return nil, 0, false
		}
	}
	return root, off, root != nil
}
