/** Parameter readers the measures share beyond baselines/options.ts (lists, top-k sizes). */
import { AppError } from '../../../shared/errors';

/** A non-empty list of finite numbers, each in [min, max]; `fallback` when absent. Accepts "a,b,c" text too (from --set). */
export function readNumberList(owner: string, params: Record<string, unknown>, name: string, fallback: number[], min: number, max: number): number[] {
  let value = params[name] ?? fallback;
  if (typeof value === 'number') value = [value];
  if (typeof value === 'string') value = value.split(',').map((t) => (t.trim() === '' ? Number.NaN : Number(t)));
  if (!Array.isArray(value) || value.length === 0 || value.some((v) => typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max)) {
    throw new AppError('PARAM_INVALID', `${owner}: \`${name}\` must be a non-empty list of numbers in ${min}…${max}, got ${JSON.stringify(params[name])}.`);
  }
  return value as number[];
}

/** A non-empty list of strings; `fallback` when absent (null = the measure's own default). Accepts "a,b" text. */
export function readStringList(owner: string, params: Record<string, unknown>, name: string): string[] | null {
  let value = params[name] ?? null;
  if (value === null) return null;
  // Split on commas not followed by a digit or sign, so `translate:4,0` stays one spec.
  if (typeof value === 'string') value = value.split(/,(?![-+\d])/).map((t) => t.trim());
  if (!Array.isArray(value) || value.length === 0 || value.some((v) => typeof v !== 'string' || v.length === 0)) {
    throw new AppError('PARAM_INVALID', `${owner}: \`${name}\` must be a non-empty list of names, got ${JSON.stringify(params[name])}.`);
  }
  return value as string[];
}

/** Top-k size: an integer count ≥ 1 or a fraction in (0, 1) of the cells; default 0.1. */
export function readTopK(owner: string, params: Record<string, unknown>): number {
  const k = params.k ?? 0.1;
  if (typeof k !== 'number' || !Number.isFinite(k) || k <= 0 || (k >= 1 && !Number.isInteger(k))) {
    throw new AppError('PARAM_INVALID', `${owner}: \`k\` must be a count ≥ 1 or a fraction in (0, 1), got ${JSON.stringify(k)}.`);
  }
  return k;
}

/** Resolution of the maps a measure reads. */
export const RESOLUTIONS = ['native', 'upsampled'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

/** Which class the maps of perturbed inputs explain: their own prediction (the authors' code) or the clean input's. */
export const CLASS_OF = ['own', 'clean'] as const;
export type ClassOf = (typeof CLASS_OF)[number];
