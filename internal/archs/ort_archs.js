// ort_archs.js times whole networks in onnxruntime-node or in ONNX Runtime
// Web's WebAssembly build under Node, one thread, every graph
// optimisation on (tools/ort_bench.js), batch 1: the peers of
// BenchmarkArchitecturesORT.
//
//   node internal/archs/ort_archs.js DIR node|web RUNS
//
// DIR/manifest.json lists {name, model, shape}; it writes
// DIR/times-RUNTIME.json: {name: ms}, the median of RUNS timed runs after
// three untimed ones.
"use strict";
const path = require("path");
const bench = require("../../tools/ort_bench.js");

bench.main(async (rt, manifest, dir, [runsArg]) => {
  const runs = Math.max(1, parseInt(runsArg || "10", 10));
  const times = {};
  for (const c of manifest) {
    const session = await bench.session(rt, path.join(dir, c.model));
    const feeds = bench.feeds(rt, [{ name: session.inputNames[0], shape: c.shape }]);
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
  return times;
});
