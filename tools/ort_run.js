// ort_run.js runs ONNX models in onnxruntime-node, the reference
// implementation, for the tests (through internal/ortref).
//
//   node tools/ort_run.js DIR
//
// DIR/manifest.json lists cases {name, model, inputs: [{name, shape, file}]};
// inputs are little-endian float32 files. For each case it writes every
// output's data to DIR/<case>.out<i>.bin and records shapes (or the error)
// in DIR/results.json.
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
        graphOptimizationLevel: "disabled",
        intraOpNumThreads: 1,
      });
      const feeds = {};
      for (const input of c.inputs) {
        const buf = fs.readFileSync(path.join(dir, input.file));
        const data = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
        feeds[input.name] = new ort.Tensor("float32", data, input.shape);
      }
      const out = await session.run(feeds);
      const outputs = session.outputNames.map((name, i) => {
        const t = out[name];
        const file = `${c.name}.out${i}.bin`;
        fs.writeFileSync(path.join(dir, file), Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
        return { name, shape: t.dims.map(Number), type: t.type, file };
      });
      results.push({ name: c.name, outputs });
    } catch (e) {
      results.push({ name: c.name, error: String(e && e.message ? e.message : e) });
    }
  }
  fs.writeFileSync(path.join(dir, "results.json"), JSON.stringify(results));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
