// Package convbench measures wasmcnn's convolution kernels on the layers of
// the networks people deploy (package convshapes): each distinct layer of
// ResNet-50, MobileNetV2, MobileNetV3-small, SqueezeNet 1.1 and
// ShuffleNetV2 at batch 1, the way the planner runs it today (a
// convolution, then the residual add and the activation as their own
// passes) beside the fused plan ([core.NewConvPlan]). Natively it uses the
// CPU's kernels; under js/wasm the SIMD kernel module, installed as the
// browser installs it:
//
//	go test ./internal/convbench -run '^$' -bench . -benchtime 10x -args -table
//	GOOS=js GOARCH=wasm go test -exec "$PWD/tools/go_js_wasm_exec" ./internal/convbench -run '^$' -bench . -benchtime 10x -args -table
//
// -table prints, after the benchmarks, GFLOP/s per layer side by side and
// each network's estimated time (every layer as often as it runs). The
// package holds only tests and benchmarks.
package convbench
