/**
 * Reads a TF.js Layers topology (model.json) into the plain op list the differentiable network of
 * the input-space projection runs (network.ts). Only layers whose forward pass and whose
 * first- and second-order gradients we can express with ops TF.js differentiates twice are
 * accepted: Conv2D (any stride, 'same'/'valid', dilation 1), Dense, Activation / ReLU / Softmax,
 * MaxPooling2D, Flatten, GlobalAveragePooling2D, BatchNormalization (inference), Dropout
 * (identity) and InputLayer, in a Sequential model or a Functional single chain (nested
 * Sequentials flattened). Anything else is MODEL_CAPABILITY_MISSING naming the layer, before any
 * work. A final softmax/sigmoid is dropped: the network returns logits, as ModelHandle.logits.
 */
import { AppError } from '../../../../shared/errors';

/** Activations whose derivative TF.js can differentiate again. */
export type Activation = 'linear' | 'relu' | 'softplus' | 'tanh' | 'sigmoid' | 'softmax';

/** One step of the twin network, in model order. */
export type NetOp =
  | { kind: 'conv'; layer: string; kernelSize: [number, number]; strides: [number, number]; padding: 'same' | 'valid'; useBias: boolean; activation: Activation }
  | { kind: 'dense'; layer: string; useBias: boolean; activation: Activation }
  | { kind: 'activation'; activation: Activation }
  | { kind: 'maxpool'; pool: [number, number]; strides: [number, number]; padding: 'same' | 'valid' }
  | { kind: 'flatten' }
  | { kind: 'gap' }
  | { kind: 'batchnorm'; layer: string; epsilon: number; center: boolean; scale: boolean };

interface LayerJson {
  class_name: string;
  config: Record<string, unknown> & { name?: string; layers?: LayerJson[] };
  inbound_nodes?: unknown;
}

const ACTIVATIONS = new Set(['linear', 'relu', 'softplus', 'tanh', 'sigmoid', 'softmax']);
const IDENTITY = new Set(['InputLayer', 'Dropout', 'SpatialDropout2D', 'GaussianNoise', 'GaussianDropout']);

function missing(what: string): AppError {
  return new AppError('MODEL_CAPABILITY_MISSING', `Input-space projection cannot differentiate this model twice: ${what}.`, {
    hint: 'It supports Layers models built from Conv2D (dilation 1), Dense, ReLU/softplus/tanh/sigmoid activations, MaxPooling2D, Flatten, GlobalAveragePooling2D, BatchNormalization, Dropout and a final softmax, in one chain; the filter rankings and protocols work for every model.'
  });
}

function pair(v: unknown, name: string, layer: string): [number, number] {
  const a = Array.isArray(v) ? v : [v, v];
  if (a.length !== 2 || !a.every((n) => Number.isInteger(n) && n > 0)) throw missing(`layer "${layer}" has ${name} ${JSON.stringify(v)}`);
  return [a[0], a[1]];
}

function activationOf(v: unknown, layer: string): Activation {
  const name = v === undefined || v === null ? 'linear' : String(v);
  if (!ACTIVATIONS.has(name)) throw missing(`layer "${layer}" uses activation "${name}"`);
  return name as Activation;
}

function channelsLast(c: LayerJson, layer: string): void {
  const format = c.config.data_format;
  if (format !== undefined && format !== null && format !== 'channels_last') throw missing(`layer "${layer}" is ${String(format)}`);
}

function convOp(c: LayerJson, layer: string): NetOp {
  channelsLast(c, layer);
  const dilation = pair(c.config.dilation_rate ?? 1, 'dilation_rate', layer);
  if (dilation[0] !== 1 || dilation[1] !== 1) throw missing(`conv "${layer}" is dilated`);
  if ((c.config.groups ?? 1) !== 1) throw missing(`conv "${layer}" is grouped`);
  const padding = c.config.padding;
  if (padding !== 'same' && padding !== 'valid') throw missing(`conv "${layer}" has padding ${JSON.stringify(padding)}`);
  return {
    kind: 'conv', layer, kernelSize: pair(c.config.kernel_size, 'kernel_size', layer), strides: pair(c.config.strides ?? 1, 'strides', layer),
    padding, useBias: c.config.use_bias !== false, activation: activationOf(c.config.activation, layer)
  };
}

function reluLayer(c: LayerJson, layer: string): NetOp {
  const { max_value: max, negative_slope: slope, threshold } = c.config;
  if ((max ?? null) !== null || (slope ?? 0) !== 0 || (threshold ?? 0) !== 0) throw missing(`ReLU "${layer}" is capped, leaky or thresholded`);
  return { kind: 'activation', activation: 'relu' };
}

/** One layer's op, or null for identity layers. @throws AppError MODEL_CAPABILITY_MISSING */
function opOf(c: LayerJson): NetOp | null {
  const layer = c.config.name ?? c.class_name;
  switch (c.class_name) {
    case 'Conv2D': return convOp(c, layer);
    case 'Dense': return { kind: 'dense', layer, useBias: c.config.use_bias !== false, activation: activationOf(c.config.activation, layer) };
    case 'Activation': return { kind: 'activation', activation: activationOf(c.config.activation, layer) };
    case 'ReLU': return reluLayer(c, layer);
    case 'Softmax': return { kind: 'activation', activation: 'softmax' };
    case 'Flatten': return { kind: 'flatten' };
    case 'GlobalAveragePooling2D':
      if (c.config.keepdims === true) throw missing(`GlobalAveragePooling2D "${layer}" keeps its dimensions`);
      channelsLast(c, layer);
      return { kind: 'gap' };
    case 'MaxPooling2D': {
      channelsLast(c, layer);
      const pool = pair(c.config.pool_size ?? 2, 'pool_size', layer);
      const padding = c.config.padding === 'same' ? 'same' : 'valid';
      return { kind: 'maxpool', pool, strides: pair(c.config.strides ?? pool, 'strides', layer), padding };
    }
    case 'BatchNormalization': {
      const axis = c.config.axis;
      if (axis !== undefined && axis !== -1 && axis !== 3 && !(Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === 3))) throw missing(`BatchNormalization "${layer}" normalises axis ${JSON.stringify(axis)}`);
      return { kind: 'batchnorm', layer, epsilon: Number(c.config.epsilon ?? 1e-3), center: c.config.center !== false, scale: c.config.scale !== false };
    }
    default:
      if (IDENTITY.has(c.class_name)) return null;
      throw missing(`layer "${layer}" is a ${c.class_name}`);
  }
}

function flatten(layers: LayerJson[]): LayerJson[] {
  return layers.flatMap((l) => (l.class_name === 'Sequential' && Array.isArray(l.config.layers) ? flatten(l.config.layers) : [l]));
}

/** A Functional model is accepted when every layer's only input is the layer before it. */
function checkChain(layers: LayerJson[]): void {
  for (let i = 1; i < layers.length; i++) {
    const text = JSON.stringify(layers[i].inbound_nodes ?? []);
    const inputs = [...text.matchAll(/\["([^"]+)",\s*\d+,\s*\d+/g), ...text.matchAll(/"keras_history":\s*\["([^"]+)"/g)].map((m) => m[1]);
    const previous = layers[i - 1].config.name;
    if (new Set(inputs).size !== 1 || inputs[0] !== previous) throw missing(`layer "${layers[i].config.name}" does not simply follow "${previous}" (branches and merges are not supported)`);
  }
}

/** Drops a trailing softmax/sigmoid so the network ends in logits. */
function stripOutputActivation(ops: NetOp[]): NetOp[] {
  const last = ops[ops.length - 1];
  if (!last) return ops;
  const isOutput = (a: Activation) => a === 'softmax' || a === 'sigmoid';
  if (last.kind === 'activation' && isOutput(last.activation)) return ops.slice(0, -1);
  if (last.kind === 'dense' && isOutput(last.activation)) return [...ops.slice(0, -1), { ...last, activation: 'linear' }];
  return ops;
}

/**
 * The op list of a Layers model topology (`model.json`'s `modelTopology`).
 * @throws AppError MODEL_CAPABILITY_MISSING for anything the projection cannot differentiate twice
 */
export function parseTopology(topology: unknown): NetOp[] {
  const root = ((topology as { model_config?: LayerJson }).model_config ?? topology) as LayerJson;
  if (!root || !Array.isArray(root.config?.layers)) throw missing('the topology lists no layers');
  const layers = flatten(root.config.layers);
  if (root.class_name !== 'Sequential') checkChain(layers);
  const ops = stripOutputActivation(layers.map(opOf).filter((op): op is NetOp => op !== null));
  const softmax = ops.findIndex((op) => (op.kind === 'activation' || op.kind === 'dense' || op.kind === 'conv') && op.activation === 'softmax');
  if (softmax >= 0) throw missing('a softmax sits inside the network, not at its output');
  return ops;
}
