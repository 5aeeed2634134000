/**
 * The ranking job: profiles of the inputs to explain, ranked against a stats dir (rank-input.ts)
 * with every POT calibration fitted once and cached (pot-cache.ts); several threshold levels make
 * it a threshold-sensitivity run in one job. Writes ranks.json (types.ts, RanksDocument) and
 * optionally P.npy, the [N, L] float32 profile matrix in global filter order. Progress per batch,
 * cancellation between batches (and between POT fit blocks); outputs appear only when complete.
 */
import { rename, rm } from 'node:fs/promises';
import type * as tfTypes from '@tensorflow/tfjs';
import { AppError } from '../../../../shared/errors';
import type { ModelHandle } from '../../model/model-handle';
import { NpyStreamWriter } from '../../export/npy-writer';
import type { PotModel, PotStatus } from '../stats';
import { buildFilterTable } from '../profile/filters';
import { filterProfiles } from '../profile/profile';
import type { JobIO } from '../reference/job';
import { loadLabelledBatch, openLabelledSelection, type LabelledSelection } from '../reference/selection';
import { readStatsFile, statsArrays, writeJsonAtomic, type StatsFile } from '../reference/store';
import { statsPaths } from '../reference/layout';
import { checkStatsMatchModel, resolveRankRequest, type ResolvedRank } from './options';
import { loadOrFitPot } from './pot-cache';
import { rankProfile, type RankContext } from './rank-input';
import type { InputRanking, LevelSummary, ParamRankRequest, ParamRankResult, RanksDocument } from './types';

const noStatuses = (): Record<PotStatus, number> => ({ exceeds: 0, 'beyond-endpoint': 0, 'empty-tail': 0, 'at-or-below': 0 });

/** Fits (or loads) one calibration per level. */
async function calibrations(dir: string, stats: StatsFile, opts: ResolvedRank, io: JobIO): Promise<{ pots: PotModel[]; summary: LevelSummary[] }> {
  const pots: PotModel[] = [];
  const summary: LevelSummary[] = [];
  for (const level of opts.levels) {
    const { model, cached } = await loadOrFitPot(dir, stats, { level, estimator: opts.estimator, spotCompat: opts.spotCompat }, io);
    pots.push(model);
    summary.push({ level, fit: model.counts, scores: noStatuses(), cached });
  }
  return { pots, summary };
}

/** Predicted class and its probability per row. */
function predictions(tf: typeof tfTypes, model: ModelHandle, x: tfTypes.Tensor4D): { predicted: Int32Array; confidence: Float32Array } {
  return tf.tidy(() => {
    const p = model.probabilities(x);
    return { predicted: tf.argMax(p, 1).dataSync() as Int32Array, confidence: tf.max(p, 1).dataSync() as Float32Array };
  });
}

interface RankRun {
  tf: typeof tfTypes;
  model: ModelHandle;
  request: ParamRankRequest;
  selection: LabelledSelection;
  ctx: RankContext;
  summary: LevelSummary[];
  writer: NpyStreamWriter | null;
  inputs: InputRanking[];
  skipped: RanksDocument['skipped'];
  strategies: Set<'batched' | 'per-sample'>;
}

/** Ranks the inputs at [pos, pos + batch size) and appends them (and their profiles) to the run. */
async function rankBatch(run: RankRun, pos: number, batchSize: number): Promise<number> {
  const { tf, model, selection, ctx } = run;
  const batch = await loadLabelledBatch(tf, selection, model.descriptor, selection.indices.slice(pos, pos + batchSize));
  run.skipped.push(...batch.skipped);
  if (batch.indices.length === 0) {
    batch.x.dispose();
    return 0;
  }
  let profiles;
  let predicted;
  try {
    profiles = filterProfiles(tf, model, ctx.table, batch.x, batch.labels, { strategy: run.request.strategy });
    predicted = predictions(tf, model, batch.x);
  } finally {
    batch.x.dispose();
  }
  run.strategies.add(profiles.strategy);
  const L = ctx.table.length;
  batch.indices.forEach((index, n) => {
    const ranked = rankProfile(profiles.values.subarray(n * L, (n + 1) * L), ctx);
    ranked.levelCounts.forEach((counts, i) => (Object.keys(counts) as PotStatus[]).forEach((s) => (run.summary[i].scores[s] += counts[s])));
    const label = batch.labels[n];
    const cls = predicted.predicted[n];
    run.inputs.push({ index, path: selection.set.items[index].path, label, predicted: cls, correct: cls === label, confidence: predicted.confidence[n], rankedCount: ranked.rankedCount, potCounts: ranked.potCounts, filters: ranked.filters, levels: ranked.levels });
  });
  await run.writer?.append(profiles.values);
  return batch.indices.length;
}

async function openWriter(file: string | undefined, length: number): Promise<NpyStreamWriter | null> {
  if (!file) return null;
  const writer = await NpyStreamWriter.create(`${file}.partial`);
  await writer.begin([0, length], true);
  return writer;
}

/** Walks every batch. */
async function walk(run: RankRun, batchSize: number, io: JobIO): Promise<void> {
  const total = run.selection.indices.length;
  for (let pos = 0; pos < total; pos += batchSize) {
    if (io.signal.aborted) throw new AppError('CANCELLED', 'The ranking job was cancelled.');
    await rankBatch(run, pos, batchSize);
    io.progress({ done: Math.min(pos + batchSize, total), total, message: 'ranking' });
  }
}

function documentOf(run: RankRun, stats: StatsFile, opts: ResolvedRank): RanksDocument {
  const { descriptor } = run.model;
  return {
    format: 'saliency-param-ranks-v1', model: { name: descriptor.name, hash: descriptor.hash },
    stats: { dir: statsPaths(run.request.stats).dir, key: stats.key, count: stats.count, length: stats.length },
    ranking: opts.ranking, levels: opts.levels, estimator: opts.estimator, spotCompat: opts.spotCompat, top: opts.top,
    appendBelowThreshold: opts.appendBelowThreshold, summary: run.summary, inputs: run.inputs, skipped: run.skipped
  };
}

/**
 * Ranks the filters of every input of `request.inputs` against the stats dir `request.stats`.
 * @throws AppError NOT_FOUND (no statistics), PARAM_INVALID (other model, bad option), CANCELLED
 */
export async function runParamRank(tf: typeof tfTypes, model: ModelHandle, request: ParamRankRequest, io: JobIO): Promise<ParamRankResult> {
  const opts = resolveRankRequest(request);
  const started = performance.now();
  const table = buildFilterTable(model.descriptor);
  const stats = await readStatsFile(request.stats);
  checkStatsMatchModel(stats, model.descriptor, table, request.stats);
  const selection = await openLabelledSelection(request.inputs, model.descriptor);
  const { pots, summary } = await calibrations(request.stats, stats, opts, io);
  const ctx: RankContext = { table, ...statsArrays(stats), pots, ranking: opts.ranking, top: opts.top, appendBelowThreshold: opts.appendBelowThreshold };
  const run: RankRun = { tf, model, request, selection, ctx, summary, writer: await openWriter(request.profilesOut, table.length), inputs: [], skipped: [], strategies: new Set() };
  try {
    await walk(run, opts.batchSize, io);
    await writeJsonAtomic(request.out, documentOf(run, stats, opts));
    await finishWriter(run.writer, request.profilesOut, run.inputs.length, table.length);
    const strategy = run.strategies.size === 1 ? [...run.strategies][0] : 'mixed';
    return {
      out: request.out, profilesOut: request.profilesOut ?? null, count: run.inputs.length, misclassified: run.inputs.filter((i) => !i.correct).length,
      length: table.length, ranking: opts.ranking, summary, skipped: run.skipped, strategy, seconds: (performance.now() - started) / 1000
    };
  } catch (err) {
    await run.writer?.abort();
    if (request.profilesOut) await rm(`${request.profilesOut}.partial`, { force: true });
    throw err;
  }
}

async function finishWriter(writer: NpyStreamWriter | null, file: string | undefined, rows: number, length: number): Promise<void> {
  if (!writer || !file) return;
  await writer.setLeading([rows, length]);
  await writer.close();
  await rename(`${file}.partial`, file);
}
