// teach.js runs the drawing page's "teach it your handwriting": the
// buttons button[data-teach="0"…"9"] (and the keys 0–9 after a drawing)
// keep the drawing as an example of that digit, its strokes and its 28×28
// input, in IndexedDB (store.js); button#learn fine-tunes the shipped model
// to the examples with wasmcnn.fineTune, in a Web Worker with the training
// build, while the pad keeps drawing; the personal model then answers and
// is kept too, with the shipped model it was built on. The Go side of the
// page does the rest through wasmcnnPage: strokes() reads the drawing,
// shipped() gives the shipped model's file, heldOut(labels) and
// countRight(outputs, labels) are the measure's rules, usePersonal(model)
// makes a model answer, useShipped() goes back. (The keys 0–9 are the Go
// side's: it presses these buttons while there is a drawing.) Plain script.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const EXAMPLES = "teach-examples"; // [{label, input: Float32Array(784), strokes: [Float32Array of x, y, …]}]
  const PERSONAL = "teach-personal"; // {bytes, base: {hash, size, name}, examples, result, active}
  const LEARNING = "teach-learning"; // {started}: set while learning, so a reload can say it was cut short
  const MAX_EXAMPLES = 1000;
  let examples = [];
  let personal = null; // {model (a wasmcnn model in this runtime), bytes, record}
  let busy = false;
  let started = false;

  // REPLAY is what fine-tuning replays beside the examples, one file after
  // the other: MNIST digits, so that the personal model keeps reading
  // everyone's digits, and non-digit drawings (label byte 10), so that it
  // keeps refusing what is no digit. Fetched once, when first needed.
  const REPLAY = ["models/mnist-replay.bin", "models/notdigit-replay.bin"];
  let replayBytes = null;
  async function replay() {
    if (!replayBytes) {
      const parts = await Promise.all(REPLAY.map((u) => wasmcnn.fetchBytes(new URL(u, document.baseURI).href)));
      const b = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) { b.set(p, at); at += p.length; }
      replayBytes = b;
    }
    return replayBytes;
  }

  const store = () => globalThis.wasmcnnStore;
  const say = (s) => { $("teach-msg").textContent = s; };
  const page = () => globalThis.wasmcnnPage;
  const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

  // hash identifies the shipped model a personal one was built on: FNV-1a
  // over its bytes, with its length.
  function hash(b) {
    let h = 0x811c9dc5;
    for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 0x01000193);
    return (h >>> 0).toString(16).padStart(8, "0") + "-" + b.length;
  }

  // counts returns how many examples of each digit are kept.
  function counts() {
    const c = new Array(10).fill(0);
    for (const e of examples) c[e.label]++;
    return c;
  }
  function show() {
    const c = counts();
    const box = $("teach-count");
    box.textContent = "";
    for (let d = 0; d < 10; d++) {
      const s = document.createElement("span");
      s.dataset.digit = String(d);
      s.textContent = `${d}: ${c[d]}`;
      if (c[d] === 0) s.className = "none";
      box.appendChild(s);
    }
    const total = document.createElement("strong");
    total.textContent = plural(examples.length, "example", "examples");
    box.appendChild(total);
    box.dataset.total = String(examples.length);
    const st = page() && page().state();
    const mine = !!(st && st.source === "personal");
    if (mine) document.body.setAttribute("data-personal", "");
    else document.body.removeAttribute("data-personal");
    $("learn").disabled = busy;
    $("export-model").hidden = !personal;
    $("teach-use").hidden = !personal || mine;
    $("forget").hidden = examples.length === 0 && !personal;
  }
  async function keep(key, value) {
    if (!store()) throw new Error("this browser keeps nothing (no IndexedDB)");
    await store().put(key, value);
  }
  async function drop(key) {
    if (store()) await store().delete(key);
  }

  // teach keeps the drawing as an example of digit d and clears the pad.
  async function teach(d) {
    const st = page() && page().state();
    const strokes = page() && page().strokes();
    if (!st || !strokes || strokes.length === 0) {
      say(`Draw a ${d} first, then press "It's a ${d}".`);
      return;
    }
    if (examples.length >= MAX_EXAMPLES) {
      say(`The page keeps up to ${MAX_EXAMPLES} examples; forget them to start again.`);
      return;
    }
    const ex = { label: d, input: Float32Array.from(st.digit), strokes: Array.from(strokes) };
    examples.push(ex);
    $("clear").click();
    const n = counts()[d];
    say(`Kept as ${plural(n, "example", "examples")} of ${d}.` + (examples.length === 1 ? " Teach a few of each digit it gets wrong, and some it gets right, then press Learn." : ""));
    show();
    if (wasmcnn.preloadFineTune) wasmcnn.preloadFineTune().catch(() => { /* tried again on Learn */ });
    try {
      await keep(EXAMPLES, examples);
    } catch (e) {
      say($("teach-msg").textContent + ` It could not be kept for your next visit: ${e.message}`);
    }
  }

  // split sets aside the examples the Go side holds out of learning, to
  // measure the personal model on drawings it did not learn from.
  function split() {
    const out = page().heldOut(examples.map((e) => e.label));
    if (out instanceof Error) throw out;
    return { train: examples.filter((e, i) => !out[i]), held: examples.filter((e, i) => out[i]) };
  }
  function batch(list) {
    const x = new Float32Array(784 * list.length);
    list.forEach((e, i) => x.set(e.input, 784 * i));
    return { x, y: list.map((e) => e.label) };
  }
  // right counts the examples of list that outputs p (a row each) read
  // right, by the Go side's rule.
  function right(p, list) {
    const n = page().countRight(p, list.map((e) => e.label));
    if (n instanceof Error) throw n;
    return n;
  }
  // shipped is the shipped model's file and where it comes from.
  function shipped() {
    const s = page().shipped();
    if (s instanceof Error) throw s;
    return s;
  }

  // learn fine-tunes the shipped model to every example (the personal
  // model) and, at the same time in a second worker, to all but the
  // held-out ones, to say how much it helps on drawings it has not seen.
  async function learn() {
    if (busy) return;
    const c = counts();
    const digits = c.filter((n) => n > 0).length;
    if (examples.length === 0) {
      say("Nothing to learn from yet: draw a digit and press the button with its number (or its key), a few times for each digit. The model answering is unchanged.");
      return;
    }
    if (digits < 2) {
      say(`Your examples are all ${examples[0].label}s: teach at least two different digits, or the model would learn to answer ${examples[0].label} for everything. The model answering is unchanged.`);
      return;
    }
    busy = true;
    document.body.setAttribute("data-learning", "");
    const bar = $("learn-progress"), loss = $("learn-loss");
    bar.hidden = false;
    bar.value = 0;
    loss.textContent = "";
    show();
    const t0 = performance.now();
    try { await keep(LEARNING, { started: Date.now() }); } catch (e) { /* nothing is kept anyway */ }
    try {
      say(`Learning from ${plural(examples.length, "example", "examples")}…`);
      const base = shipped();
      const { train, held } = split();
      const estimate = held.length > 0 && new Set(train.map((e) => e.label)).size >= 2;
      const all = batch(examples);
      const runs = estimate ? 2 : 1;
      const done = [0, 0];
      const progress = (run) => (step, steps, l) => {
        done[run] = step;
        bar.max = runs * steps;
        bar.value = done[0] + done[1];
        if (run === 0) loss.textContent = `step ${step} of ${steps}, loss ${l.toFixed(3)}`;
      };
      // One worker trains at a time, so that a core stays free for the pad
      // (on two cores, two trainings slow its frames down): first the
      // personal model, which then answers, then the estimate, whose worker
      // also runs the held-out examples through the shipped and the new
      // model. This thread only hears of their progress meanwhile.
      performance.mark("wasmcnn-learn-start");
      const mine = await wasmcnn.fineTune(base.bytes, all.x, all.y, { replay: await replay() }, progress(0));
      performance.mark("wasmcnn-learn-trained");
      // The swap to the new model gets a frame of its own.
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
      const bytes = mine.toONNX();
      const r = page().usePersonal(mine, "your personal model");
      if (!r.ok) {
        mine.dispose();
        throw new Error(r.reason);
      }
      if (personal) personal.model.dispose();
      personal = { model: mine, bytes, record: { bytes, base: { hash: hash(base.bytes), size: base.bytes.length, name: base.url }, examples: all.y.length, result: "", active: true } };
      performance.mark("wasmcnn-learn-done");
      const ms = performance.now() - t0;
      document.body.dataset.learnMs = ms.toFixed(0);
      say(`Learned in ${(ms / 1000).toFixed(1)} s: the page now answers with your personal model.` + (estimate ? " Measuring it on examples held out…" : ""));
      let heldOut = null;
      if (estimate) {
        try {
          const part = batch(train);
          const tuned = await wasmcnn.fineTune(base.bytes, part.x, part.y, { evaluate: batch(held).x, replay: await replay() }, progress(1));
          const ev = tuned.fineTuned.evaluation;
          heldOut = { n: held.length, before: right(ev.before, held), after: right(ev.after, held) };
          tuned.dispose();
        } catch (e) {
          heldOut = { error: e && e.message ? e.message : String(e) };
        }
        performance.mark("wasmcnn-learn-estimated");
      }
      const result = describe(heldOut, mine.fineTuned);
      personal.record.result = result;
      say(`Learned in ${(ms / 1000).toFixed(1)} s: the page now answers with your personal model.`);
      $("learn-result").textContent = result;
      try {
        await keep(PERSONAL, personal.record);
      } catch (e) {
        say($("teach-msg").textContent + ` It could not be kept for your next visit: ${e.message}`);
      }
    } catch (e) {
      say(`Learning failed: ${e && e.message ? e.message : e}. The model answering is unchanged.`);
    } finally {
      try { await drop(LEARNING); } catch (e) { /* harmless */ }
      busy = false;
      bar.hidden = true;
      document.body.removeAttribute("data-learning");
      show();
    }
  }
  function describe(heldOut, ft) {
    let s = "";
    if (heldOut && heldOut.error) {
      s = `It could not be measured on held-out examples (${heldOut.error}).`;
    } else if (heldOut) {
      s = `On ${plural(heldOut.n, "example", "examples")} held out of learning, the shipped model reads ${heldOut.before} right, yours ${heldOut.after}.`;
    } else {
      s = "Too few examples to hold some out and measure; teach at least two of a digit to see how much it helps.";
    }
    if (ft) s += ` It reads ${ft.correctAfter} of the ${ft.examples} examples it learned from right (the shipped model ${ft.correctBefore}).`;
    return s;
  }

  // usePersonal makes the kept personal model answer.
  function usePersonal() {
    if (!personal) return false;
    const r = page().usePersonal(personal.model, "your personal model");
    if (!r.ok) say(`Your personal model cannot answer: ${r.reason}`);
    return r.ok;
  }
  async function setActive(active) {
    if (!personal || personal.record.active === active) return;
    personal.record.active = active;
    try { await keep(PERSONAL, personal.record); } catch (e) { /* kept for this visit only */ }
  }

  function download() {
    if (!personal) return;
    const a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([personal.bytes], { type: "application/octet-stream" }));
    a.download = "wasmcnn-personal.onnx";
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  }

  async function forget() {
    if (busy) return;
    const st = page().state(), gone = personal;
    personal = null;
    if (st && st.source === "personal") page().useShipped();
    if (gone) gone.model.dispose();
    examples = [];
    $("learn-result").textContent = "";
    try {
      await Promise.all([drop(EXAMPLES), drop(PERSONAL), drop(LEARNING)]);
      say("Your examples and your personal model are deleted from this browser. The shipped model answers.");
    } catch (e) {
      say(`They are gone from this page, but could not be deleted from this browser: ${e.message}`);
    }
    show();
  }

  // restore reads what an earlier visit kept: the examples, and the
  // personal model if the shipped model is still the one it was built on.
  // Whatever cannot be read is removed, with a message.
  async function restore() {
    if (!store()) return;
    const notes = [];
    let rec, learning, kept;
    try {
      [kept, rec, learning] = await Promise.all([store().get(EXAMPLES), store().get(PERSONAL), store().get(LEARNING)]);
    } catch (e) {
      say(`What you taught on an earlier visit could not be read: ${e.message}`);
      return;
    }
    if (kept !== undefined) {
      examples = Array.isArray(kept) ? kept.filter((e) => e && Number.isInteger(e.label) && e.label >= 0 && e.label <= 9 &&
        e.input instanceof Float32Array && e.input.length === 784 && e.input.every(Number.isFinite)) : [];
      if (!Array.isArray(kept) || examples.length !== kept.length) notes.push(`${Array.isArray(kept) ? kept.length - examples.length : "Some"} unreadable examples were removed.`);
      if (examples.length > MAX_EXAMPLES) examples.length = MAX_EXAMPLES;
    }
    if (learning !== undefined) {
      notes.push("Learning was cut short the last time (the page was closed or reloaded before it finished); your examples are kept, press Learn to try again.");
      try { await drop(LEARNING); } catch (e) { /* harmless */ }
    }
    if (rec !== undefined) {
      const bad = async (why) => {
        try { await drop(PERSONAL); } catch (e) { /* gone with the storage */ }
        notes.push(why);
      };
      if (!rec || typeof rec !== "object" || !(rec.bytes instanceof Uint8Array) || !rec.base || typeof rec.base.hash !== "string") {
        await bad("Your personal model kept in this browser was unreadable, so it was removed; your examples are kept: press Learn to build it again.");
      } else if (rec.base.hash !== hash(shipped().bytes)) {
        await bad("The page's model was updated since you taught it, so your personal model (built on the older one) was removed; your examples are kept: press Learn to teach the new model.");
      } else {
        let model = null;
        try {
          model = wasmcnn.loadModel(rec.bytes);
        } catch (e) {
          await bad(`Your personal model kept in this browser is damaged (${e.message}), so it was removed; your examples are kept: press Learn to build it again.`);
        }
        if (model) {
          personal = { model, bytes: rec.bytes, record: rec };
          $("learn-result").textContent = typeof rec.result === "string" ? rec.result : "";
          if (rec.active !== false) {
            const r = page().usePersonal(model, "your personal model");
            if (r.ok) {
              notes.push(`Your personal model, learned from ${plural(rec.examples | 0, "example", "examples")}, answers.`);
            } else {
              personal = null;
              model.dispose();
              await bad(`Your personal model kept in this browser cannot answer (${r.reason}), so it was removed; your examples are kept: press Learn to build it again.`);
            }
          }
        }
      }
    }
    if (notes.length) say(notes.join(" "));
  }

  function wire() {
    for (const b of document.querySelectorAll("button[data-teach]")) {
      b.addEventListener("click", () => teach(Number(b.dataset.teach)));
    }
    $("learn").addEventListener("click", () => learn());
    $("export-model").addEventListener("click", download);
    $("forget").addEventListener("click", () => forget());
    $("teach-use").addEventListener("click", () => { if (usePersonal()) say("Your personal model answers again."); });
    // Which model answers: kept for the next visit when it changes.
    document.addEventListener("wasmcnn-model", () => {
      const st = page() && page().state();
      if (started && st) setActive(st.source === "personal");
      show();
    });
  }

  globalThis.wasmcnnTeach = {
    // start runs once the shipped model answers (and a dropped model kept
    // from an earlier visit was restored), before the page says it is
    // ready.
    async start() {
      wire();
      try { await restore(); } catch (e) { say("What you taught could not be restored: " + e.message); }
      started = true;
      show();
      if (examples.length && wasmcnn.preloadFineTune) wasmcnn.preloadFineTune().catch(() => {});
    },
  };
})();
