package api

import (
	"runtime"
)

// runtimeStats reads the Go heap size, for the API's stats().
type runtimeStats struct{ heap, sys, heapSys, stackSys, gcs uint64 }

// read collects garbage twice (the second pass frees what the first one's
// finalizers released, such as references to JavaScript values), then
// reads the live heap.
func (s *runtimeStats) read() {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	s.heap, s.sys, s.heapSys, s.stackSys, s.gcs = m.HeapAlloc, m.Sys, m.HeapSys, m.StackSys, uint64(m.NumGC)
}

// TuneMemoryLimit sets the Go runtime's soft memory limit to three times
// the live heap, and at least 16 MiB. Each call from JavaScript leaves a
// little garbage (syscall/js's argument values); without a limit the
// collector's working set, and with it the WebAssembly memory, which never
// shrinks, keeps growing in steps over hours of use. With it the collector
// runs a little more often and the memory stays put. Called after each
// model load, when the live heap changes.
func TuneMemoryLimit() {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	setMemoryLimit(max(minMemoryLimit, 3*int64(m.HeapAlloc)))
}

// minMemoryLimit is the floor of the soft memory limit, and the limit at
// start, when the heap is a few hundred KiB: no collection is needed to
// know that (a first collection there costs 20–30 ms of the first answer).
const minMemoryLimit = 16 << 20

// raiseMemoryLimit lifts the limit to three times the heap when a new plan
// (a larger batch) has grown it, without a collection: only ever upwards,
// so the figure may include garbage, never starve the live heap.
func raiseMemoryLimit() {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	if want := 3 * int64(m.HeapAlloc); want > setMemoryLimit(-1) {
		setMemoryLimit(want)
	}
}
