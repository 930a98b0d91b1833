// wasmcnn.js: the wasmcnn API as the global `wasmcnn`, for pages that use
// no modules. It imports wasmcnn.mjs from beside it (which loads Go's
// wasm_exec.js itself) and forwards to it:
//
//   <script src="wasmcnn.js"></script>
//   <script>
//     wasmcnn.start().then(() => wasmcnn.loadModelURL("model.onnx")).then((m) => …);
//   </script>
//
// Until the module has loaded, the calls that return a Promise wait for
// it, and the others throw "not ready yet", as every call does before the
// runtime is ready. The reference is docs/api.md.
(function () {
  "use strict";
  if (globalThis.wasmcnn && globalThis.wasmcnn.start) return;
  const here = (typeof document !== "undefined" && document.currentScript && document.currentScript.src) || globalThis.location.href;
  let api = null;
  const loading = import(new URL("wasmcnn.mjs", here).href).then((m) => (api = m.default));
  // The calls that answer with a Promise, and so may wait for the module.
  const later = new Set(["start", "fetchBytes", "loadModelURL", "loadModelWorkers", "preloadFineTune", "fineTune"]);
  globalThis.wasmcnn = new Proxy({}, {
    get(_, key) {
      if (api) return Reflect.get(api, key);
      if (key === "ready") return loading.then((w) => w.ready);
      if (later.has(key)) return (...args) => loading.then((w) => w[key](...args));
      if (typeof key !== "string" || key === "then") return undefined;
      throw new Error("wasmcnn: not ready yet; await wasmcnn.ready (or wasmcnn.start(...)) first");
    },
    has(_, key) { return api ? key in api : later.has(key) || key === "ready"; },
  });
})();
