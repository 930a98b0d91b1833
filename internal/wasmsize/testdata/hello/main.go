// Command hello is a small Go program for the size tests to build for
// GOOS=js GOARCH=wasm.
package main

import "strconv"

func main() {
	println(strconv.Itoa(len(greeting())))
}

//go:noinline
func greeting() string { return "hello" }
