/**
 * The dataset-level curves of a sanity run from its per-image rows: for each similarity statistic
 * and step, count, undefined count, mean, std, median and a seeded bootstrap CI of the mean
 * (stats/summary.ts, float64). Pure JS (no tf), so the persisted analysis jobs of the main process
 * (main/jobs/persisted/analysis/) summarise stored rows with exactly this code.
 */
import { summarize } from '../stats/summary';
import { SIMILARITY_IDS, type CurvePoint, type SimilarityId, type Similarities } from './types';

/** Bootstrap resamples of the curves' CIs when the request gives none. */
export const DEFAULT_SANITY_RESAMPLES = 1000;

/** Per-step curve of one statistic over the images (float64, NaN left out and counted). */
export function curvesOf(rows: Array<{ steps: Similarities[] }>, steps: number, resamples: number, seed: number): Record<SimilarityId, CurvePoint[]> {
  const curve = (id: SimilarityId): CurvePoint[] =>
    Array.from({ length: steps }, (_, s) => {
      const { n, undefinedCount, mean, std, median, ci } = summarize(rows.map((r) => r.steps[s][id]), { resamples, seed });
      return { n, undefinedCount, mean, std, median, ci };
    });
  return Object.fromEntries(SIMILARITY_IDS.map((id) => [id, curve(id)])) as Record<SimilarityId, CurvePoint[]>;
}
