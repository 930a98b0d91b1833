// Package core implements the wasmcnn engine: tensors, the convolutional-network
// kernels (convolution, pooling, dense layers, activations), ONNX model reading
// and writing, preprocessing of drawings and training by backpropagation.
//
// Core is pure Go and never imports syscall/js, so everything that computes is
// tested natively; the browser build and the edge worker are thin layers on top.
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
// Every fast kernel has a plain reference twin in a *_ref.go file, written as
// the obvious loop nest. The fast kernels are tested against them on many
// random shapes. Convolution runs as im2col followed by [Gemm], a cache-blocked
// matrix product.
//
// # Errors
//
// Functions that take external input (shapes and data from JavaScript, model
// files, drawings) validate it and return an error that says what was wrong.
// Kernels called by this package with shapes it has already checked panic on
// a mismatch with a constant message from errors.go ("core: …"): such a panic
// is a bug in wasmcnn, not a user error.
package core
