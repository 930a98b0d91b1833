// main.js: a plain <script type="module"> page importing the package's
// files from a static folder (through the page's import map), and a module
// Web Worker of its own (worker.js) that imports the package too. It
// reports to npmtest in body[data-result].
import { start, loadModel, kernel } from "wasmcnn";
import { predictSamples } from "../samples.js";

const pkg = "../node_modules/wasmcnn/";
const bytes = async (url) => new Uint8Array(await (await fetch(url)).arrayBuffer());

// inWorker runs the same prediction in worker.js and resolves to its answer.
function inWorker() {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
    w.onmessage = (e) => { w.terminate(); e.data.error ? reject(new Error(e.data.error)) : resolve(e.data); };
    w.onerror = (e) => { w.terminate(); reject(new Error("worker: " + (e.message || "failed to load"))); };
  });
}

async function main() {
  const [, model, samples] = await Promise.all([start(), bytes(pkg + "models/digits.onnx"), bytes(pkg + "models/mnist-sample.bin")]);
  const r = predictSamples(loadModel, model, samples);
  const worker = await inWorker();
  document.getElementById("answer").textContent = `read ${r.labels.length} digits with ${kernel}`;
  return { kernel, labels: r.labels, out: r.out, worker };
}

main().then(
  (r) => { document.body.dataset.result = JSON.stringify(r); },
  (e) => { document.body.dataset.error = String((e && e.stack) || e); },
);
