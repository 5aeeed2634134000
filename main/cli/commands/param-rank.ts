/**
 * `saliency param-rank`: ranks every input's convolution filters against a stats dir (z-score
 * baseline of Levin et al., or POT tail probabilities of Wang & Sato) and writes ranks.json (per
 * input: layer, index, global index, profile value, z-score, POT tail probability and its log,
 * rank) and optionally P.npy ([N, L] float32 profiles, global filter order). Several --level
 * values (comma-separated) make one threshold-sensitivity run. The flag names are a scripting
 * interface: keep them stable.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { ESTIMATORS, RANKINGS } from '../../engine/parameter-saliency/rank/options';
import type { ParamRankRequest, ParamRankResult, RankingId } from '../../engine/parameter-saliency/rank/types';
import type { GpdEstimator } from '../../engine/parameter-saliency/stats';
import { progressBar } from '../output';
import { runWithEngine, UsageError } from './engine-run';
import { parseIndices } from './maps-args';

interface ParamRankFlags {
  model?: string;
  stats?: string;
  inputs?: string;
  labels?: string;
  indices?: string;
  ranking?: string;
  level?: string;
  estimator?: string;
  spotCompat?: boolean;
  top?: string;
  appendBelow?: boolean;
  out?: string;
  profiles?: string;
  batch?: string;
  json?: boolean;
}

const HELP = 'Run `saliency param-rank --help` for the flags.';

function parseLevels(text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined;
  const levels = text.split(',').map((t) => t.trim());
  const values = levels.map(Number);
  const bad = levels.findIndex((t, i) => t === '' || !Number.isFinite(values[i]) || !(values[i] > 0 && values[i] < 1));
  if (bad >= 0) throw new UsageError(`--level takes threshold levels in (0, 1), comma-separated; "${levels[bad]}" is not one.`, 'For example --level 0.9, or --level 0.8,0.9,0.95 for a sensitivity run.');
  return values;
}

function parseTop(text: string | undefined): number | null | undefined {
  if (text === undefined) return undefined;
  if (text === 'all') return null;
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) throw new UsageError(`--top must be a positive integer or "all", got "${text}".`, HELP);
  return Number(text);
}

/** Checks the flags (UsageError, exit 2) and builds the engine request. */
export function buildParamRankRequest(flags: ParamRankFlags): ParamRankRequest {
  for (const name of ['model', 'stats', 'inputs', 'ranking', 'out'] as const) if (!flags[name]) throw new UsageError(`--${name} is required.`, HELP);
  if (!RANKINGS.includes(flags.ranking as RankingId)) throw new UsageError(`--ranking must be zscore or pot (or naive, norm), got "${flags.ranking}".`, HELP);
  if (flags.estimator !== undefined && !ESTIMATORS.includes(flags.estimator as GpdEstimator)) throw new UsageError(`--estimator must be mle, mom or pwm, got "${flags.estimator}".`, HELP);
  if (flags.spotCompat && flags.estimator && flags.estimator !== 'mle') throw new UsageError('--spot-compat emulates the reference maximum-likelihood fit; it cannot be combined with --estimator ' + flags.estimator + '.', HELP);
  if (flags.labels && !flags.inputs!.toLowerCase().endsWith('.npy')) throw new UsageError('--labels applies only to .npy inputs.', 'Image folders take labels from class folder names, manifests from their label column.');
  if (flags.batch !== undefined && (!/^\d+$/.test(flags.batch.trim()) || Number(flags.batch) < 1)) throw new UsageError(`--batch must be a positive integer, got "${flags.batch}".`, HELP);
  return {
    modelPath: path.resolve(flags.model!),
    stats: path.resolve(flags.stats!),
    inputs: { path: path.resolve(flags.inputs!), labelsPath: flags.labels ? path.resolve(flags.labels) : undefined, indices: flags.indices ? parseIndices(flags.indices) : undefined },
    ranking: flags.ranking as RankingId,
    levels: parseLevels(flags.level),
    estimator: flags.estimator as GpdEstimator | undefined,
    spotCompat: !!flags.spotCompat,
    top: parseTop(flags.top),
    appendBelowThreshold: !!flags.appendBelow,
    out: path.resolve(flags.out!),
    profilesOut: flags.profiles ? path.resolve(flags.profiles) : undefined,
    batchSize: flags.batch === undefined ? undefined : Number(flags.batch)
  };
}

/** Human-readable summary of a finished run. */
export function formatParamRank(r: ParamRankResult): string {
  const lines = [`${r.ranking} ranking of ${r.length} filters for ${r.count} inputs (${r.misclassified} misclassified) in ${r.seconds.toFixed(1)} s, strategy ${r.strategy}`];
  for (const s of r.summary) {
    const fit = `fit ${s.cached ? 'cached' : 'computed'}: ${s.fit.fitted} fitted, ${s.fit.emptyTail} empty tails, ${s.fit.fallback} exponential fallbacks, ${s.fit.notConverged} not converged`;
    const scores = `over inputs: ${s.scores.exceeds} above threshold, ${s.scores['beyond-endpoint']} beyond the fitted endpoint (p = 0), ${s.scores['empty-tail']} on empty tails (p = 1/(N+1)), ${s.scores['at-or-below']} at or below`;
    lines.push(`POT level ${s.level}: ${fit}; ${scores}`);
  }
  for (const s of r.skipped) lines.push(`skipped ${s.path}: ${s.reason}`);
  lines.push(`  ranks     ${r.out}`);
  if (r.profilesOut) lines.push(`  profiles  ${r.profilesOut}`);
  return lines.join('\n') + '\n';
}

/** Registers `param-rank` on the program; `setExit` receives the exit code. */
export function registerParamRankCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('param-rank')
    .description('Rank the convolution filters of each input by parameter saliency (z-score or POT tail probability) against a stats dir; writes ranks.json and optionally P.npy.')
    .option('--model <path>', 'model.json or its folder (the model the stats dir was computed for)')
    .option('--stats <dir>', 'stats dir written by `saliency param-stats`')
    .option('--inputs <path>', 'inputs to explain: image folder, manifest.csv or preprocessed .npy (true labels needed)')
    .option('--labels <labels.npy>', 'integer class labels for .npy inputs')
    .option('--indices <list>', 'explain only these inputs, e.g. 0-9,20')
    .option('--ranking <r>', 'zscore (Levin et al.) or pot (Wang & Sato); also naive, norm')
    .option('--level <q>', 'POT threshold level(s) in (0, 1), default 0.9; comma-separated = sensitivity run')
    .option('--estimator <e>', 'GPD estimator: mle (default), mom or pwm')
    .option('--spot-compat', 'reproduce the reference SPOT fit (its intervals and sign defect) for exact replication')
    .option('--top <k>', 'filters listed per input (default 50, or "all")')
    .option('--append-below', 'POT: list the filters at or below their threshold after the ranked ones (by z-score, marked appended)')
    .option('--out <ranks.json>', 'where to write the rankings')
    .option('--profiles <P.npy>', 'also write the [N, L] float32 profile matrix')
    .option('--batch <N>', 'images per backward pass (default 32)')
    .option('--json', 'print one JSON object')
    .action(async (flags: ParamRankFlags) => {
      const json = !!flags.json;
      setExit(await runWithEngine(json, async ({ engine, signal }) => {
        const request = buildParamRankRequest(flags);
        const bar = progressBar('param-rank', json);
        const result = await engine.request('paramRank', request, { signal, onProgress: (p) => bar.update(p) }).finally(() => bar.stop());
        process.stdout.write(json ? JSON.stringify({ ok: true, ...result }) + '\n' : formatParamRank(result));
      }));
    });
}
