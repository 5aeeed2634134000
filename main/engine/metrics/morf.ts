/**
 * MoRF — most relevant first region perturbation (Samek, Binder, Montavon, Bach, Müller 2017,
 * "Evaluating the visualization of what a deep neural network has learned", IEEE TNNLS,
 * arXiv:1509.06321; spec §5.9, §4.4). Tiles in descending relevance are replaced by B one per step,
 * cumulatively: x^(0) = x, …, x^(L). Score: AOPC = (1/(L+1)) Σ_k (v_0 − v_k); larger is better.
 *
 * Parameters: `baseline` (default `uniform-noise`, U(0, 255) raw, Samek's perturbation, averaged
 * over `draws` = 5 seeded draws), `tile` (9), `steps` L (100, or all tiles if fewer). Checkable:
 * for a linear model with 1×1 tiles, the order of w ⊙ (x − B) maximises AOPC over all orders.
 */
import { readMetricParams } from './params';
import { regionSchedule } from './region-schedule';
import type { FaithfulnessMetric } from './types';

export const morf: FaithfulnessMetric = {
  id: 'morf',
  label: 'MoRF (AOPC)',
  reference: 'Samek, Binder, Montavon, Bach & Müller (2017), Evaluating the visualization of what a deep neural network has learned, IEEE TNNLS, arXiv:1509.06321',
  direction: 'delete',
  primary: 'aopc',
  higherIsBetter: true,
  defaultBaseline: 'uniform-noise',
  validate: (params) => readMetricParams('morf', params, 'uniform-noise', true),
  schedule: (map, h, w, params) => regionSchedule('morf', map, h, w, params, true)
};
