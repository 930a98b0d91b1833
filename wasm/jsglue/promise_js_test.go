package jsglue

import (
	"slices"
	"syscall/js"
	"testing"
)

// TestNextTask waits for the event loop's turns from three goroutines: a
// callback queued before the wait has run when it ends, and the waiters
// wake in the order they waited, each once per turn.
func TestNextTask(t *testing.T) {
	ran := false
	f := js.FuncOf(func(js.Value, []js.Value) any { ran = true; return nil })
	defer f.Release()
	js.Global().Call("queueMicrotask", f)
	NextTask()
	if !ran {
		t.Fatal("NextTask returned before the event loop turned")
	}
	var waited, woke []int
	done := make(chan struct{})
	for g := 0; g < 3; g++ {
		go func() {
			for i := 0; i < 2; i++ {
				waited = append(waited, g)
				NextTask()
				woke = append(woke, g)
			}
			done <- struct{}{}
		}()
	}
	for range 3 {
		<-done
	}
	if len(woke) != 6 || !slices.Equal(woke, waited) {
		t.Errorf("the goroutines waited in the order %v and woke in the order %v", waited, woke)
	}
}
