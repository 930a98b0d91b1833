package onnx

import "slices"

// This file lets the producers of a Concat's inputs write straight into
// their slices of its output, so that the concatenation copies nothing.
// DenseNet concatenates every feature map of a block before each layer
// (torchvision's torch.cat(features, 1)): copied, those concatenations are
// about a tenth of its time and hold each feature map twice; GoogLeNet's
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
// Plans that keep every tensor (Steps, Explain) are left as written; so is
// a plan whose peak the rewrites would raise (a homed input read long
// before its concatenation can keep a large output alive longer): placing
// buffers keeps whichever plan needs less memory.

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

// homeSaved is what the rewrites changed of a tensor, to undo them.
type homeSaved struct {
	v         *val
	root      *val
	viewOff   int
	def, last int
}

// homeConcats applies the rewrites of the file's comment to a plan whose
// lifetimes are computed, and returns what undoes them (nil when nothing
// changed). The lifetimes must be computed again after either.
func (p *modelPlan) homeConcats() (undo func()) {
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
	var saved []homeSaved
	seen := map[*val]bool{}
	save := func(v *val) {
		if !seen[v] {
			seen[v] = true
			saved = append(saved, homeSaved{v, v.root, v.viewOff, v.def, v.last})
		}
	}
	gone := map[*val]bool{} // buffers that became views
	// place makes v, a buffer, a view at off of root's buffer.
	place := func(v, root *val, off int) {
		save(v)
		save(root)
		root.def = min(root.def, v.def)
		for _, w := range p.views {
			if w.root == v {
				save(w)
				w.root, w.viewOff = root, off+w.viewOff
			}
		}
		v.root, v.viewOff = root, off
		p.views = append(p.views, v)
		gone[v] = true
	}
	views := p.views
	for k := len(p.concats) - 1; k >= 0; k-- {
		c := p.concats[k]
		if root, off, ok := inPlace(c.ins); ok && c.out.root == nil && !fixed[c.out] && root != c.out {
			place(c.out, root, off)
			c.view = true
			continue
		}
		root, base := c.out.base(), c.out.viewOff
		for i, t := range c.ins {
			if t.konst || t.root != nil || t.scratch || t.def < 0 || t.last != c.step || t == root ||
				slices.Index(c.ins[i+1:], t) >= 0 || slices.Index(c.ins[:i], t) >= 0 {
				continue
			}
			place(t, root, base+c.offs[i])
			c.homed[i] = true
		}
	}
	if len(saved) == 0 {
		return nil
	}
	bufs := p.bufs
	p.bufs = slices.DeleteFunc(slices.Clone(bufs), func(v *val) bool { return gone[v] })
	return func() {
		for _, s := range saved {
			s.v.root, s.v.viewOff, s.v.def, s.v.last = s.root, s.viewOff, s.def, s.last
		}
		p.bufs, p.views = bufs, views
		for _, c := range p.concats {
			c.view = false
			clear(c.homed)
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
