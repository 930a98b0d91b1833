//go:build apionly

package main

// startPage does nothing in the library build (-tags apionly): it carries
// the JavaScript API without the drawing page, and so without the DOM
// package and the page's code, a smaller and faster-starting download.
func startPage(*api) {}
