/**
 * Compares two sessions: which models and image sets they share, and for each pair of runs with
 * the same kind, method, model and image set, how much their stored maps agree item by item.
 * The statistics are the registered pairwise ones (main/engine/compare, pure JS): for each pair
 * of runs and each statistic s, the mean over items i of s(mapA_i, mapB_i), accumulated in float64;
 * items where s is undefined (a constant map under a correlation) are left out of that mean, and
 * the mean is null when no item has a defined value (SSIM of maps smaller than its 7×7 window too).
 * SSIM is taken on min-max-normalised maps with data range 1 (algorithms.md §5.10 and the map-comparison
 * notes: SSIM is not invariant to rescaling, so maps are normalised first); a constant map has none. Maps are read a chunk at a time.
 */
import { AppError } from '../../shared/errors';
import { getStatistic } from '../engine/compare';
import type { Project } from './project';
import type { RunPairComparison, SessionComparison } from '../../shared/types/workspace';
import { getSession, type RunSummary } from './sessions';

export type { RunPairComparison, SessionComparison };

export const DEFAULT_STATISTICS = ['spearman', 'pearson', 'cosine', 'ssim'] as const;
const MAPS = 'maps';
const PAGE = 64;
/** SSIM's default window side (main/engine/compare/ssim.ts): smaller maps have no SSIM. */
const SSIM_MIN = 7;

/** Min-max normalisation to [0, 1] in float64 (algorithms.md: SSIM on min-max-normalised maps); null for a constant map. */
function minMax(m: Float32Array): Float64Array | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of m) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(hi > lo)) return null;
  return Float64Array.from(m, (v) => (v - lo) / (hi - lo));
}

/** SSIM of the min-max-normalised maps with data range 1; NaN when either map is constant. */
function ssimNormalised(a: Float32Array, b: Float32Array, height: number, width: number): number {
  const na = minMax(a);
  const nb = minMax(b);
  return na && nb ? getStatistic('ssim').compute(na, nb, { height, width, dataRange: 1 }).value : NaN;
}

function key(r: RunSummary): string {
  return JSON.stringify([r.kind, r.method, r.modelId, r.imageSetId]);
}

function comparePair(project: Project, a: RunSummary, b: RunSummary, statistics: readonly string[]): RunPairComparison {
  const store = project.artifacts;
  const items = Math.min(store.itemCount(a.id, MAPS), store.itemCount(b.id, MAPS));
  const sums = new Map<string, { sum: number; n: number }>(statistics.map((s) => [s, { sum: 0, n: 0 }]));
  for (let offset = 0; offset < items; offset += PAGE) {
    const count = Math.min(PAGE, items - offset);
    const pa = store.readItems(a.id, MAPS, offset, count);
    const pb = store.readItems(b.id, MAPS, offset, count);
    if (pa.itemShape.join('x') !== pb.itemShape.join('x')) {
      throw new AppError('SHAPE_MISMATCH', `Runs ${a.id} and ${b.id} store maps of different shapes ([${pa.itemShape}] vs [${pb.itemShape}]); they cannot be compared item by item.`);
    }
    const size = pa.data.length / count;
    // SSIM needs the 2-D layout; other statistics ignore it. Non-2-D items count as one row.
    const [height, width] = pa.itemShape.length === 2 ? pa.itemShape : [1, size];
    for (let i = 0; i < count; i++) {
      const ma = pa.data.subarray(i * size, (i + 1) * size);
      const mb = pb.data.subarray(i * size, (i + 1) * size);
      for (const id of statistics) {
        if (id === 'ssim' && (height < SSIM_MIN || width < SSIM_MIN)) continue; // undefined below the 7×7 window: null
        const value = id === 'ssim' ? ssimNormalised(ma, mb, height, width) : getStatistic(id).compute(ma, mb, { height, width }).value;
        if (Number.isNaN(value)) continue;
        const acc = sums.get(id)!;
        acc.sum += value;
        acc.n++;
      }
    }
  }
  const mean = Object.fromEntries([...sums].map(([id, { sum, n }]) => [id, n ? sum / n : null]));
  return { runA: a.id, runB: b.id, method: a.method, modelId: a.modelId, imageSetId: a.imageSetId, items, mean };
}

/** Compares sessions `a` and `b` (ids); statistics default to DEFAULT_STATISTICS. */
export function compareSessions(project: Project, a: string, b: string, statistics: readonly string[] = DEFAULT_STATISTICS): SessionComparison {
  statistics.forEach((s) => getStatistic(s)); // PARAM_INVALID for an unknown id, before any work
  const sa = getSession(project, a);
  const sb = getSession(project, b);
  const inB = new Map(sb.runs.filter((r) => r.state === 'complete').map((r) => [key(r), r]));
  const pairs: RunPairComparison[] = [];
  for (const ra of sa.runs.filter((r) => r.state === 'complete')) {
    const rb = inB.get(key(ra));
    if (rb && project.artifacts.itemCount(ra.id, MAPS) > 0 && project.artifacts.itemCount(rb.id, MAPS) > 0) pairs.push(comparePair(project, ra, rb, statistics));
  }
  return {
    a, b,
    sharedModelIds: sa.modelIds.filter((m) => sb.modelIds.includes(m)),
    sharedImageSetIds: sa.imageSetIds.filter((s) => sb.imageSetIds.includes(s)),
    pairs
  };
}
