/**
 * `analysis:start` / `analysis:result` (issue #5): the engine's `evaluate`, `measure` and `sanity`
 * methods as jobs with progress, cancellation and a final state.
 *
 * In a storage project every analysis is a PERSISTED job (main/jobs/persisted/analysis/: per-batch
 * commit of per-image rows, resume after cancel, crash or kill; docs/jobs.md) on the project's job
 * queue; its document is its run's manifest. In a read-only project.json project (the demo) it is an
 * in-memory job of the JobManager: the engine writes its result document (the CLI's JSON,
 * atomically) to a private temporary file; when the job succeeds the document is read back, kept in
 * memory for `analysis:result` and the file removed. `recordAnalysisRun` records such a document as
 * a complete run of kind `analysis-<kind>` when a storage project is given without its persisted
 * queue (`storage` without `persisted`).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import type { AnalysisSpec } from '../../shared/ipc/contract';
import type { AnalysisResult } from '../../shared/types/analyses';
import type { OpenProject } from '../app/project-service';
import { analysisSessionId, runLabel } from '../jobs/persisted/analysis/create';
import { isAnalysisJobKind, isPersistedAnalysis } from '../jobs/persisted/analysis/spec';
import type { PersistedJobs } from '../jobs/persisted/service';
import { runManifest } from '../storage/jobs';
import { addRun, completeRun, getSession } from '../storage/sessions';
import type { Project } from '../storage/project';
import type { EngineClient } from '../jobs/engine-client';
import type { JobManager, JobRunner } from '../jobs/job-manager';
import type { Handlers } from './router';

export interface AnalysisHandlerDeps {
  engine: EngineClient;
  jobs: JobManager;
  project: () => Promise<OpenProject>;
  /** Finished results kept for `analysis:result` (oldest dropped first); default 50. */
  keep?: number;
  /** The open storage project, null for a read-only project.json project; absent: results are not stored. */
  storage?: () => Promise<Project | null>;
  /** The open storage project's persisted job queue, null for a read-only project; absent: analyses stay in memory. */
  persisted?: () => Promise<PersistedJobs | null>;
}

/** Records a succeeded analysis as a complete run of the session: its manifest is the whole document. */
export function recordAnalysisRun(project: Project, spec: AnalysisSpec, document: AnalysisResult['document'], itemCount: number): string {
  const sessionId = analysisSessionId(project, spec);
  const modelId = spec.kind === 'measure' ? spec.modelIds[0] : spec.modelId;
  const runId = addRun(project, { sessionId, kind: `analysis-${spec.kind}`, method: runLabel(spec), modelId, imageSetId: spec.imageSetId, params: spec as unknown as Record<string, unknown> });
  completeRun(project, runId, document, [{ name: 'analysis', dtype: 'json', itemShape: [], itemCount, summary: { kind: spec.kind } }]);
  return runId;
}

/**
 * The engine call of one analysis, its document written to `out`. Model and image-set ids are
 * resolved here, before any job exists, so an unknown id is refused at once.
 */
function engineCall(deps: AnalysisHandlerDeps, project: OpenProject, spec: AnalysisSpec, out: string): (io: Parameters<JobRunner>[0]) => Promise<unknown> {
  const inputs = { path: project.imageSetPath(spec.imageSetId), indices: spec.indices };
  if (spec.kind === 'evaluate') {
    const params: Record<string, unknown> = {};
    if (spec.baseline !== undefined) params.baseline = spec.baseline;
    if (spec.steps !== undefined) params.steps = spec.steps;
    const request = { modelPath: project.modelPath(spec.modelId), inputs, metrics: spec.metrics, method: { id: spec.method, params: spec.params }, params, seed: spec.seed, out };
    return (io) => deps.engine.request('evaluate', request, { signal: io.signal, onProgress: io.progress });
  }
  if (spec.kind === 'measure') {
    const request = { measure: spec.measure, modelPaths: spec.modelIds.map((m) => project.modelPath(m)), inputs, method: spec.method, methodParams: spec.params ?? {}, params: {}, seed: spec.seed, bootstrap: {}, out };
    return (io) => deps.engine.request('measure', request, { signal: io.signal, onProgress: io.progress });
  }
  const request = { check: spec.mode, modelPath: project.modelPath(spec.modelId), inputs, method: spec.method, seed: spec.seed, out };
  return (io) => deps.engine.request('sanity', request, { signal: io.signal, onProgress: io.progress });
}

/** Checks what the engine cannot know: the model count of the measure (stability needs ≥ 2, the others one). */
function checkSpec(spec: AnalysisSpec): void {
  if (spec.kind !== 'measure') return;
  const unique = new Set(spec.modelIds).size;
  if (spec.measure === 'stability' && unique < 2) throw new AppError('PARAM_INVALID', 'The stability measure compares training runs: pick two or more different models.');
  if (spec.measure !== 'stability' && spec.modelIds.length !== 1) throw new AppError('PARAM_INVALID', `The ${spec.measure} measure takes one model; several models are for stability.`);
}

export function analysisHandlers(deps: AnalysisHandlerDeps): Pick<Handlers, 'analysis:start' | 'analysis:result' | 'analysis:cancel'> {
  const results = new Map<string, AnalysisResult>();
  const keep = deps.keep ?? 50;
  let dir: Promise<string> | null = null;
  const tempDir = () => (dir ??= mkdtemp(path.join(os.tmpdir(), 'saliency-analyses-')));

  const persisted = async () => (deps.persisted ? deps.persisted() : null);
  /** The persisted analysis job `jobId` of the open storage project, null when it is not one (e.g. an in-memory job). */
  const storedJob = async (jobId: string) => {
    const queue = await persisted();
    if (!queue) return null;
    try {
      const job = queue.get(jobId);
      return isAnalysisJobKind(job.kind) ? { queue, job } : null;
    } catch (err) {
      if (err instanceof AppError && err.code === 'NOT_FOUND') return null;
      throw err;
    }
  };

  return {
    'analysis:start': async (spec) => {
      checkSpec(spec);
      const queue = await persisted();
      if (queue && isPersistedAnalysis(spec)) {
        const job = await queue.createAnalysis(spec);
        // Runs in the background; its outcome is recorded in the row and reported by jobs:state.
        queue.start(job.id).catch(() => {});
        return { jobId: job.id };
      }
      const project = await deps.project();
      const storage = deps.storage ? await deps.storage() : null;
      // A named session must exist before the job runs (NOT_FOUND now, not after the work).
      if (storage && spec.sessionId) getSession(storage, spec.sessionId);
      const out = path.join(await tempDir(), `${randomUUID()}.json`);
      const call = engineCall(deps, project, spec, out);
      const job = deps.jobs.submit(`analysis-${spec.kind}`, spec as unknown as Record<string, unknown>, async (io) => {
        try {
          await call(io);
          const document = JSON.parse(await readFile(out, 'utf8')) as AnalysisResult['document'];
          results.set(job.id, { kind: spec.kind, jobId: job.id, document } as AnalysisResult);
          if (storage) recordAnalysisRun(storage, spec, document, spec.indices.length);
          while (results.size > keep) results.delete(results.keys().next().value as string);
        } finally {
          await rm(out, { force: true });
        }
      });
      return { jobId: job.id };
    },
    'analysis:cancel': async ({ jobId }) => {
      const stored = await storedJob(jobId);
      return { cancelled: stored ? stored.queue.cancel(jobId) : deps.jobs.cancel(jobId) };
    },
    'analysis:result': async ({ jobId }) => {
      const found = results.get(jobId);
      if (found) return found;
      const stored = await storedJob(jobId);
      if (stored) {
        const { job } = stored;
        const project = deps.storage ? await deps.storage() : null;
        const document = job.state === 'succeeded' && job.runId && project ? runManifest(project.db, job.runId) : null;
        if (document) return { kind: job.kind.replace(/^analysis-/, ''), jobId, document } as AnalysisResult;
        throw new AppError('NOT_FOUND', `Analysis job ${jobId} has no result (it is ${job.state}).`, { hint: job.resumable ? 'Resume it with jobs:resume to compute the rest.' : 'Wait for the job to succeed, or start it again.' });
      }
      const job = deps.jobs.get(jobId); // NOT_FOUND for an unknown id
      throw new AppError('NOT_FOUND', `Analysis job ${jobId} has no result (it is ${job.state}).`, { hint: job.state === 'succeeded' ? 'Older results are dropped; run the analysis again.' : 'Wait for the job to succeed, or start it again.' });
    }
  };
}
