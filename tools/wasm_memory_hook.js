// wasm_memory_hook.js is preloaded (node -r) when Go's wasm tests run under
// Node: it records the instance's memory and exports as
// globalThis.__wasmcnnMemory and __wasmcnnExports, as web/wasmcnn-runtime.mjs does
// as a build starts, so the tests can use the SIMD kernel and predict's export.
"use strict";
const instantiate = WebAssembly.instantiate;
WebAssembly.instantiate = async function (...args) {
  const result = await instantiate.apply(this, args);
  const instance = result.instance || result;
  if (instance && instance.exports && instance.exports.mem) {
    globalThis.__wasmcnnMemory = instance.exports.mem;
    globalThis.__wasmcnnExports = instance.exports;
  }
  return result;
};
