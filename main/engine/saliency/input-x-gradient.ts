/**
 * Gradient × Input (Shrikumar, Greenside, Shcherbina & Kundaje 2016, "Not Just a Black Box:
 * Learning Important Features Through Propagating Activation Differences", arXiv:1605.01713;
 * spec §5.2).
 *
 * For each row i with target class c_i and pre-softmax logit y_{c_i} (model space):
 *
 *   A_i = x_i ⊙ ∂y_{c_i}(x_i)/∂x_i ∈ R^{H×W×C}      (raw, signed)
 *   S_i[h, w] = Σ_c A_i[h, w, c]                     (map, SIGNED: red/blue, not a magnitude)
 *
 * The map is signed on purpose (spec §5.0): a pixel can push the logit down. Take |S| for a
 * magnitude. "Input" is x in model space, so the attribution is relative to the model-space zero
 * (the `mean-colour` baseline), not to raw black. One forward and one backward pass for all
 * rows; no parameters.
 *
 * Checkable property (Euler's theorem): for a positively 1-homogeneous model (bias-free ReLU
 * network, or y = W·x), Σ_{h,w,c} A_i = y_{c_i}(x_i); with biases it misses by the bias terms.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { inputGradientResolving, readAttributions } from './attribution';
import { checkContext, rejectUnknownParams, throwIfCancelled, type SaliencyBatchResult, type SaliencyContext, type SaliencyMethod } from './method';

async function run(ctx: SaliencyContext): Promise<SaliencyBatchResult> {
  checkContext(inputXGradient, ctx);
  throwIfCancelled(ctx.signal, inputXGradient.id);
  const { grads, kept } = inputGradientResolving(ctx, inputXGradient);
  const attributions = ctx.tf.tidy(() => ctx.tf.mul(ctx.x, grads) as tfTypes.Tensor4D);
  grads.dispose();
  return readAttributions(ctx, inputXGradient, attributions, (a) => ctx.tf.sum(a, 3) as tfTypes.Tensor3D, kept);
}

/** The `input-x-gradient` method: x ⊙ ∂y_c/∂x, summed over channels (signed). */
export const inputXGradient: SaliencyMethod = {
  id: 'input-x-gradient',
  label: 'Gradient × input',
  reference: 'Shrikumar, Greenside, Shcherbina & Kundaje (2016), Not Just a Black Box, arXiv:1605.01713',
  requires: ['gradients'],
  score: 'logit',
  stochastic: false,
  resolvesTargets: true,
  passesPerInput: () => ({ forward: 1, backward: 1 }),
  defaults: {},
  validate(params) {
    rejectUnknownParams('input-x-gradient', params, []);
    return {};
  },
  run
};
