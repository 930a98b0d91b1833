//go:build wasmcnn_faults && js && wasm

package main

import (
	"net/http"
	"os"
	"unsafe"
)

// The worker tests' fault hook, built only with -tags wasmcnn_faults and
// never deployed: a request carrying X-Wasmcnn-Fault fails the way a bug
// would, so the tests can check that the entry module survives it.
//
//	panic            the handler panics (recovered: 500, the instance lives on)
//	exit             the Go program exits during the request
//	goroutine-panic  another goroutine panics while the request waits: the program ends
//	trap             the instance traps (a load outside its memory)
func init() {
	faultHook = injectFault
}

func injectFault(r *http.Request) {
	switch r.Header.Get("X-Wasmcnn-Fault") {
	case "panic":
		panic("wasmcnn worker: injected fault")
	case "exit":
		os.Exit(3)
	case "goroutine-panic":
		done := make(chan struct{})
		go func() { panic("wasmcnn worker: injected fault in a goroutine") }()
		<-done
	case "trap":
		var x byte
		far := (*byte)(unsafe.Add(unsafe.Pointer(&x), 1<<31+12345))
		println(*far)
	}
}
