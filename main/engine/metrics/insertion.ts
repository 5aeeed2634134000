/**
 * Insertion (Petsiuk, Das, Saenko 2018; spec §5.8). Start from the baseline B (default Gaussian
 * blur of x, 11×11 kernel, σ = 5) and copy the original pixels back in saliency order, n per step:
 * v_0 = s_c(B), …, v_K = s_c(x). Score: AUC over the fraction of pixels inserted; higher is
 * better. Parameters as for deletion (`baseline` default `blur:sigma=5,radius=5`).
 * Checkable: with B = x the curve is constant s_c(x) and so is the AUC.
 */
import { readMetricParams } from './params';
import { pixelSchedule } from './pixel-schedule';
import type { FaithfulnessMetric } from './types';

export const insertion: FaithfulnessMetric = {
  id: 'insertion',
  label: 'Insertion (AUC)',
  reference: 'Petsiuk, Das & Saenko (2018), RISE: Randomized Input Sampling for Explanation of Black-box Models, BMVC, arXiv:1806.07421',
  direction: 'insert',
  primary: 'auc',
  higherIsBetter: true,
  defaultBaseline: 'blur:sigma=5,radius=5',
  validate: (params) => readMetricParams('insertion', params, 'blur:sigma=5,radius=5', false),
  schedule: (map, h, w, params) => pixelSchedule('insertion', map, h, w, params)
};
