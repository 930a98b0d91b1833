// Package models embeds the shipped digit model and its card, so the edge
// worker carries them in its one upload and tests can load them by import.
package models

import _ "embed"

// Digits is the shipped digit classifier (ONNX), input [N, 1, 28, 28].
//
//go:embed digits.onnx
var Digits []byte

// DigitsCard is the model card of Digits (JSON).
//
//go:embed digits.json
var DigitsCard []byte

// MNISTSample holds the MNIST test digits the page judges a dropped model's
// pixel scale with (written by `wasmcnn digits`; the format of
// adapt.ReadDigits).
//
//go:embed mnist-sample.bin
var MNISTSample []byte
