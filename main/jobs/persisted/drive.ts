/**
 * The loop every persisted job kind shares (maps runs: ./runner; analyses: ./analysis/runner):
 * mark the row running, watch for a cancel (the signal, or a cancel file from another process:
 * ./control-files), keep the live status file current, run the pending batches in order with
 * progress throttled to ~10 Hz at the source, then finish or record the end state. A kind supplies
 * only what differs: the source check, one batch's compute-and-commit, and the finishing step.
 *
 * Never throws for the job's own failures (they are recorded in the row); throws only when the job
 * cannot be started (no such job).
 */
import { AppError, isCancellation } from '../../../shared/errors';
import type { JobProgress } from '../../../shared/types/jobs';
import { throttle } from '../../engine/throttle';
import { getJob, jobItems, markEnded, markRunning, type JobItemRow, type JobRow } from '../../storage/jobs';
import { clearControlFiles, watchCancel, writeLiveStatus } from './control-files';
import type { RunnerContext, RunnerIO } from './runner';

/** What one job kind does inside the shared loop. */
export interface JobSteps {
  /** Word for the items in progress messages ("inputs", "images"). */
  unit: string;
  /** The sources must still be the files the job started with. @throws AppError (MODEL_CHANGED, …) */
  checkSources(): Promise<void>;
  /** Computes one batch and commits it (a batch finished after a cancel is still committed). */
  runBatch(items: JobItemRow[], signal: AbortSignal, onProgress: (p: JobProgress) => void): Promise<void>;
  /** Completes the run and marks the job succeeded, in one transaction. */
  finish(): void;
  /** Releases what the kind holds (temporary files), whatever the end. */
  dispose?(): void;
}

/** Pending items grouped by their batch, in batch order. */
export function pendingBatches(items: JobItemRow[]): JobItemRow[][] {
  const byBatch = new Map<number, JobItemRow[]>();
  for (const item of items) (byBatch.get(item.batch) ?? byBatch.set(item.batch, []).get(item.batch)!).push(item);
  return [...byBatch.keys()].sort((a, b) => a - b).map((b) => byBatch.get(b)!);
}

export function endState(ctx: RunnerContext, jobId: string, err: unknown, signal: AbortSignal): JobRow {
  const cancelled = signal.aborted || isCancellation(err);
  const error = AppError.from(err).toJSON();
  try {
    if (cancelled) markEnded(ctx.db, jobId, 'cancelled');
    else markEnded(ctx.db, jobId, 'failed', error);
    return getJob(ctx.db, jobId) as JobRow;
  } catch {
    // The database itself refused the write (e.g. disk full): the row still says running, which the
    // next open turns into INTERRUPTED; report the real outcome to the caller now.
    const row = getJob(ctx.db, jobId) as JobRow;
    return cancelled ? { ...row, state: 'cancelled', error: null } : { ...row, state: 'failed', error };
  }
}

/** Runs (or resumes) job `jobId` with the kind's steps until it ends; returns its final row. */
export async function driveJob(ctx: RunnerContext, jobId: string, io: RunnerIO, stepsFor: (job: JobRow) => JobSteps): Promise<JobRow> {
  const job = getJob(ctx.db, jobId);
  if (!job) throw new AppError('NOT_FOUND', `There is no job with id ${jobId} in this project.`, { hint: 'List the jobs with `saliency jobs <dir>`.' });
  if (job.state === 'succeeded') return job;
  const steps = stepsFor(job);
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  io.signal.addEventListener('abort', onAbort, { once: true });
  const live = (row: JobRow) => writeLiveStatus(ctx.projectDir, { id: jobId, state: row.state, done: row.done, total: row.total, pid: process.pid, updatedAt: new Date().toISOString() });
  const throttled = throttle(io.progress, 100);
  // A request file left by a process killed before it consumed it must not cancel this run.
  clearControlFiles(ctx.projectDir, jobId);
  markRunning(ctx.db, jobId, process.pid);
  const stopWatch = watchCancel(ctx.projectDir, jobId, controller);
  const running = getJob(ctx.db, jobId) as JobRow;
  io.state?.(running);
  live(running);
  let final: JobRow;
  try {
    await steps.checkSources();
    for (const batch of pendingBatches(jobItems(ctx.db, jobId, 'pending'))) {
      if (controller.signal.aborted) throw new AppError('CANCELLED', `Job ${jobId} was cancelled.`);
      const before = getJob(ctx.db, jobId) as JobRow;
      // Progress inside a batch, in the batch's share of the job.
      const onProgress = (p: JobProgress) => throttled.push({ done: before.done + (batch.length * p.done) / Math.max(1, p.total), total: job.total, message: p.message });
      await steps.runBatch(batch, controller.signal, onProgress);
      const row = getJob(ctx.db, jobId) as JobRow;
      throttled.push({ done: row.done, total: row.total, message: `${row.done} of ${row.total} ${steps.unit}` });
      live(row);
    }
    steps.finish();
    final = getJob(ctx.db, jobId) as JobRow;
  } catch (err) {
    final = endState(ctx, jobId, err, controller.signal);
  } finally {
    throttled.flush();
    stopWatch();
    io.signal.removeEventListener('abort', onAbort);
    clearControlFiles(ctx.projectDir, jobId);
    steps.dispose?.();
  }
  io.state?.(final);
  return final;
}
