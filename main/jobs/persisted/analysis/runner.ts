/**
 * Runs one persisted analysis job (./create) to an end state, batch by batch, never losing
 * committed work, in the loop every persisted job kind shares (../drive: states, cancel files, live
 * status, throttled progress, end state). Per batch: the engine runs the analysis on the batch's indices only (its document
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
import { resolveImageSet } from '../../../storage/image-sets';
import { commitItems, insertSummaries, markEnded, runSummaries, type ItemResult, type JobItemRow, type JobRow } from '../../../storage/jobs';
import { resolveModel } from '../../../storage/models';
import type { Project } from '../../../storage/project';
import { completeRun } from '../../../storage/sessions';
import { driveJob } from '../drive';
import type { RunnerContext, RunnerIO } from '../runner';
import { analysisKindRunner } from './index';
import type { AnalysisKindRunner, StoredRow } from './rows';
import { parseAnalysisSpec, type AnalysisStoredSpec, type PersistedAnalysisKind } from './spec';

interface Loop {
  ctx: RunnerContext;
  job: JobRow;
  spec: AnalysisStoredSpec;
  kind: AnalysisKindRunner;
  tmp: string;
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

async function runBatch(s: Loop, batchItems: JobItemRow[], signal: AbortSignal, onProgress: (p: JobProgress) => void): Promise<void> {
  const { ctx, job } = s;
  const doc = await batchDocument(s, batchItems, onProgress, signal);
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
export function runAnalysisJob(ctx: RunnerContext, jobId: string, io: RunnerIO): Promise<JobRow> {
  return driveJob(ctx, jobId, io, (job) => {
    const spec = parseAnalysisSpec(jobId, job.spec);
    const s: Loop = { ctx, job, spec, kind: analysisKindRunner(spec.analysis.kind as PersistedAnalysisKind), tmp: mkdtempSync(path.join(os.tmpdir(), 'saliency-analysis-')) };
    return {
      unit: 'images',
      checkSources: () => checkSources(ctx.project, spec),
      runBatch: (items, signal, onProgress) => runBatch(s, items, signal, onProgress),
      finish: () => finish(ctx, job, spec, s.kind),
      dispose: () => rmSync(s.tmp, { recursive: true, force: true })
    };
  });
}
