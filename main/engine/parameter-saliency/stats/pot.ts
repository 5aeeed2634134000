/**
 * Peaks-over-threshold calibration per filter (POT-saliency, Wang & Sato, arXiv 2310.17951;
 * algorithms.md §1.4 steps 1–4, §1.11, §5.11).
 *
 * For each filter j, over its N reference values (one column of the N × L calibration matrix):
 *   T_j    = the empirical `level` quantile (default 0.90), defined as in the reference code:
 *            sort ascending and take the element at 0-based index ⌊level·N⌋ — the order statistic
 *            X_(⌊level·N⌋+1), no interpolation (not numpy.quantile's default linear rule);
 *   Y_j    = { s − T_j : s > T_j } (strict >, so ties at T_j, e.g. many zero gradients, are not peaks);
 *   N_t,j  = |Y_j|;
 *   (γ_j, σ_j) = fitGpd(Y_j) (mle by default; mom, pwm or spotCompat on request).
 * Empty tail (N_t = 0: a constant column, or too few rows for any value to exceed T) is not fitted:
 * γ and σ are NaN and the filter is counted in `counts.emptyTail`; pot-score.ts scores it by the
 * fallback bound p ≤ 1/(N + 1) instead of the reference's p = 0 (§1.11, §7 row 5).
 *
 * Layout: the matrix is column-major, column j at [j·N, (j+1)·N) — one contiguous run per filter,
 * as §1.11 recommends for memory. `fitPotMatrix` is synchronous; a cancellable job fits blocks of
 * columns with `fitPotColumn` and checks its AbortSignal between blocks.
 *
 * Checkable property: on 50,000 Pareto(α) draws, N_t ≈ 0.1·N and the exceedances are exactly
 * GPD(1/α, T/α), so the fit recovers γ ≈ 1/α and σ ≈ T/α (§1.12).
 */
import { fitGpd, resolveGpdFitOptions, type GpdFit, type GpdFitOptions } from './gpd-fit';
import { invalidParam, requireArray, requireInteger, show } from './validate';

/** Options of the POT calibration: the GPD fit options plus the threshold level. */
export interface PotOptions extends GpdFitOptions {
  /** Empirical quantile level of the threshold, in (0, 1). Default 0.90. */
  level?: number;
}

/** Calibration of one filter (or one plain vector). */
export interface PotColumnFit {
  level: number;
  /** N, the number of reference values. */
  n: number;
  threshold: number;
  /** N_t, the number of values strictly above the threshold. */
  exceedances: number;
  /** The GPD fit of the excesses; null when the tail is empty. */
  fit: GpdFit | null;
}

/** Calibration of all L filters of a matrix. */
export interface PotModel {
  level: number;
  n: number;
  length: number;
  thresholds: Float64Array;
  exceedances: Int32Array;
  /** γ_j; NaN for empty tails. */
  gamma: Float64Array;
  /** σ_j; NaN for empty tails. */
  sigma: Float64Array;
  /** Per-filter fits (null for empty tails), with their diagnostics. */
  fits: (GpdFit | null)[];
  counts: { fitted: number; emptyTail: number; fallback: number; notConverged: number };
}

/** 0-based index of the threshold order statistic: ⌊level·N⌋, capped at N − 1. */
export function potThresholdIndex(n: number, level: number): number {
  return Math.min(Math.floor(level * n), n - 1);
}

function checkLevel(stage: string, level: unknown): number {
  if (typeof level !== 'number' || !(level > 0 && level < 1)) {
    throw invalidParam(stage, `\`level\` must lie in (0, 1), got ${show(level)}`);
  }
  return level;
}

/** Threshold, excesses and fit of one column; assumes finite values (checked by the callers). */
function calibrate(values: ArrayLike<number>, level: number, options: GpdFitOptions): PotColumnFit {
  const n = values.length;
  const sorted = Float64Array.from(values).sort();
  const threshold = sorted[potThresholdIndex(n, level)];
  const first = sorted.findIndex((v) => v > threshold);
  if (first < 0) return { level, n, threshold, exceedances: 0, fit: null };
  // Sorted order makes the excesses ascending, which the fits do not need but costs nothing.
  const excesses = sorted.subarray(first).map((v) => v - threshold);
  return { level, n, threshold, exceedances: excesses.length, fit: fitGpd(excesses, options) };
}

function findNonFinite(values: ArrayLike<number>, start: number, end: number): number {
  for (let i = start; i < end; i++) if (!Number.isFinite(values[i])) return i;
  return -1;
}

/**
 * POT calibration of one plain vector (the `saliency pot-fit --values v.npy` case).
 * NaN/±Infinity are rejected naming the index.
 */
export function fitPotVector(values: ArrayLike<number>, options: PotOptions = {}): PotColumnFit {
  const stage = 'pot-fit';
  const { level = 0.9, ...fitOptions } = options;
  checkLevel(stage, level);
  resolveGpdFitOptions(fitOptions, stage);
  requireArray(stage, 'values', values);
  if (values.length === 0) throw invalidParam(stage, '`values` must hold at least one value');
  const bad = findNonFinite(values, 0, values.length);
  if (bad >= 0) throw invalidParam(stage, `\`values\` must be finite, got ${show(values[bad])} at index ${bad}`);
  return calibrate(values, level, fitOptions);
}

/**
 * POT calibration of filter `column` of a column-major N × L matrix.
 * NaN/±Infinity are rejected naming the filter index and the row.
 */
export function fitPotColumn(matrix: ArrayLike<number>, rows: number, column: number, options: PotOptions = {}): PotColumnFit {
  const stage = 'pot';
  const { level = 0.9, ...fitOptions } = options;
  checkLevel(stage, level);
  resolveGpdFitOptions(fitOptions, stage);
  requireInteger(stage, 'rows', rows, 1);
  requireInteger(stage, 'column', column, 0);
  requireArray(stage, 'matrix', matrix);
  if ((column + 1) * rows > matrix.length) {
    throw invalidParam(stage, `\`column\` ${column} lies outside a matrix of ${matrix.length / rows} columns`);
  }
  const start = column * rows;
  const bad = findNonFinite(matrix, start, start + rows);
  if (bad >= 0) throw invalidParam(stage, `\`matrix\` must be finite, got ${show(matrix[bad])} at filter ${column} (row ${bad - start})`);
  const values = ArrayBuffer.isView(matrix) ? (matrix as Float64Array).subarray(start, start + rows) : Array.prototype.slice.call(matrix, start, start + rows);
  return calibrate(values, level, fitOptions);
}

/**
 * POT calibration of every filter of a column-major `rows` × `cols` matrix (N × L).
 * Validates the whole matrix first, so a bad value fails fast, naming its filter.
 */
export function fitPotMatrix(matrix: ArrayLike<number>, rows: number, cols: number, options: PotOptions = {}): PotModel {
  const stage = 'pot';
  requireInteger(stage, 'rows', rows, 1);
  requireInteger(stage, 'cols', cols, 1);
  requireArray(stage, 'matrix', matrix, rows * cols);
  const bad = findNonFinite(matrix, 0, matrix.length);
  if (bad >= 0) {
    const filter = Math.floor(bad / rows);
    throw invalidParam(stage, `\`matrix\` must be finite, got ${show(matrix[bad])} at filter ${filter} (row ${bad - filter * rows})`);
  }
  const { level: requested = 0.9, ...fitOptions } = options;
  const level = checkLevel(stage, requested);
  resolveGpdFitOptions(fitOptions, stage);
  const model: PotModel = {
    level,
    n: rows,
    length: cols,
    thresholds: new Float64Array(cols),
    exceedances: new Int32Array(cols),
    gamma: new Float64Array(cols).fill(NaN),
    sigma: new Float64Array(cols).fill(NaN),
    fits: new Array<GpdFit | null>(cols).fill(null),
    counts: { fitted: 0, emptyTail: 0, fallback: 0, notConverged: 0 }
  };
  for (let j = 0; j < cols; j++) storeColumn(model, j, fitPotColumn(matrix, rows, j, options));
  return model;
}

function storeColumn(model: PotModel, j: number, column: PotColumnFit): void {
  model.thresholds[j] = column.threshold;
  model.exceedances[j] = column.exceedances;
  model.fits[j] = column.fit;
  if (column.fit === null) {
    model.counts.emptyTail++;
    return;
  }
  model.gamma[j] = column.fit.gamma;
  model.sigma[j] = column.fit.sigma;
  model.counts.fitted++;
  if (column.fit.diagnostics.fallback !== 'none') model.counts.fallback++;
  if (!column.fit.converged) model.counts.notConverged++;
}
