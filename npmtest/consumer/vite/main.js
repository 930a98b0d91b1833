// main.js: a page built by Vite with no configuration, importing wasmcnn as
// an app would: the engine, a model pool in Web Workers, and the package's
// model and samples as asset URLs. It reports to npmtest in body[data-result].
import { start, loadModel, loadModelWorkers, kernel } from "wasmcnn";
import modelURL from "wasmcnn/models/digits.onnx?url";
import samplesURL from "wasmcnn/models/mnist-sample.bin?url";
import { predictSamples } from "../samples.js";

const bytes = async (url) => new Uint8Array(await (await fetch(url)).arrayBuffer());

async function main() {
  const [, model, samples] = await Promise.all([start(), bytes(modelURL), bytes(samplesURL)]);
  const r = predictSamples(loadModel, model, samples);
  const pool = await loadModelWorkers(model, { workers: 2 });
  const pooled = await pool.predict(r.x);
  pool.dispose();
  document.getElementById("answer").textContent = `read ${r.labels.length} digits with ${kernel}`;
  return { kernel, labels: r.labels, out: r.out, pooled: Array.from(pooled) };
}

main().then(
  (r) => { document.body.dataset.result = JSON.stringify(r); },
  (e) => { document.body.dataset.error = String((e && e.stack) || e); },
);
