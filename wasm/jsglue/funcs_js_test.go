package jsglue

import (
	"errors"
	"strings"
	"syscall/js"
	"testing"
)

// TestStack checks that Stack returns this goroutine's whole trace.
func TestStack(t *testing.T) {
	var s string
	func() { s = string(Stack()) }()
	if !strings.Contains(s, "TestStack") || !strings.HasPrefix(s, "goroutine ") {
		t.Fatalf("stack:\n%s", s)
	}
}

// TestGuards calls guarded functions that fail in every way: none of them
// may end the program, and each says what happened.
func TestGuards(t *testing.T) {
	var nilMap map[string]int
	fails := Func("test: ", "fails", func([]js.Value) (any, error) { return nil, errors.New("fails: bad") })
	panics := Func("test: ", "panics", func([]js.Value) (any, error) { nilMap["x"] = 1; return nil, nil })
	throws := Func("test: ", "throws", func(args []js.Value) (any, error) { return reflectGet.Invoke(args[0], "x"), nil })
	ok := Func("test: ", "ok", func(args []js.Value) (any, error) { return args[0].Float() + 1, nil })
	for _, f := range []js.Func{fails, panics, throws, ok} {
		defer f.Release()
	}
	proxy := js.Global().Call("eval", `new Proxy({}, {get() { throw new Error("trap") }})`)
	for _, c := range []struct {
		f    js.Func
		arg  any
		want string
	}{
		{fails, 1, "test: fails: bad"},
		{panics, 1, "test: panics: internal error: assignment to entry in nil map"},
		{throws, proxy, "test: throws: reading an argument threw: trap"},
	} {
		got := c.f.Invoke(c.arg)
		if !got.InstanceOf(jsError) || got.Get("message").String() != c.want {
			t.Errorf("got %v, want an Error %q", got, c.want)
		}
	}
	if got := ok.Invoke(2).Float(); got != 3 {
		t.Errorf("ok(2) = %v, want 3", got)
	}
	var ran bool
	h := Handler("handler", func(args []js.Value) { ran = true; nilMap["x"] = 1 })
	defer h.Release()
	if v := h.Invoke(); !v.IsNull() || !ran {
		t.Errorf("a panicking handler returned %v (ran %v), want null", v, ran)
	}
	err := Try(func() { js.Global().Call("eval", `throw new RangeError("out")`) })
	if v, ok := Thrown(err); !ok || v.Get("name").String() != "RangeError" {
		t.Errorf("Try: %v, thrown %v", err, v)
	}
}

// TestAsync awaits the Promises of Async: a result resolves, an error and
// a panic reject with their messages, and Await reports each.
func TestAsync(t *testing.T) {
	var nilMap map[string]int
	f := Async("test: ", "later", func(args []js.Value) (any, error) {
		NextFrame()
		switch args[0].String() {
		case "fail":
			return nil, errors.New("later: no")
		case "panic":
			nilMap["x"] = 1
		}
		return "done", nil
	})
	defer f.Release()
	js.Global().Set("requestAnimationFrame", js.Global().Get("setTimeout")) // Node has no frames
	for _, c := range []struct{ arg, want, err string }{
		{"ok", "done", ""},
		{"fail", "", "test: later: no"},
		{"panic", "", "test: later: internal error: assignment to entry in nil map"},
	} {
		v, err := Await(f.Invoke(c.arg))
		switch {
		case c.err == "" && (err != nil || v.String() != c.want):
			t.Errorf("%s: %v, %v; want %q", c.arg, v, err, c.want)
		case c.err != "" && (err == nil || err.Error() != c.err):
			t.Errorf("%s: error %v, want %q", c.arg, err, c.err)
		}
	}
}

// TestArrays copies slices into typed arrays.
func TestArrays(t *testing.T) {
	f := Floats([]float32{1.5, -2})
	i := Ints([]int{-3, 1 << 30})
	b := Bytes([]byte{7, 8, 9})
	if f.Get("constructor").Get("name").String() != "Float32Array" || f.Index(0).Float() != 1.5 || f.Index(1).Float() != -2 {
		t.Errorf("Floats: %v", f)
	}
	if i.Get("constructor").Get("name").String() != "Int32Array" || i.Index(0).Int() != -3 || i.Index(1).Int() != 1<<30 {
		t.Errorf("Ints: %v", i)
	}
	if b.Get("length").Int() != 3 || b.Index(2).Int() != 9 {
		t.Errorf("Bytes: %v", b)
	}
	if FloatsOrNull(nil) != nil {
		t.Error("FloatsOrNull(nil) is not null")
	}
}
