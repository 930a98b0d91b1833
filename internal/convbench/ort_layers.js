// ort_layers.js times single-layer models in onnxruntime-node and in
// ONNX Runtime Web's WebAssembly build under Node, one thread, every
// graph optimisation on: the peers of BenchmarkORTLayers.
//
//   node internal/convbench/ort_layers.js DIR node|web
//
// DIR/manifest.json lists {name, model, inputs: [{name, shape}]}; it
// writes DIR/times-node.json or DIR/times-web.json: {name: ms}, each the
// fastest of five batches of runs after warming up (the convbench rows
// keep the fastest run too: on a shared machine the rest is noise). Each runtime runs in
// a process of its own: both packages register their backends in the one
// registry of onnxruntime-common, where the native one would take the Web
// build's sessions.
"use strict";
const fs = require("fs");
const path = require("path");

async function time(ort, ep, file, inputs) {
  const session = await ort.InferenceSession.create(file, {
    executionProviders: [ep],
    graphOptimizationLevel: "all",
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: "sequential",
  });
  const feeds = {};
  for (const input of inputs) {
    const n = input.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = Math.sin(i) * 0.5;
    feeds[input.name] = new ort.Tensor("float32", data, input.shape);
  }
  for (let i = 0; i < 3; i++) await session.run(feeds);
  let runs = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < runs; i++) await session.run(feeds);
    if (performance.now() - t0 > 20 || runs > 1 << 12) break;
    runs *= 2;
  }
  const batches = [];
  for (let b = 0; b < 5; b++) {
    const t0 = performance.now();
    for (let i = 0; i < runs; i++) await session.run(feeds);
    batches.push((performance.now() - t0) / runs);
  }
  await session.release();
  return Math.min(...batches);
}

async function main() {
  const [dir, runtime] = process.argv.slice(2);
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
  for (const c of manifest.cases) {
    const file = path.join(dir, c.model);
    times[c.name] = await time(ort, ep, runtime === "web" ? fs.readFileSync(file) : file, c.inputs);
  }
  fs.writeFileSync(path.join(dir, `times-${runtime}.json`), JSON.stringify(times));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
