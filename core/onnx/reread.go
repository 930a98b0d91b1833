package onnx

import (
	"runtime"
	"unsafe"

	"wasmcnn/internal/fmtlite"
)

// This file holds a model's float weights once when its caller can read
// the model's bytes again ([LoadOptions].Reread): in the browser the file
// stays in JavaScript's memory, and WebAssembly's memory, which never
// shrinks, would otherwise hold the file, its decoded weights and the
// convolutions' packed copies of them, three times the weights (ResNet-50:
// 98 MiB each).
//
//   - Loading lets go of the file's bytes before decoding: every raw_data
//     initializer is read again through Reread, a float32 one only when a
//     node being planned reads it, straight into its values, so that the
//     collector can give the file's memory to the weights.
//   - A plan that shares its buffers drops each float initializer as soon
//     as the last node reading it has copied it into a [core.ConvPlan]
//     (weights, bias, batch normalisation): the weights of one layer at a
//     time are in memory beside the packed filters.
//   - Any later reader (another plan: a new batch size, a plan keeping its
//     tensors for Steps and Explain, [Model.Initializer]) reads the values
//     again from the file: the same bytes, the same floats.
//
// Decoding every float initializer at load instead, then dropping them as
// they are packed, would leave the packed filters to fit in the holes the
// smaller layers left (Winograd's are 16/9 of their layer's): ResNet-50's
// WebAssembly heap grew to 185 MiB for 120 MiB live.
//
// A plan that keeps its tensors drops nothing: Explain reads the weights
// of the nodes it explains.
//
// Memory freed is only reused once the collector has run, and Go's
// collector, paced by the heap's growth, would let the packed filters
// grow the memory beside the garbage they replace: loading collects once
// the file's bytes are let go, and planning each time it has dropped
// collectAfter bytes of weights.

// collectAfter is how many bytes of weights a plan drops between two
// collections: each marks little (the weights are pointer-free), and a
// layer's weights, its folded copy and its packing's temporaries are
// then free for the next layer. ResNet-50 in WebAssembly under Node: 163
// MiB of memory after loading with 4 MiB, as with a collection at every
// drop, 172 MiB with 16 MiB.
const collectAfter = 4 << 20

// detachRaw makes every initializer read its raw data through reread
// instead of the file's buffer, and copies the raw data of tensor
// attributes (small constants), so that nothing the model keeps refers
// to the buffer LoadModel was given.
func detachRaw(mp *onnxModelProto) {
	for _, t := range mp.graph.initializers {
		if t.hasRawField && t.location != 1 {
			t.rawLen, t.raw, t.reread = len(t.raw), nil, true
		}
	}
	for _, n := range mp.graph.nodes {
		for _, a := range n.attrs {
			if a.t != nil && a.t.raw != nil {
				a.t.raw = append([]byte(nil), a.t.raw...)
			}
		}
	}
}

// rereadRaw reads a detached initializer's raw data into a new buffer,
// except a float32 tensor's on a little-endian machine: v then remembers
// where its values are, to be read when a node is planned (loadInputs).
func rereadRaw(t *onnxTensorProto, v *val, n, size int, reread func(int64, []byte) error) ([]byte, error) {
	if t.rawLen != n*size {
		return nil, &CorruptModelError{Offset: t.offset, Msg: fmtlite.Sprintf("tensor %q: raw data holds %d bytes, shape %v of %s needs %d", t.name, t.rawLen, v.shape, onnxTypeName(int(t.dataType)), n*size)}
	}
	if t.dataType == onnxFloat && hostLittleEndian && n > 0 {
		v.at = t.rawOffset + 1
		return nil, nil
	}
	raw := make([]byte, t.rawLen)
	if err := reread(t.rawOffset, raw); err != nil {
		return nil, fmtlite.Errorf("onnx: tensor %q: reading its data again: %w", t.name, err)
	}
	return raw, nil
}

// readConst gives a float initializer that can be read again (v.at != 0)
// its values, read from the model's bytes.
func readConst(v *val, reread func(int64, []byte) error) error {
	n := 1
	for _, d := range v.shape {
		n *= d
	}
	if n == 0 {
		v.f = []float32{}
		return nil
	}
	f := make([]float32, n)
	if err := reread(v.at-1, unsafe.Slice((*byte)(unsafe.Pointer(&f[0])), 4*n)); err != nil {
		return fmtlite.Errorf("onnx: initializer %q: reading its values again: %w", v.name, err)
	}
	v.f = f
	return nil
}

// constReads counts, for each initializer the plan may drop, the inputs
// of nodes that read it; nil when the plan drops nothing (it keeps its
// tensors, or the model's bytes cannot be read again).
func (c *compiler) constReads(nodes []*onnxNodeProto) map[*val]int {
	if c.m.reread == nil || c.plan.keep {
		return nil
	}
	reads := map[*val]int{}
	for _, n := range nodes {
		for _, name := range n.inputs {
			if v := c.plan.vals[name]; v != nil && v.at != 0 {
				reads[v]++
			}
		}
	}
	return reads
}

// loadInputs gives the initializers a node reads their values, reading
// again those a plan dropped; except, in a plan that drops them, the
// weights, bias and batch normalisation of a convolution, which it reads
// only if it packs them anew ([nodeCtx.load]): a plan for another batch
// size shares the packed filters of the one before and reads nothing.
func (c *compiler) loadInputs(x *nodeCtx) error {
	conv := c.reads != nil && x.n.opType == "Conv" && isDefaultDomain(x.n)
	for i := range x.in {
		if conv && (i == 1 || i == 2 || i >= fuseBN && i < fuseBN+4) {
			continue
		}
		if err := x.load(i); err != nil {
			return err
		}
	}
	return nil
}

// load gives the node's inputs numbered is, where they are initializers,
// their values, reading again those a plan dropped.
func (x *nodeCtx) load(is ...int) error {
	for _, i := range is {
		if i >= len(x.in) {
			continue
		}
		if v := x.in[i]; v != nil && v.at != 0 && v.f == nil {
			if err := readConst(v, x.c.m.reread); err != nil {
				return x.errorf("%v", err)
			}
		}
	}
	return nil
}

// dropPacked counts the node's reads of droppable initializers and drops
// each one whose every read copied it into a convolution's plan: a read
// of any other kind (a step reading the values as it runs, a folded
// node) keeps it for as long as this plan lives.
func (c *compiler) dropPacked(x *nodeCtx) {
	if c.reads == nil {
		return
	}
	for i, v := range x.in {
		left, ok := c.reads[v]
		if v == nil || !ok || left < 0 {
			continue
		}
		if !x.packed(i) {
			c.reads[v] = -1
			continue
		}
		c.reads[v] = left - 1
		if left == 1 {
			c.droppedBytes += 4 * len(v.f)
			v.f = nil
			c.dropped = append(c.dropped, v)
			if c.droppedBytes >= collectAfter {
				runtime.GC()
				c.droppedBytes = 0
			}
		}
	}
}

// restoreDropped reads again what a plan that failed dropped: the model
// keeps its previous plan, whose steps may read those values.
func (c *compiler) restoreDropped() error {
	for _, v := range c.dropped {
		if v.f == nil {
			if err := readConst(v, c.m.reread); err != nil {
				return err
			}
		}
	}
	c.dropped = nil
	return nil
}
