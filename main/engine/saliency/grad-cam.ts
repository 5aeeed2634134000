/**
 * Grad-CAM (Selvaraju et al. 2017, "Grad-CAM: Visual Explanations from Deep Networks via
 * Gradient-based Localization", ICCV, arXiv:1610.02391; spec §5.5), on the pre-softmax logit y_c
 * by default, at the layer `layer` (default: the model's last conv layer with a spatial output):
 *
 *   α_k = (1/(h·w)) Σ_{i,j} ∂y_c/∂A_{i,j,k}          (channel weights)
 *   L   = ReLU(Σ_k α_k A_{:,:,k})                    (map on the layer's h×w grid)
 *
 * then optional min-max normalisation and upsampling to the input size (`upsample`: none,
 * bilinear [default, as the paper], bicubic); see cam-common.ts for the parameters
 * (`layer`, `upsample`, `normalize`) and upsample.ts for the interpolation.
 *
 * Checkable property: for a global-average-pool + dense head, ∂y_c/∂A_{ijk} = W_{k,c}/(h·w), so
 * α_k = W_{k,c}/(h·w) and Grad-CAM = ReLU(CAM)/(h·w) with CAM = Σ_k W_{k,c} A_k (Zhou et al. 2016);
 * a class whose logit does not depend on A gives an all-zero map.
 */
import { CAM_DEFAULTS, runCam, validateCamParams, type ChannelWeights } from './cam-common';
import type { SaliencyMethod } from './method';

/** α_k: the spatial mean of the gradient, per row and channel. */
const meanGradient: ChannelWeights = (tf, _a, g) => tf.mean(g, [1, 2], true);

/** The `grad-cam` method (see the file comment). */
export const gradCam: SaliencyMethod = {
  id: 'grad-cam',
  label: 'Grad-CAM',
  reference: 'Selvaraju et al. (2017), Grad-CAM: Visual Explanations from Deep Networks via Gradient-based Localization, ICCV, arXiv:1610.02391',
  requires: ['gradients', 'layer-activations'],
  score: 'logit',
  stochastic: false,
  resolvesTargets: true,
  // One pass up to the layer for A, one full pass with A substituted, one backward through the head.
  passesPerInput: () => ({ forward: 2, backward: 1 }),
  defaults: { ...CAM_DEFAULTS },
  validate: (params) => ({ ...validateCamParams('grad-cam', params) }),
  run: (ctx) => runCam(ctx, gradCam, meanGradient)
};
