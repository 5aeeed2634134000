/**
 * Ops whose TF.js gradient breaks under double backprop, rewritten with tf.customGrad.
 *
 * Why: an op whose gradient reads its saved OUTPUT (Exp, Sigmoid, Tanh, Softmax; so also the
 * composite logSumExp/logSoftmax) saves a clone of that output while its kernel runs, and the
 * clone's tape node is pushed before the op's own node (tfjs-core 4.22 engine.runKernelFunc). The
 * outer gradient's forward sweep over the tape then never reaches the clone from x, so the
 * first-order gradient computed inside an inner tf.grads is treated as a constant: the second
 * derivative comes out silently wrong (we measured 20–110 % relative error against finite
 * differences) instead of failing. The versions here save their INPUT and recompute what the
 * gradient needs from it, which every tape sweep reaches; values are identical to the built-ins.
 */
import type * as tfTypes from '@tensorflow/tfjs';

type Tf = typeof tfTypes;
type Tensor = tfTypes.Tensor;

/** Drop-in replacements whose gradients survive a second backward pass. */
export interface TwiceDifferentiable {
  /** log Σ_k exp z_k over axis 1 of [B, K]: gradient softmax(z). */
  logSumExp(z: Tensor): tfTypes.Tensor1D;
  /** σ(z): gradient σ(z)(1 − σ(z)). */
  sigmoid(z: Tensor): Tensor;
  /** tanh(z): gradient 1 − tanh²(z). */
  tanh(z: Tensor): Tensor;
}

const cache = new WeakMap<Tf, TwiceDifferentiable>();

type Save = (tensors: Tensor[]) => void;

/** tf.customGrad of f(z) whose gradient `grad(dy, z)` is computed from the saved input z. */
function fromInput(tf: Tf, value: (z: Tensor) => Tensor, grad: (dy: Tensor, z: Tensor) => Tensor): (z: Tensor) => Tensor {
  return tf.customGrad((...args) => {
    const [z, save] = args as [Tensor, Save];
    save([z]);
    return { value: value(z), gradFunc: (dy, [saved]) => grad(dy, saved) };
  });
}

/** The ops for one tfjs instance (built once). */
export function twiceDifferentiable(tf: Tf): TwiceDifferentiable {
  const hit = cache.get(tf);
  if (hit) return hit;
  const ops: TwiceDifferentiable = {
    logSumExp: fromInput(tf, (z) => tf.logSumExp(z, 1), (dy, z) => tf.mul(tf.expandDims(dy, 1), tf.softmax(z))) as (z: Tensor) => tfTypes.Tensor1D,
    sigmoid: fromInput(tf, (z) => tf.sigmoid(z), (dy, z) => {
      const s = tf.sigmoid(z);
      return tf.mul(dy, tf.mul(s, tf.sub(1, s)));
    }),
    tanh: fromInput(tf, (z) => tf.tanh(z), (dy, z) => tf.mul(dy, tf.sub(1, tf.square(tf.tanh(z)))))
  };
  cache.set(tf, ops);
  return ops;
}
