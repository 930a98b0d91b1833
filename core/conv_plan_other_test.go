//go:build !amd64 || purego

package core

// nativeKernelSets lists this CPU's fused kernels: Go's only.
func nativeKernelSets() []*fusedKernels { return []*fusedKernels{goFusedKernels} }
