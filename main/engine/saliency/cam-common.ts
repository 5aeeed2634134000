/**
 * The pipeline Grad-CAM and Grad-CAM++ share (spec §5.5): split the model at the chosen layer,
 * take A [N, h, w, K] and G = ∂(Σ_rows score_c)/∂A in one reverse pass (rows do not interact in
 * inference mode, so row i of G is row i's own gradient), let the method weigh the channels,
 * then L = ReLU(Σ_k w_k A_k), optional min-max normalisation, optional upsampling.
 *
 * Parameters (validated here for both methods):
 * - `layer`: a layer/node name, or null for the model's default (last conv with spatial output);
 * - `upsample`: `none` (native grid [N, h, w]), `bilinear` (default, as the Grad-CAM paper) or
 *   `bicubic` (as the Explain-to-Me code) to the input size, see upsample.ts; bicubic overshoot
 *   is clamped to the native map's [min, max] (PIL does the same by clamping its 8-bit output);
 * - `normalize`: `none` (default) or `minmax` (TorchCAM: (L − min)/(max − min), all zeros for a
 *   constant map, spec §5.5). Min-max commutes with the upsampling (an affine map of the values
 *   and interpolation weights that sum to 1).
 * When upsampled, the native map is returned as `artifacts.native` [N, h, w] (spec §3.3 uses
 * native maps for entropy).
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { AppError } from '../../../shared/errors';
import { readChoice } from '../baselines/options';
import { requireLayerActivations, type LayerActivations } from '../model/layer-activations';
import { checkContext, rejectUnknownParams, throwIfCancelled, type SaliencyBatchResult, type SaliencyContext, type SaliencyMethod } from './method';
import { pickInPass, readResolved, resolvesInPass, type ResolvedTensors } from './targets-in-pass';
import { withLeanGradients } from './lean-gradients';
import { resizeMaps } from './upsample';

type Tf = typeof tfTypes;
export const UPSAMPLE = ['none', 'bilinear', 'bicubic'] as const;
export const NORMALIZE = ['none', 'minmax'] as const;

export interface CamParams {
  layer: string | null;
  upsample: (typeof UPSAMPLE)[number];
  normalize: (typeof NORMALIZE)[number];
}

export const CAM_DEFAULTS: CamParams = { layer: null, upsample: 'bilinear', normalize: 'none' };

/** Channel weights [N, 1, 1, K] from A and G (both [N, h, w, K]); called inside tf.tidy. */
export type ChannelWeights = (tf: Tf, a: tfTypes.Tensor4D, g: tfTypes.Tensor4D) => tfTypes.Tensor4D;

/** Fills defaults and checks the CAM parameters. @throws AppError PARAM_INVALID naming the parameter */
export function validateCamParams(owner: string, params: Record<string, unknown>): CamParams {
  rejectUnknownParams(owner, params, Object.keys(CAM_DEFAULTS));
  const layer = params.layer ?? null;
  if (layer !== null && (typeof layer !== 'string' || layer.length === 0)) {
    throw new AppError('PARAM_INVALID', `${owner}: \`layer\` must be a layer name or null, got ${JSON.stringify(layer)}.`);
  }
  return { layer, upsample: readChoice(owner, params, 'upsample', 'bilinear', UPSAMPLE), normalize: readChoice(owner, params, 'normalize', 'none', NORMALIZE) };
}

/** Σ_rows score[row, target[row]] of the model output computed from `out` [N, K]. */
function pickTargets(tf: Tf, out: tfTypes.Tensor2D, targets: Int32Array): tfTypes.Scalar {
  const k = out.shape[1];
  const picks = tf.tensor1d(Int32Array.from(targets, (t, row) => row * k + t), 'int32');
  return tf.sum(tf.gather(tf.reshape(out, [-1]), picks));
}

/** Per-row min-max to [0, 1]; rows with max = min become zeros (TorchCAM would give NaN). */
function minMax(tf: Tf, maps: tfTypes.Tensor3D): tfTypes.Tensor3D {
  const lo = tf.min(maps, [1, 2], true);
  const range = tf.sub(tf.max(maps, [1, 2], true), lo);
  const safe = tf.where(tf.greater(range, 0), range, tf.onesLike(range));
  return tf.where(tf.greater(range, 0), tf.div(tf.sub(maps, lo), safe), tf.zerosLike(maps)) as tfTypes.Tensor3D;
}

/** Native map → output map (normalised, upsampled, bicubic overshoot clamped). */
function finish(tf: Tf, native: tfTypes.Tensor3D, p: CamParams, height: number, width: number): tfTypes.Tensor3D {
  if (p.upsample === 'none') return native;
  const up = resizeMaps(tf, native, height, width, p.upsample);
  if (p.upsample === 'bilinear') return up;
  return tf.minimum(tf.maximum(up, tf.min(native, [1, 2], true)), tf.max(native, [1, 2], true)) as tfTypes.Tensor3D;
}

/**
 * The native map ReLU(Σ_k w_k A_k) [N, h, w] for the split's activations (tidy inside); with
 * `ctx.inPassTargets` the targets are taken from the same head pass and kept (targets-in-pass.ts).
 */
function nativeMap(ctx: SaliencyContext, method: SaliencyMethod, access: LayerActivations, p: CamParams, weigh: ChannelWeights): { map: tfTypes.Tensor3D; kept: ResolvedTensors | null } {
  const { tf, x } = ctx;
  const split = access.split(x, p.layer);
  let kept: ResolvedTensors | null = null;
  try {
    const useProb = (ctx.score ?? method.score) === 'prob';
    const inPass = resolvesInPass(ctx, method.score);
    const map = tf.tidy(() => {
      const score = (a: tfTypes.Tensor) =>
        inPass
          ? tf.sum(pickInPass(tf, split.logits(a as tfTypes.Tensor4D), ctx.targets, ctx.inPassTargets === 'predicted', (r) => (kept = r)))
          : pickTargets(tf, useProb ? split.probabilities(a as tfTypes.Tensor4D) : split.logits(a as tfTypes.Tensor4D), ctx.targets);
      const g = withLeanGradients(tf, () => tf.grad(score)(split.activations)) as tfTypes.Tensor4D;
      const weights = weigh(tf, split.activations, g);
      const map = tf.relu(tf.sum(tf.mul(weights, split.activations), 3)) as tfTypes.Tensor3D;
      return p.normalize === 'minmax' ? minMax(tf, map) : map;
    });
    return { map, kept };
  } finally {
    split.activations.dispose();
  }
}

/** Runs a CAM method on ctx: validation, capability check, map, read-back. */
export async function runCam(ctx: SaliencyContext, method: SaliencyMethod, weigh: ChannelWeights): Promise<SaliencyBatchResult> {
  checkContext(method, ctx);
  const p = method.validate(ctx.params) as unknown as CamParams;
  const access = requireLayerActivations(ctx.model, method.label);
  throwIfCancelled(ctx.signal, method.id);
  const { tf, x } = ctx;
  const { map: native, kept } = nativeMap(ctx, method, access, p, weigh);
  const out = tf.tidy(() => finish(tf, native, p, x.shape[1], x.shape[2]));
  try {
    const [maps, nativeData, resolved] = await Promise.all([out.data() as Promise<Float32Array>, native.data() as Promise<Float32Array>, readResolved(tf, kept)]);
    throwIfCancelled(ctx.signal, method.id);
    const [n, h, w] = native.shape;
    const diagnostics = Array.from({ length: n }, (_, row) => nativeStats(nativeData.subarray(row * h * w, (row + 1) * h * w)));
    const artifacts = p.upsample === 'none' ? undefined : { native: { data: nativeData, shape: [n, h, w] } };
    return { maps, raw: null, height: out.shape[1], width: out.shape[2], diagnostics, artifacts, ...(resolved ? { resolved } : {}) };
  } finally {
    tf.dispose([native, out]);
  }
}

/** Per-row diagnostics of the native map: its maximum and the share of cells the ReLU kept above 0. */
function nativeStats(map: Float32Array): Record<string, number> {
  let max = 0;
  let positive = 0;
  for (const v of map) {
    max = Math.max(max, v);
    if (v > 0) positive++;
  }
  return { nativeMax: max, positiveFraction: positive / map.length };
}
