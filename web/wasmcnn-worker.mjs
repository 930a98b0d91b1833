// wasmcnn-worker.mjs: one wasmcnn runtime in a module Web Worker, for
// loadModelWorkers of wasmcnn.mjs, which splits each batch across several of them
// (Go's WebAssembly runs on one thread; two instances use two cores).
// Messages: {id, type: "load", module (a WebAssembly.Module) or wasmURL,
// model: Uint8Array} → {id, info, kernel};
// {id, type: "predict", x: Float32Array} → {id, out: Float32Array};
// {id, type: "fineTune", module (of the training build), model: Uint8Array,
// x: Float32Array, y: labels, options, replay: Uint8Array or null,
// evaluate?: Float32Array} → {id, progress: {step, steps, loss}}…, then
// {id, onnx: Uint8Array, lossBefore, lossAfter, correctBefore,
// correctAfter, examples, ms, evaluation?: {before, after}}, for
// wasmcnn.fineTune. A failure answers {id, error: message}.
// It imports the runtime alone: a worker starts no workers.
import * as wasmcnn from "./wasmcnn-runtime.mjs";

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
    } else if (msg.type === "fineTune") {
      await wasmcnn.start(msg.module || msg.wasmURL);
      const base = wasmcnn.loadModel(msg.model);
      // Progress goes out at most every 20 ms (and at the last step): a
      // step can take well under a millisecond.
      let last = 0;
      const progress = (step, steps, loss) => {
        const now = performance.now();
        if (step !== steps && now - last < 20) return;
        last = now;
        self.postMessage({ id: msg.id, progress: { step, steps, loss } });
      };
      try {
        const r = wasmcnn._fineTuneHere(base, msg.x, msg.y, msg.options, msg.replay, progress);
        const transfer = [r.onnx.buffer];
        if (msg.evaluate) {
          // Both models' outputs on the examples to evaluate, here rather
          // than on the caller's thread.
          const tuned = wasmcnn.loadModel(r.onnx);
          try {
            r.evaluation = { before: base.predict(msg.evaluate), after: tuned.predict(msg.evaluate) };
          } catch (e) {
            throw new Error("wasmcnn: fineTune: options.evaluate: " + String(e.message).replace(/^wasmcnn: /, ""));
          } finally {
            tuned.dispose();
          }
          transfer.push(r.evaluation.before.buffer, r.evaluation.after.buffer);
        }
        self.postMessage({ id: msg.id, ...r }, transfer);
      } finally {
        base.dispose();
      }
    } else {
      throw new Error(`wasmcnn worker: unknown message type ${JSON.stringify(msg.type)}`);
    }
  } catch (err) {
    self.postMessage({ id: msg.id, error: String((err && err.message) || err) });
  }
};
