/**
 * POT calibrations of a stats dir (Wang & Sato §1.4 steps 2–4 of algorithms.md): per filter j,
 * the threshold T_j (empirical `level` quantile of column j of the reference matrix), the
 * exceedance count N_t,j and the GPD fit (γ_j, σ_j) of the excesses — computed once per
 * (level, estimator, spotCompat) from profiles.npy and cached beside it as
 * pot-<level>-<estimator>[-spot].json, tagged with the stats key (a stale file is refitted).
 *
 * The fit reads profiles.npy in blocks of columns (one contiguous read each), checks the
 * AbortSignal and yields to the event loop between blocks (so a cancel message is seen), and
 * reports progress in filters. A reloaded model has `fits` all null: scoring needs only T, N_t,
 * γ, σ and N; the per-filter diagnostics kept are the filters that fell back or did not converge.
 */
import { AppError } from '../../../../shared/errors';
import { fitPotColumn, type GpdEstimator, type PotModel, type PotOptions } from '../stats';
import { readColumns } from '../reference/column-npy';
import type { JobIO } from '../reference/job';
import { POT_FORMAT, potFileName, statsPaths } from '../reference/layout';
import { readJsonIfExists, writeJsonAtomic, type StatsFile } from '../reference/store';
import path from 'node:path';

/** Which calibration: threshold level, estimator, reference emulation. */
export interface PotSpec {
  level: number;
  estimator: GpdEstimator;
  spotCompat: boolean;
}

interface PotCacheFile extends PotSpec {
  format: typeof POT_FORMAT;
  statsKey: string;
  n: number;
  length: number;
  thresholds: number[];
  exceedances: number[];
  gamma: (number | null)[];
  sigma: (number | null)[];
  counts: PotModel['counts'];
  fallbackFilters: number[];
  notConvergedFilters: number[];
}

/** Bytes of profiles.npy read per block of columns. */
const BLOCK_BYTES = 32 << 20;

const toJson = (a: Float64Array): (number | null)[] => Array.from(a, (v) => (Number.isNaN(v) ? null : v));

function fromCache(file: PotCacheFile): PotModel {
  return {
    level: file.level, n: file.n, length: file.length,
    thresholds: Float64Array.from(file.thresholds),
    exceedances: Int32Array.from(file.exceedances),
    gamma: Float64Array.from(file.gamma, (v) => v ?? NaN),
    sigma: Float64Array.from(file.sigma, (v) => v ?? NaN),
    fits: new Array(file.length).fill(null),
    counts: file.counts
  };
}

function toCache(model: PotModel, spec: PotSpec, statsKey: string): PotCacheFile {
  const flagged = (test: (j: number) => boolean) => model.fits.flatMap((_, j) => (test(j) ? [j] : []));
  return {
    format: POT_FORMAT, statsKey, ...spec, n: model.n, length: model.length,
    thresholds: Array.from(model.thresholds), exceedances: Array.from(model.exceedances), gamma: toJson(model.gamma), sigma: toJson(model.sigma),
    counts: model.counts,
    fallbackFilters: flagged((j) => (model.fits[j]?.diagnostics.fallback ?? 'none') !== 'none'),
    notConvergedFilters: flagged((j) => model.fits[j] !== null && !model.fits[j]!.converged)
  };
}

function emptyModel(stats: StatsFile, level: number): PotModel {
  const L = stats.length;
  return {
    level, n: stats.count, length: L, thresholds: new Float64Array(L), exceedances: new Int32Array(L),
    gamma: new Float64Array(L).fill(NaN), sigma: new Float64Array(L).fill(NaN), fits: new Array(L).fill(null),
    counts: { fitted: 0, emptyTail: 0, fallback: 0, notConverged: 0 }
  };
}

/** Fits every filter from profiles.npy, block by block. */
async function fitAll(dir: string, stats: StatsFile, spec: PotSpec, io: JobIO): Promise<PotModel> {
  const model = emptyModel(stats, spec.level);
  const options: PotOptions = { level: spec.level, estimator: spec.estimator, spotCompat: spec.spotCompat };
  const N = stats.count;
  const width = Math.max(1, Math.floor(BLOCK_BYTES / (4 * N)));
  for (let j0 = 0; j0 < stats.length; j0 += width) {
    if (io.signal.aborted) throw new AppError('CANCELLED', 'The POT fit was cancelled.');
    const count = Math.min(width, stats.length - j0);
    const block = await readColumns(statsPaths(dir).profiles, j0, count);
    for (let c = 0; c < count; c++) storeFit(model, j0 + c, fitPotColumn(block, N, c, options));
    io.progress({ done: j0 + count, total: stats.length, message: `POT fit (level ${spec.level})` });
    await new Promise((resolve) => setImmediate(resolve));
  }
  return model;
}

function storeFit(model: PotModel, j: number, column: ReturnType<typeof fitPotColumn>): void {
  model.thresholds[j] = column.threshold;
  model.exceedances[j] = column.exceedances;
  model.fits[j] = column.fit;
  if (!column.fit) {
    model.counts.emptyTail++;
    return;
  }
  model.gamma[j] = column.fit.gamma;
  model.sigma[j] = column.fit.sigma;
  model.counts.fitted++;
  if (column.fit.diagnostics.fallback !== 'none') model.counts.fallback++;
  if (!column.fit.converged) model.counts.notConverged++;
}

/**
 * The POT calibration `spec` of the stats dir, from its cache file when that matches the stats
 * key, else fitted now and cached.
 */
export async function loadOrFitPot(dir: string, stats: StatsFile, spec: PotSpec, io: JobIO): Promise<{ model: PotModel; cached: boolean }> {
  const file = path.join(statsPaths(dir).dir, potFileName(spec.level, spec.estimator, spec.spotCompat));
  const existing = (await readJsonIfExists(file).catch(() => null)) as PotCacheFile | null;
  if (existing?.format === POT_FORMAT && existing.statsKey === stats.key && existing.length === stats.length && existing.n === stats.count) {
    return { model: fromCache(existing), cached: true };
  }
  const model = await fitAll(dir, stats, spec, io);
  await writeJsonAtomic(file, toCache(model, spec, stats.key));
  return { model, cached: false };
}
