/**
 * The saliency the selectors use, computed against a stats dir with the profile and ranking
 * stages (profile/, rank/, stats/): for each input its raw profile s̄ (batched profile pass), its
 * z-scores ŝ = (s̄ − μ)/σ, the z-score ranking (descending, ties by index) and, when asked, the
 * POT ranking (only filters above their threshold, tail probability ascending, rank/pot-cache's
 * calibration). The POT ranking is the reference's: not padded, so it may be shorter than K.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { ModelHandle } from '../../model/model-handle';
import { buildFilterTable } from '../profile/filters';
import { filterProfiles, type ProfileStrategy } from '../profile/profile';
import type { JobIO } from '../reference/job';
import { readStatsFile, statsArrays, type StatsFile } from '../reference/store';
import { checkStatsMatchModel } from '../rank/options';
import { loadOrFitPot, type PotSpec } from '../rank/pot-cache';
import { rankDescending, rankPot, scorePot, standardize, type PotModel } from '../stats';
import type { SaliencySource } from './run';
import type { SelectorItem } from './selectors';

/** The source and what it was built from. */
export interface StatsSource {
  source: SaliencySource;
  stats: StatsFile;
  /** The POT calibration, when one was requested. */
  pot: PotModel | null;
}

/**
 * Opens the stats dir `dir` for `model` (checking it belongs to the model) and fits or loads the
 * POT calibration `potSpec` when given.
 * @throws AppError NOT_FOUND / STORAGE_CORRUPT (stats dir), PARAM_INVALID (another model)
 */
export async function statsSaliencySource(tf: typeof tfTypes, model: ModelHandle, dir: string, potSpec: PotSpec | null, strategy: ProfileStrategy | undefined, io: JobIO): Promise<StatsSource> {
  const table = buildFilterTable(model.descriptor);
  const stats = await readStatsFile(dir);
  checkStatsMatchModel(stats, model.descriptor, table, dir);
  const reference = statsArrays(stats);
  const pot = potSpec ? (await loadOrFitPot(dir, stats, potSpec, io)).model : null;
  const source: SaliencySource = (x, labels, indices) => {
    const batch = filterProfiles(tf, model, table, x, labels, { strategy });
    return indices.map((index, n): SelectorItem => {
      const profile = Float64Array.from(batch.values.subarray(n * batch.length, (n + 1) * batch.length));
      const zScores = standardize(profile, reference, 'zscore');
      const rankings: Record<string, Int32Array> = { zscore: rankDescending(zScores) };
      if (pot) rankings.pot = rankPot(scorePot(pot, profile), { zScores }).order;
      return { index, profile, zScores, rankings };
    });
  };
  return { source, stats, pot };
}
