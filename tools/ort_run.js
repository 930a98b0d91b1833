// ort_run.js runs ONNX models in onnxruntime-node, the reference
// implementation, for the tests (through internal/ortref).
//
//   node tools/ort_run.js DIR
//
// DIR/manifest.json lists cases {name, model, optimize, inputs: [{name,
// shape, file, type}]}; inputs are little-endian float32 files, converted to
// the input's type ("uint8", "int8", "int32", "int64", "bool"; float32 when
// absent). optimize runs the case with every graph optimisation (the
// default of a session), otherwise none. For each case it writes every
// output's data, converted to float32, to DIR/<case>.out<i>.bin and records
// shapes and types (or the error) in DIR/results.json.
"use strict";
const fs = require("fs");
const path = require("path");
const ort = require("onnxruntime-node");

async function main() {
  const dir = process.argv[2];
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8"));
  const results = [];
  for (const c of manifest.cases) {
    try {
      const session = await ort.InferenceSession.create(path.join(dir, c.model), {
        graphOptimizationLevel: c.optimize ? "all" : "disabled",
        intraOpNumThreads: 1,
      });
      const feeds = {};
      for (const input of c.inputs) {
        const buf = fs.readFileSync(path.join(dir, input.file));
        const data = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
        feeds[input.name] = new ort.Tensor(input.type || "float32", convert(data, input.type), input.shape);
      }
      const out = await session.run(feeds);
      const outputs = session.outputNames.map((name, i) => {
        const t = out[name];
        const file = `${c.name}.out${i}.bin`;
        const f = Float32Array.from(t.data, Number);
        fs.writeFileSync(path.join(dir, file), Buffer.from(f.buffer, f.byteOffset, f.byteLength));
        return { name, shape: t.dims.map(Number), type: t.type, file };
      });
      results.push({ name: c.name, outputs });
    } catch (e) {
      results.push({ name: c.name, error: String(e && e.message ? e.message : e) });
    }
  }
  fs.writeFileSync(path.join(dir, "results.json"), JSON.stringify(results));
}

// convert turns float32 values into the typed array of an input type.
function convert(data, type) {
  switch (type) {
    case undefined:
    case "":
    case "float32":
      return data;
    case "uint8":
      return Uint8Array.from(data);
    case "int8":
      return Int8Array.from(data);
    case "int32":
      return Int32Array.from(data);
    case "int64":
      return BigInt64Array.from(data, (v) => BigInt(v));
    case "bool":
      return Uint8Array.from(data, (v) => (v ? 1 : 0));
  }
  throw new Error(`input type ${type} is not supported`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
