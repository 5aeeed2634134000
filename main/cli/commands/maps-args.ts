/**
 * Turns `saliency maps` flags into an engine MapsRequest. Everything here is checked before the
 * engine starts, and every mistake is a UsageError (exit 2) that names the flag.
 */
import path from 'node:path';
import type { ScoreKind, TargetSpec } from '../../../shared/types/saliency';
import type { MapsRequest } from '../../engine/protocol';
import { UsageError } from './engine-run';

/** Flags as commander hands them over. */
export interface MapsFlags {
  model?: string;
  inputs?: string;
  labels?: string;
  indices?: string;
  targets?: string;
  target?: string;
  method?: string;
  set?: string[];
  score?: string;
  baseline?: string;
  noise?: string;
  masks?: string;
  seed?: string;
  batch?: string;
  memoryBudget?: string;
  out?: string;
  raw?: string;
  png?: string;
  colormap?: string;
  normalize?: string;
  alpha?: string;
  json?: boolean;
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/** A `--set` value: true/false, null, numbers and JSON arrays/objects as such; anything else stays a string. */
export function parseSetValue(key: string, text: string): unknown {
  if (text === 'true' || text === 'false') return text === 'true';
  if (text === 'null') return null;
  if (NUMBER.test(text)) return Number(text);
  if (text.startsWith('[') || text.startsWith('{')) {
    try {
      return JSON.parse(text);
    } catch {
      throw new UsageError(`--set ${key}=${text}: the value looks like JSON but does not parse.`, 'Quote it for the shell, e.g. --set \'layers=["conv1","conv2"]\'.');
    }
  }
  return text;
}

/** Parses every `--set key=value` into a parameter object. @throws UsageError on a malformed pair or a repeated key */
export function parseSets(pairs: string[]): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const key = eq > 0 ? pair.slice(0, eq).trim() : '';
    if (!/^[A-Za-z_][\w.-]*$/.test(key)) throw new UsageError(`--set "${pair}" is not key=value.`, 'Write each parameter as --set key=value, e.g. --set steps=32.');
    if (key in params) throw new UsageError(`--set gives "${key}" twice.`);
    params[key] = parseSetValue(key, pair.slice(eq + 1));
  }
  return params;
}

function integerFlag(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer in ${min}…${max}, got "${text}".`);
  return n;
}

function numberFlag(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!NUMBER.test(text.trim()) || n < min || n > max) throw new UsageError(`--${name} must be a number in ${min}…${max}, got "${text}".`);
  return n;
}

/** `--indices 0-9,20,31` → [0…9, 20, 31]. */
export function parseIndices(text: string): number[] {
  const out: number[] = [];
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new UsageError(`--indices: "${part}" is not an index or a range a-b.`, 'For example --indices 0-9,20.');
    const [a, b] = [Number(m[1]), Number(m[2] ?? m[1])];
    if (b < a) throw new UsageError(`--indices: the range ${part} runs backwards.`);
    for (let i = a; i <= b; i++) out.push(i);
  }
  if (out.length === 0) throw new UsageError('--indices selects nothing.');
  return out;
}

/**
 * The target as far as it can be known without the model: predicted, label, or a class given by
 * name or index (`classText`, resolved against the model's class names later).
 */
export function parseTargetFlag(flags: MapsFlags): { target: TargetSpec; classText: string | null; targetsPath: string | undefined } {
  if (flags.targets && flags.target) throw new UsageError('--targets and --target both choose the target; give one.', 'Use --targets <t.npy> for one class per input, or --target predicted|label|<class>.');
  if (flags.targets) return { target: { kind: 'predicted' }, classText: null, targetsPath: path.resolve(flags.targets) };
  const text = flags.target ?? 'predicted';
  if (text === 'predicted' || text === 'label') return { target: { kind: text }, classText: null, targetsPath: undefined };
  return { target: { kind: 'class', classIndex: -1 }, classText: text, targetsPath: undefined };
}

/** Resolves a class given by name (exact match first) or index against the model's classes. */
export function resolveClass(text: string, classNames: string[]): number {
  const byName = classNames.indexOf(text);
  if (byName >= 0) return byName;
  if (/^\d+$/.test(text) && Number(text) < classNames.length) return Number(text);
  const shown = classNames.slice(0, 12).join(', ') + (classNames.length > 12 ? ', …' : '');
  throw new UsageError(`--target "${text}" is neither a class name nor a class index of this model (0…${classNames.length - 1}).`, `Classes: ${shown}.`);
}

function required(flags: MapsFlags): { model: string; inputs: string; method: string; out: string } {
  for (const name of ['model', 'inputs', 'method', 'out'] as const) {
    if (!flags[name]) throw new UsageError(`--${name} is required.`, name === 'out' ? 'Pass --out <maps.npy>: the maps are written there, summaries and manifest beside it.' : undefined);
  }
  return { model: flags.model!, inputs: flags.inputs!, method: flags.method!, out: flags.out! };
}

/** Builds the engine request (with the target class still unresolved when given by name; see parseTargetFlag). */
export function buildMapsRequest(flags: MapsFlags, runId: string): { request: MapsRequest; classText: string | null } {
  const req = required(flags);
  const params = parseSets(flags.set ?? []);
  if (flags.baseline !== undefined) {
    if ('baseline' in params) throw new UsageError('--baseline and --set baseline=… both give the baseline; give one.');
    params.baseline = flags.baseline;
  }
  if (flags.score !== undefined && flags.score !== 'logit' && flags.score !== 'prob') throw new UsageError(`--score must be logit or prob, got "${flags.score}".`);
  if (flags.labels && !flags.inputs?.toLowerCase().endsWith('.npy')) throw new UsageError('--labels applies only to .npy inputs.', 'Image folders take labels from class folder names, manifests from their label column.');
  const { target, classText, targetsPath } = parseTargetFlag(flags);
  const request: MapsRequest = {
    modelPath: path.resolve(req.model),
    inputs: { path: path.resolve(req.inputs), labelsPath: flags.labels ? path.resolve(flags.labels) : undefined, indices: flags.indices ? parseIndices(flags.indices) : undefined },
    method: req.method,
    params,
    target,
    targetsPath,
    score: flags.score as ScoreKind | undefined,
    seed: integerFlag('seed', flags.seed, 0, 0xffffffff),
    noisePath: flags.noise ? path.resolve(flags.noise) : undefined,
    masksPath: flags.masks ? path.resolve(flags.masks) : undefined,
    batchSize: integerFlag('batch', flags.batch, 1, 4096),
    memoryBudgetMB: numberFlag('memory-budget', flags.memoryBudget, 16, 1e9),
    out: { maps: path.resolve(req.out), raw: flags.raw ? path.resolve(flags.raw) : undefined, png: flags.png ? path.resolve(flags.png) : undefined },
    png: { colormap: flags.colormap, normalize: flags.normalize, alpha: numberFlag('alpha', flags.alpha, 0, 1) },
    runId,
    partials: false
  };
  return { request, classText };
}
