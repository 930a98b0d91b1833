// wasmcnn.mjs: the wasmcnn JavaScript API as an ES module, the one source
// of the npm package, the drawing and lesson pages and the classic script
// wasmcnn.js. Named exports for every function, and the same API as one
// object, the default export:
//
//   import { start, loadModelURL } from "wasmcnn";   // or "./wasmcnn.mjs"
//   await start();                                   // lib/wasmcnn.wasm beside this file
//   const m = await loadModelURL("model.onnx");
//   const probs = m.predict(new Float32Array(784));
//
// The runtime, ops and models are wasmcnn-runtime.mjs; this file adds what
// runs in Web Workers: model pools (wasmcnn-worker.mjs) and fine-tuning
// with the training build. Every file it needs is found beside it with
// new URL("…", import.meta.url), which static hosting, Node and bundlers
// all understand; an explicit URL option overrides each. The reference is
// docs/api.md. Every function throws an Error saying what was wrong; the
// module keeps working.
import * as rt from "./wasmcnn-runtime.mjs";
import { Model, compile, describe, fetchBytes, loadModel, locate, need, taBuffer, taByteOffset, taLength, taTag } from "./wasmcnn-runtime.mjs";

export {
  start, ready, version, kernel, supportedOps, startup, fetchBytes, conv2d, maxPool2d, avgPool2d,
  dense, relu, softmax, loadModel, loadModelURL, memoryBytes, stats, Model,
} from "./wasmcnn-runtime.mjs";

// The files the workers use by default, beside this one. Literal URLs, so
// that bundlers find and emit them; each is a function, so that nothing
// is resolved before it is needed.
const defaults = {
  libraryWasm: () => new URL("./lib/wasmcnn.wasm", import.meta.url),
  trainWasm: () => new URL("./lib/wasmcnn-train.wasm", import.meta.url),
  replay: () => new URL("./models/mnist-replay.bin", import.meta.url),
};

// ModelWorker is one Web Worker running wasmcnn-worker.mjs, and its pending
// calls. The worker is a module worker written in the one form bundlers
// recognise (they bundle it and its imports as a file of its own).
class ModelWorker {
  constructor() {
    this.w = new Worker(new URL("./wasmcnn-worker.mjs", import.meta.url), { type: "module" });
    this.next = 1;
    this.pending = new Map();
    this.w.onmessage = (e) => {
      const p = this.pending.get(e.data.id);
      if (!p) return;
      if (e.data.progress !== undefined) {
        if (p.onProgress) p.onProgress(e.data.progress);
        return;
      }
      this.pending.delete(e.data.id);
      if (e.data.error !== undefined) p.reject(new Error(e.data.error));
      else p.resolve(e.data);
    };
    this.w.onerror = (e) => {
      e.preventDefault();
      this.failAll(new Error("wasmcnn: worker failed: " + (e.message || "its script did not load")));
    };
  }
  // call posts msg and resolves to the answer; onProgress, if given,
  // receives the progress messages sent before it.
  call(msg, transfer, onProgress) {
    return new Promise((resolve, reject) => {
      const id = this.next++;
      this.pending.set(id, { resolve, reject, onProgress });
      this.w.postMessage({ ...msg, id }, transfer || []);
    });
  }
  failAll(err) {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}

/** A model loaded in several Web Workers (see loadModelWorkers). */
export class WorkerModel {
  constructor(n) {
    this.workers = Array.from({ length: n }, () => new ModelWorker());
  }
  // predict splits x (a Float32Array of whole examples) into one slice of
  // examples per worker and joins their outputs in order.
  async predict(x) {
    if (!this.workers) throw new Error("wasmcnn: the model has been disposed");
    if (!(x instanceof Float32Array)) throw new Error("wasmcnn: predict: want a Float32Array");
    const per = this.info.inputShape.slice(1).reduce((a, b) => a * b, 1);
    if (x.length === 0 || x.length % per !== 0) {
      throw new Error(`wasmcnn: predict: input has ${x.length} values, not a whole number of examples of ${per}`);
    }
    const examples = x.length / per;
    const chunk = Math.ceil(examples / this.workers.length);
    const calls = [];
    for (let i = 0; i * chunk < examples; i++) {
      const part = x.slice(i * chunk * per, Math.min(examples, (i + 1) * chunk) * per);
      calls.push(this.workers[i].call({ type: "predict", x: part }, [part.buffer]));
    }
    const outs = (await Promise.all(calls)).map((r) => r.out);
    if (outs.length === 1) return outs[0];
    const out = new Float32Array(outs.reduce((a, o) => a + o.length, 0));
    let at = 0;
    for (const o of outs) { out.set(o, at); at += o.length; }
    return out;
  }
  dispose() {
    if (!this.workers) return;
    for (const w of this.workers) {
      w.failAll(new Error("wasmcnn: the model has been disposed"));
      w.w.terminate();
    }
    this.workers = null;
  }
}

/**
 * loadModelWorkers(bytes or URL, {workers = 2, wasmURL}) → Promise<WorkerModel>:
 * the model loaded in that many Web Workers, each with its own runtime of
 * the library build; predict(x) → Promise<Float32Array> splits the batch
 * in x among them. Worth it for batches: one example still runs on one.
 */
export async function loadModelWorkers(model, opts) {
  if (opts === undefined || opts === null) opts = {};
  if (typeof opts !== "object") throw new Error(`wasmcnn: loadModelWorkers: options: got ${typeof opts}, want an object {workers, wasmURL}`);
  const n = opts.workers === undefined ? 2 : opts.workers;
  if (opts.wasmURL !== undefined && typeof opts.wasmURL !== "string" && !(opts.wasmURL instanceof URL)) throw new Error("wasmcnn: loadModelWorkers: wasmURL: want a string");
  if (!Number.isInteger(n) || n < 1 || n > 16) throw new Error(`wasmcnn: loadModelWorkers: workers must be an integer from 1 to 16, got ${n}`);
  if (typeof Worker !== "function") throw new Error("wasmcnn: loadModelWorkers: this environment has no Web Workers");
  const bytes = typeof model === "string" || model instanceof URL ? await fetchBytes(model) : model;
  if (!(bytes instanceof Uint8Array) && !(bytes instanceof ArrayBuffer)) throw new Error("wasmcnn: loadModelWorkers: want a URL, a Uint8Array or an ArrayBuffer");
  const wasmURL = opts.wasmURL === undefined ? defaults.libraryWasm() : await locate(opts.wasmURL, "loadModelWorkers: wasmURL");
  // The workers start while the module compiles here, once for all of
  // them: a compiled Module posted to a worker is not compiled again.
  const pool = new WorkerModel(n);
  try {
    const module = await compile(wasmURL);
    const answers = await Promise.all(pool.workers.map((w) => w.call({ type: "load", module, model: bytes })));
    pool.info = answers[0].info;
    pool.kernel = answers[0].kernel;
  } catch (e) {
    pool.dispose();
    throw e;
  }
  return pool;
}

// Fine-tuning runs the training build in a Web Worker of its own: the
// build is larger than the library (the training code), so it is
// downloaded only when someone fine-tunes, and the page stays responsive
// while it trains.

// Options read here rather than by the Go side.
const jsOptions = new Set(["signal", "replay", "wasmURL", "evaluate"]);
const compiled = new Map(); // URL → Promise<WebAssembly.Module>
const fetched = new Map(); // URL → Promise<Uint8Array>
// once caches the Promise of make(url) under url, forgetting a failure so
// that a later call tries again.
function once(cache, url, make) {
  let p = cache.get(url.href);
  if (!p) {
    p = make(url);
    cache.set(url.href, p);
    p.catch(() => cache.delete(url.href));
  }
  return p;
}
// fineTuneSettings splits fineTune's options into those of the Go side
// and those read here: signal (an AbortSignal), replay (a URL, the bytes
// of a replay file, or null for none), wasmURL and evaluate.
async function fineTuneSettings(options) {
  const what = "wasmcnn: fineTune: options";
  if (options === undefined || options === null) options = {};
  if (typeof options !== "object" || Array.isArray(options)) throw new Error(`${what}: got ${Array.isArray(options) ? "an array" : typeof options}, want an options object`);
  const goOptions = {};
  for (const k of Object.keys(options)) {
    if (jsOptions.has(k)) continue;
    // The Go side checks names and ranges; only numbers cross to it.
    const v = options[k];
    if (v !== undefined && typeof v !== "number") throw new Error(`${what}.${k}: got ${describe(v)}, want a number`);
    goOptions[k] = v;
  }
  const signal = options.signal;
  if (signal !== undefined && !(typeof AbortSignal === "function" && signal instanceof AbortSignal)) throw new Error(`${what}.signal: want an AbortSignal`);
  let wasmURL = options.wasmURL;
  if (wasmURL === undefined) wasmURL = defaults.trainWasm();
  else if (typeof wasmURL !== "string" && !(wasmURL instanceof URL)) throw new Error(`${what}.wasmURL: want a string`);
  else wasmURL = await locate(wasmURL, "fineTune: options.wasmURL");
  let replay = options.replay === undefined ? defaults.replay() : options.replay;
  if (typeof replay === "string" || replay instanceof URL) replay = await locate(replay, "fineTune: options.replay");
  else if (replay instanceof ArrayBuffer) replay = new Uint8Array(replay.slice(0));
  else if (replay instanceof Uint8Array) replay = replay.slice();
  else if (replay !== null) throw new Error(`${what}.replay: want a URL, a Uint8Array or null`);
  let evaluate = options.evaluate;
  if (evaluate !== undefined) {
    if (evaluate === null || typeof evaluate !== "object" || taTag.call(evaluate) !== "Float32Array" || !(taBuffer.call(evaluate) instanceof ArrayBuffer)) {
      throw new Error(`${what}.evaluate: got ${describe(evaluate)}, want a Float32Array of examples (not in shared memory)`);
    }
    evaluate = new Float32Array(taBuffer.call(evaluate), taByteOffset.call(evaluate), taLength.call(evaluate)).slice();
  }
  return { go: goOptions, signal, wasmURL, replay, evaluate };
}
// abortError is what an aborted fine-tuning rejects with: the signal's
// reason, as fetch does.
const abortError = (signal) => signal.reason !== undefined ? signal.reason : new DOMException("wasmcnn: fineTune: aborted", "AbortError");
// examplesFor copies fineTune's inputs and labels for the worker. Their
// contents are checked by the Go side there; here only what cannot cross
// to a worker is refused.
function examplesFor(inputs, labels) {
  const what = "wasmcnn: fineTune: ";
  const tag = (v) => (v !== null && typeof v === "object" ? taTag.call(v) : undefined);
  if (tag(inputs) !== "Float32Array") throw new Error(`${what}inputs: got ${describe(inputs)}, want a Float32Array`);
  if (!(taBuffer.call(inputs) instanceof ArrayBuffer)) throw new Error(`${what}inputs: shared memory (a SharedArrayBuffer) is not accepted; copy it into a plain Float32Array`);
  const x = new Float32Array(taBuffer.call(inputs), taByteOffset.call(inputs), taLength.call(inputs)).slice();
  let y;
  if (Array.isArray(labels)) y = Array.from(labels, (v) => (typeof v === "number" ? v : String(v)));
  else if (tag(labels) === "Int32Array" || tag(labels) === "Uint8Array") y = labels.slice();
  else throw new Error(`${what}labels: got ${describe(labels)}, want an array of integers (or an Int32Array or Uint8Array)`);
  return { x, y };
}
// modelBytes is the ONNX file of fineTune's model: a model's toONNX, or
// the bytes given.
function modelBytes(model) {
  if (model instanceof Model) return model.toONNX();
  if (model instanceof ArrayBuffer) return new Uint8Array(model.slice(0));
  if (model instanceof Uint8Array) return model.slice();
  throw new Error(`wasmcnn: fineTune: model: got ${describe(model)}, want a model of wasmcnn.loadModel or the bytes of an ONNX file`);
}

/**
 * preloadFineTune(options) downloads and compiles the training build and
 * downloads the replay file, so that a later fineTune starts at once.
 */
export async function preloadFineTune(options) {
  const s = await fineTuneSettings(options);
  await Promise.all([once(compiled, s.wasmURL, compile), s.replay instanceof URL ? once(fetched, s.replay, fetchBytes) : null]);
}

/**
 * fineTune(model, inputs, labels, options, onProgress) → Promise<Model>:
 * model fine-tuned to the examples in a Web Worker (see docs/api.md),
 * reporting onProgress(step, steps, loss) as it goes; options.signal
 * aborts it.
 */
export async function fineTune(model, inputs, labels, options, onProgress) {
  if (onProgress !== undefined && onProgress !== null && typeof onProgress !== "function") throw new Error(`wasmcnn: fineTune: onProgress: got ${describe(onProgress)}, want a function`);
  const s = await fineTuneSettings(options);
  const onnx = modelBytes(model);
  const { x, y } = examplesFor(inputs, labels);
  need(); // the tuned model is loaded in this runtime
  if (s.signal && s.signal.aborted) throw abortError(s.signal);
  if (typeof Worker !== "function") throw new Error("wasmcnn: fineTune: this environment has no Web Workers");
  // stopped rejects when the signal aborts or onProgress throws: the
  // worker, blocked in Go while it trains, is ended.
  let worker = null, onAbort = null, stop;
  const stopped = new Promise((_, reject) => {
    stop = (err) => {
      if (worker) worker.w.terminate();
      reject(err);
    };
    if (!s.signal) return;
    onAbort = () => stop(abortError(s.signal));
    s.signal.addEventListener("abort", onAbort);
  });
  stopped.catch(() => {});
  try {
    const [module, replay] = await Promise.race([stopped, Promise.all([
      once(compiled, s.wasmURL, compile),
      s.replay instanceof URL ? once(fetched, s.replay, fetchBytes) : s.replay,
    ])]);
    worker = new ModelWorker();
    const progress = onProgress ? (p) => {
      try {
        onProgress(p.step, p.steps, p.loss);
      } catch (e) {
        stop(e);
      }
    } : undefined;
    const transfer = [onnx.buffer, x.buffer];
    if (!Array.isArray(y)) transfer.push(y.buffer);
    if (s.evaluate) transfer.push(s.evaluate.buffer);
    const r = await Promise.race([stopped, worker.call({ type: "fineTune", module, model: onnx, x, y, options: s.go, replay, evaluate: s.evaluate }, transfer, progress)]);
    const tuned = loadModel(r.onnx);
    tuned.fineTuned = { lossBefore: r.lossBefore, lossAfter: r.lossAfter, correctBefore: r.correctBefore, correctAfter: r.correctAfter, examples: r.examples, ms: r.ms };
    if (r.evaluation) tuned.fineTuned.evaluation = r.evaluation;
    return tuned;
  } finally {
    if (worker) worker.w.terminate();
    if (onAbort) s.signal.removeEventListener("abort", onAbort);
  }
}

// The API as one object, for `import wasmcnn from "wasmcnn"` and for the
// global of the classic script wasmcnn.js. Its getters throw until the
// runtime is ready, as every call does; the named exports of the same
// values are undefined until then.
const wasmcnn = {
  get ready() { return rt.ready; },
  get version() { need(); return rt.version; },
  get kernel() { need(); return rt.kernel; },
  get supportedOps() { need(); return rt.supportedOps; },
  get startup() { return rt.startup; },
  start: rt.start,
  fetchBytes,
  conv2d: rt.conv2d,
  maxPool2d: rt.maxPool2d,
  avgPool2d: rt.avgPool2d,
  dense: rt.dense,
  relu: rt.relu,
  softmax: rt.softmax,
  loadModel,
  loadModelURL: rt.loadModelURL,
  memoryBytes: rt.memoryBytes,
  stats: rt.stats,
  loadModelWorkers,
  preloadFineTune,
  fineTune,
  Model,
  WorkerModel,
};
// Internal: the detail panel's explanation of the Go side's compact answer,
// fineTune's worker half, and the Go side's own object for the API's tests.
Object.defineProperties(wasmcnn, {
  _explanation: { value: rt._explanation },
  _fineTuneHere: { value: rt._fineTuneHere },
  _go: { get: rt._go },
});
rt._setAPI(wasmcnn);
export default wasmcnn;
