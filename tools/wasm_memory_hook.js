// wasm_memory_hook.js is preloaded (node -r) when Go's wasm tests run under
// Node: it records the instance's memory as globalThis.__wasmcnnMemory, as
// web/wasmcnn.js does in the browser, so the tests can use the SIMD kernel.
"use strict";
const instantiate = WebAssembly.instantiate;
WebAssembly.instantiate = async function (...args) {
  const result = await instantiate.apply(this, args);
  const instance = result.instance || result;
  if (instance && instance.exports && instance.exports.mem) globalThis.__wasmcnnMemory = instance.exports.mem;
  return result;
};
