/**
 * Cascading randomisation (Adebayo et al. 2018, §3.1): starting from the logits, re-initialise
 * one more layer per step, top down, keeping the layers above random:
 *
 *   step s (s = 1 … L) randomises layers L, L−1, …, L−s+1 (model order 1 … L).
 *
 * A map that explains the model should lose its similarity to the original as the randomisation
 * reaches deeper layers; one that stays similar at the last step (all weights random) does not
 * depend on what the model learnt.
 */
import type { SanityCheck } from './types';

export const cascadingCheck: SanityCheck = {
  id: 'cascading',
  label: 'Cascading randomisation',
  reference: 'Adebayo et al., Sanity Checks for Saliency Maps, NeurIPS 2018, §3.1 (cascading)',
  steps: (layers) => layers.map((_, s) => ({ layer: layers[layers.length - 1 - s], randomised: layers.slice(layers.length - 1 - s).reverse() }))
};
