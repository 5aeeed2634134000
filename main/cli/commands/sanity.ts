/**
 * `saliency sanity <cascading|independent>`: the model-parameter sanity checks of Adebayo et al.
 * (main/engine/sanity): re-initialise the model's layers top-down (cumulatively, or one at a time)
 * and measure how similar each image's map stays to the original map (Spearman of |map| and of the
 * signed map, SSIM, top-k overlap), with per-step means and bootstrap CIs. Writes the summary and
 * every image's per-step values to --out. The flag names are a scripting interface: keep them stable.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { SANITY_CHECK_IDS, SIMILARITY_IDS, type SanityCheckId, type SanityRequest, type SanityResult } from '../../engine/sanity/types';
import { INIT_MODES, type InitMode } from '../../engine/sanity/weights';
import { progressBar } from '../output';
import { runWithEngine, UsageError } from './engine-run';
import { parseIndices, parseSets } from './maps-args';

/** The parsed flags, as commander hands them over. */
export interface SanityFlags {
  model?: string;
  inputs?: string;
  labels?: string;
  indices?: string;
  method?: string;
  set?: string[];
  target?: string;
  init?: string;
  seed?: string;
  topK?: string;
  resamples?: string;
  batch?: string;
  out?: string;
  json?: boolean;
}

const HELP = 'Run `saliency sanity --help` for the flags.';

function numberFlag(text: string | undefined, flag: string, ok: (v: number) => boolean, what: string): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || !ok(v)) throw new UsageError(`--${flag} must be ${what}, got "${text}".`, HELP);
  return v;
}

/** Checks the flags (UsageError, exit 2) and builds the engine request. */
export function buildSanityRequest(check: string, flags: SanityFlags): SanityRequest {
  if (!SANITY_CHECK_IDS.includes(check as SanityCheckId)) throw new UsageError(`The check must be one of ${SANITY_CHECK_IDS.join(', ')}, got "${check}".`, HELP);
  for (const name of ['model', 'inputs', 'out'] as const) if (!flags[name]) throw new UsageError(`--${name} is required.`, HELP);
  if (flags.target !== undefined && flags.target !== 'predicted' && flags.target !== 'label') throw new UsageError(`--target must be predicted or label, got "${flags.target}".`, HELP);
  if (flags.init !== undefined && !INIT_MODES.includes(flags.init as InitMode)) throw new UsageError(`--init must be one of ${INIT_MODES.join(', ')}, got "${flags.init}".`, HELP);
  if (flags.labels && !flags.inputs!.toLowerCase().endsWith('.npy')) throw new UsageError('--labels applies only to .npy inputs.', 'Image folders take labels from class folder names, manifests from their label column.');
  const positive = (v: number) => Number.isInteger(v) && v >= 1;
  return {
    check: check as SanityCheckId,
    modelPath: path.resolve(flags.model!),
    inputs: { path: path.resolve(flags.inputs!), labelsPath: flags.labels ? path.resolve(flags.labels) : undefined, indices: flags.indices ? parseIndices(flags.indices) : undefined },
    method: flags.method,
    params: parseSets(flags.set ?? []),
    target: flags.target as SanityRequest['target'],
    init: flags.init as InitMode | undefined,
    seed: numberFlag(flags.seed, 'seed', Number.isInteger, 'an integer'),
    topK: numberFlag(flags.topK, 'top-k', (v) => (v > 0 && v < 1) || positive(v), 'a count ≥ 1 or a fraction in (0, 1)'),
    resamples: numberFlag(flags.resamples, 'resamples', positive, 'a positive integer'),
    batchSize: numberFlag(flags.batch, 'batch', positive, 'a positive integer'),
    out: path.resolve(flags.out!)
  };
}

const fmt = (v: number | null) => (v === null || !Number.isFinite(v) ? '   –  ' : v.toFixed(3).padStart(6));

/** Human-readable summary: one row per step, mean [95 % CI] of every statistic. */
export function formatSanity(r: SanityResult): string {
  const lines = [`${r.check} randomisation of ${r.model.name} (${r.layers.length} layers), ${r.method.id} maps of ${r.counts.images} images (${r.counts.skipped} skipped), init ${r.init}, seed ${r.seed}, ${r.seconds.toFixed(1)} s`];
  lines.push('similarity to the original map, mean [CI] per step (1 = unchanged)', '');
  lines.push(`step  layer${' '.repeat(11)}${SIMILARITY_IDS.map((id) => id.padEnd(27)).join('')}undefined (constant maps)`);
  r.steps.forEach((step, s) => {
    const cells = SIMILARITY_IDS.map((id) => {
      const p = r.curves[id][s];
      return `${fmt(p.mean)} [${fmt(p.ci.lo)}, ${fmt(p.ci.hi)}]`.padEnd(27);
    });
    const undefinedCount = Math.max(...SIMILARITY_IDS.map((id) => r.curves[id][s].undefinedCount));
    lines.push(`${String(s + 1).padStart(4)}  ${step.layer.padEnd(16)}${cells.join('')}${undefinedCount}`);
  });
  if (r.out) lines.push('', `  result    ${r.out}`);
  return lines.join('\n') + '\n';
}

/** Registers `sanity` on the program; `setExit` receives the exit code. */
export function registerSanityCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('sanity')
    .argument('<check>', `${SANITY_CHECK_IDS.join(' or ')}`)
    .description('Model-parameter sanity check (Adebayo et al.): re-initialise layers top-down (cascading: cumulatively; independent: one at a time) and measure how similar each map stays to the original.')
    .option('--model <path>', 'model.json or its folder (TF.js Layers model: its weights are re-initialised)')
    .option('--inputs <path>', 'image folder, manifest.csv (path,label[,mask]) or preprocessed .npy')
    .option('--labels <labels.npy>', 'integer class labels for .npy inputs')
    .option('--indices <list>', 'use only these inputs, e.g. 0-9,20')
    .option('--method <id>', 'saliency method (default gradient)')
    .option('--set <key=value...>', 'method parameter, repeatable (e.g. --set steps=32)')
    .option('--target <t>', 'class explained at every step: predicted (by the original model, default) or label')
    .option('--init <mode>', `re-initialisation: ${INIT_MODES.join(' (default) or ')}`)
    .option('--seed <S>', 'seed of the random weights, stochastic methods and the bootstrap (default 0)')
    .option('--top-k <k>', 'top-k size: a count or a fraction of the cells (default 0.1)')
    .option('--resamples <B>', 'bootstrap resamples of the CIs (default 1000)')
    .option('--batch <N>', 'images per pass (default 16)')
    .option('--out <result.json>', 'where to write the summary and the per-image values')
    .option('--json', 'print one JSON object')
    .action(async (check: string, flags: SanityFlags) => {
      const json = !!flags.json;
      setExit(await runWithEngine(json, async ({ engine, signal }) => {
        const request = buildSanityRequest(check, flags);
        const bar = progressBar('sanity', json);
        const result = await engine.request('sanity', request, { signal, onProgress: (p) => bar.update(p) }).finally(() => bar.stop());
        process.stdout.write(json ? JSON.stringify({ ok: true, ...result }) + '\n' : formatSanity(result));
      }));
    });
}
