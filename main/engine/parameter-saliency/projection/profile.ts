/**
 * The filter-saliency profile as a function of the input that TF.js can differentiate again
 * (algorithms.md §1.2, §2.4): for every sample n, conv l and filter o,
 *
 *   s̄_n[l, o] = mean_{a,b,c} |∂L_n/∂W_l[a, b, c, o]|,   L = Σ_n (log Σ_k e^{z_nk} − z_n,y_n),
 *
 * the true-label cross-entropy in inference mode. The kernel gradient is not taken with
 * Conv2DBackpropFilter (no second-order gradient) but rebuilt from the conv's input and
 * dy_l = ∂L/∂(conv output) by slice-and-matMul (diff-ops.ts); dy_l itself comes from an inner
 * tf.grads with respect to zero taps added to every conv output (network.ts), whose backward
 * pass (Conv2DBackpropInput, Relu, Maximum, MatMul, LogSoftmax …) is twice differentiable.
 * Rows are independent, so one pass gives every sample's own profile (abs before any sum).
 *
 * Checkable property: at any x the profile equals mean |ModelHandle.kernelGradients| per filter.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { ProjectionNetwork } from './network';
import { perSampleKernelGradient } from './diff-ops';
import { twiceDifferentiable } from './twice-differentiable';

type Tf = typeof tfTypes;
type Tensor = tfTypes.Tensor;

/** Σ_n (logsumexp(z_n) − z_n,y_n), with a logsumexp whose gradient can be differentiated again. */
function trueLabelLoss(tf: Tf, logits: tfTypes.Tensor2D, labels: number[]): tfTypes.Scalar {
  const picked = tf.sum(tf.mul(logits, tf.oneHot(labels, logits.shape[1])), 1);
  return tf.sum(tf.sub(twiceDifferentiable(tf).logSumExp(logits), picked));
}

/**
 * Profiles [B, L] of x [B, H, W, C] with true labels `labels`, differentiable with respect to x.
 * Tensors that must outlive the inner gradient are pushed to `kept` (tf.keep'd); the caller
 * disposes them once every gradient through the result has been taken.
 */
export function differentiableProfile(tf: Tf, net: ProjectionNetwork, x: tfTypes.Tensor4D, labels: number[], kept: Tensor[]): tfTypes.Tensor2D {
  const b = x.shape[0];
  const taps = net.convs.map((c) => tf.zeros([b, ...c.outShape]));
  kept.push(...taps);
  const inputs: tfTypes.Tensor4D[] = [];
  const loss = (...t: Tensor[]): tfTypes.Scalar => {
    const seen: tfTypes.Tensor4D[] = [];
    const logits = net.forward(x, t, seen);
    // Clones (Identity, differentiable) so the conv inputs survive the inner forward tidy without pinning x.
    for (const s of seen) inputs.push(tf.keep(tf.clone(s)));
    return trueLabelLoss(tf, logits, labels);
  };
  const dys = tf.grads(loss)(taps);
  kept.push(...inputs);
  const parts = net.convs.map((conv, l) => {
    const g = perSampleKernelGradient(tf, inputs[l], dys[l] as tfTypes.Tensor4D, conv.spec);
    return tf.mean(tf.abs(g), [1, 2, 3]);
  });
  return tf.concat(parts, 1) as tfTypes.Tensor2D;
}

/** Disposes what `differentiableProfile` kept. */
export function releaseKept(tf: Tf, kept: Tensor[]): void {
  tf.dispose(kept);
  kept.length = 0;
}
