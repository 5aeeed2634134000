/**
 * The metrics' view of the shared percentile bootstrap (main/engine/stats/bootstrap.ts): per-image
 * metric values may be NaN (undefined, e.g. a constant map), so they are left out first and the
 * interval reports how many values it is over. The resampling itself is the shared one.
 */
import { BOOTSTRAP_DEFAULTS, bootstrapMeanCi, quantileSorted } from '../stats/bootstrap';

export { quantileSorted };

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
export const DEFAULT_RESAMPLES = BOOTSTRAP_DEFAULTS.resamples;

/** Mean of the defined (non-NaN) values with its seeded percentile-bootstrap interval. */
export function bootstrapMean(values: ArrayLike<number>, options: { resamples?: number; level?: number; seed?: number } = {}): MeanCI {
  const defined = Float64Array.from(Array.from(values).filter((v) => !Number.isNaN(v)));
  const ci = bootstrapMeanCi(defined, options);
  return { mean: ci.estimate, lo: ci.lo, hi: ci.hi, n: defined.length, level: ci.level };
}
