/**
 * `saliency jobs <dir> [--json]`: every persisted job of a project with its state and done/total.
 * While another process holds the project (a `saliency run`, or the app), the database cannot be
 * opened; the jobs that process is running are then listed from their live status files
 * (main/jobs/persisted/control-files.ts), marked `live`.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../../../shared/errors';
import { openProject } from '../../storage/project';
import { readLiveStatuses } from '../../jobs/persisted/control-files';
import { toSnapshot } from '../../jobs/persisted/snapshot';
import { listJobs, markInterrupted } from '../../storage/jobs';
import { pidAlive } from '../../storage/owner';
import { EXIT, reportError } from '../output';
import { describeJob } from './job-project';

function listFromDatabase(dir: string, json: boolean): void {
  const project = openProject(dir);
  try {
    markInterrupted(project.db);
    const jobs = listJobs(project.db).map(toSnapshot);
    if (json) process.stdout.write(JSON.stringify({ ok: true, live: false, jobs: jobs.map((j) => ({ id: j.id, sessionId: j.sessionId, runId: j.runId, kind: j.kind, state: j.state, done: j.progress.done, total: j.progress.total, skipped: j.skipped, resumable: j.resumable, error: j.error ?? null, createdAt: j.createdAt, endedAt: j.endedAt })) }) + '\n');
    else process.stdout.write(jobs.length ? jobs.map(describeJob).join('\n') + '\n' : 'No jobs.\n');
  } finally {
    project.close();
  }
}

function listLive(dir: string, locked: AppError, json: boolean): void {
  const live = readLiveStatuses(dir, pidAlive);
  if (json) process.stdout.write(JSON.stringify({ ok: true, live: true, lockedBy: locked.message, jobs: live.map((s) => ({ id: s.id, state: s.state, done: s.done, total: s.total, pid: s.pid, updatedAt: s.updatedAt })) }) + '\n');
  else {
    process.stdout.write(`${locked.message} Jobs it is running:\n`);
    process.stdout.write(live.length ? live.map((s) => `${s.id}  ${s.state.padEnd(9)}  ${s.done}/${s.total}  (live, process ${s.pid})`).join('\n') + '\n' : '(none)\n');
  }
}

export function registerJobsCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('jobs')
    .description('List the persisted jobs of a project: state, done/total, resumable.')
    .argument('<dir>', 'project folder')
    .option('--json', 'print one JSON object')
    .action((dir: string, flags: { json?: boolean }) => {
      const json = !!flags.json;
      try {
        listFromDatabase(path.resolve(dir), json);
        setExit(EXIT.ok);
      } catch (err) {
        if (err instanceof AppError && err.code === 'PROJECT_LOCKED') {
          listLive(path.resolve(dir), err, json);
          setExit(EXIT.ok);
        } else setExit(reportError(err, json));
      }
    });
}
