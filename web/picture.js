// picture.js gives a dropped model a picture instead of the drawing: an
// image file picked with input#picture-file or dropped on the page
// (own.js hands it here), or a snapshot of the camera (button#camera, the
// back camera on phones). The browser decodes the file
// (createImageBitmap, upright as its EXIF says) and this file copies its
// RGBA pixels once into the Go side, wasmcnnPage.setPicture, which
// prepares them for the model, shows the picture in the pad's place
// (body[data-input="picture"]) and runs the model; button#use-drawing goes
// back to the drawing (wasmcnnPage.useDrawing). select#picture-norm
// chooses how pixels become the model's numbers (wasmcnnPage.setNorm),
// kept with the model in IndexedDB through own.js. The Go side announces
// which input answers and whether the model takes pictures with the event
// wasmcnn-input. A picture that cannot be decoded, a camera refused or
// absent: a message, and the page answers with what it had. Plain script.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  // Pictures larger than this a side are shrunk by the browser first (its
  // best filter), to keep the copy into the engine's memory small.
  const MAX_SIDE = 4096;
  const MAX_BYTES = 64 << 20; // an image file larger is not read
  let stream = null; // the camera, while its view shows
  let pictures = false; // the model answering takes pictures

  const say = (s) => { $("picture-msg").textContent = s; };

  // give hands RGBA pixels to the Go side and says what it made of them.
  function give(rgba, w, h, name) {
    const r = wasmcnnPage.setPicture(rgba, w, h, name);
    say(r.ok ? r.message : r.reason);
    return r.ok;
  }

  // pixels draws an image (a bitmap or the camera's video) on a canvas of
  // w×h and returns its RGBA.
  function pixels(img, w, h) {
    const cv = document.createElement("canvas");
    cv.width = w;
    cv.height = h;
    const ctx = cv.getContext("2d", { willReadFrequently: true });
    ctx.drawImage(img, 0, 0, w, h);
    return ctx.getImageData(0, 0, w, h).data;
  }

  // take decodes an image file and gives it to the model answering.
  async function take(file) {
    const name = wasmcnnOwn.clean(file.name);
    if (!pictures) { say(`A picture goes to a model of your own: drop one first. ${name} was not read.`); return; }
    if (file.size > MAX_BYTES) { say(`${name} has ${(file.size / 1048576).toFixed(1)} MB; the page reads pictures of up to ${MAX_BYTES >> 20} MB. It was not read.`); return; }
    let bmp;
    try {
      bmp = await createImageBitmap(file);
      const side = Math.max(bmp.width, bmp.height);
      if (side > MAX_SIDE) {
        const k = MAX_SIDE / side;
        bmp.close();
        bmp = await createImageBitmap(file, { resizeWidth: Math.max(1, Math.round(bmp.width * k)), resizeHeight: Math.max(1, Math.round(bmp.height * k)), resizeQuality: "high" });
      }
    } catch (e) {
      say(`${name} could not be read as a picture (${e && e.message ? e.message : e}); the page answers as before.`);
      return;
    }
    try { give(pixels(bmp, bmp.width, bmp.height), bmp.width, bmp.height, name); } finally { bmp.close(); }
  }

  // cameraError says why the camera did not start, for people.
  function cameraError(e) {
    const n = e && e.name;
    if (n === "NotAllowedError" || n === "SecurityError") return "The camera was not allowed, so the page answers as before. Allow it in the browser's settings for this site to take a picture.";
    if (n === "NotFoundError" || n === "OverconstrainedError" || n === "DevicesNotFoundError") return "No camera was found, so the page answers as before.";
    if (n === "NotReadableError" || n === "AbortError") return "The camera is busy (another app may be using it), so the page answers as before.";
    return `The camera could not start (${e && e.message ? e.message : e}); the page answers as before.`;
  }

  async function startCamera() {
    if (stream) return;
    if (!navigator.mediaDevices || typeof navigator.mediaDevices.getUserMedia !== "function") {
      say("This browser gives the page no camera (it needs a camera and a secure, https page), so the page answers as before.");
      return;
    }
    say("Starting the camera…");
    try {
      // The back camera on phones; any camera elsewhere.
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false });
    } catch (e) {
      stream = null;
      say(cameraError(e));
      return;
    }
    const v = $("camera-video");
    v.srcObject = stream;
    try { await v.play(); } catch (e) { /* muted inline video plays; the snapshot waits for a frame */ }
    document.body.classList.add("camera");
    $("camera-view").hidden = false;
    say("Point the camera, then take the picture (Enter), or cancel (Esc).");
    $("camera-snap").focus();
  }

  function stopCamera() {
    if (stream) for (const t of stream.getTracks()) t.stop();
    stream = null;
    $("camera-video").srcObject = null;
    $("camera-view").hidden = true;
    document.body.classList.remove("camera");
  }

  function snap() {
    const v = $("camera-video");
    const w = v.videoWidth, h = v.videoHeight;
    if (!stream || !w || !h) { say("The camera has no picture yet; try again in a moment."); return; }
    const rgba = pixels(v, w, h);
    stopCamera();
    give(rgba, w, h, "the camera's picture");
    $("camera").focus();
  }

  // show follows what the Go side announces: whether the model answering
  // takes pictures, and whether a picture answers.
  function show(input, takes) {
    pictures = takes;
    $("picture-file").disabled = !takes;
    $("camera").disabled = !takes;
    $("picture-norm").disabled = !takes;
    $("picture-tools").classList.toggle("off", !takes);
    $("use-drawing").hidden = input !== "picture";
    if (!takes && stream) stopCamera();
    const st = wasmcnnPage.state();
    if (st && takes) {
      $("picture-norm").value = st.norm;
      $("picture-norm-note").textContent = `Now: ${st.normSaid}.`;
    } else $("picture-norm-note").textContent = "";
  }

  function wire() {
    const file = $("picture-file");
    file.addEventListener("change", () => {
      const f = file.files && file.files[0];
      file.value = ""; // picking the same picture again reads it again
      if (f) take(f);
    });
    $("camera").addEventListener("click", startCamera);
    $("camera-snap").addEventListener("click", snap);
    $("camera-cancel").addEventListener("click", () => { stopCamera(); say("No picture taken; the page answers as before."); $("camera").focus(); });
    $("camera-view").addEventListener("keydown", (e) => {
      if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); $("camera-cancel").click(); }
    });
    $("use-drawing").addEventListener("click", () => {
      wasmcnnPage.useDrawing();
      say("Your drawing answers again.");
      $("pad").focus();
    });
    $("picture-norm").addEventListener("change", () => {
      const v = $("picture-norm").value;
      const r = wasmcnnPage.setNorm(v);
      if (!r.ok) { say(r.reason); return; }
      say(r.message);
      wasmcnnOwn.remember({ norm: v });
    });
    document.addEventListener("wasmcnn-input", (e) => {
      show(e.detail.input, !!e.detail.pictures);
      if (e.detail.message) say(e.detail.message);
    });
  }

  globalThis.wasmcnnPicture = {
    take,
    // start fills the normalisations from the Go side and arms the
    // controls, before the page says it is ready.
    start() {
      const sel = $("picture-norm");
      for (const { norm, label } of wasmcnnPage.norms()) {
        const o = document.createElement("option");
        o.value = norm;
        o.textContent = label;
        sel.appendChild(o);
      }
      wire();
      const st = wasmcnnPage.state();
      show(st.fed, st.source === "dropped");
    },
  };
})();
