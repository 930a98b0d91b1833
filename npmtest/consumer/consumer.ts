// consumer.ts: every export of the package called as its types document
// them; `tsc --noEmit --strict` must accept it (npmtest checks that each
// export's name appears here). It is checked, never run.
import wasmcnn, {
  start, ready, version, kernel, supportedOps, startup, fetchBytes, conv2d, maxPool2d, avgPool2d,
  dense, relu, softmax, loadModel, loadModelURL, memoryBytes, stats, loadModelWorkers, preloadFineTune,
  fineTune, Model, WorkerModel,
} from "wasmcnn";
import type { Explanation, FineTuneOptions, ModelInfo, Stats, Tensor, Verdict, Wasmcnn } from "wasmcnn";

async function everything(): Promise<number> {
  const api: Wasmcnn = await start("lib/wasmcnn.wasm", (loaded: number, total: number) => console.log(loaded, total));
  await start(fetch("lib/wasmcnn.wasm"));
  await start(WebAssembly.compileStreaming(fetch("lib/wasmcnn.wasm")));
  await start(new URL("https://example.com/wasmcnn.wasm"));
  await start();
  const again: Wasmcnn = await ready;
  const v: string | undefined = version;
  const k: string = kernel ?? "none";
  const ops: string[] = supportedOps ?? [];
  const ms: number = startup ? startup.download + startup.compile + startup.init : 0;
  const bytes: Uint8Array = await fetchBytes("models/digits.onnx", (loaded, total) => console.log(loaded / total));

  const x: Tensor = { data: new Float32Array(25), shape: [1, 1, 5, 5] };
  const w: Tensor = { data: new Float32Array(18), shape: [2, 1, 3, 3] };
  const y = conv2d(x, w, null, { strides: [1, 1], pads: [1, 1, 1, 1], dilations: 1, group: 1, autoPad: "same" });
  const p = maxPool2d(y, { kernel: [2, 2], ceilMode: true });
  const a = avgPool2d(x, { kernel: 3, strides: 1, pads: 1, countIncludePad: false });
  const d = dense({ data: new Float32Array(6), shape: [2, 3] }, { data: new Float32Array(12), shape: [4, 3] });
  const s = softmax(relu(d), -1);

  const m: Model = loadModel(bytes, { externalData: { "weights.bin": new Uint8Array(4) } });
  const fromURL: Model = await loadModelURL(new URL("https://example.com/m.onnx"), (n) => console.log(n));
  const probs: Float32Array = m.predict(new Float32Array(784));
  m.predict(new Float32Array(784), probs);
  const outs = m.run({ image: { data: new Float32Array(784), shape: [1, 1, 28, 28] }, mask: { data: new BigInt64Array(4), shape: [4] } });
  const first: Float32Array = Object.values(outs)[0].data;
  const types = Object.values(outs).map((o) => `${o.type} ${o.shape.join("×")} ${first.length}`);
  const maps = m.layerOutputs().map((l) => `${l.name} ${l.op} ${l.shape.join("×")} ${l.data.length}`);
  const e: Explanation = m.explain("conv2", 5, 3, 7);
  m.explain(0, 0, 0, 0, 1);
  const total = e.sum * e.scale + e.bias + (e.weights ? e.weights.data[0] : 0) + e.then.length;
  const said: Verdict = m.verdict(m.predict(new Float32Array(784)));
  const sure: boolean = said.verdict === "digit" && said.digit !== null && said.score > 0.5;
  m.verdict([0.1, 0.9]);
  if (sure && said.candidates) console.log(said.candidates[0], said.probabilities[0]);
  const slow = m.profile(new Float32Array(784), 10).filter((step) => step.ms > 1).map((step) => step.op);
  const info: ModelInfo = m.info;
  const open: (number | null)[] | null = m.inputShape;
  const onnx: Uint8Array = m.toONNX();
  m.dispose();
  fromURL.dispose();

  const mem: number = memoryBytes();
  const st: Stats = stats();
  const pool: WorkerModel = await loadModelWorkers("models/digits.onnx", { workers: 2, wasmURL: "lib/wasmcnn.wasm" });
  const pooled: Float32Array = await pool.predict(new Float32Array(784 * 4));
  pool.dispose();

  const options: FineTuneOptions = { steps: 30, lr: 0.01, replay: null, signal: new AbortController().signal, evaluate: new Float32Array(784) };
  await preloadFineTune({ wasmURL: "lib/wasmcnn-train.wasm" });
  await preloadFineTune();
  const mine: Model = await fineTune(onnx, new Float32Array(2 * 784), [3, 5], options, (step, steps, loss) => console.log(step / steps, loss));
  await fineTune(mine, new Float32Array(784), new Uint8Array([7]));
  const ok = mine.fineTuned ? mine.fineTuned.correctAfter - mine.fineTuned.correctBefore : 0;
  const before = mine.fineTuned?.evaluation?.before.length ?? 0;

  const sameAPI: Wasmcnn = wasmcnn;
  sameAPI.relu(x);
  const isModel = m instanceof wasmcnn.Model && pool instanceof wasmcnn.WorkerModel;
  return [api, again, v, k, ops, ms, p, a, s, maps, types, total, slow, info, open, mem, st, pooled, ok, before, isModel].length;
}

everything().then((n) => console.log(n));
