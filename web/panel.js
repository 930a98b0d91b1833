// panel.js lays out, on the drawing page, what the engine explains: how one
// value of a map was made (the detail panel) and what a dropped model is
// (its summary, wasmcnnPanel.summary, which own.js calls). The Go side of
// the page decides what to explain and announces it with the event
// wasmcnn-detail, whose detail holds the object m.explain returns in the
// API (in its compact form); every number shown comes from it, and every
// colour from the Go side's colour maps (wasmcnnPage.colors()). Plain
// script, no modules.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const fmt = (v, d = 4) => {
    const s = (Math.abs(v) < 0.5 * 10 ** -d ? 0 : v).toFixed(d);
    return s.startsWith("-") ? "\u2212" + s.slice(1) : s;
  };
  const signed = (v) => (v >= 0 ? "+" : "") + fmt(v);
  const int = (v) => (v < 0 ? "\u2212" + -v : String(v));
  const span = (v) => (v.length === 1 ? int(v[0]) : `${int(v[0])} to ${int(v[v.length - 1])}`);
  const el = (tag, text, cls) => {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  };
  const hide = (e, h) => { e.hidden = h; };

  // The panel's own state: which input map's numbers are listed, chosen by
  // the person or else the one adding the most.
  let listed = { key: "", ch: -1, chosen: false };

  // colours: the maps' ramp for 0..1 and the diverging map for −1 to 1, as
  // tables of r, g, b bytes (ramp: 256 colours, i/255; diverging: 511,
  // (i−255)/255), the same the Go side paints the maps with.
  let colors = null;
  const pick = (table, i) => [table[3 * i], table[3 * i + 1], table[3 * i + 2]];
  function ramp(t) {
    colors = colors || wasmcnnPage.colors();
    return pick(colors.ramp, Math.round(255 * Math.max(0, Math.min(1, t))));
  }
  function diverging(t) {
    colors = colors || wasmcnnPage.colors();
    return pick(colors.diverging, Math.round(255 * (Math.max(-1, Math.min(1, t)) + 1)));
  }

  // tiles draws one cell per tap, every input map's window side by side
  // (16 a row): padding hatched (unless the values are weights), the mark
  // outlined, the listed map underlined.
  function tiles(cv, vals, e, mark, signedVals, under, weights) {
    const nch = Math.max(1, e.channels.length), kh = e.kernel[0], kw = e.kernel[1];
    const cs = kh * kw > 225 ? 2 : Math.min(Math.max(4, Math.floor(54 / Math.max(kh, kw))), 16), gap = 4;
    const cols = Math.min(nch, 16), rows = Math.ceil(nch / cols), tw = kw * cs, th = kh * cs;
    const w = cols * (tw + gap) - gap, h = rows * (th + gap + 2) - gap;
    cv.width = w;
    cv.height = h;
    const img = new ImageData(w, h), px = img.data;
    let hi = 1e-6;
    for (const v of vals) hi = Math.max(hi, Math.abs(v));
    const set = (x, y, c) => { const o = 4 * (y * w + x); px[o] = c[0]; px[o + 1] = c[1]; px[o + 2] = c[2]; px[o + 3] = 255; };
    const taps = kh * kw;
    for (let t = 0; t < vals.length; t++) {
      const ch = Math.floor(t / taps), i = Math.floor(t / kw) % kh, j = t % kw;
      const x0 = (ch % cols) * (tw + gap) + j * cs, y0 = Math.floor(ch / cols) * (th + gap + 2) + i * cs;
      const pad = e.padded[t] === 1 && !weights;
      const c = pad ? null : signedVals || vals[t] < 0 ? diverging(vals[t] / hi) : ramp(vals[t] / hi);
      for (let y = 0; y < cs; y++) for (let x = 0; x < cs; x++) {
        let cc = pad ? ((x + y) % 4 === 0 ? [120, 126, 140] : [58, 62, 72]) : c;
        if (cs >= 6 && (x === cs - 1 || y === cs - 1)) cc = cc.map((v) => v / 2);
        if (t === mark && (x < 2 || y < 2 || x >= cs - 2 || y >= cs - 2)) cc = [255, 255, 255];
        set(x0 + x, y0 + y, cc);
      }
    }
    if (nch > 1 && under >= 0) {
      const x0 = (under % cols) * (tw + gap), y0 = Math.floor(under / cols) * (th + gap + 2) + th + 1;
      for (let x = 0; x < tw; x++) set(x0 + x, y0, [47, 111, 221]);
    }
    cv.getContext("2d").putImageData(img, 0, 0);
    cv.style.width = Math.max(w, Math.min(3 * w, 144)) + "px"; // small windows drawn larger
  }

  // numbers lists the window of input map c: each tap's input, and with
  // weights its weight and product.
  function numbers(table, e, c, weighted) {
    table.textContent = "";
    const kh = e.kernel[0], kw = e.kernel[1], taps = kh * kw;
    if (taps > 225) return false;
    for (let i = 0; i < kh; i++) {
      const tr = el("tr");
      for (let j = 0; j < kw; j++) {
        const t = c * taps + i * kw + j;
        const td = el("td");
        if (e.padded[t]) {
          td.className = "pad";
          td.textContent = "pad";
          td.title = `zero padding: row ${e.rows[i]}, column ${e.cols[j]}`;
        } else {
          if (t === e.winner) td.className = "win";
          td.appendChild(el("span", fmt(e.window.data[t], 3)));
          if (weighted) {
            td.appendChild(el("span", "× " + fmt(e.weights.data[t], 3), "op"));
            td.appendChild(el("span", "= " + fmt(e.products.data[t], 3), "op"));
          }
        }
        tr.appendChild(td);
      }
      table.appendChild(tr);
    }
    return true;
  }

  function geometry(e) {
    const [kh, kw] = e.kernel, [sh, sw] = e.strides, [dh, dw] = e.dilations, [pt, pl, pb, pr] = e.pads;
    let s = `${kh}×${kw}` + (sh === sw ? `, stride ${sh}` : `, strides ${sh}×${sw}`);
    if (dh > 1 || dw > 1) s += `, dilation ${dh}×${dw}`;
    if (pt + pl + pb + pr === 0) s += ", no padding (valid)";
    else if (pt === pb && pl === pr && pt === pl) s += `, padding ${pt} on every side`;
    else s += `, padding ${pt} top, ${pl} left, ${pb} bottom, ${pr} right`;
    return s;
  }

  const opNames = { Relu: "ReLU, max(0, ·)", BatchNormalization: "batch norm", Sigmoid: "sigmoid", Tanh: "tanh", Clip: "clip" };
  function sumLine(e, ctx) {
    let s;
    const inside = e.padded.length - e.padded.reduce((a, b) => a + b, 0);
    if (e.op === "MaxPool" || e.op === "GlobalMaxPool") {
      s = `The largest of the ${inside} values in the window`;
      if (e.winner !== undefined) {
        const kw = e.kernel[1], kh = e.kernel[0];
        s += ` (input row ${e.rows[Math.floor(e.winner / kw) % kh]}, column ${e.cols[e.winner % kw]}, outlined)`;
      }
      s += ": " + fmt(e.value);
    } else if (e.op === "AveragePool" || e.op === "GlobalAveragePool") {
      s = `Their sum ${fmt(e.sum)} ÷ ${e.count} = ${fmt(e.value)}`;
    } else {
      s = `Σ of the ${e.products.data.length} products = ${fmt(e.sum)}`;
      if (e.scale !== 1) s += `, × ${fmt(e.scale)}`;
      s += ` + bias ${fmt(e.bias)} = ${fmt(e.value)}`;
    }
    for (const t of e.then) {
      let op = opNames[t.op] || t.op;
      if (t.op === "Add" || t.op === "Sub" || t.op === "Mul" || t.op === "Div") op = { Add: "+ ", Sub: "− ", Mul: "× ", Div: "÷ " }[t.op] + fmt(t.operand);
      if (t.op === "LeakyRelu") op = `LeakyReLU (α ${fmt(t.operand, 3)})`;
      s += ` → ${op} → ${fmt(t.value)}`;
    }
    if (ctx.prob !== undefined) {
      s += ` → softmax over the ${ctx.units} outputs → ${(100 * ctx.prob).toFixed(1)}%`;
      // A model with a verdict rule shows its probabilities calibrated.
      if (ctx.calibrated !== undefined) s += ` → calibrated (temperature ${ctx.temperature.toFixed(3)}) → ${(100 * ctx.calibrated).toFixed(1)}%`;
      return s;
    }
    if (Math.abs(e.output - e.map) <= 1e-5 * (1 + Math.abs(e.map))) return s + ", the map's value here ✓";
    return s + `; the map shows ${fmt(e.map, 6)}`;
  }

  // detail shows explanation e (an object of m.explain) in the panel; ctx
  // names the layer ({layer, maps, units, label, prob, calibrated, temperature}), or gives a message
  // instead ({layer, message}).
  function detail(e, ctx) {
    const root = $("detail");
    const parts = ["detail-geom", "detail-xfig", "detail-wfig", "detail-pfig", "detail-in-label", "detail-table", "detail-note", "detail-top"].map($);
    if (!e) {
      for (const p of parts) hide(p, true);
      $("detail-title").textContent = ctx.layer;
      $("detail-sum").textContent = ctx.message;
      delete root.dataset.value;
      return;
    }
    for (const p of parts) hide(p, false);
    for (const k of ["sum", "bias", "value", "output", "map"]) root.dataset[k] = String(e[k]);
    const dense = e.op === "Gemm" || e.op === "MatMul";
    const place = dense ? (ctx.label !== undefined ? `${ctx.label} (output ${e.channel})` : `output ${e.channel}`) : `map ${e.channel}, row ${e.y}, column ${e.x}`;
    $("detail-title").textContent = `${ctx.layer} · ${place}`;
    const top = $("detail-top"), note = $("detail-note"), table = $("detail-table");
    top.textContent = "";
    note.textContent = "";
    if (dense) {
      hide($("detail-xfig"), true); hide($("detail-wfig"), true); hide($("detail-pfig"), true); hide($("detail-in-label"), true);
      const n = e.window.data.length;
      $("detail-geom").textContent = `Fully connected: each of the ${ctx.units} outputs is a weighted sum of all ${n} inputs ` +
        "(the values before it, flattened) plus a bias. The largest contributions to this one:";
      const order = Array.from(e.products.data.keys()).sort((a, b) => Math.abs(e.products.data[b]) - Math.abs(e.products.data[a]));
      const shown = order.slice(0, 10);
      table.textContent = "";
      const head = el("tr");
      for (const h of ["input", "value", "× weight", "= product"]) head.appendChild(el("th", h));
      table.appendChild(head);
      let rest = 0;
      for (const i of order.slice(10)) rest += e.products.data[i];
      for (const i of shown) {
        const tr = el("tr");
        for (const s of [String(i), fmt(e.window.data[i]), fmt(e.weights.data[i]), signed(e.products.data[i])]) tr.appendChild(el("td", s));
        table.appendChild(tr);
      }
      if (order.length > 10) {
        const tr = el("tr"), td = el("td", `the other ${order.length - 10} inputs together`);
        td.colSpan = 3;
        tr.appendChild(td);
        tr.appendChild(el("td", signed(rest)));
        table.appendChild(tr);
      }
    } else if (!e.weights) {
      const kind = { MaxPool: "Max pooling", AveragePool: "Average pooling", GlobalMaxPool: "Global max pooling", GlobalAveragePool: "Global average pooling" }[e.op];
      const [, , h, w] = e.inputShape;
      let g = `${kind}, window ${geometry(e)}, over input map ${e.channels[0]} of ${h}×${w}: rows ${span(e.rows)}, columns ${span(e.cols)}.`;
      if (e.op === "AveragePool") g += e.count === e.padded.length ? " Every tap counts, padding included." : " Only taps inside the input count.";
      $("detail-geom").textContent = g;
      hide($("detail-wfig"), true); hide($("detail-pfig"), true); hide($("detail-in-label"), true);
      tiles($("detail-window"), e.window.data, e, e.winner === undefined ? -1 : e.winner, false, -1);
      if (!numbers(table, e, 0, false)) note.textContent = "(The window is too large to list its numbers.)";
    } else {
      const [, , h, w] = e.inputShape, taps = e.kernel[0] * e.kernel[1], nch = e.channels.length;
      $("detail-geom").textContent = `Convolution, kernel ${geometry(e)}. Filter ${e.channel} reaches through ${nch} input map(s) of ` +
        `${h}×${w}; this place reads input rows ${span(e.rows)} and columns ${span(e.cols)} (outside 0–${h - 1} is zero padding, hatched).`;
      const part = new Float64Array(nch);
      e.products.data.forEach((p, i) => { part[Math.floor(i / taps)] += p; });
      const key = `${ctx.layer}/${e.channel}/${nch}`;
      if (listed.key !== key) listed = { key, ch: -1, chosen: false };
      if (!listed.chosen) {
        listed.ch = 0;
        part.forEach((v, i) => { if (Math.abs(v) > Math.abs(part[listed.ch])) listed.ch = i; });
      }
      const sel = $("detail-in");
      if (sel.dataset.key !== key) {
        sel.dataset.key = key;
        sel.textContent = "";
        e.channels.forEach((c, i) => { const o = el("option", `input map ${c}`); o.value = String(i); sel.appendChild(o); });
      }
      sel.value = String(listed.ch);
      hide($("detail-in-label"), nch < 2);
      tiles($("detail-window"), e.window.data, e, -1, false, listed.ch);
      tiles($("detail-weights"), e.weights.data, e, -1, true, listed.ch, true);
      tiles($("detail-products"), e.products.data, e, -1, true, listed.ch);
      if (!numbers(table, e, listed.ch, true)) note.textContent = "(The window is too large to list its numbers.)";
      if (nch > 1) {
        note.textContent = "Input maps that add the most to the sum:";
        const order = Array.from(part.keys()).sort((a, b) => Math.abs(part[b]) - Math.abs(part[a])).slice(0, 6);
        for (const i of order) top.appendChild(el("li", `input map ${e.channels[i]}: ${signed(part[i])}`));
      }
    }
    $("detail-sum").textContent = sumLine(e, ctx);
  }

  // The person picks the input map whose numbers are listed.
  let last = null;
  const sel = $("detail-in");
  if (sel) sel.addEventListener("change", () => {
    listed.ch = Number(sel.value);
    listed.chosen = true;
    if (last) detail(last.e, last.ctx);
  });

  // summary lists what a model is, from the object of m.info and how the
  // page feeds it (fed: {layout, c, h, w, shape, classes, labels, labelKey, file, bytes}, or null
  // for a model that cannot take the drawing).
  function summary(dl, info, fed) {
    dl.textContent = "";
    const shape = (s, names) => "[" + s.map((d, i) => (d === null ? (names && names[i]) || "?" : d)).join(", ") + "]";
    const rows = [
      ["File", `${fed.file}, ${fed.bytes.toLocaleString("en")} bytes`],
      ["Made by", `${info.producer.trim() || "not named"}; ONNX IR ${info.irVersion}, opset ${info.opset}`],
    ];
    for (const v of info.inputs) rows.push(["Input", `${v.name} ${shape(v.shape, v.dimNames)} ${v.type}`]);
    for (const v of info.outputs) rows.push(["Output", `${v.name} ${shape(v.shape, v.dimNames)} ${v.type}`]);
    const ops = info.ops.map((op) => (info.opCounts[op] > 1 ? `${op}×${info.opCounts[op]}` : op)).join(", ");
    rows.push(["Operators", `${info.nodes} nodes: ${ops}`]);
    rows.push(["Parameters", `${info.params.toLocaleString("en")} (${(info.params * 4 / 1024).toFixed(1)} KiB as float32)`]);
    if (fed.layout) {
      rows.push(["Cost", `${(info.macs / 1e6).toFixed(2)} M multiply-accumulates per image`]);
      rows.push(["Fed as", `${fed.layout}, ${fed.c}×${fed.h}×${fed.w} (shape [${fed.shape.join(", ")}])`]);
      let labels = `indexes 0–${fed.classes - 1} (no labels in the metadata)`;
      if (fed.labelKey) labels = fed.labels.slice(0, 12).join(", ") + (fed.labels.length > 12 ? ", …" : "") + ` (metadata "${fed.labelKey}")`;
      rows.push(["Classes", `${fed.classes}: ${labels}`]);
    }
    const d = (info.description || "").trim();
    if (d) rows.push(["Description", d.length > 200 ? d.slice(0, 199) + "…" : d]);
    for (const [k, v] of rows) {
      dl.appendChild(el("dt", k));
      dl.appendChild(el("dd", v));
    }
  }

  // The Go side announces what the panel shows: {explanation (compact, see
  // wasmcnn-runtime.mjs), layer, units, label, prob}, or {layer, message}.
  document.addEventListener("wasmcnn-detail", (ev) => {
    const { explanation: raw, ...ctx } = ev.detail;
    const e = raw ? wasmcnn._explanation(raw) : null;
    last = e ? { e, ctx } : null;
    detail(e, ctx);
  });

  globalThis.wasmcnnPanel = { summary };
})();
