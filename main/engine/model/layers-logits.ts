/**
 * Pre-activation scores of a LayersModel whose class output ends in softmax/sigmoid: the output
 * layer's activation is swapped for the identity while the (synchronous) forward pass runs, so
 * the logits share every weight with the model and need no second model.
 */
import type * as tfTypes from '@tensorflow/tfjs';

type Layer = tfTypes.layers.Layer;
type Tensor = tfTypes.Tensor;

/** The output activation found, and how to switch it off for one call. */
export interface OutputActivation {
  kind: 'softmax' | 'sigmoid';
  layer: string;
  /** Runs fn with the activation replaced by the identity; always restores it. */
  withoutActivation<T>(fn: () => T): T;
}

const IDENTITY = { apply: (x: Tensor) => x, getClassName: () => 'linear', getConfig: () => ({}) };

/** The layer that produces output `outputIndex`, looking inside nested models. */
function outputLayer(model: tfTypes.LayersModel, outputIndex: number): Layer {
  let layer = model.outputs[outputIndex].sourceLayer as Layer;
  for (let inner = layer as unknown as tfTypes.LayersModel; Array.isArray(inner.outputs) && Array.isArray(inner.layers); inner = layer as unknown as tfTypes.LayersModel) {
    layer = inner.outputs[0].sourceLayer as Layer;
  }
  return layer;
}

function swapper(layer: Layer, property: string, replacement: unknown): OutputActivation['withoutActivation'] {
  const target = layer as unknown as Record<string, unknown>;
  return (fn) => {
    const saved = target[property];
    target[property] = replacement;
    try {
      return fn();
    } finally {
      target[property] = saved;
    }
  };
}

/** Finds a final softmax/sigmoid (as a layer's `activation` or a Softmax layer); null when the output is linear. */
export function findOutputActivation(model: tfTypes.LayersModel, outputIndex: number): OutputActivation | null {
  const layer = outputLayer(model, outputIndex);
  if (layer.getClassName() === 'Softmax') {
    return { kind: 'softmax', layer: layer.name, withoutActivation: swapper(layer, 'softmax', (x: Tensor) => x) };
  }
  const activation = (layer.getConfig() as { activation?: unknown }).activation;
  if ((activation === 'softmax' || activation === 'sigmoid') && 'activation' in layer) {
    return { kind: activation, layer: layer.name, withoutActivation: swapper(layer, 'activation', IDENTITY) };
  }
  return null;
}
