// store.js keeps what the pages keep between visits. Plain script, no
// modules: it defines globalThis.wasmcnnStore with
//   get(key), put(key, value), delete(key): a small key-value store in
//     IndexedDB (the model a person dropped on the page, the examples they
//     taught it), each returning a Promise; they reject where IndexedDB is
//     unavailable (some private modes), and the page then works without
//     keeping anything;
//   keepDrawing(digit), lastDrawing(): the drawing page's last drawing
//     (28×28 grey levels 0..1, or null for an empty pad) for the lesson
//     page, in localStorage as 784 hexadecimal bytes.
"use strict";
(function () {
  let db = null;
  function open() {
    if (db) return db;
    db = new Promise((resolve, reject) => {
      if (!globalThis.indexedDB) {
        reject(new Error("this browser keeps no IndexedDB"));
        return;
      }
      const req = indexedDB.open("wasmcnn", 1);
      req.onupgradeneeded = () => req.result.createObjectStore("kv");
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error || new Error("IndexedDB could not be opened"));
      req.onblocked = () => reject(new Error("IndexedDB is blocked by another tab"));
    });
    db.catch(() => { db = null; });
    return db;
  }
  function run(mode, f) {
    return open().then((d) => new Promise((resolve, reject) => {
      const tx = d.transaction("kv", mode);
      const req = f(tx.objectStore("kv"));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = tx.onabort = () => reject(tx.error || new Error("the IndexedDB transaction failed"));
    }));
  }
  const DRAWING = "wasmcnn-drawing", SIDE = 28;
  function keepDrawing(digit) {
    try {
      if (!digit) { localStorage.removeItem(DRAWING); return; }
      let hex = "";
      for (const v of digit) hex += Math.round(255 * Math.min(Math.max(v, 0), 1)).toString(16).padStart(2, "0");
      localStorage.setItem(DRAWING, hex);
    } catch (e) { /* storage off or full: the lesson page does without */ }
  }
  function lastDrawing() {
    let hex = null;
    try { hex = localStorage.getItem(DRAWING); } catch (e) { /* storage off */ }
    if (!hex || hex.length !== 2 * SIDE * SIDE || !/^[0-9a-f]+$/.test(hex)) return null;
    const img = new Float32Array(SIDE * SIDE);
    for (let i = 0; i < img.length; i++) img[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16) / 255;
    return img;
  }
  globalThis.wasmcnnStore = {
    get: (key) => run("readonly", (s) => s.get(key)),
    put: (key, value) => run("readwrite", (s) => s.put(value, key)),
    delete: (key) => run("readwrite", (s) => s.delete(key)),
    keepDrawing,
    lastDrawing,
  };
})();
