/**
 * Capability 'layer-activations': splits a model's forward pass at one intermediate layer, so
 * that CAM-style methods (Grad-CAM, Grad-CAM++) get the layer's activation A [N, h, w, K] and
 * class scores that are a differentiable function of A.
 *
 * Both formats run the whole model with the chosen layer's output replaced by a given tensor,
 * so paths that bypass the layer (skip connections) still see x and only A is the variable:
 * - Layers: the layer's `call` is swapped for one that returns the replacement. tfjs runs every
 *   layer, inside nested models too, through `Layer.apply → call`, so nested models need nothing
 *   special. A layer that runs more than once per forward pass (shared layers) is refused.
 * - Graph: the node is fed by name beside the image input; `GraphModel.execute` accepts any
 *   node of the graph in its input map and does not run what only fed that node.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { AppError } from '../../../shared/errors';
import type { ConvLayerInfo, ModelDescriptor } from '../../../shared/types/model';
import { nodeName, type GraphNodeDef } from './graph-topology';

type Tf = typeof tfTypes;
type Tensor4D = tfTypes.Tensor4D;
type Tensor2D = tfTypes.Tensor2D;
type Layer = tfTypes.layers.Layer;

/** A forward pass split at one layer. */
export interface LayerSplit {
  /** The layer (Layers) or node (Graph) the pass is split at. */
  layer: string;
  /** A: the layer's output for x, [N, h, w, K]. Owned by the caller. */
  activations: Tensor4D;
  /** Class logits [N, K] of x with the layer's output replaced by `a` (A's shape); differentiable w.r.t. `a`. */
  logits(a: Tensor4D): Tensor2D;
  /** Class probabilities [N, K], as `ModelHandle.probabilities`, with the layer's output replaced by `a`. */
  probabilities(a: Tensor4D): Tensor2D;
}

/** What a model offers under 'layer-activations'. */
export interface LayerActivations {
  /** Names `split` accepts, in model order: layers (Layers) or conv activation nodes (Graph) with a 4-D output. */
  readonly layers: string[];
  /** The last convolution layer with a spatial output (h·w > 1), or null when there is none. */
  readonly defaultLayer: string | null;
  /**
   * Runs the model up to `layer` (default `defaultLayer`); `descriptor.convLayers` names are
   * accepted too. x must stay alive while the split is used.
   * @throws AppError PARAM_INVALID for an unknown layer or one without a single 4-D output
   */
  split(x: Tensor4D, layer?: string | null): LayerSplit;
}

/** The format-specific primitives behind `LayerActivations`. */
export interface ActivationAccess {
  names: string[];
  /** Canonical name for `name` (also conv names from the descriptor), or null when unknown. */
  resolve(name: string): string | null;
  /** The layer's output for x. */
  capture(x: Tensor4D, layer: string): Tensor4D;
  /** Runs fn (a synchronous call of the handle's logits/probabilities) with the layer's output replaced by `a`. */
  substitute<T>(layer: string, a: Tensor4D, fn: () => T): T;
}

interface Scoring {
  readonly descriptor: ModelDescriptor;
  logits(x: Tensor4D): Tensor2D;
  probabilities(x: Tensor4D): Tensor2D;
}

function badLayer(message: string): AppError {
  return new AppError('PARAM_INVALID', message, { hint: 'Set `layer` to one of the model\'s convolution layers (see the model panel), or leave it empty for the default.' });
}

/** The last conv with a spatial output, resolved to a split name. */
function defaultLayerOf(convs: ConvLayerInfo[], access: ActivationAccess): string | null {
  for (let i = convs.length - 1; i >= 0; i--) {
    const size = convs[i].outputSize;
    const name = access.resolve(convs[i].name);
    if (size && size[0] * size[1] > 1 && name) return name;
  }
  return null;
}

/** Builds the capability from a handle's scoring functions and its format's primitives. */
export function createLayerActivations(handle: Scoring, access: ActivationAccess): LayerActivations {
  const defaultLayer = defaultLayerOf(handle.descriptor.convLayers, access);
  return {
    layers: access.names,
    defaultLayer,
    split(x, layer) {
      const wanted = layer ?? defaultLayer;
      if (wanted === null) {
        throw new AppError('MODEL_CAPABILITY_MISSING', `${handle.descriptor.name} has no convolution layer with a spatial output to split at.`, { hint: 'Name a layer with a 4-D output in `layer`.' });
      }
      const name = access.resolve(wanted);
      if (!name) throw badLayer(`\`layer\`: ${handle.descriptor.name} has no layer "${wanted}" to split at; choose one of: ${access.names.join(', ')}.`);
      const activations = access.capture(x, name);
      return {
        layer: name,
        activations,
        logits: (a) => access.substitute(name, a, () => handle.logits(x)),
        probabilities: (a) => access.substitute(name, a, () => handle.probabilities(x))
      };
    }
  };
}

/** @throws AppError MODEL_CAPABILITY_MISSING when the model cannot split its forward pass (SavedModel). */
export function requireLayerActivations(model: { descriptor: ModelDescriptor; layerActivations?: LayerActivations }, methodLabel: string): LayerActivations {
  if (model.layerActivations) return model.layerActivations;
  throw new AppError('MODEL_CAPABILITY_MISSING', `${methodLabel} needs a layer's activations, which this ${model.descriptor.format} model cannot provide.`, {
    hint: 'Convert the model to a TF.js Layers or Graph model, or pick a method that only needs the model output.'
  });
}

function checkActivation(t: tfTypes.Tensor, layer: string, rows: number): Tensor4D {
  if (t.rank === 4 && t.shape[0] === rows) return t as Tensor4D;
  const shape = `[${t.shape.join(', ')}]`;
  t.dispose();
  throw badLayer(`\`layer\`: "${layer}" outputs ${shape}, not a feature map [N, h, w, K].`);
}

// ---- Layers models -------------------------------------------------------------------------

/** Thrown from inside a patched `call` to stop the forward pass once A is captured. */
const STOP = Symbol('layer-activations: captured');

type CallFn = (inputs: tfTypes.Tensor | tfTypes.Tensor[], kwargs: Record<string, unknown>) => tfTypes.Tensor | tfTypes.Tensor[];

function leafLayers(layers: Layer[]): Layer[] {
  return layers.flatMap((layer) => {
    const inner = (layer as unknown as { layers?: Layer[] }).layers;
    return Array.isArray(inner) ? leafLayers(inner) : [layer];
  });
}

function has4dOutput(layer: Layer): boolean {
  if (layer.getClassName() === 'InputLayer') return false; // its output is x itself
  try {
    const shape = layer.outputShape;
    return Array.isArray(shape) && shape.length === 4 && !Array.isArray(shape[0]);
  } catch {
    return false; // several inbound nodes: no single output shape
  }
}

/** Runs fn with `layer.call` replaced (an own property shadowing the prototype's), always restoring it. */
function withCall<T>(layer: Layer, call: (original: CallFn) => CallFn, fn: () => T): T {
  const target = layer as unknown as { call: CallFn };
  const original = target.call.bind(layer) as CallFn;
  target.call = call(original);
  try {
    return fn();
  } finally {
    delete (target as { call?: CallFn }).call;
  }
}

/** Primitives for a tfjs LayersModel (nested models flattened; descriptor names with a `/…_kernel` suffix accepted). */
export function layersActivationAccess(tf: Tf, model: tfTypes.LayersModel): ActivationAccess {
  const byName = new Map(leafLayers(model.layers).filter(has4dOutput).map((l) => [l.name, l]));
  const layerOf = (name: string): Layer => byName.get(name)!;
  return {
    names: [...byName.keys()],
    resolve: (name) => {
      const plain = name.replace(/\/(depthwise|pointwise)_kernel$/, '');
      return byName.has(plain) ? plain : null;
    },
    capture(x, layer) {
      let captured: tfTypes.Tensor | null = null;
      const grab = (original: CallFn): CallFn => (inputs, kwargs) => {
        const out = original(inputs, kwargs);
        captured = tf.keep(Array.isArray(out) ? out[0] : out);
        throw STOP;
      };
      try {
        withCall(layerOf(layer), grab, () => tf.tidy(() => model.apply(x, { training: false }) as tfTypes.Tensor));
        throw new AppError('INTERNAL', `layer "${layer}" did not run in the forward pass.`);
      } catch (err) {
        if (err !== STOP) throw err;
      }
      // Hand back a tracked clone so a caller's tf.tidy frees it like any other result.
      const kept = captured as unknown as tfTypes.Tensor;
      const a = kept.clone();
      kept.dispose();
      return checkActivation(a, layer, x.shape[0]);
    },
    substitute(layer, a, fn) {
      let calls = 0;
      // A clone: the Layers executor frees intermediate outputs after their last use, and Identity passes the gradient on.
      const replace = (): CallFn => () => (calls++, a.clone());
      const result = withCall(layerOf(layer), replace, fn);
      if (calls !== 1) {
        tf.dispose(result as unknown as tfTypes.Tensor);
        throw badLayer(`\`layer\`: "${layer}" runs ${calls} times per forward pass; choose a layer that runs once.`);
      }
      return result;
    }
  };
}

// ---- Graph models --------------------------------------------------------------------------

/** Ops that Keras folds into a conv layer's output (bias and activation), followed from the conv node. */
const OUTPUT_CHAIN = new Set(['BiasAdd', 'Relu', 'Relu6', 'Elu', 'Selu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Softplus', 'Identity']);

/** From a conv node, follows single-consumer bias/activation nodes: the node Keras would call the layer's output. */
function activationNode(start: string, consumers: Map<string, GraphNodeDef[]>): string {
  let current = start;
  for (let next = consumers.get(current); next?.length === 1 && OUTPUT_CHAIN.has(next[0].op); next = consumers.get(current)) current = next[0].name;
  return current;
}

/**
 * Primitives for a tfjs GraphModel. `convs` pairs each conv weight (the descriptor's conv name)
 * with its consumer node; `setFeeds` makes the handle's executions feed extra nodes.
 */
export function graphActivationAccess(
  model: tfTypes.GraphModel,
  nodes: GraphNodeDef[],
  convs: Array<{ weight: string; consumer: string }>,
  setFeeds: (feeds: Record<string, tfTypes.Tensor> | null) => void
): ActivationAccess {
  const consumers = new Map<string, GraphNodeDef[]>();
  for (const node of nodes) for (const input of new Set((node.input ?? []).map(nodeName))) consumers.set(input, [...(consumers.get(input) ?? []), node]);
  const byWeight = new Map(convs.map((c) => [c.weight, activationNode(c.consumer, consumers)]));
  const known = new Set(nodes.map((n) => n.name));
  const inputName = model.inputs[0].name;
  return {
    names: [...new Set(byWeight.values())],
    resolve: (name) => byWeight.get(name) ?? (known.has(name) ? name : null),
    capture: (x, node) => checkActivation(model.execute({ [inputName]: x }, node) as tfTypes.Tensor, node, x.shape[0]),
    substitute(node, a, fn) {
      setFeeds({ [node]: a });
      try {
        return fn();
      } finally {
        setFeeds(null);
      }
    }
  };
}
