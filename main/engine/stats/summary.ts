/**
 * Dataset-level summary of one per-image quantity: count, mean, sample standard deviation,
 * median, range and a seeded bootstrap CI of the mean (bootstrap.ts). Undefined per-image values
 * (NaN, e.g. Spearman's ρ of a constant map) are left out and counted, never averaged in.
 */
import { bootstrapMeanCi, quantileSorted, type BootstrapCi, type BootstrapOptions } from './bootstrap';

export interface Summary {
  /** Values that entered the summary. */
  n: number;
  /** Values left out because they were undefined (NaN). */
  undefinedCount: number;
  mean: number;
  /** Sample standard deviation (n − 1); NaN for n < 2. */
  std: number;
  median: number;
  min: number;
  max: number;
  ci: BootstrapCi;
}

/** JSON has no NaN: undefined statistics are written as null. */
export type JsonNumber = number | null;

/** Summarises `values` (float64); `opts` sets the bootstrap (resamples, level, seed). */
export function summarize(values: ArrayLike<number>, opts: BootstrapOptions = {}): Summary {
  const kept: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) kept.push(values[i]);
  const n = kept.length;
  const sorted = Float64Array.from(kept).sort();
  const ci = bootstrapMeanCi(kept, opts);
  let ss = 0;
  for (const v of kept) ss += (v - ci.estimate) ** 2;
  return {
    n,
    undefinedCount: values.length - n,
    mean: ci.estimate,
    std: n < 2 ? Number.NaN : Math.sqrt(ss / (n - 1)),
    median: quantileSorted(sorted, 0.5),
    min: n ? sorted[0] : Number.NaN,
    max: n ? sorted[n - 1] : Number.NaN,
    ci
  };
}
