// wasmcnn.js: loads the wasmcnn WebAssembly module and exposes its API as
// the global `wasmcnn`. Plain script, no modules, no build step; needs
// wasm_exec.js (from the same Go release as main.wasm) loaded before it.
//
//   wasmcnn.start("main.wasm", (loaded, total) => …)  → Promise<wasmcnn>
//   wasmcnn.ready                                      → the same Promise
//
// Ops take and return tensors {data: Float32Array, shape: number[]}:
//   wasmcnn.conv2d(x, w, bias?, {strides, pads, dilations, group, autoPad})
//   wasmcnn.maxPool2d(x, {kernel, strides, pads, dilations, ceilMode, autoPad})
//   wasmcnn.avgPool2d(x, {kernel, strides, pads, ceilMode, countIncludePad, autoPad})
//   wasmcnn.dense(x, w, bias?)        x [N, in], w [out, in]
//   wasmcnn.relu(x), wasmcnn.softmax(x, axis?)
// Models (ONNX):
//   const m = wasmcnn.loadModel(bytes, {externalData?})   or await wasmcnn.loadModelURL(url, onProgress)
//   m.predict(Float32Array, out?) → Float32Array; m.layerOutputs() → [{name, op, shape, data}]
//   m.inputShape, m.outputShape, m.ops, m.info; m.dispose()
// Every function throws an Error saying what was wrong; the module keeps working.
(function () {
  "use strict";
  if (globalThis.wasmcnn && globalThis.wasmcnn.start) return;

  let go = null; // the Go side, set when the runtime is ready
  let runtime = null; // the Go runtime object of wasm_exec.js and its instance
  let resolveReady, rejectReady;
  const ready = new Promise((res, rej) => { resolveReady = res; rejectReady = rej; });

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
  const taByteLength = taGetter("byteLength"), taBuffer = taGetter("buffer");
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
    const res = await fetch(url);
    if (!res.ok) throw new Error(`wasmcnn: ${url}: HTTP ${res.status} ${res.statusText}`);
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

  class Model {
    constructor(handle) {
      this._h = handle;
      this.info = unwrap(go.modelInfo(handle));
    }
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
      const mem = globalThis.__wasmcnnMemory;
      const n = taLength.call(x);
      if (!mem || n === 0) return undefined;
      let p = this._prepared;
      if (!p || p.n !== n) {
        const r = need().prepare(this._h, n);
        if (r instanceof Error) return undefined;
        p = this._prepared = { n, input: r.input, outputLength: r.outputLength };
      }
      if (out !== undefined && taLength.call(out) !== p.outputLength) return undefined;
      new Float32Array(mem.buffer, p.input, n).set(x);
      const at = unwrap(need().run(this._h, n));
      const view = new Float32Array(mem.buffer, at, p.outputLength);
      if (out === undefined) return view.slice();
      out.set(view);
      return out;
    }
    layerOutputs() { this._alive(); return unwrap(need().layerOutputs(this._h)); }
    dispose() {
      if (this._h !== 0) { unwrap(need().dispose(this._h)); this._h = 0; }
    }
  }

  const api = {
    ready,
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
      return new Model(unwrap(need().loadModel(...args)));
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
    // start loads and runs the module once; later calls return the same Promise.
    start(wasmURL, onProgress) {
      if (api._started) return ready;
      api._started = true;
      (async () => {
        if (typeof WebAssembly !== "object") throw new Error("This browser cannot run WebAssembly.");
        if (typeof Go !== "function") throw new Error("wasm_exec.js must be loaded before wasmcnn.js.");
        const bytes = await fetchBytes(wasmURL || "main.wasm", onProgress);
        const g = new Go();
        const { instance } = await WebAssembly.instantiate(bytes, g.importObject);
        runtime = { go: g, instance };
        // The Go side runs its SIMD kernel on this memory (see wasm/simd_js.go).
        globalThis.__wasmcnnMemory = instance.exports.mem;
        globalThis.__wasmcnnReady = (obj) => {
          go = obj;
          delete globalThis.__wasmcnnReady;
          resolveReady(api);
        };
        g.run(instance).then(() => {
          go = null;
          rejectReady(new Error("wasmcnn: the Go runtime exited"));
        });
      })().catch((e) => rejectReady(e));
      return ready;
    },
  };
  globalThis.wasmcnn = api;
  // A Go runtime started before this script (tests, workers) is used as it is.
  if (globalThis.__wasmcnnGo) {
    go = globalThis.__wasmcnnGo;
    api._started = true;
    resolveReady(api);
  }
})();
