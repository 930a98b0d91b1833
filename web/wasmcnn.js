// wasmcnn.js: loads a wasmcnn WebAssembly build (main.wasm, lib/wasmcnn.wasm
// or lib/wasmcnn-train.wasm) and exposes its API as the global `wasmcnn`.
// Plain script, no modules, no build step; needs wasm_exec.js (from the same
// Go release as the .wasm file) loaded before it.
//
//   await wasmcnn.start("lib/wasmcnn.wasm", (loaded, total) => …);
//   const m = await wasmcnn.loadModelURL("model.onnx");
//   const probs = m.predict(new Float32Array(784));
//
// The reference, ops, models, explanations, Web Workers and fine-tuning, is
// docs/api.md. Every function throws an Error saying what was wrong; the
// module keeps working.
(function () {
  "use strict";
  if (globalThis.wasmcnn && globalThis.wasmcnn.start) return;

  let go = null; // the Go side, set when the runtime is ready
  let runtime = null; // the Go runtime object of wasm_exec.js and its instance
  let ready, resolveReady, rejectReady;
  const newReady = () => { ready = new Promise((res, rej) => { resolveReady = res; rejectReady = rej; }); };
  newReady();

  function unwrap(r) {
    if (r instanceof Error) throw r;
    return r;
  }
  // isPlainF32 tells a genuine Float32Array on an unshared ArrayBuffer,
  // judged by the built-in getters, so that no getter or proxy of the
  // caller runs: only those take predict's fast path.
  const taProto = Object.getPrototypeOf(Uint8Array.prototype);
  const taGetter = (name) => Object.getOwnPropertyDescriptor(taProto, name).get;
  const taTag = taGetter(Symbol.toStringTag), taLength = taGetter("length");
  const taByteLength = taGetter("byteLength"), taBuffer = taGetter("buffer"), taByteOffset = taGetter("byteOffset");
  function isPlainF32(v) {
    if (taTag.call(v) !== "Float32Array") return false;
    const buf = taBuffer.call(v);
    return buf instanceof ArrayBuffer && taByteLength.call(v) === 4 * taLength.call(v);
  }
  function need() {
    if (!go) throw new Error("wasmcnn: not ready yet; await wasmcnn.ready (or wasmcnn.start(...)) first");
    return go;
  }

  // fetchBytes downloads url as a Uint8Array, reporting (loaded, total)
  // bytes as they arrive; total is 0 when the server does not say.
  async function fetchBytes(url, onProgress) {
    return readAll(await fetchOK(url), onProgress);
  }
  // fetchOK fetches url, refusing an HTTP error.
  async function fetchOK(url) {
    const res = await fetch(url);
    checkOK(res, url);
    return res;
  }
  function checkOK(res, url) {
    if (!res.ok) throw new Error(`wasmcnn: ${url}: HTTP ${res.status} ${res.statusText}`);
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
  // downloads where the browser can (a wasm MIME type and
  // instantiateStreaming), counting bytes for onProgress either way.
  // The source is a URL, a Response or a compiled WebAssembly.Module, or a
  // Promise of either (begun early, so that the download and compilation
  // overlap loading the scripts).
  async function instantiate(source, importObject, onProgress) {
    const res = typeof source === "string" || source instanceof URL ? await fetch(source) : await source;
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

  // compile downloads and compiles the module at url, while it downloads
  // where the server sends a wasm MIME type.
  async function compile(url) {
    const res = await fetchOK(url);
    if (WebAssembly.compileStreaming && streamable(res)) return WebAssembly.compileStreaming(res);
    return WebAssembly.compile(await res.arrayBuffer());
  }

  // explanation spells out the compact answer of the Go side's explain
  // (typed arrays of its numbers, see wasm/api/info_js.go) as the documented
  // object.
  function explanation(r) {
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

  class Model {
    constructor(handle, onnx) {
      this._h = handle;
      this._onnx = onnx;
      this.info = unwrap(go.modelInfo(handle));
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
      const mem = globalThis.__wasmcnnMemory;
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
      const exp = globalThis.__wasmcnnExports && globalThis.__wasmcnnExports.wasmcnnRun;
      const at = exp ? exp(this._h, n, p.generation) >>> 0 : need().run(this._h, n, p.generation);
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
    explain(...args) { this._alive(); return explanation(unwrap(need().explain(this._h, ...args))); }
    profile(x, runs) { this._alive(); return unwrap(need().profile(this._h, x, runs)); }
    // verdict(probabilities) → {verdict, digit, candidates, probabilities, score}:
    // the rule in the model's metadata applied to one drawing's probabilities
    // (predict's output, or an array of numbers); throws for a model without one.
    verdict(p) { this._alive(); return unwrap(need().verdict(this._h, Array.isArray(p) ? Float32Array.from(p) : p)); }
    dispose() {
      if (this._h !== 0) { unwrap(need().dispose(this._h)); this._h = 0; }
    }
  }

  const api = {
    get ready() { return ready; },
    _explanation: explanation, // for the drawing page's panel
    fetchBytes,
    get version() { return need().version; },
    // kernel names the matrix kernel in use: "wasm-simd-4x8" (or its relaxed
    // form) where the browser has WebAssembly SIMD, "go" otherwise.
    get kernel() { return need().kernel; },
    get supportedOps() { return need().ops; },
    conv2d: (...a) => unwrap(need().conv2d(...a)),
    maxPool2d: (...a) => unwrap(need().maxPool2d(...a)),
    avgPool2d: (...a) => unwrap(need().avgPool2d(...a)),
    dense: (...a) => unwrap(need().dense(...a)),
    relu: (...a) => unwrap(need().relu(...a)),
    softmax: (...a) => unwrap(need().softmax(...a)),
    loadModel(...args) {
      const h = unwrap(need().loadModel(...args));
      // Loaded: args[0] is a Uint8Array or an ArrayBuffer. The copy kept for
      // toONNX is taken through the built-in getters, so that no getter of
      // the caller's runs.
      const b = args[0];
      const copy = taTag.call(b) === "Uint8Array" ? new Uint8Array(taBuffer.call(b), taByteOffset.call(b), taLength.call(b)).slice() : new Uint8Array(b).slice();
      return new Model(h, copy);
    },
    async loadModelURL(url, onProgress) {
      return api.loadModel(await fetchBytes(url, onProgress));
    },
    // memoryBytes is the size of the module's WebAssembly memory.
    memoryBytes: () => (runtime ? runtime.instance.exports.mem.buffer.byteLength : 0),
    // stats reports the module's state, for finding leaks: loaded models,
    // Go heap bytes, WebAssembly memory bytes and JavaScript values Go holds.
    stats() {
      const s = unwrap(need().stats());
      if (runtime) {
        s.memoryBytes = runtime.instance.exports.mem.buffer.byteLength;
        s.jsRefs = runtime.go._values.length - runtime.go._idPool.length;
      }
      return s;
    },
    // start loads and runs the module from source (a URL, a Response or a
    // compiled WebAssembly.Module, or a Promise of either) once; later calls return the same Promise. A start
    // that failed before the runtime ran (a bad URL, a network error) may be
    // tried again.
    start(source, onProgress) {
      if (api._started) return ready;
      api._started = true;
      const started = ready;
      (async () => {
        if (typeof WebAssembly !== "object") throw new Error("This browser cannot run WebAssembly.");
        if (typeof Go !== "function") throw new Error("wasm_exec.js must be loaded before wasmcnn.js.");
        const t0 = performance.now();
        const g = new Go();
        const { instance, downloaded } = await instantiate(source || "main.wasm", g.importObject, onProgress);
        const t1 = downloaded || t0, t2 = performance.now();
        runtime = { go: g, instance };
        // The Go side runs its SIMD kernel on this memory (see wasm/api/simd_js.go).
        globalThis.__wasmcnnMemory = instance.exports.mem;
        globalThis.__wasmcnnExports = instance.exports;
        globalThis.__wasmcnnReady = (obj) => {
          // startup says where the start went, in milliseconds.
          // (Compiled while downloading, the first two are one figure.)
          api.startup = { download: t1 - t0, compile: t2 - t1, init: performance.now() - t2 };
          go = obj;
          delete globalThis.__wasmcnnReady;
          resolveReady(api);
        };
        // Once the runtime ends (it never should), nothing may call into it.
        const ended = (err) => {
          go = null;
          delete globalThis.__wasmcnnExports;
          delete globalThis.__wasmcnnMemory;
          rejectReady(err);
        };
        g.run(instance).then(() => ended(new Error("wasmcnn: the Go runtime exited")), ended);
      })().catch((e) => {
        const reject = rejectReady;
        if (!runtime) {
          api._started = false;
          newReady();
        }
        reject(e);
      });
      return started;
    },
  };
  // Where this script was loaded from: the worker script sits beside it.
  const scriptURL = (typeof document !== "undefined" && document.currentScript && document.currentScript.src) ||
    (typeof location !== "undefined" ? location.href : "");

  // loadModelWorkers(bytes or URL, {workers = 2, wasmURL = "lib/wasmcnn.wasm"})
  // → Promise<WorkerModel>: the model loaded in that many Web Workers, each
  // with its own runtime; predict(x) → Promise<Float32Array> splits the batch
  // in x among them. Worth it for batches: one example still runs on one.
  api.loadModelWorkers = async function (model, opts) {
    if (opts === undefined || opts === null) opts = {};
    if (typeof opts !== "object") throw new Error(`wasmcnn: loadModelWorkers: options: got ${typeof opts}, want an object {workers, wasmURL}`);
    const n = opts.workers === undefined ? 2 : opts.workers;
    if (opts.wasmURL !== undefined && typeof opts.wasmURL !== "string") throw new Error("wasmcnn: loadModelWorkers: wasmURL: want a string");
    if (!Number.isInteger(n) || n < 1 || n > 16) throw new Error(`wasmcnn: loadModelWorkers: workers must be an integer from 1 to 16, got ${n}`);
    if (typeof Worker !== "function") throw new Error("wasmcnn: loadModelWorkers: this environment has no Web Workers");
    const bytes = typeof model === "string" ? await fetchBytes(model) : model;
    if (!(bytes instanceof Uint8Array) && !(bytes instanceof ArrayBuffer)) throw new Error("wasmcnn: loadModelWorkers: want a URL, a Uint8Array or an ArrayBuffer");
    const wasmURL = new URL(opts.wasmURL || "lib/wasmcnn.wasm", scriptURL).href;
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
  };

  // ModelWorker is one worker and its pending calls.
  class ModelWorker {
    constructor() {
      this.w = new Worker(new URL("wasmcnn-worker.js", scriptURL).href);
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
        this.failAll(new Error("wasmcnn: worker failed: " + (e.message || "unknown error")));
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

  class WorkerModel {
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

  // Fine-tuning runs the training build in a Web Worker of its own: the
  // build is larger than the page's (the training code), so it is
  // downloaded only when someone fine-tunes, and the page stays responsive
  // while it trains.
  const fineTuneDefaults = { wasmURL: "lib/wasmcnn-train.wasm", replay: "models/mnist-replay.bin" };
  // Options read here rather than by the Go side.
  const jsOptions = new Set(["signal", "replay", "wasmURL", "evaluate"]);
  const compiled = new Map(); // URL → Promise<WebAssembly.Module>
  const fetched = new Map(); // URL → Promise<Uint8Array>
  // once caches the Promise of make(url) under url, forgetting a failure so
  // that a later call tries again.
  function once(cache, url, make) {
    let p = cache.get(url);
    if (!p) {
      p = make(url);
      cache.set(url, p);
      p.catch(() => cache.delete(url));
    }
    return p;
  }
  // fineTuneSettings splits fineTune's options into those of the Go side
  // and those read here: signal (an AbortSignal), replay (a URL, the bytes
  // of a replay file, or null for none) and wasmURL.
  function fineTuneSettings(options) {
    const what = "wasmcnn: fineTune: options";
    if (options === undefined || options === null) options = {};
    if (typeof options !== "object" || Array.isArray(options)) throw new Error(`${what}: got ${Array.isArray(options) ? "an array" : typeof options}, want an options object`);
    const go = {};
    for (const k of Object.keys(options)) {
      if (jsOptions.has(k)) continue;
      // The Go side checks names and ranges; only numbers cross to it.
      const v = options[k];
      if (v !== undefined && typeof v !== "number") throw new Error(`${what}.${k}: got ${describe(v)}, want a number`);
      go[k] = v;
    }
    const signal = options.signal;
    if (signal !== undefined && !(typeof AbortSignal === "function" && signal instanceof AbortSignal)) throw new Error(`${what}.signal: want an AbortSignal`);
    let wasmURL = options.wasmURL === undefined ? fineTuneDefaults.wasmURL : options.wasmURL;
    if (typeof wasmURL !== "string" && !(wasmURL instanceof URL)) throw new Error(`${what}.wasmURL: want a string`);
    wasmURL = new URL(wasmURL, scriptURL).href;
    let replay = options.replay === undefined ? fineTuneDefaults.replay : options.replay;
    if (typeof replay === "string" || replay instanceof URL) replay = new URL(replay, scriptURL).href;
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
    return { go, signal, wasmURL, replay, evaluate };
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
  function describe(v) {
    if (v === null) return "null";
    if (Array.isArray(v)) return "an array";
    if (typeof v === "object" && taTag.call(v)) return taTag.call(v);
    return typeof v;
  }
  // modelBytes is the ONNX file of fineTune's model: a model's toONNX, or
  // the bytes given.
  function modelBytes(model) {
    if (model instanceof Model) return model.toONNX();
    if (model instanceof ArrayBuffer) return new Uint8Array(model.slice(0));
    if (model instanceof Uint8Array) return model.slice();
    throw new Error(`wasmcnn: fineTune: model: got ${describe(model)}, want a model of wasmcnn.loadModel or the bytes of an ONNX file`);
  }

  // preloadFineTune(options) downloads and compiles the training build and
  // downloads the replay file, so that a later fineTune starts at once.
  api.preloadFineTune = async function (options) {
    const s = fineTuneSettings(options);
    await Promise.all([once(compiled, s.wasmURL, compile), typeof s.replay === "string" ? once(fetched, s.replay, fetchBytes) : null]);
  };
  // fineTune(model, inputs, labels, options, onProgress) → Promise<Model>:
  // model fine-tuned to the examples in a Web Worker (see docs/api.md), reporting
  // onProgress(step, steps, loss) as it goes; options.signal aborts it.
  api.fineTune = async function (model, inputs, labels, options, onProgress) {
    if (onProgress !== undefined && onProgress !== null && typeof onProgress !== "function") throw new Error(`wasmcnn: fineTune: onProgress: got ${describe(onProgress)}, want a function`);
    const s = fineTuneSettings(options);
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
        typeof s.replay === "string" ? once(fetched, s.replay, fetchBytes) : s.replay,
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
      const tuned = api.loadModel(r.onnx);
      tuned.fineTuned = { lossBefore: r.lossBefore, lossAfter: r.lossAfter, correctBefore: r.correctBefore, correctAfter: r.correctAfter, examples: r.examples, ms: r.ms };
      if (r.evaluation) tuned.fineTuned.evaluation = r.evaluation;
      return tuned;
    } finally {
      if (worker) worker.w.terminate();
      if (onAbort) s.signal.removeEventListener("abort", onAbort);
    }
  };
  // _fineTuneHere runs fineTune's Go side in this runtime: the worker's
  // half of fineTune, with the training build.
  api._fineTuneHere = function (model, inputs, labels, options, replay, onProgress) {
    const go = need();
    if (typeof go.fineTune !== "function") throw new Error("wasmcnn: fineTune: this runtime is not the training build (lib/wasmcnn-train.wasm)");
    return unwrap(go.fineTune(model._alive()._h, inputs, labels, options, replay, onProgress));
  };

  globalThis.wasmcnn = api;
  // A Go runtime started before this script (tests, workers) is used as it is.
  if (globalThis.__wasmcnnGo) {
    go = globalThis.__wasmcnnGo;
    api._started = true;
    resolveReady(api);
  }
})();
