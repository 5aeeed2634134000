/**
 * `saliency param-verify`: the verification protocols of parameter saliency (Wang & Sato;
 * Levin et al.) on the misclassified inputs of a set: zero (protocol A) or one-step fine-tune
 * (protocol B, lr 0.001, one stored gradient) the top-k filters of each selector cumulatively for
 * k = 1 … K, and write curves.json (available-case mean Δ wrong-class and Δ true-class
 * probability, corrected fraction and counts per k; per-input curves; layer-depth bias tables).
 * The flag names are a scripting interface: keep them stable.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import type { StageMapping } from '../../engine/parameter-saliency/bias/stages';
import { formatBiasTables } from '../../engine/parameter-saliency/bias/layer-depth';
import { ESTIMATORS } from '../../engine/parameter-saliency/rank/options';
import type { GpdEstimator } from '../../engine/parameter-saliency/stats';
import { SELECTOR_IDS, type ParamVerifyRequest, type ParamVerifyResult, type SelectorId } from '../../engine/parameter-saliency/verify/types';
import { progressBar } from '../output';
import { runWithEngine, UsageError } from './engine-run';
import { parseIndices } from './maps-args';

/** The parsed flags, as commander hands them over. */
export interface ParamVerifyFlags {
  model?: string;
  stats?: string;
  inputs?: string;
  labels?: string;
  indices?: string;
  protocol?: string;
  k?: string;
  selector?: string[];
  seed?: string;
  lr?: string;
  level?: string;
  estimator?: string;
  spotCompat?: boolean;
  stages?: string;
  biasK?: string;
  batch?: string;
  images?: boolean;
  out?: string;
  json?: boolean;
}

const HELP = 'Run `saliency param-verify --help` for the flags.';

function positiveInt(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) throw new UsageError(`--${flag} must be a positive integer, got "${text}".`, HELP);
  return Number(text);
}

function finiteNumber(text: string | undefined, flag: string, test: (v: number) => boolean = () => true): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || !test(v)) throw new UsageError(`--${flag} got "${text}", which is out of range.`, HELP);
  return v;
}

/** --selector may repeat and take comma lists; default: all five. */
function parseSelectors(values: string[] | undefined): SelectorId[] | undefined {
  if (!values || values.length === 0) return undefined;
  const ids = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  const bad = ids.find((id) => !SELECTOR_IDS.includes(id as SelectorId));
  if (bad !== undefined) throw new UsageError(`--selector must be one of ${SELECTOR_IDS.join(', ')}, got "${bad}".`, HELP);
  return [...new Set(ids)] as SelectorId[];
}

/** Reads --stages: a JSON object layer → stage, or an array of {match, stage} rules. */
async function readStageMapping(file: string | undefined): Promise<StageMapping | undefined> {
  if (file === undefined) return undefined;
  const text = await readFile(path.resolve(file), 'utf8').catch(() => {
    throw new UsageError(`--stages: ${file} cannot be read.`, 'Give a JSON file: {"layer": "stage", …} or [{"match": "^layer1", "stage": "conv2_x"}, …].');
  });
  try {
    return JSON.parse(text) as StageMapping;
  } catch {
    throw new UsageError(`--stages: ${file} is not valid JSON.`, HELP);
  }
}

/** Checks the flags (UsageError, exit 2) and builds the engine request. */
export async function buildParamVerifyRequest(flags: ParamVerifyFlags): Promise<ParamVerifyRequest> {
  for (const name of ['model', 'stats', 'inputs', 'protocol', 'out'] as const) if (!flags[name]) throw new UsageError(`--${name} is required.`, HELP);
  if (flags.protocol !== 'zero' && flags.protocol !== 'finetune') throw new UsageError(`--protocol must be zero or finetune, got "${flags.protocol}".`, HELP);
  if (flags.estimator !== undefined && !ESTIMATORS.includes(flags.estimator as GpdEstimator)) throw new UsageError(`--estimator must be mle, mom or pwm, got "${flags.estimator}".`, HELP);
  if (flags.labels && !flags.inputs!.toLowerCase().endsWith('.npy')) throw new UsageError('--labels applies only to .npy inputs.', 'Image folders take labels from class folder names, manifests from their label column.');
  if (flags.lr !== undefined && flags.protocol !== 'finetune') throw new UsageError('--lr applies only to --protocol finetune.', HELP);
  return {
    modelPath: path.resolve(flags.model!),
    stats: path.resolve(flags.stats!),
    inputs: { path: path.resolve(flags.inputs!), labelsPath: flags.labels ? path.resolve(flags.labels) : undefined, indices: flags.indices ? parseIndices(flags.indices) : undefined },
    protocol: flags.protocol,
    k: positiveInt(flags.k, 'k'),
    selectors: parseSelectors(flags.selector),
    seed: finiteNumber(flags.seed, 'seed', Number.isInteger),
    lr: finiteNumber(flags.lr, 'lr', (v) => v > 0),
    level: finiteNumber(flags.level, 'level', (v) => v > 0 && v < 1),
    estimator: flags.estimator as GpdEstimator | undefined,
    spotCompat: !!flags.spotCompat,
    stageMapping: await readStageMapping(flags.stages),
    biasK: positiveInt(flags.biasK, 'bias-k'),
    batchSize: positiveInt(flags.batch, 'batch'),
    includeImages: flags.images !== false,
    out: path.resolve(flags.out!)
  };
}

const pct = (v: number | null) => (v === null ? '–'.padStart(6) : (100 * v).toFixed(1).padStart(6));

/** Human-readable summary: the curves at a few k, the bias table, warnings. */
export function formatParamVerify(r: ParamVerifyResult): string {
  const { inputs, misclassified, correct, unlabelled } = r.counts;
  const lines = [`${r.protocol === 'zero' ? 'zeroing' : `one-step fine-tuning (lr ${r.lr})`} of up to ${r.K} filters on ${misclassified} misclassified of ${inputs} inputs (${correct} correct, ${unlabelled} unlabelled) in ${r.seconds.toFixed(1)} s`];
  lines.push(`last stage: ${r.lastStage.name} (filters from ${r.lastStage.firstFilter}, ${r.lastStage.filters} filters)`, 'percentage points; n = inputs reaching k', '');
  const ks = [...new Set([1, 5, 10, r.K].filter((k) => k <= r.K))];
  lines.push('selector       k     n   Δwrong    Δtrue  corrected');
  for (const c of r.curves) {
    for (const k of ks) lines.push(`${c.selector.padEnd(11)}${String(k).padStart(5)}${String(c.count[k - 1]).padStart(6)}  ${pct(c.meanDeltaWrong[k - 1])}   ${pct(c.meanDeltaTrue[k - 1])}     ${pct(c.correctedFraction[k - 1])}%`);
  }
  lines.push('', formatBiasTables(r.bias).trimEnd());
  for (const w of r.warnings) lines.push(`note: ${w}`);
  for (const s of r.skipped) lines.push(`skipped ${s.path}: ${s.reason}`);
  lines.push(`  curves    ${r.out}`);
  return lines.join('\n') + '\n';
}

/** Registers `param-verify` on the program; `setExit` receives the exit code. */
export function registerParamVerifyCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('param-verify')
    .description('Verify filter rankings: zero or one-step fine-tune the top-k filters of each selector on every misclassified input (k = 1…K) and write the curves to curves.json.')
    .option('--model <path>', 'model.json or its folder (the model the stats dir was computed for)')
    .option('--stats <dir>', 'stats dir written by `saliency param-stats`')
    .option('--inputs <path>', 'image folder, manifest.csv or preprocessed .npy; the protocol runs on its misclassified inputs')
    .option('--labels <labels.npy>', 'integer class labels for .npy inputs')
    .option('--indices <list>', 'use only these inputs, e.g. 0-9,20')
    .option('--protocol <p>', 'zero (turn filters off) or finetune (one SGD step, one stored gradient)')
    .option('--k <K>', 'largest number of filters modified (default 25)')
    .option('--selector <s...>', `filters to modify: ${SELECTOR_IDS.join(', ')} (repeatable or comma-separated; default all)`)
    .option('--seed <S>', 'seed of the random selector (default 0)')
    .option('--lr <λ>', 'fine-tuning learning rate (default 0.001)')
    .option('--level <q>', 'POT threshold level of the pot selector (default 0.9)')
    .option('--estimator <e>', 'GPD estimator of the pot selector: mle (default), mom or pwm')
    .option('--spot-compat', 'pot selector: reproduce the reference SPOT fit for exact replication')
    .option('--stages <mapping.json>', 'layer → stage mapping for last-stage and the bias tables (default: one stage per conv layer)')
    .option('--bias-k <k>', 'top-k of the layer-depth bias tables (default min(K, 25))')
    .option('--batch <N>', 'images per forward/profile pass (default 32)')
    .option('--no-images', 'leave the per-input curves out of curves.json')
    .option('--out <curves.json>', 'where to write the curves')
    .option('--json', 'print one JSON object')
    .action(async (flags: ParamVerifyFlags) => {
      const json = !!flags.json;
      setExit(await runWithEngine(json, async ({ engine, signal }) => {
        const request = await buildParamVerifyRequest(flags);
        const bar = progressBar('param-verify', json);
        const result = await engine.request('paramVerify', request, { signal, onProgress: (p) => bar.update(p) }).finally(() => bar.stop());
        process.stdout.write(json ? JSON.stringify({ ok: true, ...result }) + '\n' : formatParamVerify(result));
      }));
    });
}
