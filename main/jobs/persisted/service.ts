/**
 * The persisted job queue of one open project, shared by the app (IPC handlers) and the CLI: at
 * most one engine job runs at a time (a promise chain), each to an end state recorded in the
 * database (./runner). Opening the service marks jobs whose owner process died as interrupted.
 *
 * Only the job queue waits for the engine job: read-only requests (list, get, stored map pages)
 * read the database synchronously and never queue behind it, and quick engine requests from other
 * services go to the engine host, which answers them between the job's batches.
 */
import { AppError } from '../../../shared/errors';
import type { JobProgress } from '../../../shared/types/jobs';
import type { StoredJobSnapshot } from '../../../shared/types/workspace';
import type { SaliencyMap } from '../../../shared/types/saliency';
import type { EngineClient } from '../engine-client';
import type { Project } from '../../storage/project';
import { getJob, listJobs, markEnded, markInterrupted, markQueued, type JobRow } from '../../storage/jobs';
import type { AnalysisSpec } from '../../../shared/ipc/contract';
import { createMapsJob, type NewMapsJob } from './create';
import { createAnalysisJob } from './analysis/create';
import { runAnalysisJob } from './analysis/runner';
import { isAnalysisJobKind, type PersistedAnalysisKind } from './analysis/spec';
import { runnerContext, runPersistedJob } from './runner';
import { toSnapshot } from './snapshot';

export interface PersistedJobEvents {
  state(job: StoredJobSnapshot): void;
  progress(jobId: string, progress: JobProgress): void;
  partial(jobId: string, item: SaliencyMap): void;
}

export interface PersistedJobsDeps {
  project: Project;
  engine: Pick<EngineClient, 'request'>;
  events?: Partial<PersistedJobEvents>;
}

const RESUMABLE = new Set(['failed', 'cancelled']);

export class PersistedJobs {
  private chain: Promise<unknown> = Promise.resolve();
  private readonly controllers = new Map<string, AbortController>();
  /** Ids changed from running to interrupted when the service was opened. */
  readonly recovered: string[];

  constructor(private readonly deps: PersistedJobsDeps) {
    this.recovered = markInterrupted(deps.project.db);
  }

  list(sessionId?: string): StoredJobSnapshot[] {
    return listJobs(this.deps.project.db, sessionId).map(toSnapshot);
  }

  get(jobId: string): StoredJobSnapshot {
    return toSnapshot(this.row(jobId));
  }

  /** Validates and stores a new job (state queued); `start` queues it for running. */
  create(input: NewMapsJob): Promise<JobRow> {
    return createMapsJob(this.deps.project, this.deps.engine, input);
  }

  /** Stores a new persisted analysis job (state queued; analysis/create.ts); `start` queues it. */
  createAnalysis(spec: Extract<AnalysisSpec, { kind: PersistedAnalysisKind }>, options: { batchSize?: number } = {}): Promise<JobRow> {
    return createAnalysisJob(this.deps.project, spec, options);
  }

  /** Queues a queued job; the returned promise settles with its final row. */
  start(jobId: string): Promise<JobRow> {
    const job = this.row(jobId);
    if (job.state !== 'queued') throw new AppError('PARAM_INVALID', `Job ${jobId} is ${job.state}, not queued.`, { hint: RESUMABLE.has(job.state) ? 'Resume it instead.' : undefined });
    const controller = new AbortController();
    this.controllers.set(jobId, controller);
    this.emitState(job);
    const run = this.chain.then(() => this.runQueued(jobId, controller));
    this.chain = run.catch(() => {});
    return run;
  }

  /** Puts a cancelled or failed (interrupted, crashed, disk full) job back in the queue; done items are kept. */
  resume(jobId: string): Promise<JobRow> {
    const job = this.row(jobId);
    if (job.state === 'succeeded') throw new AppError('PARAM_INVALID', `Job ${jobId} has already succeeded; there is nothing to resume.`);
    if (!RESUMABLE.has(job.state)) throw new AppError('PARAM_INVALID', `Job ${jobId} is ${job.state}; only a cancelled or failed job can be resumed.`);
    markQueued(this.deps.project.db, jobId);
    return this.start(jobId);
  }

  /** Cancels a queued or running job of this process; false when it had already ended. */
  cancel(jobId: string): boolean {
    const job = this.row(jobId);
    const controller = this.controllers.get(jobId);
    if (job.state === 'queued') {
      controller?.abort();
      markEnded(this.deps.project.db, jobId, 'cancelled');
      this.emitState(this.row(jobId));
      return true;
    }
    if (job.state !== 'running' || !controller) return false;
    controller.abort();
    return true;
  }

  /** Cancels everything of this process and waits for the running job to settle (shutdown). */
  async cancelAll(): Promise<void> {
    for (const id of [...this.controllers.keys()]) this.cancel(id);
    await this.chain;
  }

  private async runQueued(jobId: string, controller: AbortController): Promise<JobRow> {
    try {
      if (controller.signal.aborted) return this.row(jobId);
      const { events } = this.deps;
      // Analyses and maps jobs share the queue (one engine job at a time); each kind has its runner.
      const run = isAnalysisJobKind(this.row(jobId).kind) ? runAnalysisJob : runPersistedJob;
      return await run(runnerContext(this.deps.project, this.deps.engine), jobId, {
        signal: controller.signal,
        progress: (p) => events?.progress?.(jobId, p),
        partial: events?.partial && ((item) => events.partial?.(jobId, item)),
        state: (row) => this.emitState(row)
      });
    } finally {
      this.controllers.delete(jobId);
    }
  }

  private emitState(job: JobRow): void {
    this.deps.events?.state?.(toSnapshot(job));
  }

  private row(jobId: string): JobRow {
    const job = getJob(this.deps.project.db, jobId);
    if (!job) throw new AppError('NOT_FOUND', `There is no job with id ${jobId} in this project.`, { hint: 'List the jobs with `saliency jobs <dir>`.' });
    return job;
  }
}
