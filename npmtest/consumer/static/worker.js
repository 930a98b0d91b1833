// worker.js: a module Web Worker that imports the package (workers have no
// import maps: by its path) and predicts the samples, posting
// {kernel, labels, out} or {error} back.
import { start, loadModel, kernel } from "../node_modules/wasmcnn/wasmcnn.mjs";
import { predictSamples } from "../samples.js";

const pkg = "../node_modules/wasmcnn/";
const bytes = async (url) => new Uint8Array(await (await fetch(new URL(url, import.meta.url))).arrayBuffer());

try {
  const [, model, samples] = await Promise.all([start(), bytes(pkg + "models/digits.onnx"), bytes(pkg + "models/mnist-sample.bin")]);
  const r = predictSamples(loadModel, model, samples);
  self.postMessage({ kernel, labels: r.labels, out: r.out });
} catch (e) {
  self.postMessage({ error: String((e && e.stack) || e) });
}
