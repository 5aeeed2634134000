import { AppError } from '../../../shared/errors';
import { resolveStatistic } from './index';
import type { CompareOptions, ComparisonStatistic, NumericArray, StatisticId } from './types';
import { invalidParam } from './validate';

/** One set of maps to compare, e.g. one method or one training run: maps[t] explains image t. */
export interface MapSet {
  label: string;
  maps: readonly NumericArray[];
}

/** Per-image values of one pair of sets (a ≤ b), kept for distributions and paired tests. */
export interface PairValues {
  a: number;
  b: number;
  /** values[t] = statistic(sets[a].maps[t], sets[b].maps[t]); NaN where undefined. */
  values: Float64Array;
  /** Mean over the images where the statistic is defined; NaN when it is defined for none. */
  mean: number;
  /** How many images have a defined value. */
  defined: number;
  /** Why the others are undefined: reason → number of images. */
  undefinedReasons: Record<string, number>;
}

/** Result of {@link compareMatrix}: plain data, safe to send across processes. */
export interface ComparisonMatrix {
  statistic: StatisticId;
  spec: string;
  higherIsMoreSimilar: boolean;
  range: readonly [number, number];
  labels: string[];
  imageCount: number;
  /** mean[i][j] = mean over images of the statistic between sets i and j; symmetric. */
  mean: number[][];
  /** defined[i][j] = number of images that mean is over. */
  defined: number[][];
  /** Every pair i ≤ j (diagonal included), in row-major order. */
  pairs: PairValues[];
}

/** Options of {@link compareMatrix}. */
export interface MatrixOptions {
  /** Passed to the statistic (shape, data range, k…); a spec like `topk:0.1` overrides `k`. */
  compare?: CompareOptions;
  /** Checked before each pair; an aborted run throws AppError CANCELLED. */
  signal?: AbortSignal;
  /** Called after each pair with (pairs done, pairs in total). */
  onProgress?: (done: number, total: number) => void;
}

/** Checks that there is at least one set and that every set has the same, non-zero image count. */
function assertSets(sets: readonly MapSet[]): number {
  if (!Array.isArray(sets) || sets.length === 0) throw invalidParam('matrix', '`sets` must be a non-empty array of map sets');
  const imageCount = sets[0]?.maps?.length;
  if (!imageCount) throw invalidParam('matrix', '`sets[0].maps` must hold at least one map');
  sets.forEach((set, i) => {
    if (!Array.isArray(set?.maps) || set.maps.length !== imageCount) {
      const got = Array.isArray(set?.maps) ? `${set.maps.length} maps` : 'no maps array';
      throw invalidParam('matrix', `\`sets[${i}]\` has ${got} but \`sets[0]\` has ${imageCount}; every set must explain the same images in the same order`);
    }
  });
  return imageCount;
}

/** Evaluates one pair of sets image by image. */
function comparePair(statistic: ComparisonStatistic, sets: readonly MapSet[], a: number, b: number, opts: CompareOptions): PairValues {
  const n = sets[a].maps.length;
  const values = new Float64Array(n);
  const undefinedReasons: Record<string, number> = {};
  let sum = 0;
  let defined = 0;
  for (let t = 0; t < n; t++) {
    const { value, reason } = statistic.compute(sets[a].maps[t], sets[b].maps[t], opts);
    values[t] = value;
    if (Number.isNaN(value)) {
      const key = reason ?? 'undefined';
      undefinedReasons[key] = (undefinedReasons[key] ?? 0) + 1;
    } else {
      sum += value;
      defined++;
    }
  }
  return { a, b, values, mean: defined > 0 ? sum / defined : Number.NaN, defined, undefinedReasons };
}

/**
 * Pairwise comparison matrix over M sets of maps (algorithms.md §3.6 run-to-run SSIM, §4.5
 * method/baseline agreement): for every pair of sets (i, j), i ≤ j, and every image t, the
 * statistic between sets[i].maps[t] and sets[j].maps[t]; the cell (i, j) is the mean over images
 * where it is defined, and all per-image values are kept. Registered statistics are symmetric,
 * so only i ≤ j is computed and mirrored. `spec` is a registry id or `topk:K`.
 *
 * Errors: PARAM_INVALID for no sets, unequal image counts, or any map the statistic rejects
 * (its message names the statistic); AppError CANCELLED when `signal` aborts.
 */
export function compareMatrix(sets: readonly MapSet[], spec: string, opts: MatrixOptions = {}): ComparisonMatrix {
  const { statistic, options } = resolveStatistic(spec, opts.compare);
  const imageCount = assertSets(sets);
  const m = sets.length;
  const mean = Array.from({ length: m }, () => new Array<number>(m).fill(Number.NaN));
  const defined = Array.from({ length: m }, () => new Array<number>(m).fill(0));
  const pairs: PairValues[] = [];
  const total = (m * (m + 1)) / 2;
  for (let a = 0; a < m; a++) {
    for (let b = a; b < m; b++) {
      if (opts.signal?.aborted) throw new AppError('CANCELLED', 'The comparison matrix was cancelled.');
      const pair = comparePair(statistic, sets, a, b, options);
      pairs.push(pair);
      mean[a][b] = mean[b][a] = pair.mean;
      defined[a][b] = defined[b][a] = pair.defined;
      opts.onProgress?.(pairs.length, total);
    }
  }
  const { id, higherIsMoreSimilar, range } = statistic;
  return { statistic: id, spec, higherIsMoreSimilar, range, labels: sets.map((s) => s.label), imageCount, mean, defined, pairs };
}
