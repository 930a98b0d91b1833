//go:build amd64 && !purego

package core

// nativeKernelSets lists this CPU's fused kernels.
func nativeKernelSets() []*fusedKernels {
	var ks []*fusedKernels
	for _, k := range []*fusedKernels{avx2FusedKernels, avx512FusedKernels} {
		if k != nil {
			ks = append(ks, k)
		}
	}
	return ks
}
