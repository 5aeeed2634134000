/**
 * Registry of baselines (reference images) for Integrated Gradients and for perturbation methods
 * and metrics: an explicit list, one file per baseline; ids are persisted and never change.
 *
 * Spec forms: the CLI string `<id>[:k=v[,k=v…]]` (`blur:sigma=5`, `constant:value=-1`,
 * `image:path=ref.png`) or the object `{ id, ...options }`. `getBaseline` resolves either to a
 * `Baseline` whose `spec` is the canonical string with every option, to record with results.
 */
import { AppError } from '../../../shared/errors';
import { black } from './black';
import { blur } from './blur';
import { constant } from './constant';
import { gaussianNoise } from './gaussian-noise';
import { grey } from './grey';
import { image } from './image';
import { meanColour } from './mean-colour';
import { computeMeanImage, meanImage } from './mean-image';
import type { Baseline, BaselineDefinition, BaselineOptions, BaselineSpecObject, MeanImage } from './types';
import type { Preprocessing } from '../../../shared/types/model';
import type { ImageSet } from '../data/image-set';
import { uniformNoise } from './uniform-noise';

export type { Baseline, BaselineContext, BaselineDefinition, BaselineOptions, BaselineSpecObject, MeanImage } from './types';
export { clearMeanImageCache, computeMeanImage, type MeanImageOptions } from './mean-image';
export { gaussianBlur, gaussianKernel } from './blur';

const BASELINES: readonly BaselineDefinition[] = [black, meanColour, meanImage, grey, constant, blur, uniformNoise, gaussianNoise, image];

/** Every registered baseline, in display order. */
export function listBaselines(): BaselineDefinition[] {
  return [...BASELINES];
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** A CLI value: a number when it reads as one, true/false as booleans, else the string. */
function parseValue(text: string): number | string | boolean {
  if (NUMBER.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  return text;
}

/**
 * Parses `<id>[:k=v[,k=v…]]`. A piece without `=` continues the previous value (so a path may hold
 * commas). @throws AppError PARAM_INVALID on an empty id, a piece before any key, or a repeated key
 */
export function parseBaselineSpec(text: string): BaselineSpecObject {
  const colon = text.indexOf(':');
  const id = (colon < 0 ? text : text.slice(0, colon)).trim();
  if (!id) throw new AppError('PARAM_INVALID', `baseline: expected "<id>[:key=value,…]", got "${text}".`);
  const raw: Array<[string, string]> = [];
  for (const piece of colon < 0 ? [] : text.slice(colon + 1).split(',')) {
    const eq = piece.indexOf('=');
    if (eq > 0) raw.push([piece.slice(0, eq).trim(), piece.slice(eq + 1)]);
    else if (raw.length > 0) raw[raw.length - 1][1] += `,${piece}`;
    else throw new AppError('PARAM_INVALID', `baseline ${id}: options must be key=value, got "${piece}".`);
  }
  const spec: BaselineSpecObject = { id };
  for (const [key, value] of raw) {
    if (key in spec) throw new AppError('PARAM_INVALID', `baseline ${id}: option \`${key}\` is given twice.`);
    spec[key] = parseValue(value);
  }
  return spec;
}

/** `id:k=v,…` with the options in the order given. */
export function formatBaselineSpec(id: string, options: BaselineOptions): string {
  const entries = Object.entries(options);
  return entries.length === 0 ? id : `${id}:${entries.map(([k, v]) => `${k}=${v}`).join(',')}`;
}

/** The definition with this id or alias. @throws AppError PARAM_INVALID listing the known ids */
export function getBaselineDefinition(id: string): BaselineDefinition {
  const found = BASELINES.find((b) => b.id === id || b.aliases?.includes(id));
  if (found) return found;
  throw new AppError('PARAM_INVALID', `Unknown baseline "${id}"; known baselines: ${BASELINES.map((b) => b.id).join(', ')}.`);
}

/** Resolves a spec (string or object) and validates its options. @throws AppError PARAM_INVALID */
export function getBaseline(spec: string | BaselineSpecObject): Baseline {
  if (typeof spec !== 'string' && (typeof spec !== 'object' || spec === null)) {
    throw new AppError('PARAM_INVALID', `baseline: expected "<id>[:key=value,…]" or { id, …options }, got ${JSON.stringify(spec)}.`);
  }
  const { id, ...given } = typeof spec === 'string' ? parseBaselineSpec(spec) : spec;
  if (typeof id !== 'string') throw new AppError('PARAM_INVALID', 'baseline: the spec object needs a string `id`.');
  const definition = getBaselineDefinition(id);
  const options = definition.validate(given);
  return {
    id: definition.id,
    label: definition.label,
    options,
    spec: formatBaselineSpec(definition.id, options),
    stochastic: definition.stochastic,
    dependsOnInput: definition.dependsOnInput,
    materialize: (ctx) => definition.materialize(ctx, options)
  };
}

/**
 * A method's or metric's baseline parameter, as the canonical spec string (to record with
 * results); `fallback` when absent. @throws AppError PARAM_INVALID naming `owner` and `name`
 */
export function readBaselineParam(owner: string, params: Record<string, unknown>, name: string, fallback: string): string {
  try {
    return getBaseline((params[name] ?? fallback) as string | BaselineSpecObject).spec;
  } catch (err) {
    if (err instanceof AppError) throw new AppError('PARAM_INVALID', `${owner}: \`${name}\`: ${err.message}`, { cause: err });
    throw err;
  }
}

/**
 * The mean image a run needs: computed (once per set, cached) only when the method's `baseline`
 * parameter is `mean-image`; undefined otherwise, so other runs never pay for the extra pass.
 */
export async function datasetMeanFor(
  params: Record<string, unknown>,
  set: ImageSet,
  pre: Preprocessing,
  inputShape: [number, number, number],
  signal?: AbortSignal
): Promise<MeanImage | undefined> {
  const spec = params.baseline;
  if (spec === undefined || spec === null) return undefined;
  if (getBaseline(spec as string | BaselineSpecObject).id !== 'mean-image') return undefined;
  return computeMeanImage(set, pre, inputShape, { signal });
}
