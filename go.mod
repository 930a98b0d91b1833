module wasmcnn

go 1.26
