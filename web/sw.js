// sw.js: the service worker that makes wasmcnn work offline. The site build
// replaces VERSION and ASSETS with the content hash of this build and its
// file list, so every deploy gets a cache of its own, filled in one piece.
// LAZY lists what the page loads only when someone teaches it (the training
// build, the replayed digits): cached when first fetched, not at install.
"use strict";
const VERSION = "__VERSION__";
const ASSETS = __ASSETS__;
const LAZY = new Set(__LAZY__.map((u) => new URL(u, self.location).href));
const CACHE = "wasmcnn-" + VERSION;

self.addEventListener("install", (event) => {
  // Fetch every file past the HTTP cache, so a new version never mixes in old files.
  event.waitUntil(
    caches.open(CACHE)
      .then((c) => c.addAll(ASSETS.map((u) => new Request(u, { cache: "reload" }))))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("wasmcnn-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET" || new URL(req.url).origin !== self.location.origin) return;
  // Cache first: the page, the engine and the model are all in the cache once
  // installed; anything else goes to the network.
  event.respondWith(caches.open(CACHE).then(async (c) => {
    const hit = await c.match(req, { ignoreSearch: true });
    if (hit) return hit;
    const res = await fetch(req);
    const url = new URL(req.url);
    url.search = "";
    if (res.ok && LAZY.has(url.href)) event.waitUntil(c.put(url.href, res.clone()));
    return res;
  }));
});

self.addEventListener("message", (event) => {
  if (event.data === "version" && event.source) event.source.postMessage({ version: VERSION });
});
