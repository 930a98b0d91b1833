package main

import "runtime"

// runtimeStats reads the Go heap size, for the API's stats().
type runtimeStats struct{ heap uint64 }

func (s *runtimeStats) read() {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	s.heap = m.HeapAlloc
}
