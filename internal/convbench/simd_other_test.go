//go:build !(js && wasm)

package convbench

// installKernel leaves core with the CPU's own kernels.
func installKernel() (string, error) { return "", nil }
