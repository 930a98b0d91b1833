// ort_archs.js times whole networks in onnxruntime-node or in ONNX Runtime
// Web's WebAssembly build under Node, one thread, every graph
// optimisation on, batch 1: the peers of BenchmarkArchitecturesORT.
//
//   node internal/archs/ort_archs.js DIR node|web RUNS
//
// DIR/manifest.json lists {name, model, shape}; it writes
// DIR/times-RUNTIME.json: {name: ms}, the median of RUNS timed runs after
// three untimed ones. Each runtime runs in a process of its own (both
// packages register their backends in onnxruntime-common's one registry).
"use strict";
const fs = require("fs");
const path = require("path");

async function main() {
  const [dir, runtime, runsArg] = process.argv.slice(2);
  const runs = Math.max(1, parseInt(runsArg || "10", 10));
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8"));
  let ort, ep;
  if (runtime === "web") {
    ort = require("onnxruntime-web");
    ort.env.wasm.numThreads = 1;
    ep = "wasm";
  } else if (runtime === "node") {
    ort = require("onnxruntime-node");
    ep = "cpu";
  } else {
    throw new Error("want node or web, not " + runtime);
  }
  const times = {};
  for (const c of manifest) {
    const file = path.join(dir, c.model);
    const session = await ort.InferenceSession.create(runtime === "web" ? fs.readFileSync(file) : file, {
      executionProviders: [ep],
      graphOptimizationLevel: "all",
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: "sequential",
    });
    const n = c.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = Math.sin(i) * 0.5;
    const feeds = { [session.inputNames[0]]: new ort.Tensor("float32", data, c.shape) };
    for (let i = 0; i < 3; i++) await session.run(feeds);
    const ms = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await session.run(feeds);
      ms.push(performance.now() - t0);
    }
    ms.sort((a, b) => a - b);
    times[c.name] = ms[Math.floor(ms.length / 2)];
    await session.release();
  }
  fs.writeFileSync(path.join(dir, `times-${runtime}.json`), JSON.stringify(times));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
