// node-predict.mjs: wasmcnn under Node as its users write it: the digit
// model shipped in the package on the package's MNIST samples, found through
// the package's exports. Prints one JSON line for npmtest.
import { start, loadModel } from "wasmcnn";
import * as wasmcnn from "wasmcnn";
import { readFile } from "node:fs/promises";
import { predictSamples } from "./samples.js";

const file = (subpath) => readFile(new URL(import.meta.resolve(subpath)));
await start();
const r = predictSamples(loadModel, await file("wasmcnn/models/digits.onnx"), await file("wasmcnn/models/mnist-sample.bin"));
console.log(JSON.stringify({
  version: wasmcnn.version, kernel: wasmcnn.kernel, labels: r.labels, out: r.out,
  globals: Object.getOwnPropertyNames(globalThis),
}));
