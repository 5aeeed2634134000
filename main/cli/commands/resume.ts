/**
 * `saliency resume <dir> --job <id>`: finishes a cancelled, crashed, killed or interrupted job,
 * computing only the items it has not committed (main/jobs/persisted/runner.ts); a progress bar on
 * stderr; the exit code follows the job's end state like `saliency run`.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { UsageError } from './engine-run';
import { finishJob, withJobProject } from './job-project';

export function registerResumeCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('resume')
    .description('Resume a cancelled or interrupted persisted job; finished items are kept.')
    .argument('<dir>', 'project folder')
    .option('--job <id>', 'job id (printed by `saliency run`, listed by `saliency jobs`)')
    .option('--json', 'print one JSON object with the job at its end')
    .action(async (dir: string, flags: { job?: string; json?: boolean }) => {
      const json = !!flags.json;
      setExit(
        await withJobProject(path.resolve(dir), json, async (run) => {
          if (!flags.job) throw new UsageError('--job is required.', 'List the jobs with `saliency jobs <dir>`.');
          return finishJob(run, flags.job, 'resume', json);
        })
      );
    });
}
