/**
 * Target selection inside a method's own forward pass, so a run that explains the predicted class
 * needs no separate forward pass to find it (on ResNet-18 at 224² that pass was ~20 % of a
 * gradient map's time).
 *
 * For logits Y [N, K] the selected score is
 *
 *   s_i = Y[i, t_i],   t_i = argmax_j Y[i, j]  (first index on ties)   when predicting,
 *                      t_i = targets[i]                                 otherwise,
 *
 * and ∂s_i/∂Y = onehot(t_i): the argmax is a piecewise-constant function of Y whose derivative is
 * zero almost everywhere, so the gradient is that of Y[i, t_i] with t_i held fixed, exactly what
 * a separate target pass followed by a gather gives. The selection runs inside `tf.customGrad`,
 * so the integer argmax never reaches the gradient tape (tfjs would reject its int32 "gradient").
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { SaliencyContext } from './method';

type Tf = typeof tfTypes;

/** What one resolving pass leaves behind: the targets used and x's logits, both kept (caller disposes). */
export interface ResolvedTensors {
  targets: tfTypes.Tensor1D;
  logits: tfTypes.Tensor2D;
}

/**
 * s = Y[i, t_i] per row (see the file comment), differentiable w.r.t. `logits`. The targets used
 * and a copy of `logits` are kept (they survive enclosing tidy/grad scopes) and handed to `keep`.
 */
export function pickInPass(tf: Tf, logits: tfTypes.Tensor2D, targets: Int32Array, predict: boolean, keep: (r: ResolvedTensors) => void): tfTypes.Tensor1D {
  const [rows, k] = logits.shape;
  const select = tf.customGrad((...args: Array<tfTypes.Tensor | tfTypes.GradSaveFunc>) => {
    const [y, save] = args as [tfTypes.Tensor2D, tfTypes.GradSaveFunc];
    const t = predict ? (tf.argMax(y, 1) as tfTypes.Tensor1D) : tf.tensor1d(targets, 'int32');
    const flat = tf.add(tf.range(0, rows * k, k, 'int32'), t) as tfTypes.Tensor1D;
    save([t]);
    keep({ targets: tf.keep(tf.clone(t)), logits: tf.keep(tf.clone(y)) });
    const gradFunc = (dy: tfTypes.Tensor1D, saved: tfTypes.Tensor[]) => tf.mul(tf.oneHot(saved[0] as tfTypes.Tensor1D, k), tf.expandDims(dy, 1));
    return { value: tf.gather(tf.reshape(y, [-1]), flat) as tfTypes.Tensor1D, gradFunc };
  });
  return select(logits) as tfTypes.Tensor1D;
}

/** Whether a run resolves in its own pass: asked for (`ctx.inPassTargets`), and the logit is what is scored. */
export function resolvesInPass(ctx: SaliencyContext, defaultScore: 'logit' | 'prob'): boolean {
  return ctx.inPassTargets !== undefined && (ctx.score ?? defaultScore) === 'logit';
}

/** Reads the kept tensors back (and disposes them) as the result's `resolved` field. */
export async function readResolved(tf: Tf, kept: ResolvedTensors | null): Promise<{ targets: Int32Array; logits: Float32Array } | undefined> {
  if (!kept) return undefined;
  try {
    const [targets, logits] = await Promise.all([kept.targets.data() as Promise<Int32Array>, kept.logits.data() as Promise<Float32Array>]);
    return { targets, logits };
  } finally {
    tf.dispose([kept.targets, kept.logits]);
  }
}
