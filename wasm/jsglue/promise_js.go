package jsglue

import (
	"errors"
	"syscall/js"
)

// Await blocks the calling goroutine until the promise settles, and
// returns the value it resolved to or the message it was rejected with. It
// must not run on the goroutine of a JavaScript callback, which would
// block the page: use it inside [Async] or a goroutine.
func Await(promise js.Value) (js.Value, error) {
	done := make(chan struct{})
	var val js.Value
	var err error
	ok := js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) > 0 {
			val = args[0]
		}
		close(done)
		return nil
	})
	bad := js.FuncOf(func(_ js.Value, args []js.Value) any {
		err = errors.New(message(args))
		close(done)
		return nil
	})
	defer ok.Release()
	defer bad.Release()
	if err := Try(func() { promise.Call("then", ok, bad) }); err != nil {
		return js.Undefined(), err
	}
	<-done
	return val, err
}

// message is what a rejection says: the reason's message, or the reason
// itself written as a string.
func message(args []js.Value) string {
	msg := "rejected"
	if len(args) == 0 || args[0].IsUndefined() || args[0].IsNull() {
		return msg
	}
	Try(func() {
		if m := reflectGet.Invoke(args[0], "message"); m.Type() == js.TypeString {
			msg = m.String()
		} else {
			msg = js.Global().Call("String", args[0]).String()
		}
	})
	return msg
}

// NextFrame waits until the browser has painted, so that a message shows
// before long work starts; like [Await] it blocks its goroutine. A hidden
// tab runs no frames, so a timeout ends the wait after 100 ms.
func NextFrame() {
	f := js.FuncOf(func(_ js.Value, args []js.Value) any {
		js.Global().Call("requestAnimationFrame", args[0])
		js.Global().Call("setTimeout", args[0], 100)
		return nil
	})
	defer f.Release()
	Await(jsPromise.New(f))
}

// tasks hands the event loop's turns to the goroutines waiting in
// [NextTask], in order: one message posted on a MessageChannel per wait,
// each message waking the first waiter.
var tasks struct {
	port    js.Value // the channel's second port, posted to
	fn      js.Func  // the first port's onmessage
	waiting []chan struct{}
}

// NextTask waits until the event loop has turned once — the browser may
// handle input and paint between — and resumes in a task of its own. A
// posted message rather than setTimeout, which browsers delay by 4 ms once
// nested: a long computation cut into slices loses almost nothing to the
// waits. Like [Await] it blocks its goroutine.
func NextTask() {
	if tasks.port.IsUndefined() {
		ch := js.Global().Get("MessageChannel").New()
		tasks.fn = js.FuncOf(func(js.Value, []js.Value) any {
			if len(tasks.waiting) > 0 {
				c := tasks.waiting[0]
				tasks.waiting = tasks.waiting[1:]
				close(c)
			}
			return nil
		})
		ch.Get("port1").Set("onmessage", tasks.fn)
		tasks.port = ch.Get("port2")
	}
	c := make(chan struct{})
	tasks.waiting = append(tasks.waiting, c)
	tasks.port.Call("postMessage", nil)
	<-c
}
