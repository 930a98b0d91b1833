package core

// Version is the version of wasmcnn: the engine, its model files and its
// JavaScript API.
const Version = "0.1.0"
