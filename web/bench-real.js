// bench-real.js runs one runtime on one of the bench's real architectures
// (ResNet-50, MobileNetV2, …: bench/MODEL.onnx, the same file for every
// runtime) and leaves it loaded, so that the bench (cmd/wasmcnn/bench_real.go)
// can call the runtimes of several tabs in turn, one prediction at a time,
// and noise falls on all of them alike. URL parameters: runtime (wasmcnn,
// ort), model, threads (ONNX Runtime Web's numThreads).
//
// Once loaded the page sets window.__benchReady ({detail, settings, loadMs}
// or {error}) and offers:
//   __benchOutput(n) → the outputs for a batch of n fixed inputs (an Array),
//                      for the agreement check (the first call at n);
//   __benchCall(n)   → the milliseconds of one prediction at batch n;
//   __benchMemory()  → wasmcnn only: {memoryBytes, params, activations,
//                      activationsSum}, its WebAssembly memory and m.info.
"use strict";
(function () {
  const params = new URLSearchParams(location.search);
  const runtime = params.get("runtime");
  const model = params.get("model");
  const threads = Number(params.get("threads") || 1);
  if (!runtime || !model) return;
  const per = 3 * 224 * 224; // values of one image, [3, 224, 224]
  const status = (s) => {
    const el = document.getElementById("bench-status");
    if (el) el.textContent = s;
  };

  // input fills a batch with the same pseudo-random values in [-1, 1) in
  // every runtime and every tab.
  const inputs = new Map();
  function input(n) {
    if (!inputs.has(n)) {
      const x = new Float32Array(n * per);
      let s = 12345;
      for (let i = 0; i < x.length; i++) {
        s = (Math.imul(s, 1103515245) + 12345) >>> 0;
        x[i] = (s >>> 8) / 8388608 - 1;
      }
      inputs.set(n, x);
    }
    return inputs.get(n);
  }
  function loadScript(src) {
    return new Promise((resolve, reject) => {
      const el = document.createElement("script");
      el.src = src;
      el.onload = resolve;
      el.onerror = () => reject(new Error("cannot load " + src));
      document.head.appendChild(el);
    });
  }

  // Each runtime gives {predict(x, n) → Promise<Float32Array>, detail,
  // settings, memory?()}.
  const runtimes = {
    async wasmcnn() {
      const bytes = fetch(`bench/${model}.onnx`).then((r) => r.arrayBuffer());
      await loadScript("wasmcnn.js");
      await wasmcnn.start(fetch("lib/wasmcnn.wasm"));
      const m = wasmcnn.loadModel(new Uint8Array(await bytes));
      return {
        predict: async (x) => m.predict(x),
        detail: `lib/wasmcnn.wasm, kernel ${wasmcnn.kernel}`,
        settings: { build: "lib/wasmcnn.wasm", kernel: wasmcnn.kernel },
        memory: () => ({
          memoryBytes: wasmcnn.memoryBytes(), params: m.info.params,
          activations: m.info.activations, activationsSum: m.info.activationsSum,
        }),
      };
    },
    async ort() {
      // Count the Web Workers ONNX Runtime Web starts: its thread pool, the
      // proof that numThreads took effect.
      let workers = 0;
      const NativeWorker = globalThis.Worker;
      globalThis.Worker = class extends NativeWorker {
        constructor(...args) { super(...args); workers++; }
      };
      const bytes = fetch(`bench/${model}.onnx`).then((r) => r.arrayBuffer());
      await loadScript("vendor/ort/ort.wasm.min.js");
      ort.env.wasm.wasmPaths = new URL("vendor/ort/", location.href).href;
      ort.env.wasm.numThreads = threads;
      ort.env.wasm.simd = true;
      // As its users set it up: every graph optimisation (constant folding,
      // Conv+BatchNorm+activation fusion, QDQ to integer kernels, the NCHWc
      // layout transformations).
      const options = { executionProviders: ["wasm"], graphOptimizationLevel: "all", executionMode: "sequential", enableCpuMemArena: true, enableMemPattern: true };
      const session = await ort.InferenceSession.create(new Uint8Array(await bytes), options);
      const inName = session.inputNames[0], outName = session.outputNames[0];
      return {
        predict: async (x, n) => (await session.run({ [inName]: new ort.Tensor("float32", x, [n, 3, 224, 224]) }))[outName].data,
        detail: `wasm SIMD, numThreads ${ort.env.wasm.numThreads}, crossOriginIsolated ${self.crossOriginIsolated}`,
        settings: () => ({
          ...options, version: ort.env.versions && ort.env.versions.web, numThreads: ort.env.wasm.numThreads,
          simd: ort.env.wasm.simd, crossOriginIsolated: self.crossOriginIsolated, workersStarted: workers,
        }),
      };
    },
  };

  (async () => {
    if (!runtimes[runtime]) throw new Error(`unknown runtime ${runtime}`);
    status(`Loading ${model} in ${runtime} (${threads} thread${threads > 1 ? "s" : ""})…`);
    const t0 = performance.now();
    const r = await runtimes[runtime]();
    const loadMs = performance.now() - t0;
    window.__benchOutput = async (n) => Array.from(await r.predict(input(n), n));
    window.__benchCall = async (n) => {
      const x = input(n);
      const start = performance.now();
      await r.predict(x, n);
      return performance.now() - start;
    };
    window.__benchMemory = () => (r.memory ? r.memory() : null);
    // Settings read back after the first run: the thread pool starts then.
    window.__benchSettings = () => (typeof r.settings === "function" ? r.settings() : r.settings);
    window.__benchReady = { detail: r.detail, loadMs };
    status(`Ready: ${model} in ${runtime}; the bench calls it.`);
  })().catch((e) => {
    window.__benchReady = { error: String(e && e.stack ? e.stack : e) };
    status("Failed: " + e);
  });
})();
