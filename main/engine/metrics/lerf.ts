/**
 * LeRF — least relevant first region perturbation (Samek et al. 2017; spec §5.9): as MoRF
 * (./morf.ts) with the tiles in ascending relevance. A faithful map keeps the score flat, so
 * AOPC is small: smaller is better. Same parameters and defaults as MoRF.
 * Checkable: for a linear model with 1×1 tiles, the ascending order of w ⊙ (x − B) minimises AOPC.
 */
import { readMetricParams } from './params';
import { regionSchedule } from './region-schedule';
import type { FaithfulnessMetric } from './types';

export const lerf: FaithfulnessMetric = {
  id: 'lerf',
  label: 'LeRF (AOPC)',
  reference: 'Samek, Binder, Montavon, Bach & Müller (2017), Evaluating the visualization of what a deep neural network has learned, IEEE TNNLS, arXiv:1509.06321',
  direction: 'delete',
  primary: 'aopc',
  higherIsBetter: false,
  defaultBaseline: 'uniform-noise',
  validate: (params) => readMetricParams('lerf', params, 'uniform-noise', true),
  schedule: (map, h, w, params) => regionSchedule('lerf', map, h, w, params, false)
};
