/**
 * Progress and cancellation for the storage's long operations (session export and import):
 * progress in bytes, throttled to one report per 100 ms (plus the final one), and an AbortSignal
 * checked between files, so a cancel stops within one file and leaves nothing behind.
 */
import { AppError } from '../../shared/errors';
import type { JobProgress } from '../../shared/types/jobs';
import { throttle } from '../engine/throttle';

export interface LongOpOptions {
  signal?: AbortSignal;
  onProgress?: (p: JobProgress) => void;
}

export interface Tracker {
  add(bytes: number): void;
  /** Throws CANCELLED (saying what was left unchanged) when the signal has fired. */
  check(): void;
  finish(): void;
}

export function tracker(options: LongOpOptions, total: number, what: string): Tracker {
  let done = 0;
  const report = options.onProgress ? throttle(options.onProgress, 100) : null;
  return {
    add(bytes) {
      done += bytes;
      report?.push({ done: Math.min(done, total), total, message: what });
    },
    check() {
      if (options.signal?.aborted) throw new AppError('CANCELLED', `The ${what} was cancelled; nothing was changed.`);
    },
    finish() {
      report?.push({ done: total, total, message: what });
      report?.flush();
    }
  };
}
