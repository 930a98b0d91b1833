// Package onnx reads, plans, runs and writes ONNX models on the kernels of
// [wasmcnn/core]: a hand-written protobuf reader that never trusts a length,
// the checks of every node, attribute and opset (7 to 25 of the default
// domain, by the opsets at which each operator changed; onnxruntime's
// quantized operators of com.microsoft) against what wasmcnn implements,
// the rewrites onnxruntime makes before running (QDQ groups fused into
// integer operators), the planner that compiles a graph into a sequence of
// kernel calls over buffers placed once in an arena by their lifetimes (so
// that a plan holds the peak of its tensors, not their sum), convolutions
// on [core.ConvPlan] and [core.QConvPlan] merged with the batch norm,
// residual Add and activation after them unless the plan keeps every
// tensor for looking inside (fuse.go), per-node
// profiling, and [ModelBuilder], the writer that wasmcnn's own networks
// are exported with. Quantized tensors are computed with onnxruntime's
// integer semantics (see quant.go).
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
