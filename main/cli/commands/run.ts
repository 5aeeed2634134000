/**
 * `saliency run <dir> --session <name> --model <id|name> --images <id|name> --method <id> [--set k=v …]`:
 * a persisted saliency-maps job in a project (main/jobs/persisted). The job id is the first line on
 * stdout (with --json: a first JSON line `{"event":"created","jobId":…}`), before any work, so a
 * script can resume it after any interruption; a progress bar goes to stderr on a terminal.
 * Results are committed per batch: killed at any moment (SIGKILL included), `saliency resume`
 * finishes the job. Ctrl-C cancels within one batch (exit 130; resumable). The flag names are a
 * scripting interface: keep them stable.
 */
import path from 'node:path';
import type { Command } from 'commander';
import type { StoredSpec } from '../../jobs/persisted/spec';
import { UsageError } from './engine-run';
import { parseIndices, parseSets, resolveClass } from './maps-args';
import { finishJob, printCreated, withJobProject } from './job-project';
import { resolveImageSetRef, resolveModelRef, sessionIdFor } from '../../jobs/persisted/project-access';

export interface RunFlags {
  session?: string;
  model?: string;
  images?: string;
  method?: string;
  set?: string[];
  baseline?: string;
  target?: string;
  score?: string;
  seed?: string;
  batch?: string;
  indices?: string;
  json?: boolean;
}

const HELP = 'Run `saliency run --help` for the flags.';

function intFlag(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text.trim()) || Number(text) < min || Number(text) > max) throw new UsageError(`--${name} must be an integer in ${min}…${max}, got "${text}".`, HELP);
  return Number(text);
}

export interface RunArgs {
  session: string;
  model: string;
  images: string;
  method: string;
  params: Record<string, unknown>;
  /** The target; a class given by name is resolved against the model's classes once it is loaded. */
  target: StoredSpec['target'];
  classText: string | null;
  score?: 'logit' | 'prob';
  seed?: number;
  batchSize?: number;
  indices?: number[];
}

/** Checks the flags (UsageError, exit 2) without touching the project. */
export function parseRunFlags(flags: RunFlags): RunArgs {
  for (const name of ['session', 'model', 'images', 'method'] as const) if (!flags[name]) throw new UsageError(`--${name} is required.`, HELP);
  const params = parseSets(flags.set ?? []);
  if (flags.baseline !== undefined) {
    if ('baseline' in params) throw new UsageError('--baseline and --set baseline=… both give the baseline; give one.', HELP);
    params.baseline = flags.baseline;
  }
  if (flags.score !== undefined && flags.score !== 'logit' && flags.score !== 'prob') throw new UsageError(`--score must be logit or prob, got "${flags.score}".`, HELP);
  const text = flags.target ?? 'predicted';
  const named = text !== 'predicted' && text !== 'label';
  const target: StoredSpec['target'] = named ? { kind: 'class', classIndex: 0 } : { kind: text };
  return {
    session: flags.session!, model: flags.model!, images: flags.images!, method: flags.method!, params, target, classText: named ? text : null,
    score: flags.score as RunArgs['score'], seed: intFlag('seed', flags.seed, 0, 0xffffffff), batchSize: intFlag('batch', flags.batch, 1, 4096), indices: flags.indices ? parseIndices(flags.indices) : undefined
  };
}

export function registerRunCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('run')
    .description('Compute saliency maps over an image set of a project as a persisted, resumable job stored in a session.')
    .argument('<dir>', 'project folder')
    .option('--session <name>', 'session to store the run in (created when missing)')
    .option('--model <id|name>', 'a model of the project')
    .option('--images <id|name>', 'an image set of the project')
    .option('--method <id>', 'saliency method id')
    .option('--set <key=value...>', 'method parameter (repeatable)')
    .option('--baseline <spec>', 'baseline id[:k=v,...] for methods that take one')
    .option('--target <class>', 'predicted (default), label, or a class name or index')
    .option('--score <kind>', "logit or prob (default: the method's own choice)")
    .option('--seed <S>', 'seed of every random draw (default 0)')
    .option('--batch <N>', 'inputs per batch = per commit (default: from the memory budget)')
    .option('--indices <list>', 'explain only these inputs, e.g. 0-99')
    .option('--json', 'print JSON: a first line with the job id, a last line with the result')
    .action(async (dir: string, flags: RunFlags) => {
      const json = !!flags.json;
      setExit(
        await withJobProject(path.resolve(dir), json, async (run) => {
          const { project, jobs, engine, signal } = run;
          const args = parseRunFlags(flags);
          const model = resolveModelRef(project, args.model);
          const imageSet = await resolveImageSetRef(project, args.images);
          if (args.classText !== null) {
            const descriptor = await engine.request('loadModel', { path: model.path }, { signal });
            args.target = { kind: 'class', classIndex: resolveClass(args.classText, descriptor.classNames) };
          }
          const sessionId = () => sessionIdFor(project, args.session); // created only once the job is accepted
          const job = await jobs.create({ sessionId, model, imageSet, method: args.method, params: args.params, target: args.target, score: args.score, seed: args.seed, batchSize: args.batchSize, indices: args.indices });
          printCreated(job, json);
          return finishJob(run, job.id, 'start', json);
        })
      );
    });
}
