/**
 * The differentiable twin of a Layers ModelHandle for input-space projection: the op list of
 * topology.ts run with TF.js ops that have second-order gradients (max-pooling through
 * diff-ops.ts). Conv kernels are the handle's live kernels (so the twin and the handle agree
 * exactly); every other weight is decoded from the model files at `descriptor.path`, whose hash
 * must still match the descriptor. The forward pass adds a given tensor e_l to every conv's
 * output before bias and activation (zeros in practice): ∂L/∂e_l is then ∂L/∂(conv output), the
 * `dy` of the kernel gradient, and each conv's input is handed back for the same purpose.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { AppError } from '../../../../shared/errors';
import type { ModelHandle } from '../../model/model-handle';
import { readModelFiles } from '../../model/model-files';
import { maxPoolByMaximum, windowGeometry, type WindowSpec } from './diff-ops';
import { registerComparisonGradients } from './second-order-grads';
import { parseTopology, type Activation, type NetOp } from './topology';
import { twiceDifferentiable } from './twice-differentiable';

type Tf = typeof tfTypes;
type Tensor = tfTypes.Tensor;
type Tensor4D = tfTypes.Tensor4D;

/** One conv of the network, in `descriptor.convLayers` order. */
export interface NetConv {
  kernel: number;
  layer: string;
  spec: WindowSpec;
  /** Output shape without the batch axis: [Ho, Wo, O]. */
  outShape: [number, number, number];
}

/** The twin: forward pass with conv taps, and its conv geometry. */
export interface ProjectionNetwork {
  convs: NetConv[];
  /** Number of classes (logit columns). */
  classes: number;
  /** Logits [B, K]; `taps[l]` is added to conv l's output; `convInputs` receives each conv's input. */
  forward(x: Tensor4D, taps: Tensor[], convInputs: Tensor4D[]): tfTypes.Tensor2D;
  /** Frees the decoded weights (not the handle's kernels). */
  dispose(): void;
}

/** Activations with second-order gradients (relu and softplus save their input; see twice-differentiable.ts). */
function activate(tf: Tf, x: Tensor, a: Activation): Tensor {
  switch (a) {
    case 'relu': return tf.relu(x);
    case 'softplus': return tf.softplus(x);
    case 'tanh': return twiceDifferentiable(tf).tanh(x);
    case 'sigmoid': return twiceDifferentiable(tf).sigmoid(x);
    case 'linear': return x;
    default: throw new AppError('INTERNAL', `Input-space projection: activation "${a}" inside the network (the topology check lets none through).`);
  }
}

function weight(weights: tfTypes.NamedTensorMap, layer: string, param: string): Tensor {
  const exact = weights[`${layer}/${param}`];
  const found = exact ?? Object.entries(weights).find(([name]) => name.replace(/:\d+$/, '').endsWith(`/${layer}/${param}`))?.[1];
  if (!found) throw new AppError('MODEL_LOAD_FAILED', `Input-space projection: the model files hold no weight "${layer}/${param}".`, { hint: 'Re-export the model with tfjs model.save or tensorflowjs_converter.' });
  return found;
}

/** Conv ops paired with the handle's kernels (by layer name), with their output shapes. */
function pairConvs(model: ModelHandle, ops: NetOp[]): NetConv[] {
  const names = model.descriptor.convLayers.map((c) => c.name);
  let [h, w] = model.descriptor.inputShape;
  const convs: NetConv[] = [];
  for (const op of ops) {
    if (op.kind === 'maxpool' || op.kind === 'conv') {
      const spec: WindowSpec = op.kind === 'conv' ? { kernel: op.kernelSize, strides: op.strides, padding: op.padding } : { kernel: op.pool, strides: op.strides, padding: op.padding };
      [h, w] = [windowGeometry(h, spec.kernel[0], spec.strides[0], spec.padding).out, windowGeometry(w, spec.kernel[1], spec.strides[1], spec.padding).out];
      if (op.kind === 'conv') {
        const kernel = names.indexOf(op.layer);
        if (kernel < 0) throw new AppError('INTERNAL', `Input-space projection: conv "${op.layer}" is not among the model's kernels.`);
        convs.push({ kernel, layer: op.layer, spec, outShape: [h, w, model.descriptor.convLayers[kernel].kernelShape[3]] });
      }
    }
  }
  if (convs.length !== names.length) throw new AppError('MODEL_CAPABILITY_MISSING', `Input-space projection found ${convs.length} of the model's ${names.length} conv kernels in its topology.`);
  return convs;
}

/**
 * Builds the twin of `model` (a Layers model; others are MODEL_CAPABILITY_MISSING).
 * @throws AppError MODEL_CAPABILITY_MISSING, MODEL_LOAD_FAILED (files changed since the model was loaded)
 */
export async function buildProjectionNetwork(tf: Tf, model: ModelHandle): Promise<ProjectionNetwork> {
  const d = model.descriptor;
  if (d.format !== 'layers') throw new AppError('MODEL_CAPABILITY_MISSING', `Input-space projection needs a TF.js Layers model; ${d.name} is a ${d.format} model.`, { hint: 'Convert the model to a Layers model (tensorflowjs_converter --output_format tfjs_layers_model).' });
  if (!d.canComputeGradients) throw new AppError('MODEL_CAPABILITY_MISSING', `${d.name} cannot compute gradients.`);
  const files = await readModelFiles(d.path);
  if (files.hash !== d.hash) throw new AppError('MODEL_LOAD_FAILED', `${d.path} changed on disk since the model was loaded.`, { hint: 'Load the model again.' });
  const ops = parseTopology(files.json.modelTopology);
  const convs = pairConvs(model, ops);
  const weights = tf.io.decodeWeights(files.weightData, files.weightSpecs);
  registerComparisonGradients(tf);
  return {
    convs,
    classes: d.classNames.length,
    forward: (x, taps, convInputs) => runOps(tf, model, ops, convs, weights, x, taps, convInputs),
    dispose: () => tf.dispose(Object.values(weights))
  };
}

function runOps(tf: Tf, model: ModelHandle, ops: NetOp[], convs: NetConv[], weights: tfTypes.NamedTensorMap, x: Tensor4D, taps: Tensor[], convInputs: Tensor4D[]): tfTypes.Tensor2D {
  const kernels = model.convKernels();
  let h: Tensor = x;
  let c = 0;
  for (const op of ops) {
    if (op.kind === 'conv') {
      convInputs.push(h as Tensor4D);
      const conv = convs[c];
      let z: Tensor = tf.conv2d(h as Tensor4D, kernels[conv.kernel], conv.spec.strides, conv.spec.padding);
      if (taps[c]) z = tf.add(z, taps[c]);
      if (op.useBias) z = tf.add(z, weight(weights, op.layer, 'bias'));
      h = activate(tf, z, op.activation);
      c++;
    } else h = runOther(tf, op, weights, h);
  }
  return h as tfTypes.Tensor2D;
}

function runOther(tf: Tf, op: Exclude<NetOp, { kind: 'conv' }>, weights: tfTypes.NamedTensorMap, h: Tensor): Tensor {
  switch (op.kind) {
    case 'dense': {
      const z = tf.matMul(h as tfTypes.Tensor2D, weight(weights, op.layer, 'kernel') as tfTypes.Tensor2D);
      return activate(tf, op.useBias ? tf.add(z, weight(weights, op.layer, 'bias')) : z, op.activation);
    }
    case 'activation': return activate(tf, h, op.activation);
    case 'maxpool': return maxPoolByMaximum(tf, h as Tensor4D, { kernel: op.pool, strides: op.strides, padding: op.padding });
    case 'flatten': return tf.reshape(h, [h.shape[0], -1]);
    case 'gap': return tf.mean(h, [1, 2]);
    case 'batchnorm': {
      // Inference: y = γ·(x − μ)/√(var + ε) + β, with constants folded into one scale and shift.
      const inv = tf.rsqrt(tf.add(weight(weights, op.layer, 'moving_variance'), op.epsilon));
      const scale = op.scale ? tf.mul(inv, weight(weights, op.layer, 'gamma')) : inv;
      const shift = tf.sub(op.center ? weight(weights, op.layer, 'beta') : tf.scalar(0), tf.mul(weight(weights, op.layer, 'moving_mean'), scale));
      return tf.add(tf.mul(h, scale), shift);
    }
  }
}
