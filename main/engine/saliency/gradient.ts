/**
 * Vanilla gradient saliency (Simonyan, Vedaldi & Zisserman 2013, "Deep Inside Convolutional
 * Networks: Visualising Image Classification Models and Saliency Maps", arXiv:1312.6034).
 *
 * For each row i with target class c_i and pre-softmax logit y_{c_i}:
 *
 *   G_i = ∂y_{c_i}(x_i)/∂x_i ∈ R^{H×W×C}        (raw, signed)
 *   S_i[h, w] = max_c |G_i[h, w, c]|             (map)
 *
 * All rows share one reverse pass: rows do not interact in inference mode, so
 * ∂/∂x_i Σ_j y_{c_j}(x_j) = ∂y_{c_i}(x_i)/∂x_i. No baseline and no parameters. The predicted
 * class can be taken in the same forward pass (`ctx.inPassTargets`, targets-in-pass.ts).
 *
 * Checkable property: for a linear model y = W·x + b, G_i = W[:, c_i] exactly (for any x);
 * for any model, G matches central finite differences of y_{c_i}.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { inputGradientResolving, readAttributions } from './attribution';
import { throwIfCancelled, checkContext, rejectUnknownParams, type SaliencyBatchResult, type SaliencyContext, type SaliencyMethod } from './method';

async function run(ctx: SaliencyContext): Promise<SaliencyBatchResult> {
  checkContext(gradient, ctx);
  throwIfCancelled(ctx.signal, gradient.id);
  const { grads, kept } = inputGradientResolving(ctx, gradient);
  return readAttributions(ctx, gradient, grads, (g) => ctx.tf.max(ctx.tf.abs(g), 3) as tfTypes.Tensor3D, kept);
}

/** The `gradient` method: |∂y_c/∂x| reduced by max over channels. */
export const gradient: SaliencyMethod = {
  id: 'gradient',
  label: 'Vanilla gradient',
  reference: 'Simonyan, Vedaldi & Zisserman (2013), Deep Inside Convolutional Networks, arXiv:1312.6034',
  requires: ['gradients'],
  score: 'logit',
  stochastic: false,
  resolvesTargets: true,
  passesPerInput: () => ({ forward: 1, backward: 1 }),
  defaults: {},
  validate(params) {
    rejectUnknownParams('gradient', params, []);
    return {};
  },
  run
};
