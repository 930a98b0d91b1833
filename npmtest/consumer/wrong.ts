// wrong.ts: a call with an argument of the wrong type, which
// `tsc --noEmit --strict` must refuse on the line marked below (npmtest
// checks both that it fails and where).
import { loadModel } from "wasmcnn";

loadModel("models/digits.onnx"); // wrong: loadModel takes the model's bytes; loadModelURL takes a URL
