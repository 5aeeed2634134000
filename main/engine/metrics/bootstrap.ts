/**
 * Percentile-bootstrap confidence interval of a mean (Efron): resample the n defined values with
 * replacement `resamples` times (seeded PRNG, shared/random.ts), take the mean of each resample,
 * and report the (1 − level)/2 and (1 + level)/2 quantiles of those means (linear interpolation).
 * NaN values are left out (they mark undefined per-image values). All sums in float64.
 */
import { createRng } from '../../../shared/random';

export interface MeanCI {
  mean: number;
  /** Lower and upper bound of the interval; NaN when no value is defined. */
  lo: number;
  hi: number;
  /** Defined values the mean is over. */
  n: number;
  level: number;
}

/** Default resamples: enough for stable 95 % percentile bounds at the sizes used here. */
export const DEFAULT_RESAMPLES = 1000;

/** Quantile q of sorted values, linear interpolation between order statistics (numpy's default). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

export function bootstrapMean(values: ArrayLike<number>, options: { resamples?: number; level?: number; seed?: number } = {}): MeanCI {
  const { resamples = DEFAULT_RESAMPLES, level = 0.95, seed = 0 } = options;
  const data = Float64Array.from(Array.from(values).filter((v) => !Number.isNaN(v)));
  const n = data.length;
  if (n === 0) return { mean: Number.NaN, lo: Number.NaN, hi: Number.NaN, n, level };
  const mean = data.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, lo: mean, hi: mean, n, level };
  const rng = createRng(seed);
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += data[Math.floor(rng.uniform() * n)];
    means[b] = sum / n;
  }
  means.sort();
  return { mean, lo: quantileSorted(means, (1 - level) / 2), hi: quantileSorted(means, (1 + level) / 2), n, level };
}
