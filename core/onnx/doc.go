// Package onnx reads, plans, runs and writes ONNX models on the kernels of
// [wasmcnn/core]: a hand-written protobuf reader that never trusts a length,
// the checks of every node, attribute and opset against what wasmcnn
// implements, the planner that compiles a graph into a sequence of kernel
// calls over buffers allocated once, per-node profiling, and [ModelBuilder],
// the writer that wasmcnn's own networks are exported with.
//
// Onnx imports only [wasmcnn/core] of wasmcnn (and wasmcnn/internal/fmtlite
// for its messages, as core does): it must never import the
// training code ([wasmcnn/core/nn]) or the preprocessing of drawings
// ([wasmcnn/core/ink]), so that builds which only infer link neither.
//
// # Security Considerations
//
// Models come from people wasmcnn does not know. [LoadModel] checks every
// field against the bytes present and every tensor's declared size against
// its data before it allocates, and refuses a model over its [Limits]
// (parameters, activation values of a plan, multiply-accumulates of a run);
// external-data file names may not be absolute or leave the model's
// directory. An unknown op, attribute or opset is an error naming the node,
// the op and the opset, never a guess. The reader and the planner are fuzzed
// (FuzzLoadModel).
package onnx
