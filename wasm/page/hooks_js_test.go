package page

import (
	"strings"
	"syscall/js"
	"testing"

	"wasmcnn/wasm/adapt"
	"wasmcnn/wasm/jsglue"
)

// TestHooks calls wasmcnnPage under Node, where there is no document: the
// calls that need none answer, the others say why they cannot, and no bad
// call ends the program.
func TestHooks(t *testing.T) {
	Install()
	hooks := js.Global().Get("wasmcnnPage")
	call := func(name string, args ...any) js.Value { return hooks.Call(name, args...) }
	isError := func(v js.Value, want string) {
		t.Helper()
		if !v.InstanceOf(js.Global().Get("Error")) || !strings.Contains(v.Get("message").String(), want) {
			t.Errorf("got %v, want an Error containing %q", v, want)
		}
	}
	labels := js.ValueOf([]any{1, 1, 2, 2, 2, 2})
	held := call("heldOut", labels)
	want := []bool{false, true, false, false, false, true}
	for i, w := range want {
		if held.Index(i).Bool() != w {
			t.Errorf("heldOut: example %d held out %v, want %v", i, held.Index(i).Bool(), w)
		}
	}
	outputs := jsglue.Floats([]float32{0.9, 0.1, 0.2, 0.8, 0.6, 0.4})
	if n := call("countRight", outputs, js.ValueOf([]any{0, 1, 1})); n.Int() != 2 {
		t.Errorf("countRight: %v, want 2", n)
	}
	isError(call("heldOut", "seven"), "heldOut: labels")
	isError(call("heldOut", js.ValueOf([]any{1, -2})), "heldOut: labels[1]")
	isError(call("countRight", outputs, js.ValueOf([]any{0, 1, 1, 1})), "not a whole row")
	isError(call("countRight", js.ValueOf([]any{0.5}), js.ValueOf([]any{0})), "want a Float32Array")
	isError(call("countRight"), "takes (outputs, labels)")
	scales := call("scales")
	if scales.Length() != len(adapt.Scales) {
		t.Fatalf("scales: %d, want %d", scales.Length(), len(adapt.Scales))
	}
	for i, s := range adapt.Scales {
		if e := scales.Index(i); e.Get("scale").String() != string(s) || e.Get("label").String() != s.Label() {
			t.Errorf("scale %d: %v", i, e)
		}
	}
	colors := call("colors")
	if colors.Get("ramp").Length() != 768 || colors.Get("diverging").Length() != 1533 {
		t.Errorf("colors: ramp of %d bytes, diverging of %d", colors.Get("ramp").Length(), colors.Get("diverging").Length())
	}
	if st := call("state"); !st.IsNull() {
		t.Errorf("state before the start: %v", st)
	}
	if s := call("strokes"); s.Length() != 0 {
		t.Errorf("strokes of an empty pad: %v", s)
	}
	isError(call("shipped"), "not loaded yet")
	isError(call("usePersonal", js.Null(), "x"), "has not started")
	isError(call("useShipped"), "has not started")
	for _, name := range []string{"load", "setScale"} {
		if _, err := jsglue.Await(call(name, js.Null(), "m.onnx", "auto")); err == nil || !strings.Contains(err.Error(), "has not started") {
			t.Errorf("%s before the start: %v", name, err)
		}
	}
	// Node has no document: the start fails, saying so, and can be tried
	// again; the program goes on.
	for range 2 {
		if _, err := jsglue.Await(call("start")); err == nil || !strings.Contains(err.Error(), "wasmcnnPage: start") {
			t.Errorf("start without a document: %v", err)
		}
	}
	if n := call("countRight", outputs, js.ValueOf([]any{0, 0, 0})); n.Int() != 2 {
		t.Errorf("after the failures countRight gives %v", n)
	}
}

// TestStringLength reads the length of JavaScript strings (UTF-16 units)
// without a panic: the labels file's limit is checked before its text is
// copied into Go.
func TestStringLength(t *testing.T) {
	for _, c := range []struct {
		s    string
		want int
	}{{"", 0}, {"tench\ngoldfish\n", 15}, {"é🐦", 3}} {
		if n := stringLength(js.ValueOf(c.s)); n != c.want {
			t.Errorf("stringLength(%q) = %d, want %d", c.s, n, c.want)
		}
	}
}
