/**
 * `saliency param-stats`: reference statistics of parameter saliency (per-filter mean and std of
 * the filter profiles over a reference set, plus the N × L profile matrix) into a stats dir,
 * through the engine host. Statistics already in the dir for the same model, set and
 * preprocessing are reused; a cancelled run (Ctrl-C, exit 130) resumes where it stopped when run
 * again. The flag names are a scripting interface: keep them stable.
 */
import path from 'node:path';
import type { Command } from 'commander';
import type { ParamStatsRequest, ParamStatsResult } from '../../engine/parameter-saliency/reference/types';
import { progressBar } from '../output';
import { runWithEngine, UsageError } from './engine-run';
import { parseIndices } from './maps-args';

interface ParamStatsFlags {
  model?: string;
  inputs?: string;
  labels?: string;
  out?: string;
  indices?: string;
  batch?: string;
  strategy?: string;
  force?: boolean;
  json?: boolean;
}

const HELP = 'Run `saliency param-stats --help` for the flags.';

/** Checks the flags (UsageError, exit 2) and builds the engine request. */
export function buildParamStatsRequest(flags: ParamStatsFlags): ParamStatsRequest {
  for (const name of ['model', 'inputs', 'out'] as const) if (!flags[name]) throw new UsageError(`--${name} is required.`, HELP);
  if (flags.labels && !flags.inputs!.toLowerCase().endsWith('.npy')) throw new UsageError('--labels applies only to .npy inputs.', 'Image folders take labels from class folder names, manifests from their label column.');
  if (flags.batch !== undefined && !/^\d+$/.test(flags.batch.trim())) throw new UsageError(`--batch must be a positive integer, got "${flags.batch}".`, HELP);
  const batchSize = flags.batch === undefined ? undefined : Number(flags.batch);
  if (batchSize !== undefined && (batchSize < 1 || batchSize > 4096)) throw new UsageError(`--batch must be in 1…4096, got ${batchSize}.`, HELP);
  const strategy = flags.strategy;
  if (strategy !== undefined && strategy !== 'auto' && strategy !== 'batched' && strategy !== 'per-sample') throw new UsageError(`--strategy must be auto, batched or per-sample, got "${strategy}".`, HELP);
  return {
    modelPath: path.resolve(flags.model!),
    inputs: { path: path.resolve(flags.inputs!), labelsPath: flags.labels ? path.resolve(flags.labels) : undefined, indices: flags.indices ? parseIndices(flags.indices) : undefined },
    out: path.resolve(flags.out!),
    batchSize,
    strategy,
    force: !!flags.force
  };
}

/** Human-readable summary of a finished run. */
export function formatParamStats(r: ParamStatsResult): string {
  const how = r.cached ? 'reused (same model, image set and preprocessing)' : `${r.seconds.toFixed(1)} s of profiles, ${r.imagesPerSecond === null ? '-' : r.imagesPerSecond.toFixed(1)} images/s, strategy ${r.strategy}, batch ${r.batchSize}`;
  const lines = [`reference statistics: N = ${r.count} profiles × L = ${r.length} filters — ${how}`];
  if (r.resumedFromItems > 0) lines.push(`resumed after ${r.resumedFromItems} inputs done by an earlier run`);
  if (r.invalidated) lines.push('older statistics for another model, image set or preprocessing were replaced');
  for (const s of r.skipped) lines.push(`skipped ${s.path}: ${s.reason}`);
  lines.push(`  stats     ${r.files.stats}`, `  profiles  ${r.files.profiles}`);
  return lines.join('\n') + '\n';
}

/** Registers `param-stats` on the program; `setExit` receives the exit code. */
export function registerParamStatsCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('param-stats')
    .description('Reference statistics for parameter saliency: per-filter mean/std of the filter profiles over a reference set and the N×L profile matrix, into a stats dir (cached; resumes after Ctrl-C).')
    .option('--model <path>', 'model.json or its folder (TF.js Layers/Graph)')
    .option('--inputs <path>', 'reference set: image folder (class sub-folders), manifest.csv, or preprocessed .npy')
    .option('--labels <labels.npy>', 'integer class labels for .npy inputs (required for them)')
    .option('--out <dir>', 'stats dir (stats.json, profiles.npy, cached POT fits)')
    .option('--indices <list>', 'use only these inputs, e.g. 0-99')
    .option('--batch <N>', 'images per backward pass (default 32)')
    .option('--strategy <s>', 'auto (default), batched (one backward pass per batch) or per-sample (batch size 1)')
    .option('--force', 'recompute even when the stats dir holds matching statistics')
    .option('--json', 'print one JSON object')
    .action(async (flags: ParamStatsFlags) => {
      const json = !!flags.json;
      setExit(await runWithEngine(json, async ({ engine, signal }) => {
        const request = buildParamStatsRequest(flags);
        const bar = progressBar('param-stats', json);
        const result = await engine.request('paramStats', request, { signal, onProgress: (p) => bar.update(p) }).finally(() => bar.stop());
        process.stdout.write(json ? JSON.stringify({ ok: true, ...result }) + '\n' : formatParamStats(result));
      }));
    });
}
