// wasmcnn-runtime.mjs: one wasmcnn WebAssembly runtime in this JavaScript
// realm, and the API over it: starting a build (lib/wasmcnn.wasm, main.wasm
// or lib/wasmcnn-train.wasm), the ops, models, explanations and profiles.
// The public entry is wasmcnn.mjs, which adds Web Workers and fine-tuning;
// the worker script (wasmcnn-worker.mjs) imports this file alone, so that
// a worker's bundle holds no second worker.
//
// Go's wasm_exec.js, from the release that built the .wasm files, sits
// beside this file and is imported here: it defines globalThis.Go (and, where
// the environment has none, the fs, process and path objects Go's runtime
// reads). The build hands its API over through globals that exist only
// while it starts (see start); nothing else is put on globalThis.
//
// The reference is docs/api.md. Every function throws an Error saying what
// was wrong; the runtime keeps working.
import "./wasm_exec.js";

// The library build, started when start is given no source. A literal URL
// beside import.meta.url, so that bundlers find the file and emit it.
const libraryWasm = () => new URL("./lib/wasmcnn.wasm", import.meta.url);

let go = null; // the Go side, set when the runtime is ready
let runtime = null; // the Go runtime object of wasm_exec.js and its instance
let started = false; // start was called and has not failed before the runtime ran
let resolveReady, rejectReady;
// The globals through which a build starts (see start).
const handover = ["__wasmcnnMemory", "__wasmcnnReady", "__wasmcnnGo"];

/** Resolves to the API once a runtime started; replaced when a start fails before the runtime ran. */
export let ready;
/** The engine's version, once ready. */
export let version;
/** The matrix kernel in use, once ready: "wasm-relaxed-simd-4x8", "wasm-simd-4x8" or "go". */
export let kernel;
/** The ONNX ops the engine runs, once ready. */
export let supportedOps;
/** Where the start went, in milliseconds: {download, compile, init}. */
export let startup;

// api is the object ready resolves to: the default export of wasmcnn.mjs,
// set by it (a worker resolves to this module's namespace).
let api = null;
export function _setAPI(a) { api = a; }

function newReady() {
  ready = new Promise((res, rej) => { resolveReady = res; rejectReady = rej; });
  ready.catch(() => {}); // a failed start is reported by start's Promise; ready may have no listener
}
newReady();

function unwrap(r) {
  if (r instanceof Error) throw r;
  return r;
}
// The built-in typed-array getters, called on the caller's values so that no
// getter or proxy of the caller runs.
const taProto = Object.getPrototypeOf(Uint8Array.prototype);
const taGetter = (name) => Object.getOwnPropertyDescriptor(taProto, name).get;
export const taTag = taGetter(Symbol.toStringTag);
export const taLength = taGetter("length");
export const taBuffer = taGetter("buffer");
export const taByteOffset = taGetter("byteOffset");
const taByteLength = taGetter("byteLength");
// isPlainF32 tells a genuine Float32Array on an unshared ArrayBuffer: only
// those take predict's fast path.
function isPlainF32(v) {
  if (taTag.call(v) !== "Float32Array") return false;
  const buf = taBuffer.call(v);
  return buf instanceof ArrayBuffer && taByteLength.call(v) === 4 * taLength.call(v);
}
export function need() {
  if (!go) throw new Error("wasmcnn: not ready yet; await wasmcnn.ready (or wasmcnn.start(...)) first");
  return go;
}
// describe names the kind of a value for an error message.
export function describe(v) {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object" && taTag.call(v)) return taTag.call(v);
  return typeof v;
}

// Node reads files itself: its fetch takes no file: URLs. The built-ins are
// imported by a name that is not a literal, so that bundlers leave them out
// of browser builds.
const isNode = typeof process === "object" && process !== null && typeof process.versions === "object" &&
  process.versions !== null && typeof process.versions.node === "string";
const nodeImport = (name) => import(/* webpackIgnore: true */ /* @vite-ignore */ name);

// locate resolves url (a string or a URL) as fetch would: against the page,
// or the worker's script; under Node, against the working directory.
export async function locate(url, what) {
  if (url instanceof URL) return url;
  if (typeof url !== "string" || url === "") throw new Error(`wasmcnn: ${what}: got ${url === "" ? "an empty string" : describe(url)}, want a URL`);
  let base;
  if (typeof document !== "undefined" && document.baseURI) base = document.baseURI;
  else if (globalThis.location && globalThis.location.href) base = globalThis.location.href;
  else if (isNode) base = (await nodeImport("node:url")).pathToFileURL(process.cwd() + "/").href;
  try {
    return new URL(url, base);
  } catch {
    throw new Error(`wasmcnn: ${what}: ${JSON.stringify(url)} is not a URL`);
  }
}

// fetchOK fetches url, refusing an HTTP error; under Node a file: URL is
// read from the disk.
async function fetchOK(url, what) {
  const u = await locate(url, what);
  if (u.protocol === "file:" && isNode) {
    const fs = await nodeImport("node:fs/promises");
    let b;
    try {
      b = await fs.readFile(u);
    } catch (e) {
      throw new Error(`wasmcnn: ${u.href}: ${e.code === "ENOENT" ? "no such file" : e.message}`);
    }
    const type = u.pathname.endsWith(".wasm") ? "application/wasm" : "application/octet-stream";
    return new Response(b, { headers: { "Content-Type": type, "Content-Length": String(b.length) } });
  }
  const res = await fetch(u);
  checkOK(res, u.href);
  return res;
}
function checkOK(res, url) {
  if (!res.ok) throw new Error(`wasmcnn: ${url}: HTTP ${res.status} ${res.statusText}`);
}

/**
 * fetchBytes downloads url as a Uint8Array, reporting (loaded, total) bytes
 * as they arrive; total is 0 when the server does not say.
 */
export async function fetchBytes(url, onProgress) {
  if (onProgress !== undefined && onProgress !== null && typeof onProgress !== "function") {
    throw new Error(`wasmcnn: fetchBytes: onProgress: got ${describe(onProgress)}, want a function`);
  }
  return readAll(await fetchOK(url, "fetchBytes: url"), onProgress);
}
// streamable tells whether the module in res can compile while it
// downloads: the server must say it is WebAssembly.
const streamable = (res) => Boolean(res.body) && (res.headers.get("Content-Type") || "").startsWith("application/wasm");
async function readAll(res, onProgress) {
  const total = Number(res.headers.get("Content-Length")) || 0;
  if (!res.body || !res.body.getReader) {
    const b = new Uint8Array(await res.arrayBuffer());
    if (onProgress) onProgress(b.length, b.length);
    return b;
  }
  const reader = res.body.getReader();
  const chunks = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    if (onProgress) onProgress(loaded, total);
  }
  const out = new Uint8Array(loaded);
  let off = 0;
  for (const c of chunks) { out.set(c, off); off += c.length; }
  return out;
}

// instantiate downloads and instantiates the module, compiling it while it
// downloads where it can (a wasm MIME type and instantiateStreaming),
// counting bytes for onProgress either way. The source is a URL, a Response
// or a compiled WebAssembly.Module, or a Promise of either (begun early, so
// that the download and compilation overlap loading the scripts).
async function instantiate(source, importObject, onProgress) {
  const res = typeof source === "string" || source instanceof URL ? await fetchOK(source, "start: source") : await source;
  if (res instanceof WebAssembly.Module) {
    // Compiled already: by the page while the scripts loaded, or by
    // loadModelWorkers, once for all its workers.
    return { instance: await WebAssembly.instantiate(res, importObject) };
  }
  if (!(res instanceof Response)) throw new Error(`wasmcnn: start: want a URL, a Response or a WebAssembly.Module, or a Promise of one, got ${Object.prototype.toString.call(res)}`);
  const url = res.url || String(source);
  checkOK(res, url);
  if (res.bodyUsed) throw new Error(`wasmcnn: ${url}: the response body was already read`);
  if (!WebAssembly.instantiateStreaming || !streamable(res)) {
    const bytes = await readAll(res, onProgress);
    const downloaded = performance.now();
    return { ...(await WebAssembly.instantiate(bytes, importObject)), downloaded };
  }
  let body = res;
  if (onProgress) {
    const total = Number(res.headers.get("Content-Length")) || 0;
    let loaded = 0;
    const counter = new TransformStream({
      transform(chunk, ctl) {
        loaded += chunk.length;
        onProgress(loaded, total);
        ctl.enqueue(chunk);
      },
    });
    body = new Response(res.body.pipeThrough(counter), { headers: { "Content-Type": "application/wasm" } });
  }
  return WebAssembly.instantiateStreaming(body, importObject);
}

/**
 * compile downloads and compiles the module at url, while it downloads
 * where the server sends a wasm MIME type.
 */
export async function compile(url) {
  const res = await fetchOK(url, "wasmURL");
  if (WebAssembly.compileStreaming && streamable(res)) return WebAssembly.compileStreaming(res);
  return WebAssembly.compile(await res.arrayBuffer());
}

/**
 * start loads and runs the module from source (a URL, a Response or a
 * compiled WebAssembly.Module, or a Promise of either; the library build
 * beside this file when omitted) once; later calls return the same
 * Promise. A start that failed before the runtime ran (a bad URL, a network
 * error) may be tried again.
 */
export function start(source, onProgress) {
  if (started) return ready;
  if (onProgress !== undefined && onProgress !== null && typeof onProgress !== "function") {
    return Promise.reject(new Error(`wasmcnn: start: onProgress: got ${describe(onProgress)}, want a function`));
  }
  started = true;
  const current = ready;
  (async () => {
    if (typeof WebAssembly !== "object") throw new Error("This browser cannot run WebAssembly.");
    if (typeof globalThis.Go !== "function") throw new Error("wasmcnn: Go's wasm_exec.js did not load");
    const t0 = performance.now();
    const g = new globalThis.Go();
    const { instance, downloaded } = await instantiate(source === undefined || source === null ? libraryWasm() : source, g.importObject, onProgress);
    const t1 = downloaded || t0, t2 = performance.now();
    // The Go side finds the memory its SIMD kernel runs on (wasm/api/simd_js.go)
    // and hands its API over (wasm/api/start_js.go) through globals, all
    // while g.run runs Go's main, before it returns: they are gone before
    // any other script runs, so two runtimes of one realm never meet there.
    let handed = null;
    globalThis.__wasmcnnMemory = instance.exports.mem;
    globalThis.__wasmcnnReady = (obj) => { handed = obj; };
    let exited;
    try {
      exited = g.run(instance);
    } finally {
      for (const k of handover) delete globalThis[k];
    }
    runtime = { go: g, instance };
    // Once the runtime ends (it never should), nothing may call into it.
    const ended = (err) => {
      go = null;
      version = kernel = supportedOps = undefined;
      rejectReady(err);
    };
    exited.then(() => ended(new Error("wasmcnn: the Go runtime exited")), ended);
    if (!handed) throw new Error("wasmcnn: the WebAssembly module is not a wasmcnn build (it did not hand over its API)");
    // startup says where the start went, in milliseconds.
    // (Compiled while downloading, the first two are one figure.)
    startup = { download: t1 - t0, compile: t2 - t1, init: performance.now() - t2 };
    attach(handed);
  })().catch((e) => {
    const reject = rejectReady;
    if (!runtime) {
      started = false;
      newReady();
    }
    reject(e);
  });
  return current;
}

// attach makes obj, a build's API, the one this module calls.
function attach(obj) {
  go = obj;
  version = obj.version;
  kernel = obj.kernel;
  supportedOps = obj.ops;
  // Resolved once the module graph has run, so that ready gives wasmcnn.mjs's API.
  queueMicrotask(() => resolveReady(api));
}

// A Go runtime started before this module (the API's tests under Node) is
// used as it is, with the memory and exports it published.
if (globalThis.__wasmcnnGo) {
  started = true;
  attach(globalThis.__wasmcnnGo);
}
// exportsOf are the instance's exports (predict's fast path calls one).
const exportsOf = () => (runtime ? runtime.instance.exports : globalThis.__wasmcnnExports);

/** The Go side's own object: for the API's tests of what it refuses. */
export function _go() { return need(); }

// explanation spells out the compact answer of the Go side's explain
// (typed arrays of its numbers, see wasm/api/info_js.go) as the documented
// object.
export function _explanation(r) {
  const [example, channel, y, x, count, winner, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr] = r.i;
  const [sum, scale, bias, value, output, map] = r.f;
  const nch = r.channels.length;
  const shape = nch ? [nch, kh, kw] : [r.window.length];
  const tensor = (d) => (d ? { data: d, shape } : null);
  const e = {
    node: r.node, op: r.op, example, channel, y, x, inputShape: Array.from(r.inputShape),
    channels: Array.from(r.channels), rows: Array.from(r.rows), cols: Array.from(r.cols),
    window: tensor(r.window), padded: r.padded, weights: tensor(r.weights), products: tensor(r.products),
    sum, scale, bias, value, then: r.then, output, map,
  };
  if (nch) Object.assign(e, { kernel: [kh, kw], strides: [sh, sw], dilations: [dh, dw], pads: [pt, pl, pb, pr] });
  if (r.op === "AveragePool" || r.op === "GlobalAveragePool") e.count = count;
  if (winner >= 0) e.winner = winner;
  return e;
}

/** A loaded ONNX model (see loadModel). */
export class Model {
  constructor(handle, onnx) {
    this._h = handle;
    this._onnx = onnx;
    this.info = unwrap(need().modelInfo(handle));
  }
  // toONNX returns a copy of the model's ONNX file: the bytes it was
  // loaded from (external data files, if any, are not part of it).
  toONNX() { return this._alive()._onnx.slice(); }
  get inputShape() { return this._alive().info.inputShape; }
  get outputShape() { return this._alive().info.outputShape; }
  get ops() { return this._alive().info.ops; }
  _alive() {
    if (this._h === 0) throw new Error("wasmcnn: the model has been disposed");
    return this;
  }
  predict(...args) {
    this._alive();
    const x = args[0], out = args[1];
    if (args.length <= 2 && isPlainF32(x) && (out === undefined || isPlainF32(out))) {
      const r = this._direct(x, out);
      if (r) return r;
    }
    return unwrap(need().predict(this._h, ...args));
  }
  // _direct is predict for ordinary Float32Arrays: the input is copied
  // straight into the module's memory and the output out of it, without
  // the Go side reading JavaScript values. It returns undefined when the
  // general path must answer (and say what is wrong).
  _direct(x, out) {
    need(); // the runtime may have exited
    const exp = exportsOf();
    const mem = exp && exp.mem;
    const n = taLength.call(x);
    if (!mem || n === 0) return undefined;
    let p = this._prepared;
    if (!p || p.n !== n || p.h !== this._h) {
      const r = need().prepare(this._h, n);
      if (r instanceof Error) return undefined;
      p = this._prepared = { h: this._h, n, input: r.input, generation: r.generation, outputLength: r.outputLength };
    }
    if (out !== undefined && taLength.call(out) !== p.outputLength) return undefined;
    new Float32Array(mem.buffer, p.input, n).set(x);
    // The module's export skips Go's event handling (see wasm/api/export_js.go);
    // 0 from it, or an Error from the API's run, sends predict the long way.
    const at = exp.wasmcnnRun ? exp.wasmcnnRun(this._h, n, p.generation) >>> 0 : need().run(this._h, n, p.generation);
    if (at === 0 || at instanceof Error) {
      // Another model's prepare may have replaced the staging buffer, or
      // the input is bad: the general path answers either way.
      this._prepared = null;
      return undefined;
    }
    const view = new Float32Array(mem.buffer, at, p.outputLength);
    if (out === undefined) return view.slice();
    out.set(view);
    return out;
  }
  // run({inputName: {data, shape}, …}) → {outputName: {data, shape, type}}:
  // every input by name (integer inputs may come as integer typed
  // arrays), every output of the model.
  run(feeds) { this._alive(); return unwrap(need().runInputs(this._h, feeds)); }
  layerOutputs() { this._alive(); return unwrap(need().layerOutputs(this._h)); }
  explain(...args) { this._alive(); return _explanation(unwrap(need().explain(this._h, ...args))); }
  profile(x, runs) { this._alive(); return unwrap(need().profile(this._h, x, runs)); }
  // verdict(probabilities) → {verdict, digit, candidates, probabilities, score}:
  // the rule in the model's metadata applied to one drawing's probabilities
  // (predict's output, or an array of numbers); throws for a model without one.
  verdict(p) { this._alive(); return unwrap(need().verdict(this._h, Array.isArray(p) ? Float32Array.from(p) : p)); }
  dispose() {
    if (this._h !== 0) { unwrap(need().dispose(this._h)); this._h = 0; }
  }
}

// The ops: tensors {data: Float32Array, shape: number[]} in and out.
export const conv2d = (...a) => unwrap(need().conv2d(...a));
export const maxPool2d = (...a) => unwrap(need().maxPool2d(...a));
export const avgPool2d = (...a) => unwrap(need().avgPool2d(...a));
export const dense = (...a) => unwrap(need().dense(...a));
export const relu = (...a) => unwrap(need().relu(...a));
export const softmax = (...a) => unwrap(need().softmax(...a));

/** loadModel(bytes, {externalData?}) loads an ONNX model from its bytes. */
export function loadModel(...args) {
  const h = unwrap(need().loadModel(...args));
  // Loaded: args[0] is a Uint8Array or an ArrayBuffer. toONNX copies the
  // copy the model reads its weights from again, which nothing changes;
  // without one (an older module) the copy is taken here, through the
  // built-in getters, so that no getter of the caller's runs.
  const kept = need().modelBytes ? unwrap(need().modelBytes(h)) : undefined;
  if (kept !== undefined) return new Model(h, kept);
  const b = args[0];
  const copy = taTag.call(b) === "Uint8Array" ? new Uint8Array(taBuffer.call(b), taByteOffset.call(b), taLength.call(b)).slice() : new Uint8Array(b).slice();
  return new Model(h, copy);
}
/** loadModelURL downloads an ONNX model, with progress, and loads it. */
export async function loadModelURL(url, onProgress) {
  return loadModel(await fetchBytes(url, onProgress));
}
/** memoryBytes is the size of the module's WebAssembly memory. */
export function memoryBytes() {
  const exp = exportsOf();
  return go && exp && exp.mem ? exp.mem.buffer.byteLength : 0;
}
/**
 * stats reports the module's state, for finding leaks: loaded models, Go
 * heap bytes, WebAssembly memory bytes and JavaScript values Go holds.
 */
export function stats() {
  const s = unwrap(need().stats());
  if (runtime) {
    s.memoryBytes = runtime.instance.exports.mem.buffer.byteLength;
    s.jsRefs = runtime.go._values.length - runtime.go._idPool.length;
  }
  return s;
}
/**
 * _fineTuneHere runs fineTune's Go side in this runtime: the worker's half
 * of fineTune, with the training build.
 */
export function _fineTuneHere(model, inputs, labels, options, replay, onProgress) {
  const g = need();
  if (typeof g.fineTune !== "function") throw new Error("wasmcnn: fineTune: this runtime is not the training build (lib/wasmcnn-train.wasm)");
  if (!(model instanceof Model)) throw new Error(`wasmcnn: fineTune: model: got ${describe(model)}, want a model of wasmcnn.loadModel`);
  return unwrap(g.fineTune(model._alive()._h, inputs, labels, options, replay, onProgress));
}
