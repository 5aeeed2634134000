/**
 * Seeded percentile bootstrap for dataset-level summaries (algorithms.md §3.2 draws its evaluation
 * sample with replacement; §3.10 reports means per family). Resamples come from the project PRNG
 * (shared/random.ts), so a CI is the same on every platform for the same seed.
 */
import { AppError } from '../../../shared/errors';
import { createRng } from '../../../shared/random';

/** A percentile bootstrap confidence interval of a statistic. */
export interface BootstrapCi {
  /** The statistic on the full sample. */
  estimate: number;
  lo: number;
  hi: number;
  /** Nominal coverage, e.g. 0.95. */
  level: number;
  resamples: number;
  seed: number;
  method: 'percentile';
}

export interface BootstrapOptions {
  /** Number of resamples B (default 1000). */
  resamples?: number;
  /** Nominal coverage in (0, 1) (default 0.95). */
  level?: number;
  /** PRNG seed (default 0). */
  seed?: number;
}

export const BOOTSTRAP_DEFAULTS = { resamples: 1000, level: 0.95, seed: 0 } as const;

/** Checks and fills the options. @throws AppError PARAM_INVALID naming the option */
export function resolveBootstrap(opts: BootstrapOptions = {}): Required<BootstrapOptions> {
  const resamples = opts.resamples ?? BOOTSTRAP_DEFAULTS.resamples;
  const level = opts.level ?? BOOTSTRAP_DEFAULTS.level;
  const seed = opts.seed ?? BOOTSTRAP_DEFAULTS.seed;
  if (!Number.isInteger(resamples) || resamples < 1 || resamples > 1e6) throw new AppError('PARAM_INVALID', `bootstrap: \`resamples\` must be an integer in 1…1000000, got ${resamples}.`);
  if (!(level > 0 && level < 1)) throw new AppError('PARAM_INVALID', `bootstrap: \`level\` must lie in (0, 1), got ${level}.`);
  if (!Number.isFinite(seed)) throw new AppError('PARAM_INVALID', `bootstrap: \`seed\` must be a finite number, got ${seed}.`);
  return { resamples, level, seed };
}

/** Quantile q of sorted values by linear interpolation between order statistics (numpy's default, type 7). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s / values.length;
}

/**
 * Percentile bootstrap CI of the mean: B resamples of size n drawn with replacement
 * (index = ⌊u·n⌋, u uniform from createRng(seed)), the mean of each in float64, and the
 * (1 − level)/2 and (1 + level)/2 quantiles of those B means (type 7). Non-finite values must be
 * removed by the caller. n = 0 gives NaN everywhere; n = 1 gives lo = hi = the value.
 */
export function bootstrapMeanCi(values: ArrayLike<number>, opts: BootstrapOptions = {}): BootstrapCi {
  const { resamples, level, seed } = resolveBootstrap(opts);
  const n = values.length;
  const base = { level, resamples, seed, method: 'percentile' as const };
  if (n === 0) return { estimate: Number.NaN, lo: Number.NaN, hi: Number.NaN, ...base };
  const rng = createRng(seed);
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += values[Math.floor(rng.uniform() * n)];
    means[b] = s / n;
  }
  means.sort();
  const alpha = (1 - level) / 2;
  return { estimate: mean(values), lo: quantileSorted(means, alpha), hi: quantileSorted(means, 1 - alpha), ...base };
}

/**
 * Percentile bootstrap CI of mean(b) − mean(a) for two independent samples (e.g. an in-set and
 * an out-of-set image set): each sample is resampled with replacement on its own, from one
 * seeded stream (all of a's draws, then b's, per resample). Empty samples give NaN.
 */
export function bootstrapMeanDifferenceCi(a: ArrayLike<number>, b: ArrayLike<number>, opts: BootstrapOptions = {}): BootstrapCi {
  const { resamples, level, seed } = resolveBootstrap(opts);
  const base = { level, resamples, seed, method: 'percentile' as const };
  if (a.length === 0 || b.length === 0) return { estimate: Number.NaN, lo: Number.NaN, hi: Number.NaN, ...base };
  const rng = createRng(seed);
  const draw = (x: ArrayLike<number>): number => {
    let s = 0;
    for (let i = 0; i < x.length; i++) s += x[Math.floor(rng.uniform() * x.length)];
    return s / x.length;
  };
  const diffs = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    const ma = draw(a);
    diffs[r] = draw(b) - ma;
  }
  diffs.sort();
  const alpha = (1 - level) / 2;
  return { estimate: mean(b) - mean(a), lo: quantileSorted(diffs, alpha), hi: quantileSorted(diffs, 1 - alpha), ...base };
}
