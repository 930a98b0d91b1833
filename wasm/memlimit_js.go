package main

import (
	"runtime"
	_ "unsafe" // go:linkname
)

// setMemoryLimit is runtime/debug.SetMemoryLimit without package
// runtime/debug, whose imports (os, and with it the file system of
// syscall) cost the browser builds some 13 kB gzipped.
//
//go:linkname setMemoryLimit runtime/debug.setMemoryLimit
func setMemoryLimit(limit int64) int64

// stack returns the calling goroutine's stack trace, as debug.Stack does.
func stack() []byte {
	buf := make([]byte, 4096)
	for {
		n := runtime.Stack(buf, false)
		if n < len(buf) {
			return buf[:n]
		}
		buf = make([]byte, 2*len(buf))
	}
}
