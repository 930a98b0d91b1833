// Package jsglue is the JavaScript glue the browser builds share: the
// guards that let JavaScript call Go without any call ending the program
// ([Func], [Async], [Handler], [Try]), waiting for promises and frames
// ([Await], [NextFrame]) and copying Go slices into typed arrays ([Floats],
// [Ints], [Bytes]). The API (wasm/api) and the drawing page (wasm/page) are
// built on it: every function of theirs that JavaScript calls and every
// event handler is guarded here. (Besides, the API's predict export and
// its probe of a value's type recover on their own, to stay allocation-free.)
//
// A Go panic inside WebAssembly ends the Go program, and with it every later
// call from the page: so every function JavaScript can call goes through one
// of these guards, and so does every call into JavaScript that may throw.
package jsglue

import (
	"runtime"
	"syscall/js"

	"wasmcnn/internal/fmtlite"
)

var (
	jsError   = js.Global().Get("Error")
	jsPromise = js.Global().Get("Promise")
)

// Func makes f callable from JavaScript so that nothing f meets can end
// the program: it returns f's result, f's error as a JavaScript Error of
// prefix followed by the error, and a panic as the Error of [Recovered].
// Kept out of line, as the other guards are: inlined, the function it
// returns was copied at every call site, some 1.5 kB of code each.
//
//go:noinline
func Func(prefix, name string, f func(args []js.Value) (any, error)) js.Func {
	return js.FuncOf(func(_ js.Value, args []js.Value) (result any) {
		defer func() {
			if r := recover(); r != nil {
				result = Recovered(prefix, name, r)
			}
		}()
		v, err := f(args)
		if err != nil {
			return jsError.New(prefix + err.Error())
		}
		return v
	})
}

// Async is [Func] for work that blocks, awaiting a promise or a frame: f
// runs on a goroutine of its own (a JavaScript callback must not block) and
// the function returns a Promise of its result, rejected with the Error
// Func would return.
//
//go:noinline
func Async(prefix, name string, f func(args []js.Value) (any, error)) js.Func {
	return js.FuncOf(func(_ js.Value, args []js.Value) any {
		args = append([]js.Value(nil), args...)
		var run js.Func
		run = js.FuncOf(func(_ js.Value, settle []js.Value) any {
			resolve, reject := settle[0], settle[1]
			go func() {
				defer run.Release()
				var v any
				var ferr error
				if err := Try(func() { v, ferr = f(args) }); err != nil {
					reject.Invoke(Recovered(prefix, name, err.(thrown).r))
					return
				}
				if ferr != nil {
					reject.Invoke(jsError.New(prefix + ferr.Error()))
					return
				}
				resolve.Invoke(v)
			}()
			return nil
		})
		return jsPromise.New(run)
	})
}

// Handler makes f a JavaScript callback whose result nobody reads, such as
// an event listener or an animation frame: a panic (a JavaScript call that
// threw, an event a script made up) is logged, naming the callback, and the
// program carries on.
//
//go:noinline
func Handler(name string, f func(args []js.Value)) js.Func {
	return js.FuncOf(func(_ js.Value, args []js.Value) any {
		// Recovered here rather than through Try: a handler runs for every
		// pointer move, and Try's closure would cost an allocation each.
		defer func() {
			if r := recover(); r != nil {
				println("wasmcnn:", name, "failed:", fmtlite.Panic(r))
			}
		}()
		f(args)
		return nil
	})
}

// Try runs f and returns the panic it met as an error, or nil: the way to
// call into JavaScript where an exception is expected and harmless, or
// where its value matters ([Thrown]).
func Try(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = thrown{r}
		}
	}()
	f()
	return nil
}

// thrown is a panic caught by [Try].
type thrown struct{ r any }

func (t thrown) Error() string { return fmtlite.Panic(t.r) }

// Thrown returns the JavaScript value an error of [Try] carries, when the
// panic was an exception thrown in JavaScript.
func Thrown(err error) (js.Value, bool) {
	if t, ok := err.(thrown); ok {
		if je, ok := t.r.(js.Error); ok {
			return je.Value, true
		}
	}
	return js.Undefined(), false
}

// Recovered turns a panic r in the JavaScript-callable function name into
// the Error it returns: an exception thrown by a caller's getter or proxy
// trap while an argument was read is named so, with the exception as its
// cause; anything else is an internal error, logged with its stack. Kept
// out of line: inlined into every guard it cost 3 KB of code per function.
//
//go:noinline
func Recovered(prefix, name string, r any) js.Value {
	if je, ok := r.(js.Error); ok {
		msg := js.Value(js.Undefined())
		if Try(func() { msg = reflectGet.Invoke(je.Value, "message") }) != nil || msg.Type() != js.TypeString {
			msg = js.ValueOf("a non-Error value")
		}
		e := jsError.New(prefix + name + ": reading an argument threw: " + msg.String())
		e.Set("cause", je.Value)
		return e
	}
	println("wasmcnn: recovered panic in", name, ":", fmtlite.Panic(r), "\n", string(Stack()))
	return jsError.New(prefix + name + ": internal error: " + fmtlite.Panic(r))
}

// reflectGet reads a property of any value without letting a getter's
// exception unwind through Go's stack (only calls catch exceptions).
var reflectGet = js.Global().Get("Reflect").Get("get")

// Stack returns the calling goroutine's stack trace, as runtime/debug.Stack
// does, without package runtime/debug, whose imports (os, and with it the
// file system of syscall) cost the browser builds some 13 kB gzipped.
func Stack() []byte {
	buf := make([]byte, 4096)
	for {
		n := runtime.Stack(buf, false)
		if n < len(buf) {
			return buf[:n]
		}
		buf = make([]byte, 2*len(buf))
	}
}
