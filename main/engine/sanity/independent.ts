/**
 * Independent randomisation (Adebayo et al. 2018, §3.1): re-initialise one layer at a time, every
 * other layer at its trained value, top down:
 *
 *   step s (s = 1 … L) randomises layer L−s+1 only.
 *
 * Separates each layer's own effect on the map from the cumulative effect of cascading.
 */
import type { SanityCheck } from './types';

export const independentCheck: SanityCheck = {
  id: 'independent',
  label: 'Independent randomisation',
  reference: 'Adebayo et al., Sanity Checks for Saliency Maps, NeurIPS 2018, §3.1 (independent)',
  steps: (layers) => [...layers].reverse().map((layer) => ({ layer, randomised: [layer] }))
};
