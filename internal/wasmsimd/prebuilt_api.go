package wasmsimd

// Prebuilt returns the bytes of [Module], as the emitter wrote them when
// prebuilt.go was last generated (a test keeps the two equal). The browser
// build uses these, so the emitter's own code stays out of its download.
func Prebuilt(relaxed bool) []byte {
	if relaxed {
		return prebuiltRelaxed
	}
	return prebuiltPlain
}
