// start.js starts the drawing page and owns its loading panel. It
// registers the service worker, starts the engine (wasmcnn.start, with the
// download's progress), then the page's Go side (wasmcnnPage.start, which
// loads the shipped model), then what this browser kept (own.js, then
// teach.js), and only then says the page answers: body[data-ready]. While
// the Go side works it announces so with DOM events (see wasm/page's
// documentation), which this file shows: wasmcnn-busy and wasmcnn-idle
// take body[data-ready] away and give it back, wasmcnn-progress fills the
// bar, wasmcnn-failed says what broke; wasmcnn-running and
// wasmcnn-answered take body[data-ready] away while an answer takes more
// than a frame (a picture, a large model) and give it back once it is on
// screen, without the loading panel. It also keeps each drawing the Go
// side announces (wasmcnn-drawing) for the lesson page. A module: it
// imports the API and makes it the global `wasmcnn`, through which the
// page's other scripts and its Go side (wasm/page) reach it.
import wasmcnn from "./wasmcnn.mjs";

globalThis.wasmcnn = wasmcnn;
(function () {
  const $ = (id) => document.getElementById(id);
  const msg = $("load-msg"), bar = $("load-progress"), amount = $("load-bytes");
  const body = document.body;
  let starting = true;
  let running = false; // an answer of more than a frame is under way

  const fail = (text) => {
    body.removeAttribute("data-ready");
    body.classList.add("failed");
    body.classList.remove("busy");
    msg.textContent = text;
    bar.hidden = true;
  };
  const busy = (text) => {
    body.removeAttribute("data-ready");
    body.classList.add("busy");
    msg.textContent = text;
    amount.textContent = "";
    bar.removeAttribute("value");
  };
  const ready = () => {
    body.classList.remove("busy");
    body.setAttribute("data-ready", "");
  };
  // size writes a number of bytes for people.
  const size = (n) => (n >= 1e6 ? (n / 1e6).toFixed(1) + " MB" : Math.round(n / 1e3) + " kB");
  const progress = (done, total, unit) => {
    if (total) { bar.max = total; bar.value = done; } else { bar.removeAttribute("value"); }
    if (unit === "bytes") amount.textContent = size(done) + (total ? " of " + size(total) : "");
    else amount.textContent = `${done}${total ? " of " + total : ""} ${unit}`;
  };

  if (typeof WebAssembly !== "object") {
    fail("wasmcnn could not start: this browser cannot run WebAssembly. Try a current Chrome, Firefox, Safari or Edge.");
    return;
  }
  // Offline support: the service worker caches the whole site. When a new
  // deploy's worker takes over while this page runs, offer a reload.
  if ("serviceWorker" in navigator) {
    let hadController = !!navigator.serviceWorker.controller;
    navigator.serviceWorker.addEventListener("controllerchange", () => {
      if (hadController) $("update").hidden = false;
      hadController = true;
    });
    navigator.serviceWorker.register("sw.js").then(() => navigator.serviceWorker.ready).then(() => {
      $("offline").textContent = "Saved for offline use: this page works without a network from now on.";
    }).catch(() => { /* offline support is optional, e.g. on plain http */ });
    $("reload").addEventListener("click", () => location.reload());
  }

  document.addEventListener("wasmcnn-busy", (e) => busy(e.detail.message));
  document.addEventListener("wasmcnn-progress", (e) => progress(e.detail.done, e.detail.total, e.detail.unit));
  document.addEventListener("wasmcnn-idle", () => {
    body.classList.remove("busy");
    if (!starting && !running) ready();
  });
  document.addEventListener("wasmcnn-running", () => {
    running = true;
    body.classList.add("running");
    body.removeAttribute("data-ready");
  });
  document.addEventListener("wasmcnn-answered", () => {
    running = false;
    body.classList.remove("running");
    if (!starting && !body.classList.contains("busy") && !body.classList.contains("failed")) ready();
  });
  document.addEventListener("wasmcnn-failed", (e) => fail(e.detail.message));
  document.addEventListener("wasmcnn-drawing", (e) => globalThis.wasmcnnStore.keepDrawing(e.detail.digit));

  busy("Loading the engine…");
  wasmcnn.start("main.wasm", (loaded, total) => progress(loaded, total, "bytes"))
    .then(() => wasmcnnPage.start())
    .then(() => wasmcnnOwn.start())
    .then(() => wasmcnnPicture.start())
    .then(() => wasmcnnTeach.start())
    // The start's own busy state ends here (the Go side announces no idle
    // for it): an answer still running makes the page ready when it lands.
    .then(() => { starting = false; body.classList.remove("busy"); if (!running) ready(); })
    .catch((e) => fail("wasmcnn could not start: " + (e && e.message ? e.message : e)));
})();
