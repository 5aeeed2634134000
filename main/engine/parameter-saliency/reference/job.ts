/**
 * The reference-statistics job (Levin et al. §2.3 and Wang & Sato §1.4 step 1 of
 * algorithms.md): walks a labelled reference set in batches, computes every image's filter
 * profile s̄ (profile.ts), accumulates the per-filter mean and unbiased std with Welford's update
 * in float64, and keeps the whole N × L profile matrix on disk for the POT fits (layout.ts).
 *
 *   μ_j = (1/N) Σ_n s̄_j(x_n, y_n),   σ_j = √( Σ_n (s̄_j(x_n, y_n) − μ_j)² / (N − 1) )
 *
 * Job behaviour: progress after every batch; cancellation checked before every batch; after
 * every batch the new rows are appended to rows.partial.f32 and state.json records the Welford
 * snapshot, the row count and the items done, so a cancelled (or killed) job resumes where it
 * stopped. A resumed job keeps its batch size, so its batches — and its statistics, bit for bit —
 * are those of an uninterrupted run. Statistics whose key (key.ts) matches are reused as they are;
 * a different key invalidates the dir first.
 */
import { stat } from 'node:fs/promises';
import type * as tfTypes from '@tensorflow/tfjs';
import { AppError } from '../../../../shared/errors';
import type { JobProgress } from '../../../../shared/types/jobs';
import type { ModelHandle } from '../../model/model-handle';
import { buildFilterTable } from '../profile/filters';
import { statsKey } from './key';
import { statsPaths } from './layout';
import { resolveStrategy, runPass, startOrResume } from './pass';
import { finishStats } from './finish';
import { openLabelledSelection } from './selection';
import { readJsonIfExists, type StatsFile } from './store';
import type { ParamStatsRequest, ParamStatsResult } from './types';

/** What a job reports to its caller. */
export interface JobIO {
  signal: AbortSignal;
  progress(progress: JobProgress): void;
}

/** Images per backward pass when the request gives none (the batched profiles gain little beyond it on CPU). */
export const DEFAULT_STATS_BATCH = 32;

/** The finished statistics with this key, when stats.json and profiles.npy are both there. */
async function cachedStats(dir: string, key: string): Promise<StatsFile | null> {
  const paths = statsPaths(dir);
  const file = (await readJsonIfExists(paths.stats).catch(() => null)) as StatsFile | null;
  if (!file || file.key !== key) return null;
  return (await stat(paths.profiles).then(() => true, () => false)) ? file : null;
}

function resultOf(dir: string, file: StatsFile, extra: Pick<ParamStatsResult, 'cached' | 'invalidated' | 'resumedFromItems' | 'imagesPerSecond'>): ParamStatsResult {
  const paths = statsPaths(dir);
  return {
    dir: paths.dir, key: file.key, count: file.count, length: file.length, skipped: file.skipped, strategy: file.strategy,
    batchSize: file.batchSize, seconds: file.seconds, files: { stats: paths.stats, profiles: paths.profiles }, ...extra
  };
}

/**
 * Computes (or reuses, or resumes) the reference statistics of `model` over `request.inputs`
 * into the stats dir `request.out`.
 * @throws AppError CANCELLED (state kept for resume), LABELS_INVALID, IMAGE_SET_*, IO_FAILED
 */
export async function runReferenceStats(tf: typeof tfTypes, model: ModelHandle, request: ParamStatsRequest, io: JobIO): Promise<ParamStatsResult> {
  const batchSize = request.batchSize ?? DEFAULT_STATS_BATCH;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new AppError('PARAM_INVALID', `param-stats: \`batchSize\` must be a positive integer, got ${batchSize}.`);
  const strategy = resolveStrategy(request.strategy);
  const table = buildFilterTable(model.descriptor);
  const selection = await openLabelledSelection(request.inputs, model.descriptor);
  const { key, parts } = statsKey(model.descriptor, selection.set.summary, request.inputs.indices ?? null);
  const cached = request.force ? null : await cachedStats(request.out, key);
  if (cached) {
    io.progress({ done: selection.indices.length, total: selection.indices.length, message: 'cached' });
    return resultOf(request.out, cached, { cached: true, invalidated: false, resumedFromItems: 0, imagesPerSecond: null });
  }
  const start = await startOrResume(request.out, key, table.length, batchSize, !!request.force);
  const ran = await runPass(tf, model, table, selection, start.state, { dir: request.out, strategy, io });
  const file = await finishStats(request.out, start.state, { key, parts, table }, io);
  const imagesPerSecond = ran.seconds > 0 ? ran.rows / ran.seconds : null;
  return resultOf(request.out, file, { cached: false, invalidated: start.invalidated, resumedFromItems: start.resumedFromItems, imagesPerSecond });
}
