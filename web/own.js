// own.js runs the drawing page's "your own model": a .onnx file picked with
// input#model-file or dropped anywhere on the page is read here (never
// uploaded), after a check of its size, and kept in IndexedDB (store.js)
// for the next visit until the person removes it, with its pixel scale,
// its pictures' normalisation and a labels file given for it
// (input#labels-file, or a .txt or .json dropped); the messages, buttons
// and the pixel-scale choice live here too. A picture dropped on the page
// goes to picture.js. The Go side of the page does the rest through
// wasmcnnPage: load(bytes, name, scale, {norm, labels, labelsName}) loads
// the model, fits it to the drawing, judges its pixel scale and makes it
// answer; setScale(scale), setLabels(text, name) and useShipped() change
// what answers; scales() lists the pixel scales with their labels. It
// announces a change of model with the event wasmcnn-model (with the
// reason when a dropped model failed). Plain script.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const KEY = "dropped-model"; // the record {name, bytes, scale, active, norm, labels, labelsName}
  const LIMIT = 64 << 20; // the bytes a model from JavaScript may have
  let stored = null; // {name, active} of the kept record
  let busy = false, auto = false, results = [];
  let labels = {}; // scale → its label, from the Go side

  const say = (s) => { $("model-msg").textContent = s; };
  const store = () => globalThis.wasmcnnStore;
  // clean makes a file name fit to show: no control or direction-override
  // characters, at most 80 characters.
  function clean(name) {
    const s = Array.from(String(name || "")).filter((c) => !/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.test(c));
    return s.length === 0 ? "model.onnx" : s.length > 80 ? s.slice(0, 80).join("") + "…" : s.join("");
  }
  // once runs one task at a time; a failure says what went wrong. A task
  // asked for while another runs (keeping a model in IndexedDB can take a
  // while after it answers) waits for it rather than being lost; of several
  // waiting, the latest wins, as the person's last choice is what they want.
  let waiting = null;
  async function once(task) {
    if (busy) { waiting = task; return; }
    busy = true;
    try {
      for (let next = task; next; next = waiting, waiting = null) {
        try { await next(); } catch (e) { say("Something went wrong: " + (e && e.message ? e.message : e)); }
      }
    } finally { busy = false; show(); }
  }
  // show updates the name, the buttons and the scale choice for the model
  // answering now.
  function show() {
    const st = globalThis.wasmcnnPage && wasmcnnPage.state();
    if (!st) return;
    // A personal model (web/teach.js) is the shipped one taught: the same pixels.
    const dropped = st.source === "dropped";
    $("model-name").textContent = st.name + ({ shipped: " (shipped)", dropped: " (your model)", personal: " (the shipped model, taught your handwriting)" }[st.source] || "");
    $("model-shipped").hidden = st.source === "shipped";
    $("model-remove").hidden = !stored;
    $("model-restore").hidden = !stored || (dropped && st.name === stored.name);
    $("model-restore").textContent = stored ? `Use ${stored.name} again` : "";
    const sel = $("model-scale");
    sel.disabled = !dropped;
    $("labels-file").disabled = !dropped;
    sel.dataset.chosen = st.scale;
    sel.value = dropped && auto ? "auto" : st.scale;
    let note = "";
    if (!dropped) note = `The ${st.source === "personal" ? "personal" : "shipped"} model takes pixels ${label(st.scale)}.`;
    else if (auto) {
      note = `auto: ${label(st.scale)}.`;
      if (results.length) note += " MNIST test digits read right: " + results.map((r) => `${r.right}/${r.of} at ${r.label}`).join(", ") + ".";
    }
    $("model-scale-note").textContent = note;
  }
  const label = (s) => labels[s] || s;
  // summary lists what the model is (panel.js lays it out).
  function summary(r) {
    const dl = $("model-summary");
    dl.hidden = !r.info;
    if (r.info) wasmcnnPanel.summary(dl, r.info, r.fed);
    else dl.textContent = "";
  }
  // use makes the model answer, with what was kept for it (opts: {norm,
  // labels, labelsName}); it reports whether it does.
  async function use(name, bytes, scale, opts) {
    const r = await wasmcnnPage.load(bytes, name, scale, opts || {});
    summary(r);
    if (!r.ok) {
      say(`${name} ${r.reason}. The shipped model still answers.`);
      return false;
    }
    auto = r.auto;
    results = r.results || [];
    say(`${name} answers your drawing. ${r.message}`);
    return true;
  }
  async function keep(name, bytes, scale) {
    if (!store()) return;
    try {
      await store().put(KEY, { name, bytes, scale, active: true });
      stored = { name, active: true };
    } catch (e) {
      say($("model-msg").textContent + ` It could not be kept for your next visit: ${e.message}`);
    }
  }
  // update changes the kept record; changes run one after another, each
  // reading what the one before wrote, so that none is lost.
  let updating = Promise.resolve();
  function update(change) {
    const done = updating.then(() => updateNow(change));
    updating = done.catch(() => {});
    return done;
  }
  async function updateNow(change) {
    if (!stored || !store()) return;
    try {
      const rec = await store().get(KEY);
      if (!rec || typeof rec !== "object") return;
      change(rec);
      await store().put(KEY, rec);
      stored.active = !!rec.active;
    } catch (e) { /* the choice is kept for this visit only */ }
  }
  async function loadFile(file) {
    const name = clean(file.name);
    if (file.size > LIMIT) {
      say(`${name} has ${(file.size / 1048576).toFixed(1)} MB; the page reads models of up to ${LIMIT >> 20} MB. It was not read; the shipped model still answers.`);
      return;
    }
    if (file.size === 0) { say(`${name} is empty.`); return; }
    const bytes = new Uint8Array(await file.arrayBuffer());
    if (bytes.length !== file.size) { say(`${name} changed while it was read; try again.`); return; }
    if (await use(name, bytes, "auto")) await keep(name, bytes, "auto");
  }
  // restore loads the kept model if it answered when the page was left (or
  // now is true); a record that cannot be read or loaded is removed.
  async function restore(now) {
    if (!store()) return;
    let rec;
    try { rec = await store().get(KEY); } catch (e) { return; }
    if (rec === undefined || rec === null) return;
    const bad = async (why) => {
      try { await store().delete(KEY); } catch (e) { /* gone with the storage */ }
      stored = null;
      say(`A model kept from an earlier visit ${why}, so it was removed.`);
    };
    if (typeof rec !== "object" || !(rec.bytes instanceof Uint8Array) || rec.bytes.length === 0 || rec.bytes.length > LIMIT || typeof rec.name !== "string") {
      await bad("was unreadable");
      return;
    }
    stored = { name: clean(rec.name), active: !!rec.active };
    if (!now && !stored.active) return;
    const scale = typeof rec.scale === "string" ? rec.scale : "auto";
    const opts = { norm: typeof rec.norm === "string" ? rec.norm : "model" };
    if (typeof rec.labels === "string") { opts.labels = rec.labels; opts.labelsName = String(rec.labelsName || "labels"); }
    if (!(await use(stored.name, rec.bytes, scale, opts))) {
      await bad(`no longer loads (${$("model-msg").textContent})`);
      return;
    }
    if (now) await update((r) => { r.active = true; });
  }

  // readLabels names the dropped model's classes from a labels file, and
  // keeps it with the model.
  async function readLabels(f) {
    const name = clean(f.name);
    if (f.size > 4 << 20) { say(`${name} has ${(f.size / 1048576).toFixed(1)} MB; a labels file has at most 4 MB. It was not read.`); return; }
    const text = await f.text();
    const r = await wasmcnnPage.setLabels(text, name);
    if (!r.ok) { say(r.reason); return; }
    summary(r);
    say(r.message);
    await update((rec) => { rec.labels = text; rec.labelsName = name; });
  }
  // kind says what a file dropped or picked is: a picture, labels or a model.
  function kind(f) {
    const n = String(f.name || "").toLowerCase();
    if (/^image\//.test(f.type) || /\.(jpe?g|png|gif|webp|bmp|avif|ico)$/.test(n)) return "picture";
    if (/\.(txt|json|csv|names|labels)$/.test(n) || /^text\//.test(f.type) || f.type === "application/json") return "labels";
    return "model";
  }
  function open(f) {
    const k = kind(f);
    if (k === "picture") wasmcnnPicture.take(f);
    else if (k === "labels") once(() => readLabels(f));
    else once(() => loadFile(f));
  }

  function wire() {
    const file = $("model-file");
    file.addEventListener("change", () => {
      const f = file.files && file.files[0];
      file.value = ""; // picking the same file again loads it again
      if (f) once(() => loadFile(f));
    });
    const labelsFile = $("labels-file");
    labelsFile.addEventListener("change", () => {
      const f = labelsFile.files && labelsFile.files[0];
      labelsFile.value = "";
      if (f) once(() => readLabels(f));
    });
    $("model-scale").addEventListener("change", () => {
      const v = $("model-scale").value;
      once(async () => {
        const r = await wasmcnnPage.setScale(v);
        if (!r.ok) { say(r.reason); return; }
        auto = r.auto;
        results = r.results || [];
        say(r.message);
        await update((rec) => { rec.scale = v; });
      });
    });
    $("model-shipped").addEventListener("click", () => once(async () => {
      wasmcnnPage.useShipped();
      say("The shipped model answers again.");
      await update((rec) => { rec.active = false; });
    }));
    $("model-restore").addEventListener("click", () => once(() => restore(true)));
    $("model-remove").addEventListener("click", () => once(async () => {
      try { await store().delete(KEY); } catch (e) { say(`Your model could not be removed from this browser: ${e.message}`); return; }
      const name = stored ? stored.name : "Your model";
      stored = null;
      wasmcnnPage.useShipped();
      summary({});
      say(`${name} is removed from this browser. The shipped model answers.`);
    }));
    // Dropping a file anywhere on the page.
    let depth = 0;
    const drop = $("drop");
    const files = (e) => e.dataTransfer && Array.from(e.dataTransfer.types || []).includes("Files");
    document.addEventListener("dragenter", (e) => { if (files(e)) { e.preventDefault(); depth++; drop.hidden = false; } });
    document.addEventListener("dragover", (e) => { if (files(e)) { e.preventDefault(); e.dataTransfer.dropEffect = "copy"; } });
    document.addEventListener("dragleave", (e) => { if (files(e) && --depth <= 0) { depth = 0; drop.hidden = true; } });
    document.addEventListener("drop", (e) => {
      depth = 0;
      drop.hidden = true;
      const list = e.dataTransfer && e.dataTransfer.files;
      if (!list || list.length === 0) return;
      e.preventDefault();
      if (list.length > 1) say(`One file at a time: reading ${clean(list[0].name)} only.`);
      open(list[0]);
    });
    // The Go side says when the model answering changes; while a task of
    // this file runs, its end shows the outcome at once. A dropped model
    // that stopped answering is no longer the one answering.
    document.addEventListener("wasmcnn-model", (e) => {
      if (e.detail && e.detail.reason) say(`${e.detail.reason} The shipped model answers again.`);
      if (!busy) show();
    });
  }

  globalThis.wasmcnnOwn = {
    clean,
    // remember keeps fields (a pictures' normalisation) with the kept model.
    remember(fields) { return update((rec) => Object.assign(rec, fields)); },
    // start runs once the shipped model answers, before the page says it
    // is ready: the kept model, if it answered when the page was left,
    // answers again.
    async start() {
      // The pixel scales and their labels come from the Go side.
      const sel = $("model-scale");
      for (const { scale, label } of wasmcnnPage.scales()) {
        labels[scale] = label;
        const o = document.createElement("option");
        o.value = scale;
        o.textContent = label;
        sel.appendChild(o);
      }
      wire();
      busy = true;
      try { await restore(false); } catch (e) { say("The kept model could not be restored: " + e.message); }
      finally { busy = false; show(); }
    },
  };
})();
