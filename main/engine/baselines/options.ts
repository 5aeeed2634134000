/**
 * Parameter readers shared by the baselines and the gradient-family methods: each fills a default,
 * checks type and range, and throws PARAM_INVALID naming the owner and the parameter
 * ("blur: `sigma` must be > 0, got 0"), as house style §4.4.5 asks.
 */
import { AppError } from '../../../shared/errors';

export interface NumberLimits {
  /** Inclusive lower bound. */
  min?: number;
  /** Exclusive lower bound. */
  above?: number;
  /** Inclusive upper bound. */
  max?: number;
  integer?: boolean;
}

function invalid(owner: string, name: string, what: string, got: unknown): never {
  throw new AppError('PARAM_INVALID', `${owner}: \`${name}\` must be ${what}, got ${JSON.stringify(got) ?? String(got)}.`);
}

/** A finite number within `limits`; `fallback` when absent. */
export function readNumber(owner: string, params: Record<string, unknown>, name: string, fallback: number, limits: NumberLimits = {}): number {
  const value = params[name] ?? fallback;
  const kind = limits.integer ? 'an integer' : 'a finite number';
  if (typeof value !== 'number' || !Number.isFinite(value)) invalid(owner, name, kind, value);
  if (limits.integer && !Number.isInteger(value)) invalid(owner, name, kind, value);
  if (limits.min !== undefined && value < limits.min) invalid(owner, name, `≥ ${limits.min}`, value);
  if (limits.above !== undefined && value <= limits.above) invalid(owner, name, `> ${limits.above}`, value);
  if (limits.max !== undefined && value > limits.max) invalid(owner, name, `≤ ${limits.max}`, value);
  return value;
}

/** One of `choices`; `fallback` when absent. */
export function readChoice<T extends string>(owner: string, params: Record<string, unknown>, name: string, fallback: T, choices: readonly T[]): T {
  const value = params[name] ?? fallback;
  if (typeof value !== 'string' || !choices.includes(value as T)) invalid(owner, name, `one of ${choices.join(', ')}`, value);
  return value as T;
}

/** A non-empty string, required when `fallback` is undefined. */
export function readString(owner: string, params: Record<string, unknown>, name: string, fallback?: string): string {
  const value = params[name] ?? fallback;
  if (typeof value !== 'string' || value.length === 0) invalid(owner, name, 'a non-empty string', value);
  return value;
}

/** Rejects keys outside `known`, naming them and the accepted ones. */
export function rejectUnknownOptions(owner: string, params: Record<string, unknown>, known: readonly string[]): void {
  const unknown = Object.keys(params).filter((k) => !known.includes(k));
  if (unknown.length > 0) {
    const accepted = known.length > 0 ? known.join(', ') : 'none';
    throw new AppError('PARAM_INVALID', `${owner}: unknown option(s) ${unknown.map((k) => `\`${k}\``).join(', ')}; accepted: ${accepted}.`);
  }
}
