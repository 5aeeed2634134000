/**
 * Runs one persisted analysis job (./create) to an end state, batch by batch, never losing
 * committed work, with the maps runner's states, cancel files, live status and end-state handling
 * (../runner). Per batch: the engine runs the analysis on the batch's indices only (its document
 * goes to a private temporary file), then ONE transaction stores the batch's per-image rows
 * (`image_summaries` of the run) and marks its items done or skipped. A crash, kill -9 or power
 * loss loses at most the batch in flight; resume computes only the pending batches. When every item
 * is committed the final document is built from all stored rows (by the kind's runner: ./evaluate,
 * ./measure, ./sanity) and recorded as the run's manifest, in the transaction that marks the job
 * succeeded.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '../../../../shared/errors';
import type { JobProgress } from '../../../../shared/types/jobs';
import { throttle } from '../../../engine/throttle';
import { resolveImageSet } from '../../../storage/image-sets';
import { commitItems, getJob, insertSummaries, jobItems, markEnded, markRunning, runSummaries, type ItemResult, type JobItemRow, type JobRow } from '../../../storage/jobs';
import { resolveModel } from '../../../storage/models';
import type { Project } from '../../../storage/project';
import { completeRun } from '../../../storage/sessions';
import { clearControlFiles, watchCancel, writeLiveStatus } from '../control-files';
import { endState, pendingBatches, type RunnerContext, type RunnerIO } from '../runner';
import { analysisKindRunner } from './index';
import type { AnalysisKindRunner, StoredRow } from './rows';
import { parseAnalysisSpec, type AnalysisStoredSpec, type PersistedAnalysisKind } from './spec';

interface Loop {
  ctx: RunnerContext;
  job: JobRow;
  spec: AnalysisStoredSpec;
  kind: AnalysisKindRunner;
  signal: AbortSignal;
  tmp: string;
  progress: (p: JobProgress) => void;
}

/** The model(s) and image set must still be the files the job started with (as for maps jobs). */
async function checkSources(project: Project, spec: AnalysisStoredSpec): Promise<void> {
  for (const m of spec.models) {
    const model = resolveModel(project, m.id).record;
    if (model.sha256 !== m.sha256) throw new AppError('MODEL_CHANGED', `The model "${model.name}" is not the one this analysis started with (its files hash differently); its stored rows would mix two models.`, { hint: 'Start the analysis again as a new job.' });
  }
  const set = (await resolveImageSet(project, spec.imageSet.id)).record;
  if (set.sha256 !== spec.imageSet.sha256) throw new AppError('IMAGE_SET_CHANGED', `The image set "${set.name}" is not the one this analysis started with; its stored rows would mix two sets.`, { hint: 'Start the analysis again as a new job.' });
}

/** The engine's document of one batch. An all-unreadable batch is no error for the job: its items are skipped. */
async function batchDocument(s: Loop, batchItems: JobItemRow[], onProgress: (p: JobProgress) => void, signal: AbortSignal): Promise<unknown> {
  const out = path.join(s.tmp, `batch-${batchItems[0].batch}.json`);
  try {
    await s.kind.runBatch(s.ctx.engine, s.spec, batchItems.map((i) => i.index), out, { signal, onProgress });
    return JSON.parse(readFileSync(out, 'utf8')) as unknown;
  } catch (err) {
    if (err instanceof AppError && err.code === 'IMAGE_SET_EMPTY') return err;
    throw err;
  } finally {
    rmSync(out, { force: true });
  }
}

async function runBatch(s: Loop, batchItems: JobItemRow[]): Promise<void> {
  const { ctx, job } = s;
  const before = getJob(ctx.db, job.id) as JobRow;
  const onProgress = (p: JobProgress) => s.progress({ done: before.done + (batchItems.length * p.done) / Math.max(1, p.total), total: job.total, message: p.message });
  // One signal per batch (the engine client keeps an abort listener per request until it fires).
  const batchSignal = new AbortController();
  const forward = () => batchSignal.abort();
  s.signal.addEventListener('abort', forward, { once: true });
  const doc = await batchDocument(s, batchItems, onProgress, batchSignal.signal).finally(() => s.signal.removeEventListener('abort', forward));
  const rows: StoredRow[] = doc instanceof AppError
    ? batchItems.map((i) => ({ position: i.position, index: i.index, path: '', status: 'skipped', reason: doc.message }))
    : s.kind.rows(doc, batchItems);
  const results: ItemResult[] = rows.map((r) => ({ position: r.position, state: r.status === 'ok' ? 'done' : 'skipped', target: null, score: null, predicted: null, predictedProb: null, reason: r.reason ?? null }));
  ctx.db.transaction(() => {
    commitItems(ctx.db, job.id, results);
    insertSummaries(ctx.db, job.runId as string, rows.map((r) => ({ index: r.index, path: r.path, label: null, summary: r as unknown as Record<string, unknown> })));
  });
}

/** Builds the document from every stored row and completes the run with it, atomically with the job's success. */
function finish(ctx: RunnerContext, job: JobRow, spec: AnalysisStoredSpec, kind: AnalysisKindRunner): void {
  const rows = (runSummaries(ctx.db, job.runId as string) as unknown as StoredRow[]).sort((a, b) => a.position - b.position);
  const document = kind.document(rows);
  ctx.db.transaction(() => {
    completeRun(ctx.project, job.runId as string, document, [{ name: 'analysis', dtype: 'json', itemShape: [], itemCount: job.total, summary: { kind: spec.analysis.kind } }]);
    markEnded(ctx.db, job.id, 'succeeded');
  });
}

/**
 * Runs (or resumes) analysis job `jobId` until it ends; returns its final row. Never throws for the
 * job's own failures (they are recorded in the row); throws only when the job cannot be started.
 */
export async function runAnalysisJob(ctx: RunnerContext, jobId: string, io: RunnerIO): Promise<JobRow> {
  const job = getJob(ctx.db, jobId);
  if (!job) throw new AppError('NOT_FOUND', `There is no job with id ${jobId} in this project.`, { hint: 'List the jobs with `saliency jobs <dir>`.' });
  if (job.state === 'succeeded') return job;
  const spec = parseAnalysisSpec(jobId, job.spec);
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  io.signal.addEventListener('abort', onAbort, { once: true });
  const live = (row: JobRow) => writeLiveStatus(ctx.projectDir, { id: jobId, state: row.state, done: row.done, total: row.total, pid: process.pid, updatedAt: new Date().toISOString() });
  const throttled = throttle(io.progress, 100);
  const s: Loop = { ctx, job, spec, kind: analysisKindRunner(spec.analysis.kind as PersistedAnalysisKind), signal: controller.signal, tmp: mkdtempSync(path.join(os.tmpdir(), 'saliency-analysis-')), progress: (p) => throttled.push(p) };
  // A request file left by a process killed before it consumed it must not cancel this run.
  clearControlFiles(ctx.projectDir, jobId);
  markRunning(ctx.db, jobId, process.pid);
  const stopWatch = watchCancel(ctx.projectDir, jobId, controller);
  const running = getJob(ctx.db, jobId) as JobRow;
  io.state?.(running);
  live(running);
  let final: JobRow;
  try {
    await checkSources(ctx.project, spec);
    for (const batch of pendingBatches(jobItems(ctx.db, jobId, 'pending'))) {
      if (controller.signal.aborted) throw new AppError('CANCELLED', `Job ${jobId} was cancelled.`);
      await runBatch(s, batch);
      const row = getJob(ctx.db, jobId) as JobRow;
      s.progress({ done: row.done, total: row.total, message: `${row.done} of ${row.total} images` });
      live(row);
    }
    finish(ctx, job, spec, s.kind);
    final = getJob(ctx.db, jobId) as JobRow;
  } catch (err) {
    final = endState(ctx, jobId, err, controller.signal);
  } finally {
    throttled.flush();
    stopWatch();
    io.signal.removeEventListener('abort', onAbort);
    clearControlFiles(ctx.projectDir, jobId);
    rmSync(s.tmp, { recursive: true, force: true });
  }
  io.state?.(final);
  return final;
}

