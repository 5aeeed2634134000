/**
 * Job manager: every long operation is a job with an id, progress, cancellation and a final state.
 *
 * Owns the queue (one engine job at a time; quick read-only requests bypass it), the state
 * machine queued → running → succeeded | failed | cancelled, progress throttled to ~10 Hz at the
 * source, partial results forwarded as events, and crash handling (an engine crash fails the
 * running job with ENGINE_CRASHED; the engine client restarts the host on the next request).
 * Jobs live in memory here; persistence and resume belong to the project storage layer.
 */
import { randomUUID } from 'node:crypto';
import { AppError, isCancellation } from '../../shared/errors';
import type { JobProgress, JobSnapshot } from '../../shared/types/jobs';
import type { SaliencyMap } from '../../shared/types/saliency';
import type { EventBus } from '../app/event-bus';
import { throttle } from '../engine/throttle';

/** What a job does once it runs: report progress/partials, honour the signal, resolve or throw. */
export type JobRunner = (io: { signal: AbortSignal; progress(p: JobProgress): void; partial(item: SaliencyMap): void }) => Promise<void>;

interface Entry {
  snapshot: JobSnapshot;
  run: JobRunner;
  controller: AbortController;
}

export class JobManager {
  private readonly jobs = new Map<string, Entry>();
  private readonly queue: string[] = [];
  private running: string | null = null;

  constructor(private readonly events: EventBus) {}

  /** Queues a job and returns its snapshot (state `queued`). */
  submit(kind: string, spec: Record<string, unknown>, run: JobRunner): JobSnapshot {
    const snapshot: JobSnapshot = { id: randomUUID(), kind, spec, state: 'queued', progress: { done: 0, total: 0 }, createdAt: new Date().toISOString(), startedAt: null, endedAt: null };
    this.jobs.set(snapshot.id, { snapshot, run, controller: new AbortController() });
    this.queue.push(snapshot.id);
    this.events.emit('jobs:state', snapshot);
    void this.pump();
    return snapshot;
  }

  get(jobId: string): JobSnapshot {
    const entry = this.jobs.get(jobId);
    if (!entry) throw new AppError('NOT_FOUND', `There is no job with id ${jobId}.`);
    return entry.snapshot;
  }

  list(): JobSnapshot[] {
    return [...this.jobs.values()].map((e) => e.snapshot);
  }

  /** Cancels a queued or running job; returns false when it had already ended. */
  cancel(jobId: string): boolean {
    const entry = this.jobs.get(jobId);
    if (!entry) throw new AppError('NOT_FOUND', `There is no job with id ${jobId}.`);
    if (entry.snapshot.state === 'queued') {
      this.queue.splice(this.queue.indexOf(jobId), 1);
      this.finish(entry, 'cancelled');
      return true;
    }
    if (entry.snapshot.state !== 'running') return false;
    entry.controller.abort();
    return true;
  }

  /** Cancels everything (shutdown) and waits for the running job to settle. */
  async cancelAll(): Promise<void> {
    for (const id of [...this.queue]) this.cancel(id);
    if (this.running) this.cancel(this.running);
    while (this.running) await new Promise((r) => setTimeout(r, 20));
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    const next = this.queue.shift();
    if (!next) return;
    const entry = this.jobs.get(next) as Entry;
    this.running = next;
    this.update(entry, { state: 'running', startedAt: new Date().toISOString() } as Partial<JobSnapshot>);
    const progress = throttle((p: JobProgress) => {
      entry.snapshot = { ...entry.snapshot, progress: p };
      this.events.emit('jobs:progress', { jobId: next, progress: p });
    }, 100);
    try {
      await entry.run({ signal: entry.controller.signal, progress: (p) => progress.push(p), partial: (item) => this.events.emit('jobs:partial', { jobId: next, item }) });
      progress.flush();
      this.finish(entry, 'succeeded');
    } catch (err) {
      progress.flush();
      if (entry.controller.signal.aborted || isCancellation(err)) this.finish(entry, 'cancelled');
      else this.finish(entry, 'failed', AppError.from(err));
    } finally {
      this.running = null;
      void this.pump();
    }
  }

  private finish(entry: Entry, state: 'succeeded' | 'failed' | 'cancelled', error?: AppError): void {
    const endedAt = new Date().toISOString();
    const base = { ...entry.snapshot, endedAt };
    entry.snapshot = state === 'failed' ? { ...base, state, error: (error as AppError).toJSON() } : { ...base, state, error: undefined };
    this.events.emit('jobs:state', entry.snapshot);
  }

  private update(entry: Entry, patch: Partial<JobSnapshot>): void {
    entry.snapshot = { ...entry.snapshot, ...patch } as JobSnapshot;
    this.events.emit('jobs:state', entry.snapshot);
  }
}
