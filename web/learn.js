// learn.js: the lesson page, a convolution made interactive. No
// framework. Every number it shows comes from the wasmcnn engine
// (wasmcnn.conv2d, relu, maxPool2d, avgPool2d, dense, softmax): this file
// only holds the person's inputs and lays the engine's answers out. Even a
// window's products are the engine's: a grouped 1×1 convolution with one
// group per tap multiplies each value by its weight. A module: it imports
// the API.
import wasmcnn from "./wasmcnn.mjs";

(function () {
  const $ = (id) => document.getElementById(id);
  const st = {
    n: 7, input: null, k: 3, kernel: null, bias: 0,
    pad: "valid", padn: 1, stride: 1, relu: false,
    pos: 0, timer: 0, psize: 2, pstride: 0,
    seed: 1, unit: 0, weights: null, dbias: null,
  };
  let res = null; // the engine's answers for the current inputs

  // ---- Inputs ----
  const patterns = {
    seven: (n) => grid(n, (r, c) => (r === 1 && c >= 1 && c <= n - 2) || (r >= 2 && c === n - 2 - Math.floor((r - 1) / 2)) ? 1 : 0),
    cross: (n) => grid(n, (r, c) => r === c || r + c === n - 1 ? 1 : 0),
    square: (n) => grid(n, (r, c) => r >= 1 && r <= n - 2 && c >= 1 && c <= n - 2 && (r === 1 || r === n - 2 || c === 1 || c === n - 2) ? 1 : 0),
    diagonal: (n) => grid(n, (r, c) => r === c ? 1 : 0),
    ramp: (n) => grid(n, (r, c) => c / (n - 1)),
    random: (n) => { const rnd = rng(Date.now() >>> 0); return grid(n, () => Math.round(rnd() * 10) / 10); },
    zeros: (n) => grid(n, () => 0),
  };
  const kernels = {
    vertical: [[1, 0, -1], [1, 0, -1], [1, 0, -1]],
    horizontal: [[1, 1, 1], [0, 0, 0], [-1, -1, -1]],
    sobel: [[1, 0, -1], [2, 0, -2], [1, 0, -1]],
    outline: [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
    blur: [[1 / 9, 1 / 9, 1 / 9], [1 / 9, 1 / 9, 1 / 9], [1 / 9, 1 / 9, 1 / 9]],
    gauss: [[1 / 16, 2 / 16, 1 / 16], [2 / 16, 4 / 16, 2 / 16], [1 / 16, 2 / 16, 1 / 16]],
    sharpen: [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    identity: [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
  };
  function grid(n, f) {
    const a = new Float32Array(n * n);
    for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) a[r * n + c] = f(r, c);
    return a;
  }
  function rng(seed) { // mulberry32
    let s = seed >>> 0;
    return () => {
      s = (s + 0x6d2b79f5) >>> 0;
      let t = s;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  // kernelOf returns a preset at size k: 3×3 presets are centred in larger
  // kernels and cropped for smaller ones; blurs are spread evenly.
  function kernelOf(name, k) {
    if (name === "blur") return new Float32Array(k * k).fill(1 / (k * k));
    const src = kernels[name];
    const out = new Float32Array(k * k);
    if (!src) return out;
    const off = Math.floor((k - 3) / 2);
    for (let r = 0; r < k; r++) for (let c = 0; c < k; c++) {
      const sr = r - off, sc = c - off;
      if (sr >= 0 && sr < 3 && sc >= 0 && sc < 3) out[r * k + c] = src[sr][sc];
    }
    if (k === 1) out[0] = name === "identity" || name === "sharpen" ? 1 : src[1][1];
    return out;
  }
  function parse(text) {
    const t = String(text).trim().replace(",", ".").replace("\u2212", "-");
    if (t === "" || t === "-" || t === ".") return null;
    const v = Number(t);
    return Number.isFinite(v) && Math.abs(v) <= 1000 ? v : null;
  }
  const fmt = (v, d = 2) => {
    const s = (Math.abs(v) < 0.5 * 10 ** -d ? 0 : v).toFixed(d);
    return s.startsWith("-") ? "\u2212" + s.slice(1) : s;
  };

  // ---- Grids ----
  // shade colours a cell by its value: ink for positive values, blue for
  // negative ones, scaled by hi.
  function shade(el, v, hi) {
    const t = Math.max(-1, Math.min(1, hi > 0 ? v / hi : 0));
    if (t >= 0) {
      const l = Math.round(100 - 72 * t);
      el.style.background = `hsl(222 20% ${l}%)`;
      el.style.color = l < 55 ? "#fff" : "";
    } else {
      el.style.background = `hsl(212 80% ${Math.round(100 + 45 * t)}%)`;
      el.style.color = t < -0.6 ? "#fff" : "";
    }
  }
  // editGrid fills container with an n×m grid of text inputs bound to arr.
  function editGrid(container, arr, rows, cols, label, onChange) {
    container.textContent = "";
    container.style.gridTemplateColumns = `repeat(${cols}, var(--cell))`;
    const hi = Math.max(1e-6, ...Array.from(arr, Math.abs));
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      const inp = document.createElement("input");
      inp.type = "text";
      inp.inputMode = "decimal";
      inp.value = fmt(arr[i], Number.isInteger(arr[i]) ? 0 : 2);
      inp.dataset.r = r;
      inp.dataset.c = c;
      inp.setAttribute("aria-label", `${label} row ${r + 1}, column ${c + 1}`);
      shade(inp, arr[i], hi);
      inp.addEventListener("input", () => {
        const v = parse(inp.value);
        inp.classList.toggle("bad", v === null);
        inp.setAttribute("aria-invalid", v === null ? "true" : "false");
        if (v === null) return;
        arr[i] = v;
        shade(inp, v, Math.max(1e-6, ...Array.from(arr, Math.abs)));
        onChange();
      });
      container.appendChild(inp);
    }
  }
  // Arrow keys move between the cells of an editable grid.
  function arrowKeys(container) {
    container.addEventListener("keydown", (e) => {
      const t = e.target;
      if (!(t instanceof HTMLInputElement) || t.dataset.r === undefined) return;
      const r = +t.dataset.r, c = +t.dataset.c;
      let to = null;
      if (e.key === "ArrowUp") to = [r - 1, c];
      else if (e.key === "ArrowDown" || e.key === "Enter") to = [r + 1, c];
      else if (e.key === "ArrowLeft" && t.selectionStart === 0 && t.selectionEnd === 0) to = [r, c - 1];
      else if (e.key === "ArrowRight" && t.selectionStart === t.value.length) to = [r, c + 1];
      if (!to) return;
      const next = container.querySelector(`input[data-r="${to[0]}"][data-c="${to[1]}"]`);
      if (next) {
        e.preventDefault();
        next.focus();
        next.select();
      }
    });
  }
  // viewGrid fills container with read-only cells; cell(r, c) returns
  // {v, text, cls, title} or null for an empty cell.
  function viewGrid(container, rows, cols, cell, hi) {
    container.textContent = "";
    container.style.gridTemplateColumns = `repeat(${cols}, var(--cell))`;
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
      const d = document.createElement("div");
      d.className = "cell";
      d.dataset.r = r;
      d.dataset.c = c;
      const x = cell(r, c);
      if (x) {
        if (x.v !== undefined) {
          d.dataset.v = String(x.v);
          shade(d, x.v, hi);
        }
        d.textContent = x.text !== undefined ? x.text : fmt(x.v, Number.isInteger(x.v) ? 0 : 2);
        if (x.cls) d.classList.add(...x.cls.split(" "));
        if (x.title) d.title = x.title;
        if (x.edges) { // the window's outline, on the cells at its border
          const line = "#2f6fdd", sh = [];
          if (x.edges[0]) sh.push(`inset 0 3px 0 ${line}`);
          if (x.edges[1]) sh.push(`inset 0 -3px 0 ${line}`);
          if (x.edges[2]) sh.push(`inset 3px 0 0 ${line}`);
          if (x.edges[3]) sh.push(`inset -3px 0 0 ${line}`);
          if (sh.length) d.style.boxShadow = sh.join(", ");
        }
      }
      container.appendChild(d);
    }
  }
  const maxAbs = (a) => Math.max(1e-6, ...Array.from(a, Math.abs));

  // ---- The engine ----
  function convOptions() {
    const o = { strides: [st.stride, st.stride] };
    if (st.pad === "same") o.autoPad = "same";
    else o.pads = st.pad === "number" ? st.padn : 0;
    return o;
  }
  // compute asks the engine for everything the page shows.
  function compute() {
    const n = st.n, k = st.k;
    const x = { data: st.input, shape: [1, 1, n, n] };
    const w = { data: st.kernel, shape: [1, 1, k, k] };
    const b = { data: new Float32Array([st.bias]), shape: [1] };
    const r = { error: null };
    try {
      r.conv = wasmcnn.conv2d(x, w, b, convOptions());
    } catch (e) {
      r.error = e.message.replace(/^wasmcnn: /, "");
      return r;
    }
    const [, , oh, ow] = r.conv.shape;
    r.oh = oh; r.ow = ow;
    // The padding the engine applied: explicit, or what "same" needs for
    // the engine's output size (the odd one at the end, SAME_UPPER).
    if (st.pad === "same") {
      const total = Math.max(0, (oh - 1) * st.stride + k - n);
      r.pads = [Math.floor(total / 2), Math.floor(total / 2), total - Math.floor(total / 2), total - Math.floor(total / 2)];
    } else {
      const p = st.pad === "number" ? st.padn : 0;
      r.pads = [p, p, p, p];
    }
    r.map = st.relu ? wasmcnn.relu(r.conv) : r.conv;
    const ps = st.psize, pstride = st.pstride || st.psize;
    try {
      r.max = wasmcnn.maxPool2d(r.map, { kernel: ps, strides: pstride });
      r.avg = wasmcnn.avgPool2d(r.map, { kernel: ps, strides: pstride });
    } catch (e) {
      r.poolError = e.message.replace(/^wasmcnn: /, "");
      return r;
    }
    const flat = r.max.data;
    if (!st.weights || st.weights.length !== 3 * flat.length) newWeights(flat.length);
    r.flat = flat;
    r.dense = wasmcnn.dense({ data: flat, shape: [1, flat.length] }, { data: st.weights, shape: [3, flat.length] }, { data: st.dbias, shape: [3] });
    r.soft = wasmcnn.softmax(r.dense);
    // Each input's product with the weights of the explained output.
    const m = flat.length;
    r.dprod = wasmcnn.conv2d({ data: flat, shape: [1, m, 1, 1] }, { data: st.weights.slice(st.unit * m, (st.unit + 1) * m), shape: [m, 1, 1, 1] }, null, { group: m });
    r.dsum = wasmcnn.dense({ data: flat, shape: [1, m] }, { data: st.weights.slice(st.unit * m, (st.unit + 1) * m), shape: [1, m] });
    return r;
  }
  function newWeights(m) {
    const rnd = rng(st.seed);
    st.weights = new Float32Array(3 * m).map(() => Math.round((rnd() * 2 - 1) * 100) / 100);
    st.dbias = new Float32Array(3).map(() => Math.round((rnd() - 0.5) * 20) / 100);
  }
  // windowAt returns the kernel's window at output place p: its top-left
  // corner in padded coordinates and its values (zero in the padding).
  function windowAt(p) {
    const oy = Math.floor(p / res.ow), ox = p % res.ow, k = st.k, n = st.n;
    const y0 = oy * st.stride, x0 = ox * st.stride;
    const vals = new Float32Array(k * k);
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) {
      const r = y0 + i - res.pads[0], c = x0 + j - res.pads[1];
      vals[i * k + j] = r >= 0 && r < n && c >= 0 && c < n ? st.input[r * n + c] : 0;
    }
    return { oy, ox, y0, x0, vals };
  }

  // ---- Drawing ----
  function render() {
    res = compute();
    const size = $("l-outsize");
    if (res.error) {
      size.textContent = "The kernel does not fit: " + res.error;
      size.dataset.h = size.dataset.w = "";
      for (const id of ["l-padded", "l-output", "l-dot", "l-pin", "l-max", "l-avg", "l-dense", "l-dsum", "l-flat", "l-psizes"]) $(id).textContent = "";
      $("l-pos").textContent = "";
      return;
    }
    const n = st.n, k = st.k, s = st.stride, [pt, pl, pb, pr] = res.pads;
    size.dataset.h = res.oh;
    size.dataset.w = res.ow;
    const how = st.pad === "same" ? ` (same padding: ${pt} before, ${pb} after, so that ⌈${n}/${s}⌉ = ${Math.ceil(n / s)})` : "";
    size.textContent = `Output size: ⌊(n + p_before + p_after − k) / s⌋ + 1 = ⌊(${n} + ${pt} + ${pb} − ${k}) / ${s}⌋ + 1 = ${res.oh}, ` +
      `so the map is ${res.oh}×${res.ow}${how}. ${res.oh * res.ow} places, each one dot product of ${k * k} pairs.`;
    st.pos = Math.min(st.pos, res.oh * res.ow - 1);
    renderSlide();
    renderPool();
    renderDense();
  }
  function renderSlide() {
    const n = st.n, k = st.k, [pt, pl, pb, pr] = res.pads;
    const w = windowAt(st.pos);
    const rows = n + pt + pb, cols = n + pl + pr;
    const hiIn = maxAbs(st.input);
    viewGrid($("l-padded"), rows, cols, (r, c) => {
      const ir = r - pt, ic = c - pl;
      const inWin = r >= w.y0 && r < w.y0 + k && c >= w.x0 && c < w.x0 + k;
      const edges = inWin ? [r === w.y0, r === w.y0 + k - 1, c === w.x0, c === w.x0 + k - 1] : null;
      if (ir < 0 || ir >= n || ic < 0 || ic >= n) return { text: "0", cls: inWin ? "pad win" : "pad", title: "zero padding", edges };
      return { v: st.input[ir * n + ic], cls: inWin ? "win" : "", edges };
    }, hiIn);
    const map = res.map.data, hi = maxAbs(map);
    viewGrid($("l-output"), res.oh, res.ow, (r, c) => {
      const p = r * res.ow + c;
      if (p > st.pos) return { text: "·", cls: "todo" };
      return { v: map[p], cls: p === st.pos ? "cur" : "" };
    }, hi);
    $("l-pos").textContent = `place ${st.pos + 1} of ${res.oh * res.ow}: output row ${w.oy}, column ${w.ox}`;
    // The dot product at this place, from the engine: the products by a
    // grouped 1×1 convolution, their sum by a convolution without bias.
    const kk = k * k;
    const prods = wasmcnn.conv2d({ data: w.vals, shape: [1, kk, 1, 1] }, { data: st.kernel, shape: [kk, 1, 1, 1] }, null, { group: kk }).data;
    const sum = wasmcnn.conv2d({ data: w.vals, shape: [1, 1, k, k] }, { data: st.kernel, shape: [1, 1, k, k] }).data[0];
    const value = res.conv.data[st.pos], shown = map[st.pos];
    const dot = $("l-dot");
    dot.dataset.sum = String(sum);
    dot.dataset.value = String(value);
    dot.dataset.output = String(shown);
    dot.dataset.products = Array.from(prods).join(",");
    dot.textContent = "";
    const t = document.createElement("table");
    t.className = "dot-table";
    const row = (head, vals, cls) => {
      const tr = document.createElement("tr");
      const th = document.createElement("th");
      th.textContent = head;
      tr.appendChild(th);
      vals.forEach((v, i) => {
        const td = document.createElement("td");
        td.textContent = fmt(v);
        if (cls && cls[i]) td.className = cls[i];
        tr.appendChild(td);
      });
      t.appendChild(tr);
    };
    const padCls = Array.from(w.vals, (_, i) => {
      const r = w.y0 + Math.floor(i / k) - res.pads[0], c = w.x0 + (i % k) - res.pads[1];
      return r < 0 || r >= st.n || c < 0 || c >= st.n ? "pad" : "";
    });
    row("window", Array.from(w.vals), padCls);
    row("× kernel", Array.from(st.kernel));
    row("= product", Array.from(prods));
    const wrap = document.createElement("div");
    wrap.className = "dot-wrap";
    wrap.appendChild(t);
    dot.appendChild(wrap);
    const p = document.createElement("p");
    p.className = "dot-sum";
    let text = `sum of the ${kk} products = ${fmt(sum, 3)}, + bias ${fmt(st.bias, 3)} = ${fmt(value, 3)}`;
    if (st.relu) text += ` → ReLU → ${fmt(shown, 3)}`;
    p.textContent = text + ": the output at row " + w.oy + ", column " + w.ox + ".";
    dot.appendChild(p);
  }
  function renderPool() {
    const note = $("l-pnote");
    if (res.poolError) {
      note.textContent = "Pooling: " + res.poolError;
      for (const id of ["l-pin", "l-max", "l-avg", "l-dense", "l-dsum", "l-flat", "l-psizes"]) $(id).textContent = "";
      return;
    }
    note.textContent = "";
    const map = res.map.data, oh = res.oh, ow = res.ow;
    const hi = maxAbs(map);
    viewGrid($("l-pin"), oh, ow, (r, c) => ({ v: map[r * ow + c] }), hi);
    const [, , ph, pw] = res.max.shape;
    const ps = st.psize, s = st.pstride || st.psize;
    $("l-psizes").textContent = `⌊(${oh} − ${ps}) / ${s}⌋ + 1 = ${ph}: a ${ph}×${pw} map from the ${oh}×${ow} one.`;
    $("l-psizes").dataset.h = ph;
    $("l-psizes").dataset.w = pw;
    for (const [id, t, what] of [["l-max", res.max, "largest"], ["l-avg", res.avg, "mean"]]) {
      const el = $(id);
      viewGrid(el, ph, pw, (r, c) => ({ v: t.data[r * pw + c], title: `the ${what} of rows ${r * s}–${r * s + ps - 1}, columns ${c * s}–${c * s + ps - 1}` }), hi);
      for (const cell of el.children) {
        cell.tabIndex = 0;
        const show = () => {
          const r = +cell.dataset.r, c = +cell.dataset.c;
          for (const pc of $("l-pin").children) {
            const pr = +pc.dataset.r, pcc = +pc.dataset.c;
            const inside = pr >= r * s && pr < r * s + ps && pcc >= c * s && pcc < c * s + ps;
            pc.classList.toggle("win", inside);
            pc.classList.toggle("best", inside && id === "l-max" && Number(pc.dataset.v) === t.data[r * pw + c]);
          }
          note.textContent = `${id === "l-max" ? "Max" : "Average"} pooling, row ${r}, column ${c}: the ${what} of the outlined ${ps}×${ps} window = ${fmt(t.data[r * pw + c], 3)}.`;
        };
        cell.addEventListener("pointerenter", show);
        cell.addEventListener("focus", show);
        cell.addEventListener("click", show);
      }
    }
  }
  function renderDense() {
    if (!res.dense) return;
    const m = res.flat.length, out = res.dense.data, soft = res.soft.data;
    $("l-flat").textContent = `The max-pooled map flattened: ${m} values, [${Array.from(res.flat, (v) => fmt(v)).join(", ")}].`;
    const t = $("l-dense");
    t.textContent = "";
    t.dataset.weights = Array.from(st.weights).join(",");
    t.dataset.bias = Array.from(st.dbias).join(",");
    const head = document.createElement("tr");
    for (const h of ["output", "weighted sum + bias", "softmax"]) {
      const th = document.createElement("th");
      th.textContent = h;
      head.appendChild(th);
    }
    t.appendChild(head);
    ["A", "B", "C"].forEach((name, u) => {
      const tr = document.createElement("tr");
      tr.dataset.unit = u;
      tr.dataset.v = String(out[u]);
      tr.dataset.p = String(soft[u]);
      if (u === st.unit) tr.className = "cur";
      for (const s of [name, fmt(out[u], 3), (100 * soft[u]).toFixed(1) + "%"]) {
        const td = document.createElement("td");
        td.textContent = s;
        tr.appendChild(td);
      }
      t.appendChild(tr);
    });
    const prods = res.dprod.data;
    const terms = Array.from(prods, (p, i) => `${fmt(res.flat[i])}×${fmt(st.weights[st.unit * m + i])}`);
    const shown = terms.length > 16 ? terms.slice(0, 16).join(" + ") + " + …" : terms.join(" + ");
    const el = $("l-dsum");
    el.dataset.sum = String(res.dsum.data[0]);
    el.textContent = `Output ${"ABC"[st.unit]} = ${shown} = ${fmt(res.dsum.data[0], 3)}, + bias ${fmt(st.dbias[st.unit], 2)} = ${fmt(out[st.unit], 3)}.`;
  }

  // ---- Controls ----
  function setInput(arr, n) {
    st.n = n;
    st.input = arr;
    $("l-size").value = String(n);
    editGrid($("l-input"), st.input, n, n, "image", changed);
  }
  function setKernel(arr, k) {
    st.k = k;
    st.kernel = arr;
    $("l-ksize").value = String(k);
    editGrid($("l-kernel"), st.kernel, k, k, "weight", () => { $("l-kpreset").value = ""; changed(); });
  }
  function changed() {
    stop();
    render();
  }
  function stop() {
    if (st.timer) clearInterval(st.timer);
    st.timer = 0;
    $("l-play").textContent = "▶ play";
    $("l-play").setAttribute("aria-pressed", "false");
  }
  function step(by) {
    if (!res || res.error) return;
    const last = res.oh * res.ow - 1;
    st.pos = Math.max(0, Math.min(last, st.pos + by));
    renderSlide();
  }
  function play() {
    if (st.timer) { stop(); return; }
    if (!res || res.error) return;
    if (st.pos >= res.oh * res.ow - 1) st.pos = -1;
    $("l-play").textContent = "❚❚ pause";
    $("l-play").setAttribute("aria-pressed", "true");
    const tick = () => {
      if (st.pos >= res.oh * res.ow - 1) { stop(); return; }
      step(1);
    };
    tick();
    st.timer = setInterval(tick, 700);
  }
  // useDrawing takes the last drawing of the main page (28×28, kept by
  // store.js), 4×4-averaged by the engine.
  function useDrawing() {
    const msg = $("l-drawing-msg");
    const img = globalThis.wasmcnnStore && wasmcnnStore.lastDrawing();
    if (!img) {
      msg.textContent = "No drawing yet: draw a digit on the main page first; it keeps your last one for this page.";
      return;
    }
    const small = wasmcnn.avgPool2d({ data: img, shape: [1, 1, 28, 28] }, { kernel: 4 });
    setInput(Float32Array.from(small.data, (v) => Math.round(v * 100) / 100), 7);
    $("l-ipreset").value = "";
    msg.textContent = "Your drawing, each cell the mean of a 4×4 block of the 28×28 image the network saw.";
    changed();
  }

  function wire() {
    arrowKeys($("l-input"));
    arrowKeys($("l-kernel"));
    $("l-size").addEventListener("change", () => {
      const n = +$("l-size").value;
      const p = $("l-ipreset").value;
      setInput(patterns[p] ? patterns[p](n) : resize(st.input, st.n, n), n);
      changed();
    });
    $("l-ipreset").addEventListener("change", () => {
      const p = $("l-ipreset").value;
      if (patterns[p]) { setInput(patterns[p](st.n), st.n); changed(); }
    });
    $("l-drawing").addEventListener("click", useDrawing);
    $("l-ksize").addEventListener("change", () => {
      const k = +$("l-ksize").value;
      setKernel(kernelOf($("l-kpreset").value || "identity", k), k);
      if (!$("l-kpreset").value) $("l-kpreset").value = "identity";
      changed();
    });
    $("l-kpreset").addEventListener("change", () => {
      const p = $("l-kpreset").value;
      if (p) { setKernel(kernelOf(p, st.k), st.k); changed(); }
    });
    $("l-bias").addEventListener("input", () => {
      const v = parse($("l-bias").value);
      $("l-bias").classList.toggle("bad", v === null);
      if (v === null) return;
      st.bias = v;
      changed();
    });
    $("l-pad").addEventListener("change", () => {
      st.pad = $("l-pad").value;
      $("l-padn").disabled = st.pad !== "number";
      changed();
    });
    $("l-padn").addEventListener("input", () => {
      const v = Number($("l-padn").value);
      if (!Number.isInteger(v) || v < 0 || v > 4) return;
      st.padn = v;
      changed();
    });
    $("l-stride").addEventListener("change", () => { st.stride = +$("l-stride").value; st.pos = 0; changed(); });
    $("l-relu").addEventListener("change", () => { st.relu = $("l-relu").checked; changed(); });
    $("l-step").addEventListener("click", () => { stop(); step(1); });
    $("l-back").addEventListener("click", () => { stop(); step(-1); });
    $("l-reset").addEventListener("click", () => { stop(); st.pos = 0; renderSlide(); });
    $("l-play").addEventListener("click", play);
    $("l-psize").addEventListener("change", () => { st.psize = +$("l-psize").value; changed(); });
    $("l-pstride").addEventListener("change", () => { st.pstride = +$("l-pstride").value; changed(); });
    $("l-weights").addEventListener("click", () => { st.seed++; st.weights = null; changed(); });
    $("l-unit").addEventListener("change", () => { st.unit = +$("l-unit").value; changed(); });
  }
  // resize keeps the top-left of an image when its size changes.
  function resize(a, from, to) {
    return grid(to, (r, c) => (r < from && c < from ? a[r * from + c] : 0));
  }

  function fail(e) {
    $("l-engine").textContent = "The engine could not start: " + (e && e.message ? e.message : e);
    document.body.classList.add("failed");
  }
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("sw.js").catch(() => { /* offline support is optional */ });
  }
  wasmcnn.start("main.wasm").then(() => {
    $("l-engine").textContent = `Engine: wasmcnn ${wasmcnn.version}, pure Go compiled to WebAssembly (${wasmcnn.kernel} kernels).`;
    setInput(patterns.seven(7), 7);
    $("l-ipreset").value = "seven";
    setKernel(kernelOf("vertical", 3), 3);
    wire();
    render();
    document.body.dataset.ready = "";
  }).catch(fail);
})();
