// Types of wasmcnn.mjs, the wasmcnn JavaScript API (docs/api.md is the
// reference). Written by hand: the package is plain JavaScript, and these
// types are what editors and `tsc` check its callers against.

/** A tensor: row-major values and their shape, e.g. [N, C, H, W]. */
export interface Tensor {
  data: Float32Array;
  shape: number[];
}

/** Where a build comes from: a URL, a Response, a compiled module, or a Promise of one of those. */
export type WasmSource = string | URL | Response | WebAssembly.Module | PromiseLike<Response | WebAssembly.Module>;

/** Download progress: bytes so far and in all (0 when the server does not say). */
export type ProgressCallback = (loaded: number, total: number) => void;

/** Where a start went, in milliseconds (compiled while downloading, the first two are one figure). */
export interface Startup {
  download: number;
  compile: number;
  init: number;
}

/** The module's state, for finding leaks. */
export interface Stats {
  models: number;
  funcs: number;
  heapBytes: number;
  sysBytes: number;
  heapSysBytes: number;
  stackSysBytes: number;
  gcCycles: number;
  memoryBytes?: number;
  jsRefs?: number;
}

/** A number for both spatial axes, or [height, width]. */
export type Pair = number | [number, number];
/** Padding: one number for every side, or [top, left, bottom, right]. */
export type Pads = number | [number, number, number, number];
/** ONNX's auto_pad, in either spelling. */
export type AutoPad = "valid" | "same" | "same_upper" | "same_lower" | "VALID" | "SAME_UPPER" | "SAME_LOWER";

export interface Conv2DOptions {
  strides?: Pair;
  pads?: Pads;
  dilations?: Pair;
  group?: number;
  autoPad?: AutoPad;
}

export interface MaxPool2DOptions {
  kernel: Pair;
  /** Defaults to the kernel. */
  strides?: Pair;
  pads?: Pads;
  dilations?: Pair;
  ceilMode?: boolean;
  autoPad?: AutoPad;
}

export interface AvgPool2DOptions {
  kernel: Pair;
  /** Defaults to the kernel. */
  strides?: Pair;
  pads?: Pads;
  dilations?: Pair;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  autoPad?: AutoPad;
}

export interface LoadModelOptions {
  /** The model's external data files, by the names its tensors give. */
  externalData?: Record<string, Uint8Array>;
}

/** A graph input or output of a model. */
export interface ValueInfo {
  name: string;
  /** null where the model leaves a dimension open. */
  shape: (number | null)[];
  /** The names of the dimensions ("" where a dimension has none). */
  dimNames: string[];
  type: string;
}

/** What a model is: its inputs and outputs, ops and cost. */
export interface ModelInfo {
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  /** The first input's shape (null where a dimension is open); null for a model without inputs. */
  inputShape: (number | null)[] | null;
  outputShape: (number | null)[] | null;
  ops: string[];
  opCounts: Record<string, number>;
  nodes: number;
  params: number;
  macs: number;
  producer: string;
  irVersion: number;
  opset: number;
  description: string;
  metadata: Record<string, string>;
}

/**
 * One input of Model.run: a Float32Array for a float input; for an integer
 * one, an integer typed array or a Float32Array of whole numbers.
 */
export interface Feed {
  data: Float32Array | Uint8Array | Int8Array | Uint16Array | Int16Array | Int32Array | Uint32Array | BigInt64Array;
  shape: number[];
}

/** One output of Model.run, with its ONNX element type ("float", "int64", …). */
export interface RunOutput extends Tensor {
  type: string;
}

/** One node's output in the last predict: a feature map. */
export interface LayerOutput extends Tensor {
  name: string;
  op: string;
}

/** Where a prediction's time went, node by node. */
export interface ProfileStep {
  name: string;
  op: string;
  ms: number;
}

/** What a digit model carrying a verdict rule says of one drawing (docs/api.md, "The verdict"). */
export interface Verdict {
  verdict: "digit" | "unsure" | "not-a-digit";
  /** The best digit; null for "not-a-digit". */
  digit: number | null;
  /** The two best, best first, for "unsure" only. */
  candidates: [number, number] | null;
  /** Calibrated: softmax(log p / temperature). */
  probabilities: Float32Array;
  /** The two best calibrated probabilities added. */
  score: number;
}

/** An element-wise node after the explained one: activation, batch norm, a bias Add. */
export interface ExplanationStep {
  node: string;
  op: string;
  operand: number;
  value: number;
}

/** How one output value of a Conv, pooling, Gemm or MatMul node was computed in the last predict. */
export interface Explanation {
  node: string;
  op: string;
  example: number;
  channel: number;
  y: number;
  x: number;
  inputShape: number[];
  /** Convolution and pooling only. */
  kernel?: [number, number];
  strides?: [number, number];
  dilations?: [number, number];
  pads?: [number, number, number, number];
  /** The input channels under the window. */
  channels: number[];
  /** The input row of each window row, and column of each window column; outside the input: padding. */
  rows: number[];
  cols: number[];
  /** The input values, 0 in the padding. */
  window: Tensor;
  /** 1 where a tap is padding. */
  padded: Uint8Array;
  /** null for pooling. */
  weights: Tensor | null;
  products: Tensor | null;
  sum: number;
  scale: number;
  bias: number;
  /** Average pooling: the values averaged. */
  count?: number;
  /** Max pooling: the index of the largest. */
  winner?: number;
  value: number;
  then: ExplanationStep[];
  output: number;
  map: number;
}

/** What a fine-tuning did. */
export interface FineTuned {
  lossBefore: number;
  lossAfter: number;
  correctBefore: number;
  correctAfter: number;
  examples: number;
  ms: number;
  /** The outputs of the model passed in and of the new one on options.evaluate. */
  evaluation?: { before: Float32Array; after: Float32Array };
}

/** A loaded ONNX model. */
export declare class Model {
  private constructor();
  readonly info: ModelInfo;
  readonly inputShape: (number | null)[] | null;
  readonly outputShape: (number | null)[] | null;
  readonly ops: string[];
  /** Set on the models fineTune returns. */
  fineTuned?: FineTuned;
  /** Runs the model on x, whole examples of the input shape; out, if given, receives the output. */
  predict(x: Float32Array, out?: Float32Array): Float32Array;
  /** Runs a model of several (or integer) inputs by name; every output of the model by name. */
  run(feeds: Record<string, Feed>): Record<string, RunOutput>;
  /** Every node's output in the last predict. */
  layerOutputs(): LayerOutput[];
  /** How output (channel, y, x) of a node (a name or an index into layerOutputs()) was made in the last predict. */
  explain(node: string | number, channel: number, y: number, x: number, example?: number): Explanation;
  /** Each node's milliseconds per run, over runs runs on x. */
  profile(x: Float32Array, runs: number): ProfileStep[];
  /**
   * The verdict rule in the model's metadata applied to one drawing's probabilities
   * (predict's output or an array of numbers); throws for a model that carries no rule.
   */
  verdict(probabilities: Float32Array | number[]): Verdict;
  /** A copy of the model's ONNX file: the bytes it was loaded from. */
  toONNX(): Uint8Array;
  dispose(): void;
}

/** A model loaded in several Web Workers (see loadModelWorkers). */
export declare class WorkerModel {
  private constructor();
  readonly info: ModelInfo;
  readonly kernel: string;
  /** Splits the batch in x across the workers; the answers come in order. */
  predict(x: Float32Array): Promise<Float32Array>;
  dispose(): void;
}

export interface WorkerOptions {
  /** 1 to 16; 2 by default. */
  workers?: number;
  /** The library build; lib/wasmcnn.wasm beside the module by default. */
  wasmURL?: string | URL;
}

export interface FineTuneOptions {
  /** 1–10000; 60. */
  steps?: number;
  /** Layers with weights trained, from the output; 1. */
  trainLayers?: number;
  /** Each example and copies−1 distortions of it; 4. */
  copies?: number;
  /** Scale of the distortions, 0–4; 1. */
  augment?: number;
  /** (0, 1]; 0.01. */
  lr?: number;
  /** 1–1024; 32. */
  batchSize?: number;
  /** Replayed digits per step, 0–1024; 16. */
  replayBatch?: number;
  /** [0, 1); 0.05. */
  labelSmoothing?: number;
  /** Pull towards the starting weights, 0–1e6; 0. */
  anchor?: number;
  /** 0–2³²−1; 1: the same call gives the same model. */
  seed?: number;
  /** The digits replayed so the model keeps reading everyone's: a URL, a replay file's bytes, or null for none. */
  replay?: string | URL | Uint8Array | ArrayBuffer | null;
  /** The training build; lib/wasmcnn-train.wasm beside the module by default. */
  wasmURL?: string | URL;
  /** Examples the worker runs through the model passed in and the new one (fineTuned.evaluation). */
  evaluate?: Float32Array;
  /** Aborting ends the worker and rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Fine-tuning progress, at most every 20 ms and at the last step. */
export type FineTuneProgress = (step: number, steps: number, loss: number) => void;

/** One class per example. */
export type Labels = number[] | Int32Array | Uint8Array;

/** Starts the runtime once (the library build beside the module when source is omitted); later calls return the same Promise. */
export declare function start(source?: WasmSource | null, onProgress?: ProgressCallback | null): Promise<Wasmcnn>;
/** Resolves once a runtime started. */
export declare let ready: Promise<Wasmcnn>;
/** The engine's version; undefined until ready. */
export declare let version: string | undefined;
/** The matrix kernel in use ("wasm-relaxed-simd-4x8", "wasm-simd-4x8" or "go"); undefined until ready. */
export declare let kernel: string | undefined;
/** The ONNX ops the engine runs; undefined until ready. */
export declare let supportedOps: string[] | undefined;
/** Where the start went; undefined until ready. */
export declare let startup: Startup | undefined;
/** Downloads url (resolved as fetch does; under Node, a file: URL or a path is read from disk). */
export declare function fetchBytes(url: string | URL, onProgress?: ProgressCallback | null): Promise<Uint8Array>;
export declare function conv2d(x: Tensor, w: Tensor, bias?: Tensor | null, options?: Conv2DOptions): Tensor;
export declare function maxPool2d(x: Tensor, options: MaxPool2DOptions): Tensor;
export declare function avgPool2d(x: Tensor, options: AvgPool2DOptions): Tensor;
/** x [N, in], w [out, in], bias [out]. */
export declare function dense(x: Tensor, w: Tensor, bias?: Tensor | null): Tensor;
export declare function relu(x: Tensor): Tensor;
export declare function softmax(x: Tensor, axis?: number): Tensor;
export declare function loadModel(bytes: Uint8Array | ArrayBuffer, options?: LoadModelOptions): Model;
export declare function loadModelURL(url: string | URL, onProgress?: ProgressCallback | null): Promise<Model>;
/** The size of the module's WebAssembly memory; 0 before the start. */
export declare function memoryBytes(): number;
export declare function stats(): Stats;
/** The model loaded in that many Web Workers; each batch split among them. */
export declare function loadModelWorkers(model: string | URL | Uint8Array | ArrayBuffer, options?: WorkerOptions | null): Promise<WorkerModel>;
/** Downloads and compiles the training build and downloads the replay file, so that a later fineTune starts at once. */
export declare function preloadFineTune(options?: FineTuneOptions | null): Promise<void>;
/** A new model: model fine-tuned to the examples, in a Web Worker with the training build. */
export declare function fineTune(
  model: Model | Uint8Array | ArrayBuffer,
  inputs: Float32Array,
  labels: Labels,
  options?: FineTuneOptions | null,
  onProgress?: FineTuneProgress | null,
): Promise<Model>;

/** The whole API as one object (the default export, and the global of wasmcnn.js). Its getters throw until ready. */
export interface Wasmcnn {
  readonly ready: Promise<Wasmcnn>;
  readonly version: string;
  readonly kernel: string;
  readonly supportedOps: string[];
  readonly startup: Startup | undefined;
  start: typeof start;
  fetchBytes: typeof fetchBytes;
  conv2d: typeof conv2d;
  maxPool2d: typeof maxPool2d;
  avgPool2d: typeof avgPool2d;
  dense: typeof dense;
  relu: typeof relu;
  softmax: typeof softmax;
  loadModel: typeof loadModel;
  loadModelURL: typeof loadModelURL;
  memoryBytes: typeof memoryBytes;
  stats: typeof stats;
  loadModelWorkers: typeof loadModelWorkers;
  preloadFineTune: typeof preloadFineTune;
  fineTune: typeof fineTune;
  Model: typeof Model;
  WorkerModel: typeof WorkerModel;
}

declare const wasmcnn: Wasmcnn;
export default wasmcnn;
