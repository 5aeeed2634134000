/**
 * Streaming per-filter mean and unbiased standard deviation of filter-saliency profiles over a
 * reference set (Levin et al., arXiv 2108.01335, as restated in algorithms.md §2.3).
 *
 * Welford's update, one profile `x` (length L) at a time, per filter j:
 *   M_k = M_{k−1} + (x_k − M_{k−1})/k,   S_k = S_{k−1} + (x_k − M_{k−1})(x_k − M_k),
 *   variance = S_N/(N − 1),  std = √variance.
 * Two accumulators merge exactly as Chan, Golub & LeVeque (1979):
 *   δ = M_b − M_a,  n = n_a + n_b,  M = M_a + δ·n_b/n,  S = S_a + S_b + δ²·n_a·n_b/n,
 * so batches computed separately (or a job resumed from a snapshot) give the same result.
 *
 * Conditioning: each filter's data are shifted by its first sample K before the update
 * (x − K is exact when x is within a factor 2 of K, Sterbenz), and the mean is reported as K + M.
 * Without the shift, a column with a large offset and a tiny spread (κ = |μ|/σ ≈ 1e6) loses about
 * log10 κ digits in S; with it the update works on O(σ) numbers and agrees with a two-pass
 * computation to ~1e−14 relative.
 *
 * N = 1: the unbiased variance 0/0 is undefined and is reported as NaN (the reference divides by
 * N − 1 = 0 and gets NaN too). `standardize` applies the §2.3 guard to it (std → 1), so a
 * one-sample reference set degrades to z = s̄ − μ, like a zero-variance filter. N = 0 has no mean
 * and `welfordFinalize` rejects it.
 *
 * Checkable property: for any split of the rows into batches, merging the batch accumulators
 * equals pushing every row into one accumulator (to rounding), and both equal the two-pass
 * mean and unbiased variance.
 */
import { invalidParam, requireArray, requireFiniteEntries, requireInteger, show } from './validate';

const STAGE = 'welford';

/** Accumulator for L filters. `push` mutates it; `merge` returns a new one. */
export interface WelfordState {
  readonly length: number;
  count: number;
  /** Per-filter shift K (the first sample seen); 0 before any sample. */
  readonly shift: Float64Array;
  /** Per-filter running mean of the shifted data, M = mean(x) − K. */
  readonly mean: Float64Array;
  /** Per-filter running sum of squared deviations S. */
  readonly m2: Float64Array;
}

/** Final statistics; `variance`/`std` are NaN when count = 1 (undefined, see the file doc). */
export interface WelfordStats {
  count: number;
  mean: Float64Array;
  variance: Float64Array;
  std: Float64Array;
}

/** JSON-safe form of a state, for saving a job's progress and resuming it. */
export interface WelfordSnapshot {
  format: 'welford-v1';
  length: number;
  count: number;
  shift: number[];
  mean: number[];
  m2: number[];
}

/** An empty accumulator for profiles of `length` filters. */
export function createWelford(length: number): WelfordState {
  requireInteger(STAGE, 'length', length, 1);
  return { length, count: 0, shift: new Float64Array(length), mean: new Float64Array(length), m2: new Float64Array(length) };
}

/**
 * Adds one profile (length L, finite) to `state` in place; returns `state`.
 * Rejects NaN/±Infinity naming the filter index, before anything is modified.
 */
export function welfordPush(state: WelfordState, profile: ArrayLike<number>): WelfordState {
  requireArray(STAGE, 'profile', profile, state.length);
  requireFiniteEntries(STAGE, 'profile', profile, 'filter');
  const { shift, mean, m2 } = state;
  if (state.count === 0) shift.set(profile);
  const k = ++state.count;
  for (let j = 0; j < state.length; j++) {
    const x = profile[j] - shift[j];
    const delta = x - mean[j];
    mean[j] += delta / k;
    m2[j] += delta * (x - mean[j]);
  }
  return state;
}

/** Chan et al. merge of two accumulators over the same filters; the inputs are not modified. */
export function welfordMerge(a: WelfordState, b: WelfordState): WelfordState {
  if (a.length !== b.length) throw invalidParam(STAGE, `cannot merge accumulators of ${a.length} and ${b.length} filters`);
  const out = createWelford(a.length);
  const src = a.count > 0 ? a : b;
  out.count = a.count + b.count;
  out.shift.set(src.shift);
  out.mean.set(src.mean);
  out.m2.set(src.m2);
  if (a.count === 0 || b.count === 0) return out;
  const n = out.count;
  for (let j = 0; j < a.length; j++) {
    // Both means are re-expressed around a's shift; (K_b − K_a) is exact when the shifts are close.
    const delta = b.shift[j] - a.shift[j] + b.mean[j] - a.mean[j];
    out.mean[j] = a.mean[j] + (delta * b.count) / n;
    out.m2[j] = a.m2[j] + b.m2[j] + ((delta * delta * a.count) / n) * b.count;
  }
  return out;
}

/** Mean, unbiased variance and std per filter. Requires at least one sample. */
export function welfordFinalize(state: WelfordState): WelfordStats {
  if (state.count < 1) throw invalidParam(STAGE, '`state` holds no samples; push at least one profile before finalising');
  const L = state.length;
  const mean = new Float64Array(L);
  const variance = new Float64Array(L);
  const std = new Float64Array(L);
  for (let j = 0; j < L; j++) {
    mean[j] = state.shift[j] + state.mean[j];
    // N = 1 → 0/0: undefined, reported as NaN on purpose (see the file doc).
    variance[j] = state.count > 1 ? Math.max(state.m2[j], 0) / (state.count - 1) : NaN;
    std[j] = Math.sqrt(variance[j]);
  }
  return { count: state.count, mean, variance, std };
}

/** Plain-data copy of `state`; float64 values survive JSON exactly (shortest round-trip form). */
export function welfordToSnapshot(state: WelfordState): WelfordSnapshot {
  return {
    format: 'welford-v1',
    length: state.length,
    count: state.count,
    shift: Array.from(state.shift),
    mean: Array.from(state.mean),
    m2: Array.from(state.m2)
  };
}

/** Rebuilds a state from `welfordToSnapshot` output, validating every field. */
export function welfordFromSnapshot(snapshot: WelfordSnapshot): WelfordState {
  if (snapshot === null || typeof snapshot !== 'object' || snapshot.format !== 'welford-v1') {
    throw invalidParam(STAGE, `\`snapshot.format\` must be 'welford-v1', got ${show((snapshot as { format?: unknown } | null)?.format)}`);
  }
  requireInteger(STAGE, 'snapshot.length', snapshot.length, 1);
  requireInteger(STAGE, 'snapshot.count', snapshot.count, 0);
  const state = createWelford(snapshot.length);
  for (const key of ['shift', 'mean', 'm2'] as const) {
    requireArray(STAGE, `snapshot.${key}`, snapshot[key], snapshot.length);
    requireFiniteEntries(STAGE, `snapshot.${key}`, snapshot[key], 'filter');
    state[key].set(snapshot[key]);
  }
  const negative = state.m2.findIndex((v) => v < 0);
  if (negative >= 0) throw invalidParam(STAGE, `\`snapshot.m2\` must be ≥ 0, got ${state.m2[negative]} at filter ${negative}`);
  state.count = snapshot.count;
  return state;
}
