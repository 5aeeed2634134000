/** Jobs: every long operation has an id, progress, cancellation and a final state. */
import type { AppErrorData } from '../errors';

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface JobProgress {
  done: number;
  total: number;
  message?: string;
}

interface JobBase {
  id: string;
  kind: string;
  spec: Record<string, unknown>;
  progress: JobProgress;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
}

/** A failed job always carries its error; other states never do. */
export type JobSnapshot =
  | (JobBase & { state: Exclude<JobState, 'failed'>; error?: undefined })
  | (JobBase & { state: 'failed'; error: AppErrorData });

export const isFinalState = (s: JobState): boolean => s === 'succeeded' || s === 'failed' || s === 'cancelled';
