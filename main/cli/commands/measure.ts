/**
 * `saliency measure <entropy|out-of-set|equivariance|stability|degradation>`: one salience measure
 * of "Explain to Me" (algorithms.md §3) over an image set, run in the engine host, written to one
 * result JSON (manifest, dataset summaries with bootstrap CIs, per-image rows). The flag names are
 * a scripting interface: keep them stable.
 *
 *   --set k=v      parameters of the map method (as in `saliency maps`), e.g. --set layer=conv3
 *   --param k=v    parameters of the measure, e.g. --param levels=0,0.1,0.5 --param k=5
 *   --ood <set>    out-of-set: an image set to compare with --inputs (entropy and confidence shift)
 */
import path from 'node:path';
import type { Command } from 'commander';
import { MEASURE_IDS, type MeasureId } from '../../engine/measures/types';
import type { MeasureRequest, MeasureResult } from '../../engine/measures/job';
import { progressBar } from '../output';
import { runWithEngine, UsageError } from './engine-run';
import { parseIndices, parseSets } from './maps-args';

export interface MeasureFlags {
  model?: string;
  models?: string;
  inputs?: string;
  labels?: string;
  indices?: string;
  method?: string;
  set?: string[];
  param?: string[];
  ood?: string;
  seed?: string;
  batch?: string;
  resamples?: string;
  level?: string;
  out?: string;
  json?: boolean;
}

const HELP = 'Run `saliency measure --help` for the flags.';

function integer(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text.trim()) || Number(text) < min || Number(text) > max) throw new UsageError(`--${name} must be an integer in ${min}…${max}, got "${text}".`, HELP);
  return Number(text);
}

/** --model plus --models, resolved, duplicates removed (first occurrence kept). */
function modelList(flags: MeasureFlags): string[] {
  const list = [flags.model, ...(flags.models ?? '').split(',')].map((m) => m?.trim()).filter((m): m is string => !!m).map((m) => path.resolve(m));
  return [...new Set(list)];
}

/** Checks the flags (UsageError, exit 2) and builds the engine request. */
export function buildMeasureRequest(measure: string, flags: MeasureFlags): MeasureRequest {
  if (!MEASURE_IDS.includes(measure as MeasureId)) throw new UsageError(`Unknown measure "${measure}"; choose one of ${MEASURE_IDS.join(', ')}.`, HELP);
  for (const name of ['inputs', 'out'] as const) if (!flags[name]) throw new UsageError(`--${name} is required.`, HELP);
  const modelPaths = modelList(flags);
  if (modelPaths.length === 0) throw new UsageError('--model is required.', HELP);
  if (measure === 'stability' && modelPaths.length < 2) throw new UsageError('stability compares training runs: give two or more with --models a,b,c.', HELP);
  if (measure !== 'stability' && modelPaths.length > 1) throw new UsageError(`${measure} takes one model; --models is for stability.`, HELP);
  if (flags.labels && !flags.inputs!.toLowerCase().endsWith('.npy')) throw new UsageError('--labels applies only to .npy inputs.', 'Image folders take labels from class folder names, manifests from their label column.');
  const params = parseSets(flags.param ?? []);
  if (flags.ood !== undefined) {
    if (measure !== 'out-of-set') throw new UsageError('--ood belongs to the out-of-set measure.', HELP);
    if ('ood' in params) throw new UsageError('--ood and --param ood=… both give the out-of-set images; give one.', HELP);
    params.ood = path.resolve(flags.ood);
  }
  const level = flags.level === undefined ? undefined : Number(flags.level);
  if (level !== undefined && !(level > 0 && level < 1)) throw new UsageError(`--level must be a number in (0, 1), got "${flags.level}".`, HELP);
  return {
    measure: measure as MeasureId,
    modelPaths,
    inputs: { path: path.resolve(flags.inputs!), labelsPath: flags.labels ? path.resolve(flags.labels) : undefined, indices: flags.indices ? parseIndices(flags.indices) : undefined },
    method: flags.method,
    methodParams: parseSets(flags.set ?? []),
    params,
    seed: integer('seed', flags.seed, 0, 0xffffffff),
    batchSize: integer('batch', flags.batch, 1, 4096),
    bootstrap: { resamples: integer('resamples', flags.resamples, 1, 1e6), level },
    out: path.resolve(flags.out!)
  };
}

interface Stat {
  n: number;
  mean: number;
  ci: { lo: number; hi: number; level: number };
}

const isStat = (v: unknown): v is Stat => !!v && typeof v === 'object' && 'ci' in v && 'mean' in v;
const num = (v: number) => (v === null || !Number.isFinite(v) ? 'n/a' : Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(4));

/** Every summary statistic as "path  mean [lo, hi] (n)", depth-first, for people. */
function statLines(value: unknown, prefix: string, out: string[]): void {
  if (isStat(value)) {
    out.push(`  ${prefix.padEnd(48)} ${num(value.mean)}  [${num(value.ci.lo)}, ${num(value.ci.hi)}]  n=${value.n}`);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => {
      const name = item && typeof item === 'object' ? ((item as Record<string, unknown>).transform ?? (item as Record<string, unknown>).level ?? ('a' in item ? `${(item as { a: number }).a}-${(item as { b: number }).b}` : i)) : i;
      statLines(item, `${prefix}[${String(name)}]`, out);
    });
  } else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) statLines(v, prefix ? `${prefix}.${key}` : key, out);
  }
}

/** Human-readable summary of a finished run. */
export function formatMeasure(r: MeasureResult): string {
  const lines = [`${r.measure} over ${r.count} inputs${r.skipped ? ` (${r.skipped} skipped)` : ''} in ${r.seconds.toFixed(1)} s — mean [95 % bootstrap CI]`];
  statLines(r.summary, '', lines);
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  lines.push(`  result  ${r.out}`);
  return lines.join('\n') + '\n';
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Registers `measure` on the program; `setExit` receives the exit code. */
export function registerMeasureCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('measure')
    .description('A salience measure of "Explain to Me" over an image set (entropy, out-of-set, equivariance, stability, degradation); writes a result JSON with per-image rows and bootstrap CIs.')
    .argument('<measure>', MEASURE_IDS.join('|'))
    .option('--model <path>', 'model.json or its folder')
    .option('--models <list>', 'stability: the training runs to compare, comma-separated (with --model, if given)')
    .option('--inputs <path>', 'image folder, manifest.csv or preprocessed .npy')
    .option('--labels <labels.npy>', 'integer class labels for .npy inputs')
    .option('--indices <list>', 'measure only these inputs, e.g. 0-9,20')
    .option('--method <id>', 'map method (default grad-cam: native grid, upsampled bicubic)')
    .option('--set <k=v>', 'map method parameter (repeatable)', collect)
    .option('--param <k=v>', 'measure parameter (repeatable), e.g. levels=0,0.05,0.1 or transforms=hflip,translate:4,0', collect)
    .option('--ood <set>', 'out-of-set: an image set marked out-of-set, compared with --inputs')
    .option('--seed <n>', 'seed of noise, stochastic methods and the bootstrap (default 0)')
    .option('--batch <n>', 'images per batch (default 16)')
    .option('--resamples <n>', 'bootstrap resamples (default 1000)')
    .option('--level <q>', 'confidence level of the intervals (default 0.95)')
    .option('--out <result.json>', 'where to write the result')
    .option('--json', 'print one JSON object')
    .action(async (measure: string, flags: MeasureFlags) => {
      const json = !!flags.json;
      setExit(await runWithEngine(json, async ({ engine, signal }) => {
        const request = buildMeasureRequest(measure, flags);
        const bar = progressBar(`measure ${measure}`, json);
        const result = await engine.request('measure', request, { signal, onProgress: (p) => bar.update(p) }).finally(() => bar.stop());
        process.stdout.write(json ? JSON.stringify({ ok: true, ...result }) + '\n' : formatMeasure(result));
      }));
    });
}
