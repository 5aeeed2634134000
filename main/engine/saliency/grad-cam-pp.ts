/**
 * Grad-CAM++ (Chattopadhay, Sarkar, Howlader & Balasubramanian 2018, "Grad-CAM++: Generalized
 * Gradient-Based Visual Explanations for Deep Convolutional Networks", WACV, arXiv:1710.11063),
 * on the pre-softmax logit y_c by default, at the layer `layer` (as Grad-CAM). With
 * g = ∂y_c/∂A_{i,j,k}:
 *
 *   α_{ijk} = g² / (2 g² + Σ_{a,b} A_{a,b,k} · g³)    (0 where the denominator is 0)
 *   w_k     = Σ_{i,j} α_{ijk} · ReLU(g)
 *   L       = ReLU(Σ_k w_k A_{:,:,k})
 *
 * The paper derives α for Y = exp(y_c), whose higher derivatives are exp(y_c)·gⁿ when y_c is
 * piecewise linear in A; exp(y_c) cancels in α and only scales w, so, like pytorch-grad-cam and
 * TorchCAM, we drop it (maps differ from the paper's by the positive factor exp(y_c) per row).
 * Unlike pytorch-grad-cam we add no ε to the denominator. Parameters as Grad-CAM (cam-common.ts).
 *
 * Checkable property: for a global-average-pool + dense head, g = γ_k = W_{k,c}/(h·w) is constant
 * over (i, j), so α_k = 1/(2 + γ_k S_k) with S_k = Σ_{ij} A_{ijk}, w_k = h·w·ReLU(γ_k)/(2 + γ_k S_k)
 * and L = ReLU(Σ_k w_k A_k).
 */
import { CAM_DEFAULTS, runCam, validateCamParams, type ChannelWeights } from './cam-common';
import type { SaliencyMethod } from './method';

/** w_k = Σ_ij α_ijk ReLU(g_ijk), per row and channel. */
const plusPlusWeights: ChannelWeights = (tf, a, g) => {
  const g2 = tf.square(g);
  const g3 = tf.mul(g2, g);
  const denom = tf.add(tf.mul(g2, 2), tf.mul(tf.sum(a, [1, 2], true), g3));
  const defined = tf.notEqual(denom, 0);
  const alpha = tf.where(defined, tf.div(g2, tf.where(defined, denom, tf.onesLike(denom))), tf.zerosLike(denom));
  return tf.sum(tf.mul(alpha, tf.relu(g)), [1, 2], true);
};

/** The `grad-cam-pp` method (see the file comment). */
export const gradCamPlusPlus: SaliencyMethod = {
  id: 'grad-cam-pp',
  label: 'Grad-CAM++',
  reference: 'Chattopadhay et al. (2018), Grad-CAM++: Generalized Gradient-Based Visual Explanations for Deep Convolutional Networks, WACV, arXiv:1710.11063',
  requires: ['gradients', 'layer-activations'],
  score: 'logit',
  stochastic: false,
  resolvesTargets: true,
  passesPerInput: () => ({ forward: 2, backward: 1 }),
  defaults: { ...CAM_DEFAULTS },
  validate: (params) => ({ ...validateCamParams('grad-cam-pp', params) }),
  run: (ctx) => runCam(ctx, gradCamPlusPlus, plusPlusWeights)
};
