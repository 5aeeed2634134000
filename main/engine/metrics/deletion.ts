/**
 * Deletion (Petsiuk, Das, Saenko 2018, "RISE", BMVC, arXiv:1806.07421; spec §5.8). Start from x and
 * replace the most salient pixels (all channels) by the baseline B, n pixels per step, until all
 * are replaced; record s_c (default the probability of the class predicted on x) after each step:
 * v_0 = s_c(x), …, v_K = s_c(B). Score: AUC of v over the fraction of pixels deleted (trapezoid).
 * Lower is better: a faithful map makes the score collapse early.
 *
 * Parameters: `baseline` (default `mean-colour`, i.e. zero in normalised model space, what the
 * reference code uses), `steps` K (default round(√(H·W)); see ./pixel-schedule), `draws` (noise
 * baselines, default 5). Checkable: a model reading one pixel, ranked first, gives AUC ≈ v_0/(2K).
 */
import { readMetricParams } from './params';
import { pixelSchedule } from './pixel-schedule';
import type { FaithfulnessMetric } from './types';

export const deletion: FaithfulnessMetric = {
  id: 'deletion',
  label: 'Deletion (AUC)',
  reference: 'Petsiuk, Das & Saenko (2018), RISE: Randomized Input Sampling for Explanation of Black-box Models, BMVC, arXiv:1806.07421',
  direction: 'delete',
  primary: 'auc',
  higherIsBetter: false,
  defaultBaseline: 'mean-colour',
  validate: (params) => readMetricParams('deletion', params, 'mean-colour', false),
  schedule: (map, h, w, params) => pixelSchedule('deletion', map, h, w, params)
};
