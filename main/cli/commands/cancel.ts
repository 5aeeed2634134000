/**
 * `saliency cancel <dir> --job <id>`: cancels a persisted job. When another process is running it
 * (the project is locked by that process), a cancel request file is left for it
 * (main/jobs/persisted/control-files.ts); that process stops within one batch and records the job
 * `cancelled`, and this command waits (up to --wait seconds) until it has. Otherwise the job is
 * updated here: a queued or interrupted job becomes `cancelled` (resumable; its items are kept).
 */
import path from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../../../shared/errors';
import { openProject } from '../../storage/project';
import { POLL_MS, readLiveStatuses, requestCancel } from '../../jobs/persisted/control-files';
import { toSnapshot } from '../../jobs/persisted/snapshot';
import { getJob, markEnded, markInterrupted } from '../../storage/jobs';
import { pidAlive } from '../../storage/owner';
import { EXIT, reportError } from '../output';
import { UsageError } from './engine-run';

type Outcome = { cancelled: boolean; state: string; via: 'database' | 'request-file'; message: string };

function cancelInDatabase(dir: string, jobId: string): Outcome {
  const project = openProject(dir);
  try {
    markInterrupted(project.db);
    const job = getJob(project.db, jobId);
    if (!job) throw new AppError('NOT_FOUND', `There is no job with id ${jobId} in this project.`, { hint: 'List the jobs with `saliency jobs <dir>`.' });
    if (job.state === 'succeeded' || job.state === 'cancelled') return { cancelled: false, state: job.state, via: 'database', message: `Job ${jobId} is already ${job.state}.` };
    markEnded(project.db, jobId, 'cancelled');
    const after = toSnapshot(getJob(project.db, jobId)!);
    return { cancelled: true, state: after.state, via: 'database', message: `Job ${jobId} is cancelled (${after.progress.done}/${after.progress.total} done; resumable).` };
  } finally {
    project.close();
  }
}

/** Leaves a request for the process holding the project and waits until its job has stopped. */
async function cancelViaOwner(dir: string, jobId: string, waitSeconds: number): Promise<Outcome> {
  const running = () => readLiveStatuses(dir, pidAlive).find((s) => s.id === jobId);
  if (!running()) throw new AppError('PROJECT_LOCKED', `The project is open in another process, which is not running job ${jobId}.`, { hint: 'Cancel it from that process (the app), or close it and try again.' });
  requestCancel(dir, jobId);
  const deadline = Date.now() + waitSeconds * 1000;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    if (!running()) return { cancelled: true, state: 'cancelled', via: 'request-file', message: `Job ${jobId} was cancelled by the process running it.` };
  }
  return { cancelled: false, state: 'running', via: 'request-file', message: `Job ${jobId} has not stopped within ${waitSeconds} s; the request stays and it will stop at its next batch.` };
}

export function registerCancelCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('cancel')
    .description('Cancel a persisted job (also one running in another process); finished items are kept and it stays resumable.')
    .argument('<dir>', 'project folder')
    .option('--job <id>', 'job id')
    .option('--wait <seconds>', 'how long to wait for a job running in another process to stop (default 60)', '60')
    .option('--json', 'print one JSON object')
    .action(async (dir: string, flags: { job?: string; wait: string; json?: boolean }) => {
      const json = !!flags.json;
      try {
        if (!flags.job) throw new UsageError('--job is required.', 'List the jobs with `saliency jobs <dir>`.');
        const wait = Number(flags.wait);
        if (!Number.isFinite(wait) || wait < 0) throw new UsageError(`--wait must be a number of seconds ≥ 0, got "${flags.wait}".`);
        const root = path.resolve(dir);
        let outcome: Outcome;
        try {
          outcome = cancelInDatabase(root, flags.job);
        } catch (err) {
          if (!(err instanceof AppError && err.code === 'PROJECT_LOCKED')) throw err;
          outcome = await cancelViaOwner(root, flags.job, wait);
        }
        process.stdout.write(json ? JSON.stringify({ ok: true, jobId: flags.job, ...outcome }) + '\n' : `${outcome.message}\n`);
        setExit(EXIT.ok);
      } catch (err) {
        const code = reportError(err, json);
        setExit(err instanceof UsageError ? EXIT.usage : code);
      }
    });
}
