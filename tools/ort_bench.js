// ort_bench.js is the onnxruntime setup the bench's timers share
// (internal/archs/ort_archs.js for whole networks,
// internal/convbench/ort_layers.js for single layers), so that every
// comparison runs the peers alike: one thread, every graph optimisation
// on, sequential execution, and the same input values.
"use strict";
const fs = require("fs");

// runtime loads onnxruntime-node ("node") or ONNX Runtime Web's
// WebAssembly build under Node ("web"), on one thread. A process loads one
// of them only: both packages register their backends in the one registry
// of onnxruntime-common, where the native one would take the Web build's
// sessions.
function runtime(name) {
  if (name === "web") {
    const ort = require("onnxruntime-web");
    ort.env.wasm.numThreads = 1;
    return { name, ort, ep: "wasm" };
  }
  if (name === "node") {
    return { name, ort: require("onnxruntime-node"), ep: "cpu" };
  }
  throw new Error("want node or web, not " + name);
}

// session opens the model in file (the Web build takes its bytes).
function session(rt, file) {
  return rt.ort.InferenceSession.create(rt.name === "web" ? fs.readFileSync(file) : file, {
    executionProviders: [rt.ep],
    graphOptimizationLevel: "all",
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: "sequential",
  });
}

// feeds fills each input [{name, shape}] with sin(i)/2, the values the
// bench gives every runtime.
function feeds(rt, inputs) {
  const out = {};
  for (const input of inputs) {
    const n = input.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = Math.sin(i) * 0.5;
    out[input.name] = new rt.ort.Tensor("float32", data, input.shape);
  }
  return out;
}

// main runs f(rt, manifest) with the runtime named by the second argument
// and DIR/manifest.json, DIR the first, and writes what it returns to
// DIR/times-RUNTIME.json; a failure exits with status 1.
function main(f) {
  const path = require("path");
  const [dir, name, ...rest] = process.argv.slice(2);
  (async () => {
    const rt = runtime(name);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8"));
    const times = await f(rt, manifest, dir, rest);
    fs.writeFileSync(path.join(dir, `times-${name}.json`), JSON.stringify(times));
  })().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}

module.exports = { runtime, session, feeds, main };
