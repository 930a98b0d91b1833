// samples.js: the package's MNIST samples (models/mnist-sample.bin: a label
// byte, then 28×28 pixel bytes, per digit) as model inputs, and the answers
// every test page reports to npmtest.

// inputs turns the samples file into one batch of inputs and their labels.
export function inputs(bytes) {
  const b = new Uint8Array(bytes), per = 1 + 28 * 28, n = b.length / per;
  const x = new Float32Array(n * 28 * 28), labels = [];
  for (let i = 0; i < n; i++) {
    labels.push(b[i * per]);
    for (let k = 0; k < 28 * 28; k++) x[i * 28 * 28 + k] = b[i * per + 1 + k] / 255;
  }
  return { x, labels };
}

// predictSamples runs the digit model on the samples, as a user would.
export function predictSamples(loadModel, modelBytes, sampleBytes) {
  const { x, labels } = inputs(sampleBytes);
  const m = loadModel(modelBytes);
  const out = m.predict(x);
  m.dispose();
  return { x, labels, out: Array.from(out) };
}
