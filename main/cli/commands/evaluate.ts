/**
 * `saliency evaluate <deletion|insertion|morf|lerf>`: faithfulness curves of saliency maps over an
 * image set (Petsiuk deletion/insertion AUC, Samek MoRF/LeRF AOPC) under any baseline of the shared
 * registry, written to curves.json with per-image curves and dataset means with bootstrap CIs.
 * A comma list (`deletion,insertion`) evaluates several metrics with shared forward passes.
 * The flag names are a scripting interface: keep them stable.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { isMetricId, listMetrics, type MetricId } from '../../engine/metrics';
import type { EvaluateRequest, EvaluateResult } from '../../engine/metrics/request';
import { progressBar } from '../output';
import { runWithEngine, UsageError } from './engine-run';
import { parseIndices, parseSets } from './maps-args';

export interface EvaluateFlags {
  model?: string;
  inputs?: string;
  labels?: string;
  indices?: string;
  maps?: string;
  method?: string;
  set?: string[];
  baseline?: string;
  steps?: string;
  tile?: string;
  draws?: string;
  score?: string;
  target?: string;
  seed?: string;
  batch?: string;
  bootstrap?: string;
  out?: string;
  json?: boolean;
}

const HELP = 'Run `saliency evaluate --help` for the flags.';

function positiveInt(text: string | undefined, flag: string, min = 1): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text.trim()) || Number(text) < min) throw new UsageError(`--${flag} must be an integer ≥ ${min}, got "${text}".`, HELP);
  return Number(text);
}

/** `deletion,insertion` → ids, each known and given once. */
export function parseMetrics(text: string): MetricId[] {
  const ids = text.split(',').map((s) => s.trim()).filter(Boolean);
  const known = listMetrics().map((m) => m.id).join(', ');
  if (ids.length === 0) throw new UsageError(`give a metric: ${known}.`, HELP);
  const badId = ids.find((id) => !isMetricId(id));
  if (badId !== undefined) throw new UsageError(`unknown metric "${badId}"; choose from ${known}.`, HELP);
  if (new Set(ids).size !== ids.length) throw new UsageError(`a metric is listed twice in "${text}".`, HELP);
  return ids as MetricId[];
}

/** Checks the flags (UsageError, exit 2) and builds the engine request. */
export function buildEvaluateRequest(metricText: string, flags: EvaluateFlags): EvaluateRequest {
  for (const name of ['model', 'inputs', 'out'] as const) if (!flags[name]) throw new UsageError(`--${name} is required.`, HELP);
  if (!!flags.maps === !!flags.method) throw new UsageError('give the maps to evaluate: --maps <S.npy> (one [H, W] map per input) or --method <id> to compute them.', HELP);
  if (flags.set?.length && !flags.method) throw new UsageError('--set gives parameters of --method; it needs --method.', HELP);
  if (flags.score !== undefined && flags.score !== 'prob' && flags.score !== 'logit') throw new UsageError(`--score must be prob or logit, got "${flags.score}".`, HELP);
  if (flags.target !== undefined && flags.target !== 'predicted' && flags.target !== 'label') throw new UsageError(`--target must be predicted or label, got "${flags.target}".`, HELP);
  if (flags.labels && !flags.inputs!.toLowerCase().endsWith('.npy')) throw new UsageError('--labels applies only to .npy inputs.', 'Image folders take labels from class folder names, manifests from their label column.');
  const params: Record<string, unknown> = {};
  if (flags.baseline !== undefined) params.baseline = flags.baseline;
  for (const [key, text] of [['steps', flags.steps], ['tile', flags.tile], ['draws', flags.draws]] as const) {
    const v = positiveInt(text, key);
    if (v !== undefined) params[key] = v;
  }
  return {
    modelPath: path.resolve(flags.model!),
    inputs: { path: path.resolve(flags.inputs!), labelsPath: flags.labels ? path.resolve(flags.labels) : undefined, indices: flags.indices ? parseIndices(flags.indices) : undefined },
    metrics: parseMetrics(metricText),
    mapsPath: flags.maps ? path.resolve(flags.maps) : undefined,
    method: flags.method ? { id: flags.method, params: parseSets(flags.set ?? []) } : undefined,
    params,
    score: flags.score as EvaluateRequest['score'],
    target: flags.target as EvaluateRequest['target'],
    seed: positiveInt(flags.seed, 'seed', 0),
    batchSize: positiveInt(flags.batch, 'batch'),
    bootstrap: positiveInt(flags.bootstrap, 'bootstrap'),
    out: path.resolve(flags.out!)
  };
}

const f4 = (v: number) => (Number.isNaN(v) ? 'n/a' : v.toFixed(4));

/** Human-readable summary: one line per metric. */
export function formatEvaluate(r: EvaluateResult): string {
  const lines = [`${r.count} images in ${r.seconds.toFixed(1)} s (${r.perturbed} perturbed copies, ${Math.round(r.perturbedPerSecond)}/s)`];
  for (const m of r.metrics) {
    const better = m.higherIsBetter ? 'higher is better' : 'lower is better';
    lines.push(`${m.id.padEnd(10)} ${m.primary.toUpperCase()} ${f4(m.value.mean)}  [${f4(m.value.lo)}, ${f4(m.value.hi)}] (95 % bootstrap CI; ${better})  baseline ${m.baseline}, ${m.steps} steps${m.tile ? ` of ${m.tile}×${m.tile} tiles` : ''}${m.draws > 1 ? `, ${m.draws} draws` : ''}`);
  }
  for (const s of r.skipped) lines.push(`skipped ${s.path}: ${s.reason}`);
  lines.push(`  curves    ${r.out}`);
  return lines.join('\n') + '\n';
}

/** Registers `evaluate` on the program; `setExit` receives the exit code. */
export function registerEvaluateCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('evaluate')
    .description('Faithfulness of saliency maps: deletion / insertion curves and AUC (Petsiuk), MoRF / LeRF curves and AOPC (Samek), under any baseline; per-image curves to curves.json.')
    .argument('<metric>', 'deletion, insertion, morf or lerf (or a comma list, sharing forward passes)')
    .option('--model <path>', 'model.json or its folder')
    .option('--inputs <path>', 'image folder, manifest.csv or preprocessed .npy')
    .option('--labels <labels.npy>', 'integer class labels for .npy inputs')
    .option('--indices <list>', 'use only these inputs, e.g. 0-9,20 (the maps then hold one map per selected input)')
    .option('--maps <S.npy>', 'saliency maps [N, H, W] in input order (as `saliency maps --out` writes)')
    .option('--method <id>', 'compute the maps with this saliency method instead of --maps')
    .option('--set <key=value...>', 'parameters of --method, e.g. --set steps=32')
    .option('--baseline <id[:k=v,…]>', 'baseline B (default: deletion mean-colour = zero in model space, insertion blur:sigma=5, morf/lerf uniform-noise)')
    .option('--steps <n>', 'deletion/insertion: number of steps K (default round(√(H·W)): 28 at 28×28, 224 at 224×224); morf/lerf: regions L (default 100)')
    .option('--tile <px>', 'morf/lerf: side of the square regions (default 9)')
    .option('--draws <n>', 'noise baselines: draws averaged per curve (default 5)')
    .option('--score <s>', 'prob (default) or logit')
    .option('--target <t>', 'class scored: predicted (on the original input; default) or label')
    .option('--seed <S>', 'seed of noise baselines, method draws and the bootstrap (default 0)')
    .option('--batch <N>', 'inputs per batch (default 16)')
    .option('--bootstrap <B>', 'bootstrap resamples for the confidence intervals (default 1000)')
    .option('--out <curves.json>', 'where to write the curves')
    .option('--json', 'print one JSON object')
    .action(async (metric: string, flags: EvaluateFlags) => {
      const json = !!flags.json;
      setExit(await runWithEngine(json, async ({ engine, signal }) => {
        const request = buildEvaluateRequest(metric, flags);
        const bar = progressBar('evaluate', json);
        const result = await engine.request('evaluate', request, { signal, onProgress: (p) => bar.update(p) }).finally(() => bar.stop());
        process.stdout.write(json ? JSON.stringify({ ok: true, ...result }) + '\n' : formatEvaluate(result));
      }));
    });
}
