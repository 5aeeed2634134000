/**
 * Shared steps of the single-pass gradient methods (vanilla gradient, gradient × input): the input
 * gradient of the target scores, and reading an attribution tensor back as raw values plus a 2-D map.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { targetScores, throwIfCancelled, type SaliencyBatchResult, type SaliencyContext, type SaliencyMethod } from './method';
import { pickInPass, readResolved, resolvesInPass, type ResolvedTensors } from './targets-in-pass';
import { withLeanGradients } from './lean-gradients';

/**
 * G = ∂/∂x Σ_i score_i(x)[target_i], in one reverse pass for all rows (rows do not interact in
 * inference mode, so row i of G is ∂score_i/∂x_i). The caller owns the returned tensor.
 */
export function inputGradient(ctx: SaliencyContext, method: SaliencyMethod): tfTypes.Tensor4D {
  return inputGradientResolving(ctx, method).grads;
}

/**
 * As `inputGradient`; when `ctx.inPassTargets` applies (targets-in-pass.ts), the targets are taken
 * in the same forward pass and `kept` holds them and x's logits (caller disposes both).
 */
export function inputGradientResolving(ctx: SaliencyContext, method: SaliencyMethod): { grads: tfTypes.Tensor4D; kept: ResolvedTensors | null } {
  const { tf, x } = ctx;
  let kept: ResolvedTensors | null = null;
  const inPass = resolvesInPass(ctx, method.score);
  const score = (input: tfTypes.Tensor4D) =>
    inPass ? pickInPass(tf, ctx.model.logits(input), ctx.targets, ctx.inPassTargets === 'predicted', (r) => (kept = r)) : targetScores(ctx, method, input);
  const grads = withLeanGradients(tf, () => tf.tidy(() => tf.grad((input: tfTypes.Tensor) => tf.sum(score(input as tfTypes.Tensor4D)))(x) as tfTypes.Tensor4D));
  return { grads, kept };
}

/**
 * Reads `attributions` ([N, H, W, C], disposed here) back as the raw result and reduces it to the
 * [N, H, W] map with `reduce` (e.g. max_c |a| or Σ_c a); `kept` (disposed here) becomes
 * `resolved`. Cancellation is checked around the read-back.
 */
export async function readAttributions(
  ctx: SaliencyContext,
  method: SaliencyMethod,
  attributions: tfTypes.Tensor4D,
  reduce: (a: tfTypes.Tensor4D) => tfTypes.Tensor3D,
  kept: ResolvedTensors | null = null
): Promise<SaliencyBatchResult> {
  const { tf } = ctx;
  const [, height, width] = attributions.shape;
  const mapTensor = tf.tidy(() => reduce(attributions));
  try {
    throwIfCancelled(ctx.signal, method.id);
    const [raw, maps, resolved] = await Promise.all([attributions.data() as Promise<Float32Array>, mapTensor.data() as Promise<Float32Array>, readResolved(tf, kept)]);
    kept = null;
    throwIfCancelled(ctx.signal, method.id);
    return resolved ? { maps, raw, height, width, resolved } : { maps, raw, height, width };
  } finally {
    tf.dispose([attributions, mapTensor]);
    if (kept) tf.dispose([(kept as ResolvedTensors).targets, (kept as ResolvedTensors).logits]);
  }
}
