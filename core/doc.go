// Package core implements the numerical heart of wasmcnn: tensors and
// shapes, and the kernels of a convolutional network — convolution (im2col,
// implicit and reference), matrix products (a cache-blocked GEMM, the AVX2
// micro-kernel in assembly and the pluggable panel kernels of the browser),
// pooling, dense layers, activations and broadcasting — each with its plain
// reference twin.
//
// Core is pure Go and never imports syscall/js, nor any other package of
// wasmcnn but wasmcnn/internal/fmtlite (its messages' formatting, without
// fmt's reflection): model files live in [wasmcnn/core/onnx], layers and
// training in [wasmcnn/core/nn], drawings in [wasmcnn/core/ink], all built on
// top of it.
//
// # Layout
//
// A [Tensor] holds float32 values in row-major order. Images are NCHW:
// N images (the batch), C channels, H rows, W columns. The element (n, c, h, w)
// of a tensor of shape [N, C, H, W] is at
//
//	Data[((n*C+c)*H+h)*W+w]
//
// which [Tensor.Offset] computes. Shapes use the letters N, C, H, W for inputs,
// K for the number of filters (output channels), KH and KW for the kernel size
// and OH and OW for the output size.
//
// # Kernels
//
// Every fast kernel has a plain reference twin ([Conv2DRef] beside [Conv2D],
// [GemmRef] beside [Gemm], [ReferencePanelKernel] beside a platform's
// [PanelKernel], [ConvFusedRef] beside [ConvPlan], [QConvRef] beside
// [QConvPlan]), written as the obvious loop nest; the fast kernels are
// tested against them on many random shapes. The twins are exported so that
// the packages above can hold their results to the definition too.
//
// [ConvPlan] is a convolution planned once with its bias, residual and
// activation fused into the kernels' epilogues, by the method its
// geometry calls for (depthwise, pointwise, matrix-vector, implicit,
// Winograd or im2col by blocks); [QConvPlan] is onnxruntime's quantized
// convolution, exact on the same kernels.
//
// # Errors
//
// Functions that take external input (shapes and data from JavaScript)
// validate it and return an error that says what was wrong. Kernels called
// with shapes that were already checked panic on a mismatch with a constant
// message from errors.go ("core: …"): such a panic is a bug in wasmcnn, not
// a user error.
package core
