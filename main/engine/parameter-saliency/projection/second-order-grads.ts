/**
 * Gradients TF.js 4.22 does not register but the input-space projection's second backward pass
 * reaches: Maximum's own gradient builds its masks with GreaterEqual (registered, zero) and Less
 * (not registered), so differentiating a max-pool written with tf.maximum twice fails with
 * "gradient function not found for Less". A comparison is piecewise constant in its inputs, so
 * its gradient is zero wherever it is defined; registering exactly that changes no existing
 * result. Registered once, globally (all backends), and only when absent — the same pattern as
 * main/engine/ops/strided-slice-grad.ts.
 */
import type * as tfTypes from '@tensorflow/tfjs';

type Tf = typeof tfTypes;

/** Comparison kernels that may lack a (zero) gradient. */
const COMPARISONS = ['Less', 'LessEqual', 'Greater', 'GreaterEqual', 'Equal', 'NotEqual'] as const;

/** Registers ∂/∂a = ∂/∂b = 0 for each comparison kernel without a gradient. */
export function registerComparisonGradients(tf: Tf): void {
  for (const kernelName of COMPARISONS) {
    if (tf.getGradient(kernelName)) continue;
    tf.registerGradient({
      kernelName,
      inputsToSave: ['a', 'b'],
      gradFunc: (_dy, saved) => {
        const [a, b] = saved;
        return { a: () => tf.zerosLike(a), b: () => tf.zerosLike(b) };
      }
    });
  }
}
