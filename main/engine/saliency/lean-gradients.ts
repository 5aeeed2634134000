/**
 * A leaner input gradient of inference-mode batch normalisation, swapped in only while a method's
 * (synchronous) gradient call runs.
 *
 * tfjs 4.22's FusedBatchNorm gradient builds, for every call, x − μ and dy·γ over the whole
 * activation (needed only for the gradients of μ, σ², γ), tiles (σ² + ε)^−½ to the activation's
 * full shape and multiplies twice: five passes over the activation for
 *
 *   ∂L/∂x = dy · γ · (σ² + ε)^−½        (per channel: one broadcast multiply)
 *
 * which is all an input gradient needs (μ, σ², γ, β are weights, not on the path from x). On a
 * ResNet-18 (20 batch-norm layers) those passes are a sizeable share of the backward pass. The
 * lean version computes ∂L/∂x with one broadcast multiply and leaves the other gradients to the
 * original function, called only if they are asked for (so nothing else changes). Values agree
 * up to float32 rounding (γ·(σ² + ε)^−½ is formed first). The registry entry is restored as soon
 * as the call returns; the call must not await (nothing else can run in between).
 */
import type * as tfTypes from '@tensorflow/tfjs';

type Tf = typeof tfTypes;
type GradFunc = NonNullable<ReturnType<Tf['getGradient']>>['gradFunc'];

function leanBatchNormGrad(tf: Tf, original: GradFunc): GradFunc {
  return (dy, saved, attrs) => {
    const [, mean, variance, scale] = saved;
    if (mean.rank !== 1 || Array.isArray(dy)) return original(dy, saved, attrs);
    let full: ReturnType<GradFunc> | null = null;
    const rest = () => (full ??= original(dy, saved, attrs));
    const epsilon = (attrs as { varianceEpsilon: number }).varianceEpsilon;
    return {
      x: () => {
        const inv = tf.rsqrt(tf.add(variance, tf.scalar(epsilon)));
        return tf.mul(dy, scale == null ? inv : tf.mul(inv, scale));
      },
      mean: () => rest().mean(),
      variance: () => rest().variance(),
      scale: () => rest().scale(),
      offset: () => rest().offset()
    };
  };
}

/** Runs `f` (synchronous) with the lean batch-norm input gradient (see the file comment). */
export function withLeanGradients<T>(tf: Tf, f: () => T): T {
  const config = tf.getGradient(tf.FusedBatchNorm);
  if (!config) return f();
  const original = config.gradFunc;
  config.gradFunc = leanBatchNormGrad(tf, original);
  try {
    return f();
  } finally {
    config.gradFunc = original;
  }
}
