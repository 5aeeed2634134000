/**
 * Floating-point operations of one forward pass of a Layers model, per input, counted from its
 * layers. Convention: one multiply-add = 2 FLOPs (convolutions, dense layers); BatchNorm
 * (inference) = 2 per output element; ReLU/activations and Add = 1 per output element (per extra
 * input for Add); pooling = window size per output element; a global average = 1 per input
 * element. Bias adds count 1 per output element. A backward pass is counted as 2× the forward pass
 * (the usual convention: gradients w.r.t. activations and weights each cost about one forward);
 * input-gradient methods skip the weight gradients, so achieved FLOP/s is an upper-bound reading.
 */
import type * as tfTypes from '@tensorflow/tfjs';

type Layer = tfTypes.layers.Layer;

const prod = (shape: ReadonlyArray<number | null>): number => shape.reduce<number>((a, b) => a * (b ?? 1), 1);

function outputElements(layer: Layer): number {
  const shape = layer.outputShape as Array<number | null>;
  return prod(shape.slice(1));
}

function inputElements(layer: Layer): number {
  const input = layer.input as tfTypes.SymbolicTensor | tfTypes.SymbolicTensor[];
  return prod((Array.isArray(input) ? input[0] : input).shape.slice(1));
}

function convFlops(layer: Layer): number {
  const config = layer.getConfig() as { useBias?: boolean; activation?: string };
  const out = outputElements(layer);
  const [kh, kw, cin] = layer.getWeights()[0].shape;
  // Each output element of a full conv sums kh·kw·cin products; of a depthwise conv, kh·kw.
  const perOutput = layer.getClassName() === 'DepthwiseConv2D' ? 2 * kh * kw : 2 * kh * kw * cin;
  const extra = (config.useBias ? 1 : 0) + (config.activation && config.activation !== 'linear' ? 1 : 0);
  return out * (perOutput + extra);
}

/** FLOPs of one layer for one input (see the file comment). */
export function layerFlops(layer: Layer): number {
  const kind = layer.getClassName();
  const config = layer.getConfig() as { poolSize?: number | number[]; useBias?: boolean; activation?: string };
  switch (kind) {
    case 'Conv2D':
    case 'DepthwiseConv2D':
      return convFlops(layer);
    case 'SeparableConv2D': {
      const [depthwise, pointwise] = layer.getWeights().map((w) => w.shape);
      const out = outputElements(layer);
      const [kh, kw, cin, mult] = depthwise;
      const cout = pointwise[3] ?? 1;
      return (out / cout) * (2 * kh * kw * cin * mult + 2 * cin * mult * cout) + out * (config.useBias ? 1 : 0);
    }
    case 'Dense': {
      const [inputs, units] = layer.getWeights()[0].shape;
      return 2 * inputs * units + units * ((config.useBias ?? true) ? 1 : 0) + (config.activation && config.activation !== 'linear' ? units : 0);
    }
    case 'BatchNormalization':
      return 2 * outputElements(layer);
    case 'ReLU':
    case 'Activation':
    case 'Softmax':
      return outputElements(layer);
    case 'Add': {
      const inputs = layer.input as tfTypes.SymbolicTensor[];
      return outputElements(layer) * Math.max(1, inputs.length - 1);
    }
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      const pool = Array.isArray(config.poolSize) ? config.poolSize : [config.poolSize ?? 2, config.poolSize ?? 2];
      return outputElements(layer) * pool[0] * pool[1];
    }
    case 'GlobalAveragePooling2D':
    case 'GlobalMaxPooling2D':
      return inputElements(layer);
    default:
      return 0;
  }
}

/** Forward FLOPs per input of a Layers model (nested models counted through their layers). */
export function modelFlops(model: tfTypes.LayersModel): number {
  let total = 0;
  for (const layer of model.layers) {
    const inner = layer as unknown as tfTypes.LayersModel;
    total += Array.isArray(inner.layers) && typeof inner.predict === 'function' ? modelFlops(inner) : layerFlops(layer);
  }
  return total;
}
