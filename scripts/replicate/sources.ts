/**
 * Saliency sources for the verification runs (main/engine/parameter-saliency/verify/run.ts).
 *
 * - `selfSource`: the engine's own `statsSaliencySource` (stats dir of the same model), i.e. what
 *   `saliency param-verify` does.
 * - `crossSource`: the malicious model's profiles standardised against the CLEAN model's stats
 *   dir. The engine refuses that pairing on purpose (another model hash), so this composes the
 *   same stages (filterProfiles → standardize → rankDescending, scorePot → rankPot) after checking
 *   that the two models list the same filters in the same order (same architecture: ids line up).
 * - `withPlanted`: wraps a source to record, per input, where the planted filter sits in the
 *   z-score and POT rankings and to add a one-filter ranking `planted` (so "zero it alone" runs
 *   through the same protocol code as every other selector).
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { AppError } from '../../shared/errors';
import type { ModelHandle } from '../../main/engine/model/model-handle';
import { buildFilterTable } from '../../main/engine/parameter-saliency/profile/filters';
import { filterProfiles } from '../../main/engine/parameter-saliency/profile/profile';
import { readStatsFile, statsArrays } from '../../main/engine/parameter-saliency/reference/store';
import { loadOrFitPot, type PotSpec } from '../../main/engine/parameter-saliency/rank/pot-cache';
import { rankDescending, rankPot, scorePot, standardize } from '../../main/engine/parameter-saliency/stats';
import type { SaliencySource } from '../../main/engine/parameter-saliency/verify/run';
import type { SelectorItem } from '../../main/engine/parameter-saliency/verify/selectors';
import { statsSaliencySource } from '../../main/engine/parameter-saliency/verify/stats-source';
import type { Context } from './context';

/** Where the planted filter sits for one input (1-based ranks; null = not ranked by POT). */
export interface PlantedRanks {
  index: number;
  zRank: number;
  potRank: number | null;
  z: number;
  /** POT-ranked filters of the input (those above their threshold). */
  potRanked: number;
}

/** The engine's source for a model and its own stats dir. */
export async function selfSource(ctx: Context, model: ModelHandle, dir: string, pot: PotSpec): Promise<SaliencySource> {
  return (await statsSaliencySource(ctx.tf, model, dir, pot, undefined, ctx.io)).source;
}

/** Profiles of `model` standardised against another model's stats dir (file doc). */
export async function crossSource(ctx: Context, model: ModelHandle, dir: string, pot: PotSpec): Promise<SaliencySource> {
  const table = buildFilterTable(model.descriptor);
  const stats = await readStatsFile(dir);
  const same = stats.length === table.length && stats.filters.every((f, j) => f.layer === table.ids[j].layer && f.index === table.ids[j].index);
  if (!same) throw new AppError('PARAM_INVALID', `The statistics in ${dir} list other filters than ${model.descriptor.name}: the clean-calibrated reading needs the same architecture.`);
  const reference = statsArrays(stats);
  const potModel = (await loadOrFitPot(dir, stats, pot, ctx.io)).model;
  return (x: tfTypes.Tensor4D, labels: number[], indices: number[]) => {
    const batch = filterProfiles(ctx.tf, model, table, x, labels);
    return indices.map((index, n): SelectorItem => {
      const profile = Float64Array.from(batch.values.subarray(n * batch.length, (n + 1) * batch.length));
      const zScores = standardize(profile, reference, 'zscore');
      const rankings = { zscore: rankDescending(zScores), pot: rankPot(scorePot(potModel, profile), { zScores }).order };
      return { index, profile, zScores, rankings };
    });
  };
}

function rankOf(order: ArrayLike<number>, filter: number): number | null {
  for (let r = 0; r < order.length; r++) if (order[r] === filter) return r + 1;
  return null;
}

/** Records the planted filter's ranks into `sink` and adds the one-filter ranking `planted`. */
export function withPlanted(source: SaliencySource, filter: number, sink: Map<number, PlantedRanks>): SaliencySource {
  return async (x, labels, indices) => {
    const items = await source(x, labels, indices);
    return items.map((item) => {
      const z = item.rankings?.zscore ?? [];
      const pot = item.rankings?.pot ?? [];
      const zRank = rankOf(z, filter);
      if (zRank === null) throw new AppError('INTERNAL', `The z-score ranking of input ${item.index} does not list filter ${filter}.`);
      sink.set(item.index, { index: item.index, zRank, potRank: rankOf(pot, filter), z: item.zScores?.[filter] ?? NaN, potRanked: pot.length });
      return { ...item, rankings: { ...item.rankings, planted: Int32Array.of(filter) } };
    });
  };
}
