/**
 * Runs one persisted saliency-maps job to an end state, batch by batch, never losing committed work.
 *
 * Per batch (the batches were fixed when the job was created): ask the engine for the batch's maps
 * (`mapsBatch`, arrays back), write the batch's artifact chunk file (temp, fsync, rename), then in
 * ONE database transaction record the chunk, mark the batch's items done (or skipped), write their
 * per-image summaries and update done/total. A crash, kill -9 or power loss at any point loses at
 * most the batch in flight: either the transaction committed (chunk recorded, items done) or it did
 * not (items still pending; an orphan chunk file is overwritten when the batch is recomputed).
 *
 * Resume runs the same function: only batches with pending items are computed. Cancel (the
 * signal, or a cancel file from another process: ./control-files) stops within one batch and
 * leaves the job `cancelled` and resumable; an engine crash or a full disk leaves it `failed` with
 * that error, also resumable. The loop itself (states, cancel, live status, progress throttled to
 * ~10 Hz at the source, end state) is the one all persisted kinds share: ./drive.
 */
import { AppError } from '../../../shared/errors';
import type { JobProgress } from '../../../shared/types/jobs';
import type { SaliencyMap } from '../../../shared/types/saliency';
import type { MapsBatchResult } from '../../engine/maps-batch';
import type { EngineClient } from '../engine-client';
import type { ProjectDb } from '../../storage/db';
import type { Project } from '../../storage/project';
import { completeRun } from '../../storage/sessions';
import { resolveModel } from '../../storage/models';
import { resolveImageSet } from '../../storage/image-sets';
import type { ArtifactStore } from '../../storage/artifacts';
import { commitItems, getJob, insertSummaries, markEnded, storedMapShape, type ItemResult, type JobItemRow, type JobRow } from '../../storage/jobs';
import { driveJob } from './drive';
import { displaySized } from './display';
import { parseStoredSpec, type StoredSpec } from './spec';

export interface RunnerContext {
  project: Project;
  db: ProjectDb;
  engine: Pick<EngineClient, 'request'>;
  projectDir: string;
  artifacts: ArtifactStore;
}

/** The runner's view of an open project. */
export const runnerContext = (project: Project, engine: Pick<EngineClient, 'request'>): RunnerContext => ({ project, db: project.db, artifacts: project.artifacts, projectDir: project.root, engine });

export interface RunnerIO {
  signal: AbortSignal;
  progress(p: JobProgress): void;
  partial?(item: SaliencyMap): void;
  /** Sees every state change of the row (running, then the end state). */
  state?(job: JobRow): void;
}

/** The chunk of a whole batch: one row per position (a skipped item's row is NaN), so rows = positions. */
function chunkData(result: MapsBatchResult, batchItems: JobItemRow[], size: number): Float32Array {
  const data = new Float32Array(batchItems.length * size).fill(Number.NaN);
  let row = 0;
  result.items.forEach((item, k) => {
    if (item.status !== 'ok') return;
    data.set(result.maps.subarray(row * size, (row + 1) * size), k * size);
    row++;
  });
  return data;
}

function itemResults(result: MapsBatchResult, batchItems: JobItemRow[]): ItemResult[] {
  return result.items.map((item, k) => ({ position: batchItems[k].position, state: item.status === 'ok' ? 'done' : 'skipped', target: item.target, score: item.score, predicted: item.predicted, predictedProb: item.predictedProb, reason: item.reason }));
}

interface Loop {
  ctx: RunnerContext;
  job: JobRow;
  spec: StoredSpec;
  io: RunnerIO;
}

async function runBatch(s: Loop, batchItems: JobItemRow[], signal: AbortSignal, onProgress: (p: JobProgress) => void): Promise<void> {
  const { ctx, job, spec } = s;
  const result = await ctx.engine.request(
    'mapsBatch',
    { modelPath: spec.modelPath, inputs: { path: spec.setPath, labelsPath: spec.labelsPath }, indices: batchItems.map((i) => i.index), firstPosition: batchItems[0].position, method: spec.method, params: spec.params, target: spec.target, score: spec.score, seed: spec.seed, maxElementsPerPass: spec.maxElementsPerPass },
    { signal, onProgress }
  );
  // A batch that completed although a cancel arrived meanwhile is still committed (finished work is
  // kept); the loop stops before the next one.
  const size = result.height * result.width;
  const results = itemResults(result, batchItems);
  // The file first (outside the transaction: it may fail with DISK_FULL and nothing is recorded)…
  const runId = job.runId as string;
  const chunk = size > 0 ? ctx.artifacts.writeChunk({ runId, name: 'maps', chunkIndex: batchItems[0].batch, firstItem: batchItems[0].position, itemShape: [result.height, result.width], dtype: 'float32', data: chunkData(result, batchItems, size) }) : null;
  // …then everything that makes it count, atomically.
  ctx.db.transaction(() => {
    if (chunk) ctx.artifacts.recordChunk(chunk);
    commitItems(ctx.db, job.id, results);
    insertSummaries(ctx.db, runId, result.items.map((item, k) => ({ index: item.index, path: item.path, label: item.label, summary: { position: batchItems[k].position, status: item.status, reason: item.reason, target: item.target, score: item.score, predicted: item.predicted, predictedProb: item.predictedProb } })));
  });
  emitPartials(s, result);
}

function emitPartials(s: Loop, result: MapsBatchResult): void {
  if (!s.io.partial) return;
  const size = result.height * result.width;
  let row = 0;
  for (const item of result.items) {
    if (item.status !== 'ok') continue;
    const shown = displaySized(result.maps.subarray(row * size, (row + 1) * size), result.height, result.width);
    row++;
    s.io.partial({ index: item.index, ...shown, targetClass: item.target as number, score: item.score as number });
  }
}

/**
 * The model and image set must still be the files the job started with: the project layer checks
 * them against their recorded hashes (SOURCE_MISSING, MODEL_CHANGED, IMAGE_SET_CHANGED), and the
 * hashes must be the ones stored in the job, so a resumed job never mixes maps of different files.
 */
async function checkSources(project: Project, spec: StoredSpec): Promise<void> {
  const model = resolveModel(project, spec.modelId).record;
  const set = (await resolveImageSet(project, spec.imageSetId)).record;
  if (model.sha256 !== spec.modelHash) throw new AppError('MODEL_CHANGED', `The model "${model.name}" is not the one this job started with (its files hash differently); the job's stored maps would mix two models.`, { hint: 'Start a new job for this model.' });
  if (set.sha256 !== spec.setHash) throw new AppError('IMAGE_SET_CHANGED', `The image set "${set.name}" is not the one this job started with; the job's stored maps would mix two sets.`, { hint: 'Start a new job for this image set.' });
}

/** The run's manifest: what was computed and how (the spec without local paths' hashes repeated). */
function finish(ctx: RunnerContext, job: JobRow, spec: StoredSpec): void {
  const row = getJob(ctx.db, job.id) as JobRow;
  const runId = job.runId as string;
  const manifest = { jobId: job.id, method: spec.method, params: spec.params, target: spec.target, score: spec.score ?? null, seed: spec.seed, batchSize: spec.batchSize, maxElementsPerPass: spec.maxElementsPerPass ?? null, model: { id: spec.modelId, sha256: spec.modelHash }, imageSet: { id: spec.imageSetId, sha256: spec.setHash }, counts: { maps: row.done - row.skipped, skipped: row.skipped } };
  ctx.db.transaction(() => {
    completeRun(ctx.project, runId, manifest, [{ name: 'maps', dtype: 'float32', itemShape: storedMapShape(ctx.db, runId) ?? [], itemCount: row.total, summary: { done: row.done, skipped: row.skipped } }]);
    markEnded(ctx.db, job.id, 'succeeded');
  });
}

/**
 * Runs (or resumes) job `jobId` until it ends; returns its final row. Never throws for the job's
 * own failures (they are recorded in the row); throws only when the job cannot be started.
 */
export function runPersistedJob(ctx: RunnerContext, jobId: string, io: RunnerIO): Promise<JobRow> {
  return driveJob(ctx, jobId, io, (job) => {
    const spec = parseStoredSpec(jobId, job.spec);
    const s: Loop = { ctx, job, spec, io };
    return {
      unit: 'inputs',
      checkSources: () => checkSources(ctx.project, spec),
      runBatch: (items, signal, onProgress) => runBatch(s, items, signal, onProgress),
      finish: () => finish(ctx, job, spec)
    };
  });
}
