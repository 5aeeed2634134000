/**
 * Cross-process job control. The project database is held by one process at a time (exclusive
 * SQLite locking, main/storage/owner.ts), so another process cannot write a job row while a job
 * runs. Two small files in `<project>/.jobs/` bridge that:
 *
 * - `<jobId>.cancel`: a cancel request. `saliency cancel` (or the app) creates it; the process
 *   running the job polls for it (every `POLL_MS` and between batches) and aborts the job's
 *   signal, which stops the engine within one batch. The runner removes it when the job ends.
 * - `<jobId>.status.json`: the running process's live view of the job (state, done/total, pid),
 *   rewritten (temp + rename) after every committed batch, so `saliency jobs` can report a job
 *   while the database is locked. Removed when the job ends (the database then has the truth).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { JobState } from '../../../shared/types/jobs';

export const POLL_MS = 200;

export interface LiveStatus {
  id: string;
  state: JobState;
  done: number;
  total: number;
  pid: number;
  updatedAt: string;
}

const folder = (projectDir: string) => path.join(projectDir, '.jobs');
const cancelFile = (projectDir: string, jobId: string) => path.join(folder(projectDir), `${jobId}.cancel`);
const statusFile = (projectDir: string, jobId: string) => path.join(folder(projectDir), `${jobId}.status.json`);

export function requestCancel(projectDir: string, jobId: string): void {
  fs.mkdirSync(folder(projectDir), { recursive: true });
  fs.writeFileSync(cancelFile(projectDir, jobId), new Date().toISOString());
}

export function cancelRequested(projectDir: string, jobId: string): boolean {
  return fs.existsSync(cancelFile(projectDir, jobId));
}

/** Aborts `controller` as soon as a cancel file for the job appears; returns the stop function. */
export function watchCancel(projectDir: string, jobId: string, controller: AbortController): () => void {
  const check = () => {
    if (cancelRequested(projectDir, jobId)) controller.abort();
  };
  check();
  const timer = setInterval(check, POLL_MS);
  timer.unref();
  return () => clearInterval(timer);
}

export function writeLiveStatus(projectDir: string, status: LiveStatus): void {
  fs.mkdirSync(folder(projectDir), { recursive: true });
  const file = statusFile(projectDir, status.id);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(status));
  fs.renameSync(tmp, file);
}

/** Live statuses of jobs whose process is still alive (stale files of dead processes are ignored). */
export function readLiveStatuses(projectDir: string, isAlive: (pid: number) => boolean): LiveStatus[] {
  let names: string[];
  try {
    names = fs.readdirSync(folder(projectDir)).filter((n) => n.endsWith('.status.json'));
  } catch {
    return [];
  }
  const out: LiveStatus[] = [];
  for (const name of names) {
    try {
      const status = JSON.parse(fs.readFileSync(path.join(folder(projectDir), name), 'utf8')) as LiveStatus;
      if (isAlive(status.pid)) out.push(status);
    } catch {
      // A file being replaced right now: the next read sees the new one.
    }
  }
  return out;
}

/** Removes the job's control files once it has ended (its row in the database is the record). */
export function clearControlFiles(projectDir: string, jobId: string): void {
  fs.rmSync(cancelFile(projectDir, jobId), { force: true });
  fs.rmSync(statusFile(projectDir, jobId), { force: true });
}
