// wasmcnn-worker.js: one wasmcnn runtime in a Web Worker, for
// wasmcnn.loadModelWorkers, which splits each batch across several of them
// (Go's WebAssembly runs on one thread; two instances use two cores).
// Messages: {id, type: "load", module (a WebAssembly.Module) or wasmURL,
// model: Uint8Array} → {id, info, kernel};
// {id, type: "predict", x: Float32Array} → {id, out: Float32Array}; a
// failure answers {id, error: message}.
"use strict";
importScripts("wasm_exec.js", "wasmcnn.js");

let model = null;

self.onmessage = async (event) => {
  const msg = event.data || {};
  try {
    if (msg.type === "load") {
      await wasmcnn.start(msg.module || msg.wasmURL);
      if (model) model.dispose();
      model = wasmcnn.loadModel(msg.model);
      self.postMessage({ id: msg.id, info: model.info, kernel: wasmcnn.kernel });
    } else if (msg.type === "predict") {
      if (!model) throw new Error("wasmcnn worker: no model loaded");
      const out = model.predict(msg.x);
      self.postMessage({ id: msg.id, out }, [out.buffer]);
    } else {
      throw new Error(`wasmcnn worker: unknown message type ${JSON.stringify(msg.type)}`);
    }
  } catch (err) {
    self.postMessage({ id: msg.id, error: String((err && err.message) || err) });
  }
};
