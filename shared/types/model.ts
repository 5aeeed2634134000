/** Plain descriptions of backends, models and their preprocessing (DTOs shared by engine, main, renderer, CLI). */

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface BackendInfo {
  /** The tfjs backend in use. */
  backend: BackendName;
  /** CPU or GPU for `tensorflow`; always CPU otherwise. */
  device: 'CPU' | 'GPU';
  /** Whether gradients can be computed (false on `wasm`). */
  canComputeGradients: boolean;
  /** TensorFlow C library version for `tensorflow`, null otherwise. */
  tfVersion: string | null;
  tfjsVersion: string;
  /** Which npm package provides the native backend, when it is used. */
  nativePackage: string | null;
  /** Whether oneDNN optimisations are on (native backend only). */
  oneDnn: boolean | null;
  /** Why the native backend is not in use, when it is not. */
  fallbackReason: string | null;
  nodeVersion: string;
  platform: string;
  pid: number;
}

export type ModelFormat = 'layers' | 'graph' | 'saved-model';
export type ColorMode = 'rgb' | 'grey';
export type ChannelOrder = 'rgb' | 'bgr';

/** How raw pixels (0–255) become the model's input: x = ((raw · scale) − mean) / std, per channel. */
export interface Preprocessing {
  /** Target [height, width]; images are resized (bilinear) to it. */
  resize: [number, number];
  colorMode: ColorMode;
  channelOrder: ChannelOrder;
  /** Multiplier applied to raw 0–255 values before mean/std (1/255 for [0,1] inputs). */
  scale: number;
  /** Per-channel mean, subtracted after scaling (length 1 or channels). */
  mean: number[];
  /** Per-channel std, divided after subtracting the mean (length 1 or channels). */
  std: number[];
}

export interface ConvLayerInfo {
  /** Layer name (Layers models) or weight-node name (Graph models). */
  name: string;
  /** Kernel shape [kh, kw, inC, outC] (depthwise: [kh, kw, inC, multiplier]). */
  kernelShape: number[];
  /** Number of filters: outC, or inC·multiplier for depthwise kernels. */
  filters: number;
  depthwise: boolean;
  /** Output spatial size [h, w] for the descriptor's input size, when known. */
  outputSize: [number, number] | null;
}

export interface ModelDescriptor {
  /** Content hash of model.json + weights (sha256, hex, first 16 chars). */
  hash: string;
  name: string;
  path: string;
  format: ModelFormat;
  /** Input shape without the batch dimension, NHWC: [h, w, c]. */
  inputShape: [number, number, number];
  inputDtype: 'float32';
  preprocessing: Preprocessing;
  classNames: string[];
  /** Index of the output tensor used as class scores (multi-output Graph models). */
  outputIndex: number;
  /** Whether the model's output is already a probability (softmax/sigmoid) rather than logits. */
  outputIsProbability: boolean;
  convLayers: ConvLayerInfo[];
  /** Whether gradients can be taken (false for SavedModel, which is forward-only). */
  canComputeGradients: boolean;
  parameterCount: number;
  /** Where the descriptor's metadata came from: a sidecar file or inferred defaults. */
  descriptorSource: 'sidecar' | 'inferred';
}

export interface Prediction {
  /** Index of the input within its set. */
  index: number;
  top: Array<{ classIndex: number; className: string; probability: number }>;
  /** True label index, when the set has labels. */
  label: number | null;
}
