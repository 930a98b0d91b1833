// node-badcalls.mjs: the API's bad calls (internal/apitest, in the JSON file
// named by the first argument: {try, fixtures, script}) made through the
// package's named exports under Node. Prints, as JSON, each case's message
// (null where it did not throw), and what predict gives afterwards.
import * as wasmcnn from "wasmcnn";
import { readFile } from "node:fs/promises";

const spec = JSON.parse(await readFile(process.argv[2], "utf8"));
await wasmcnn.start();
globalThis.wasmcnn = wasmcnn; // the cases call wasmcnn.relu(…) and so on
globalThis.__wasmcnnGo = wasmcnn.default._go; // and a few the Go side's own object
globalThis.MODEL = new Uint8Array(await readFile(new URL(import.meta.resolve("wasmcnn/models/digits.onnx"))));
(0, eval)(spec.try);
(0, eval)(spec.fixtures);
const messages = (0, eval)(spec.script);
const after = Array.from(globalThis.M.predict(new Float32Array(784).fill(0.5)));
console.log(JSON.stringify({ messages, after }));
