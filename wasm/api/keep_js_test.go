package api

import (
	"math"
	"syscall/js"
	"testing"

	"wasmcnn/core/nn"
	"wasmcnn/core/onnx"
)

// TestLoadModelReadsItsOwnCopy loads a model from a Uint8Array and from an
// ArrayBuffer, overwrites the caller's bytes, then asks for what makes the
// model read its weights again (a plan for another batch size, the layer
// outputs): the answers must equal those of the model loaded in Go from
// the untouched bytes, bit for bit, so the weights come from the API's own
// copy, not the caller's array nor a dropped buffer. toONNX, which
// copies that same copy, still gives the bytes loaded.
func TestLoadModelReadsItsOwnCopy(t *testing.T) {
	setup(t)
	model := setModelGlobal(t, "MODEL_KEEP", nn.ReferenceNetS(5))
	ref, err := onnx.LoadModel(model, nil)
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float32, 3*784)
	for i := range x {
		x[i] = float32(i%97) / 97
	}
	want, err := ref.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	xs := js.Global().Get("Float32Array").New(len(x))
	for i, v := range x {
		xs.SetIndex(i, v)
	}
	js.Global().Set("KEEP_X", xs)
	for _, arg := range []string{"MODEL_KEEP", "MODEL_KEEP.buffer"} {
		res := run(`(() => {
			const bytes = ` + arg + `.slice(0);
			const m = wasmcnn.loadModel(bytes);
			m.predict(KEEP_X.subarray(0, 784));
			new Uint8Array(bytes.buffer || bytes).fill(255);
			const out = Array.from(m.predict(KEEP_X));
			const layers = m.layerOutputs().length;
			const orig = new Uint8Array(MODEL_KEEP), onnx = m.toONNX();
			onnx[0] ^= 1; // a copy: the model's own bytes stay as they were
			const again = m.toONNX();
			const same = again.length === orig.length && again.every((v, i) => v === orig[i]);
			m.dispose();
			return {out, layers, same};
		})()`)
		got := res.Get("out")
		if got.Length() != len(want) {
			t.Fatalf("%s: %d outputs, want %d", arg, got.Length(), len(want))
		}
		for i, w := range want {
			if g := float32(got.Index(i).Float()); math.Float32bits(g) != math.Float32bits(w) {
				t.Fatalf("%s: output %d is %v after the caller's bytes changed, want %v", arg, i, g, w)
			}
		}
		if !res.Get("same").Bool() {
			t.Errorf("%s: toONNX is not the bytes the model was loaded from", arg)
		}
		if res.Get("layers").Int() == 0 {
			t.Errorf("%s: no layer outputs", arg)
		}
	}
}
