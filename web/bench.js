// bench.js measures one runtime on one reference network, as the protocol
// of the bench asks (see cmd/wasmcnn/bench.go): time to the first result
// from the start of the page, batch-1 latency over 300 calls after 50
// warm-up ones, batch-64 throughput, and the outputs for an agreement check.
// URL parameters: runtime (wasmcnn, tfjs, ort), net (S, M), threads (1, 2),
// cores (the navigator.hardwareConcurrency the page reports, for
// TensorFlow.js, whose pool takes half of it), first=1 (stop after the
// first prediction: the first-visit runs under network emulation).
// The result is shown and left in window.__benchResult.
"use strict";
(function () {
  const params = new URLSearchParams(location.search);
  const runtime = params.get("runtime");
  const net = params.get("net") || "S";
  const threads = Number(params.get("threads") || 1);
  const firstOnly = params.get("first") === "1";
  if (params.get("model")) {
    // A real architecture: its own script, which S and M's pages never fetch.
    const el = document.createElement("script");
    el.src = "bench-real.js";
    document.head.appendChild(el);
    return;
  }
  if (!runtime) return;
  if (params.get("cores")) {
    const cores = Number(params.get("cores"));
    Object.defineProperty(Navigator.prototype, "hardwareConcurrency", { get: () => cores, configurable: true });
  }
  // The script runs async from the head, so the runtime starts loading
  // before the page has parsed or styled; the text waits for the body.
  const parsed = new Promise((resolve) => {
    if (document.readyState !== "loading") resolve();
    else document.addEventListener("DOMContentLoaded", resolve);
  });
  const show = (status, result) => parsed.then(() => {
    document.getElementById("bench-status").textContent = status;
    if (result !== undefined) document.getElementById("bench-result").textContent = result;
  });
  show(`Running ${runtime} on ${net} (${threads} thread${threads > 1 ? "s" : ""})…`);

  // input fills a batch with the same pseudo-random values in every runtime.
  function input(n) {
    const x = new Float32Array(n * 784);
    let s = 12345;
    for (let i = 0; i < x.length; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      x[i] = (s >>> 8) / 16777216;
    }
    return x;
  }
  // loadScripts fetches scripts in parallel and runs them in order, as
  // script tags in a page do; every runtime loads its files this way.
  function loadScripts(...srcs) {
    return Promise.all(srcs.map((src) => new Promise((resolve, reject) => {
      const el = document.createElement("script");
      el.src = src;
      el.async = false;
      el.onload = resolve;
      el.onerror = () => reject(new Error("cannot load " + src));
      document.head.appendChild(el);
    })));
  }
  const quantile = (xs, q) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor(q * s.length))];
  };

  // Each runtime gives {load(), predict(x, n) → Promise<Float32Array>, detail}.
  const runtimes = {
    async wasmcnn() {
      if (threads > 1) {
        // One runtime per Web Worker, each batch split among them.
        await loadScripts("wasm_exec.js", "wasmcnn.js");
        const pool = await wasmcnn.loadModelWorkers(`bench/${net}.onnx`, { workers: threads, wasmURL: "lib/wasmcnn.wasm" });
        return {
          predict: (x) => pool.predict(x), detail: `${threads} Web Workers, kernel ${pool.kernel}`,
          settings: { build: "lib/wasmcnn.wasm", workers: threads, kernel: pool.kernel },
        };
      }
      // The model downloads while the runtime starts (every runtime here
      // fetches its model in parallel with its start), and the engine
      // while the scripts load (start takes the pending response; compiling
      // it early too, with WebAssembly.compileStreaming, made no difference).
      const modelBytes = fetch(`bench/${net}.onnx`).then((r) => r.arrayBuffer());
      const engine = fetch("lib/wasmcnn.wasm");
      const t = [performance.now()];
      await loadScripts("wasm_exec.js", "wasmcnn.js");
      t.push(performance.now());
      await wasmcnn.start(engine);
      t.push(performance.now());
      const m = wasmcnn.loadModel(await modelBytes);
      t.push(performance.now());
      const ph = t.slice(1).map((v, i) => (v - t[i]).toFixed(0)).join("/");
      const su = Object.values(wasmcnn.startup).map((v) => v.toFixed(0)).join("/");
      const fetched = performance.getEntriesByType("resource").find((e) => e.name.endsWith("wasmcnn.wasm"));
      const fetchedMs = fetched ? `, engine fetched ${fetched.startTime.toFixed(0)}–${fetched.responseEnd.toFixed(0)} ms` : "";
      return {
        predict: async (x) => m.predict(x), profile: (x) => m.profile(x, 200),
        detail: `kernel ${wasmcnn.kernel}; page ${t[0].toFixed(0)} ms${fetchedMs}, scripts/start/model ${ph} ms, download/compile/init ${su}`,
        settings: { build: "lib/wasmcnn.wasm", workers: 0, kernel: wasmcnn.kernel },
      };
    },
    async tfjs() {
      // The weights as TensorFlow.js keeps them: a manifest and raw float32.
      const manifest = fetch(`bench/${net}.json`).then((r) => r.json());
      const bin = fetch(`bench/${net}.bin`).then((r) => r.arrayBuffer());
      await loadScripts("vendor/tfjs-core/tf-core.min.js", "vendor/tfjs-backend-wasm/tf-backend-wasm.min.js");
      tf.wasm.setWasmPaths("vendor/tfjs-backend-wasm/");
      if (tf.wasm.setThreadsCount) tf.wasm.setThreadsCount(threads);
      await tf.setBackend("wasm");
      await tf.ready();
      const [entries, buf] = await Promise.all([manifest, bin]);
      // Set up as a TensorFlow.js user would: convolution filters in HWIO,
      // every layer one fused op with its bias and activation, and the
      // first dense layer's rows reordered once, here, from the flatten
      // order of NCHW (c, h, w) to that of NHWC (h, w, c), so that the
      // flatten is a free reshape instead of a transpose per call.
      const [fh, fw, fc] = { S: [4, 4, 16], M: [12, 12, 64] }[net]; // the flattened map, HWC
      const firstDense = net === "S" ? "fc.weight" : "fc1.weight";
      const t = tf.tidy(() => {
        const w = {};
        for (const l of entries) {
          const size = l.shape.reduce((a, b) => a * b, 1);
          let v = tf.tensor(new Float32Array(buf, l.offset * 4, size), l.shape);
          if (l.shape.length === 4) v = tf.transpose(v, [2, 3, 1, 0]); // OIHW → HWIO
          if (l.shape.length === 2) v = tf.transpose(v); // [out, in] → [in, out]
          if (l.name === firstDense) {
            const out = v.shape[1];
            v = tf.reshape(tf.transpose(tf.reshape(v, [fc, fh, fw, out]), [1, 2, 0, 3]), [fh * fw * fc, out]);
          }
          w[l.name] = tf.keep(v);
        }
        return w;
      });
      const conv = (x, name, pad) => tf.fused.conv2d({ x, filter: t[name + ".weight"], strides: 1, pad, bias: t[name + ".bias"], activation: "relu" });
      const dense = (a, name, activation) => tf.fused.matMul({ a, b: t[name + ".weight"], bias: t[name + ".bias"], activation });
      const flat = (v) => tf.reshape(v, [v.shape[0], -1]);
      const forward = net === "S"
        ? (x) => {
            let v = tf.maxPool(conv(x, "conv1", "same"), 2, 2, "valid");
            v = tf.maxPool(conv(v, "conv2", "same"), 3, 3, "valid");
            return tf.softmax(dense(flat(v), "fc", "linear"));
          }
        : (x) => {
            let v = tf.maxPool(conv(conv(x, "conv1", "valid"), "conv2", "valid"), 2, 2, "valid");
            return tf.softmax(dense(dense(flat(v), "fc1", "relu"), "fc2", "linear"));
          };
      const inUse = tf.wasm.getThreadsCount ? tf.wasm.getThreadsCount() : NaN;
      return {
        predict: async (x, n) => {
          const out = tf.tidy(() => forward(tf.tensor4d(x, [n, 28, 28, 1])));
          const data = await out.data();
          out.dispose();
          return data;
        },
        // What it used: TensorFlow.js caps its pool at half the cores the
        // page reports, whatever setThreadsCount asked for.
        detail: `wasm backend, ${inUse} thread${inUse === 1 ? "" : "s"} in use, page reports ${navigator.hardwareConcurrency} cores`,
        settings: {
          backend: tf.getBackend(), version: tf.version_core, threadsAsked: threads, threadsInUse: inUse,
          reportedCores: navigator.hardwareConcurrency, simd: tf.env().getBool("WASM_HAS_SIMD_SUPPORT"),
          multithreaded: tf.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT"),
          ops: "tf.fused.conv2d and tf.fused.matMul with bias and activation; flatten order folded into the dense weights at load",
        },
      };
    },
    async ort() {
      const modelBytes = fetch(`bench/${net}.onnx`).then((r) => r.arrayBuffer());
      await loadScripts("vendor/ort/ort.wasm.min.js");
      ort.env.wasm.wasmPaths = new URL("vendor/ort/", location.href).href;
      ort.env.wasm.numThreads = threads;
      ort.env.wasm.simd = true;
      // Every graph optimisation (constant folding, Conv+ReLU fusion, layout
      // transformations for the NCHWc kernels).
      const options = { executionProviders: ["wasm"], graphOptimizationLevel: "all", executionMode: "sequential", enableCpuMemArena: true, enableMemPattern: true };
      const session = await ort.InferenceSession.create(new Uint8Array(await modelBytes), options);
      const inName = session.inputNames[0], outName = session.outputNames[0];
      return {
        predict: async (x, n) => (await session.run({ [inName]: new ort.Tensor("float32", x, [n, 1, 28, 28]) }))[outName].data,
        detail: `wasm, ${threads} thread${threads > 1 ? "s" : ""}, crossOriginIsolated ${self.crossOriginIsolated}`,
        settings: { ...options, version: ort.env.versions && ort.env.versions.web, numThreads: ort.env.wasm.numThreads, simd: ort.env.wasm.simd, crossOriginIsolated: self.crossOriginIsolated },
      };
    },
  };

  (async () => {
    const r = await runtimes[runtime]();
    const x1 = input(1), x64 = input(64);
    const first = await r.predict(x1, 1);
    const firstMs = performance.now(); // from the start of the page
    // The runtime's files this page fetched (workers fetch their own).
    const files = () => performance.getEntriesByType("resource").map((e) => new URL(e.name).pathname.slice(1))
      .filter((f) => !/^(bench\.js|style\.css|favicon\.ico|bench\/.*)$/.test(f));
    if (firstOnly) {
      window.__benchResult = { runtime, net, threads, detail: r.detail, settings: r.settings, firstMs, files: files() };
      show(`Done: ${runtime} on ${net}, first prediction only.`, JSON.stringify(window.__benchResult, null, 2));
      return;
    }
    const probs = Array.from((await r.predict(input(2), 2)).slice(0, 20));
    for (let i = 0; i < 50; i++) await r.predict(x1, 1);
    const times = [];
    for (let i = 0; i < 300; i++) {
      const t0 = performance.now();
      await r.predict(x1, 1);
      times.push(performance.now() - t0);
    }
    await r.predict(x64, 64);
    let images = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < 2000 || images < 64 * 5) {
      await r.predict(x64, 64);
      images += 64;
    }
    const secs = (performance.now() - t0) / 1000;
    const res = {
      runtime, net, threads, detail: r.detail, settings: r.settings, firstMs, firstSum: first.reduce((a, b) => a + b, 0),
      b1Median: quantile(times, 0.5), b1P90: quantile(times, 0.9), b64ImgPerSec: images / secs, probs,
      // Where a batch-1 prediction's time goes, node by node (wasmcnn only).
      profile: r.profile ? r.profile(x1) : undefined,
      files: files(),
    };
    window.__benchResult = res;
    show(`Done: ${runtime} on ${net}.`, JSON.stringify(res, null, 2));
  })().catch((e) => {
    window.__benchResult = { runtime, net, threads, error: String(e && e.stack ? e.stack : e) };
    show("Failed: " + e);
  });
})();
