// ort_layers.js times single-layer models in onnxruntime-node and in
// ONNX Runtime Web's WebAssembly build under Node, one thread, every
// graph optimisation on (tools/ort_bench.js): the peers of
// BenchmarkORTLayers.
//
//   node internal/convbench/ort_layers.js DIR node|web
//
// DIR/manifest.json lists {name, model, inputs: [{name, shape}]}; it
// writes DIR/times-node.json or DIR/times-web.json: {name: ms}, each the
// fastest of five batches of runs after warming up (the convbench rows
// keep the fastest run too: on a shared machine the rest is noise).
"use strict";
const path = require("path");
const bench = require("../../tools/ort_bench.js");

async function time(rt, file, inputs) {
  const session = await bench.session(rt, file);
  const feeds = bench.feeds(rt, inputs);
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

bench.main(async (rt, manifest, dir) => {
  const times = {};
  for (const c of manifest.cases) {
    times[c.name] = await time(rt, path.join(dir, c.model), c.inputs);
  }
  return times;
});
