/**
 * Shared steps of the single-pass gradient methods (vanilla gradient, gradient × input): the input
 * gradient of the target scores, and reading an attribution tensor back as raw values plus a 2-D map.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { targetScores, throwIfCancelled, type SaliencyBatchResult, type SaliencyContext, type SaliencyMethod } from './method';

/**
 * G = ∂/∂x Σ_i score_i(x)[target_i], in one reverse pass for all rows (rows do not interact in
 * inference mode, so row i of G is ∂score_i/∂x_i). The caller owns the returned tensor.
 */
export function inputGradient(ctx: SaliencyContext, method: SaliencyMethod): tfTypes.Tensor4D {
  const { tf, x } = ctx;
  return tf.tidy(() => tf.grad((input: tfTypes.Tensor) => tf.sum(targetScores(ctx, method, input as tfTypes.Tensor4D)))(x) as tfTypes.Tensor4D);
}

/**
 * Reads `attributions` ([N, H, W, C], disposed here) back as the raw result and reduces it to the
 * [N, H, W] map with `reduce` (e.g. max_c |a| or Σ_c a). Cancellation is checked around the read-back.
 */
export async function readAttributions(
  ctx: SaliencyContext,
  method: SaliencyMethod,
  attributions: tfTypes.Tensor4D,
  reduce: (a: tfTypes.Tensor4D) => tfTypes.Tensor3D
): Promise<SaliencyBatchResult> {
  const { tf } = ctx;
  const [, height, width] = attributions.shape;
  const mapTensor = tf.tidy(() => reduce(attributions));
  try {
    throwIfCancelled(ctx.signal, method.id);
    const [raw, maps] = await Promise.all([attributions.data() as Promise<Float32Array>, mapTensor.data() as Promise<Float32Array>]);
    throwIfCancelled(ctx.signal, method.id);
    return { maps, raw, height, width };
  } finally {
    tf.dispose([attributions, mapTensor]);
  }
}
