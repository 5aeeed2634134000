/**
 * Shared plumbing of `run`, `jobs`, `resume` and `cancel`: open the project (one process holds it
 * at a time; main/storage/owner.ts), start an engine client, build the persisted job queue, print
 * results and map a job's end state to the exit code (0 succeeded, 130 cancelled, else the code of
 * its error: 4 engine, 3 bad input or disk, 1 internal).
 */
import { AppError } from '../../../shared/errors';
import type { JobProgress } from '../../../shared/types/jobs';
import type { StoredJobSnapshot } from '../../../shared/types/workspace';
import type { EngineClient } from '../../jobs/engine-client';
import { openProject, type Project } from '../../storage/project';
import { PersistedJobs } from '../../jobs/persisted/service';
import { toSnapshot } from '../../jobs/persisted/snapshot';
import type { JobRow } from '../../storage/jobs';
import { EXIT, exitCodeFor, progressBar, reportError } from '../output';
import { runWithEngine } from './engine-run';

export interface JobProjectRun {
  project: Project;
  jobs: PersistedJobs;
  engine: EngineClient;
  /** Aborted on Ctrl-C / SIGTERM. */
  signal: AbortSignal;
  /** Receives the running job's progress (throttled at the source). */
  onProgress: { current: ((p: JobProgress) => void) | null };
}

/** Runs `action` with the project open and an engine; the action returns the exit code. */
export async function withJobProject(dir: string, json: boolean, action: (run: JobProjectRun) => Promise<number>): Promise<number> {
  let code: number = EXIT.ok;
  const ok = await runWithEngine(json, async ({ engine, signal }) => {
    const project = openProject(dir);
    try {
      const onProgress: JobProjectRun['onProgress'] = { current: null };
      const jobs = new PersistedJobs({ project, engine, events: { progress: (_id, p) => onProgress.current?.(p) } });
      code = await action({ project, jobs, engine, signal, onProgress });
    } finally {
      project.close();
    }
  });
  return ok === EXIT.ok ? code : ok;
}

/** The job id first, before any work: a script that loses the process can still resume the job. */
export function printCreated(job: JobRow, json: boolean): void {
  process.stdout.write(json ? JSON.stringify({ event: 'created', jobId: job.id, runId: job.runId, total: job.total }) + '\n' : `${job.id}\n`);
}

export function describeJob(job: StoredJobSnapshot): string {
  const counts = `${job.progress.done}/${job.progress.total}${job.skipped ? ` (${job.skipped} skipped)` : ''}`;
  const error = job.state === 'failed' ? ` — ${job.error.code}: ${job.error.message}` : '';
  return `${job.id}  ${job.state.padEnd(9)}  ${counts}${job.resumable ? '  resumable' : ''}${error}`;
}

/** Runs (start or resume) a job to its end with a progress bar; prints the outcome; returns the exit code. */
export async function finishJob(run: JobProjectRun, jobId: string, how: 'start' | 'resume', json: boolean): Promise<number> {
  const bar = progressBar(how === 'start' ? 'run' : 'resume', json);
  run.onProgress.current = (p) => bar.update(p);
  const onAbort = () => run.jobs.cancel(jobId);
  run.signal.addEventListener('abort', onAbort, { once: true });
  let final: JobRow;
  try {
    final = how === 'start' ? await run.jobs.start(jobId) : await run.jobs.resume(jobId);
  } finally {
    bar.stop();
    run.signal.removeEventListener('abort', onAbort);
  }
  const snapshot = toSnapshot(final);
  if (json) process.stdout.write(JSON.stringify({ ok: final.state === 'succeeded', job: snapshot }) + '\n');
  else process.stdout.write(`${describeJob(snapshot)}\n`);
  if (final.state === 'succeeded') return EXIT.ok;
  if (final.state === 'cancelled') {
    if (!json) process.stderr.write(`The job was cancelled; \`saliency resume <dir> --job ${jobId}\` finishes it.\n`);
    return EXIT.cancelled;
  }
  const error = AppError.fromData(final.error ?? { code: 'INTERNAL', message: 'The job failed without a recorded error.' });
  if (!json) reportError(error, false);
  return exitCodeFor(error);
}
