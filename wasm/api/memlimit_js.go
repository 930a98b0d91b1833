package api

import _ "unsafe" // go:linkname

// setMemoryLimit is runtime/debug.SetMemoryLimit without package
// runtime/debug, whose imports (os, and with it the file system of
// syscall) cost the browser builds some 13 kB gzipped.
//
//go:linkname setMemoryLimit runtime/debug.setMemoryLimit
func setMemoryLimit(limit int64) int64
