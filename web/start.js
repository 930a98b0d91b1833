// start.js starts the WebAssembly module of the page, showing download
// progress until the Go side takes over (it then loads the model).
"use strict";
(function () {
  const msg = document.getElementById("load-msg");
  const bar = document.getElementById("load-progress");
  const bytes = document.getElementById("load-bytes");
  const fail = (e) => {
    document.body.classList.add("failed");
    msg.textContent = "wasmcnn could not start: " + (e && e.message ? e.message : e);
    bar.hidden = true;
  };
  if (typeof WebAssembly !== "object") {
    fail(new Error("this browser cannot run WebAssembly. Try a current Chrome, Firefox, Safari or Edge."));
    return;
  }
  // Offline support: the service worker caches the whole site. When a new
  // deploy's worker takes over while this page runs, offer a reload.
  if ("serviceWorker" in navigator) {
    let hadController = !!navigator.serviceWorker.controller;
    navigator.serviceWorker.addEventListener("controllerchange", () => {
      if (hadController) document.getElementById("update").hidden = false;
      hadController = true;
    });
    navigator.serviceWorker.register("sw.js").then(() => navigator.serviceWorker.ready).then(() => {
      document.getElementById("offline").textContent = "Saved for offline use: this page works without a network from now on.";
    }).catch(() => { /* offline support is optional, e.g. on plain http */ });
    document.getElementById("reload").addEventListener("click", () => location.reload());
  }
  msg.textContent = "Loading the engine…";
  wasmcnn.start("main.wasm", (loaded, total) => {
    if (total) { bar.max = total; bar.value = loaded; } else { bar.removeAttribute("value"); }
    bytes.textContent = (loaded / 1048576).toFixed(1) + (total ? " of " + (total / 1048576).toFixed(1) : "") + " MB";
  }).catch(fail);
})();
