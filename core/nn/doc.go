// Package nn builds convolutional networks from layers and trains them by
// backpropagation: the layers (convolution, batch norm, pooling, dense,
// activations), [Net], the losses, the optimisers and their schedules, the
// training loop with its augmentation and checkpoints, the reference
// networks S and M and the digit network, export to ONNX, and the way back:
// [ImportNet] reads a layer chain from an ONNX model so that [FineTune] can
// adapt it to a few examples of one person.
//
// Every layer has the same methods in the same order — Forward, Backward,
// Params — so forward and backward sit side by side; the gradients are
// checked against finite differences.
//
// Nn uses the kernels of [wasmcnn/core], writes models with
// [wasmcnn/core/onnx] and takes the digit geometry (28×28) from
// [wasmcnn/core/ink]. Nothing below it may import nn: builds that only
// infer (the drawing page, the library, the edge worker) must not link the
// training code.
package nn
