// store.js: a small key-value store in IndexedDB for what the page keeps
// between visits (the model a person dropped on it). Plain script, no
// modules: it defines globalThis.wasmcnnStore with get(key), put(key,
// value) and delete(key), each returning a Promise. They reject where
// IndexedDB is unavailable (some private modes); the page then works
// without keeping anything.
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
  globalThis.wasmcnnStore = {
    get: (key) => run("readonly", (s) => s.get(key)),
    put: (key, value) => run("readwrite", (s) => s.put(value, key)),
    delete: (key) => run("readwrite", (s) => s.delete(key)),
  };
})();
