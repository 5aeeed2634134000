/**
 * Argument checks shared by the comparison statistics. Every failure is a PARAM_INVALID
 * AppError whose message starts with the statistic's id and names the offending argument
 * (style.md §4.4.5).
 */
import { AppError } from '../../../shared/errors';
import type { NumericArray } from './types';

/** Builds the PARAM_INVALID error for statistic `stat`. */
export function invalidParam(stat: string, message: string): AppError {
  return new AppError('PARAM_INVALID', `${stat}: ${message}`);
}

/** Throws unless `x` is array-like and every value is finite (NaN and ±Infinity are rejected). */
export function assertFiniteArray(stat: string, name: string, x: NumericArray): void {
  if (x === null || typeof x !== 'object' || typeof x.length !== 'number') {
    throw invalidParam(stat, `\`${name}\` must be an array of numbers, got ${x === null ? 'null' : typeof x}`);
  }
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    // typeof guards number[] holding strings or undefined (holes), which would compare silently.
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw invalidParam(stat, `\`${name}\` must hold finite numbers, got ${String(v)} at index ${i}`);
    }
  }
}

/**
 * Validates a pair of maps: both finite, equal lengths, at least `minLength` values.
 * Returns the common length.
 */
export function assertPair(stat: string, a: NumericArray, b: NumericArray, minLength = 2): number {
  assertFiniteArray(stat, 'a', a);
  assertFiniteArray(stat, 'b', b);
  if (a.length !== b.length) {
    throw invalidParam(stat, `\`a\` has length ${a.length} but \`b\` has length ${b.length}; the maps must have the same number of cells`);
  }
  if (a.length < minLength) {
    throw invalidParam(stat, `needs at least ${minLength} values per map, got ${a.length}`);
  }
  return a.length;
}

/** True when every value of `x` equals the first one (exact comparison, no tolerance). */
export function isConstant(x: NumericArray): boolean {
  for (let i = 1; i < x.length; i++) if (x[i] !== x[0]) return false;
  return true;
}

/** The NaN comparison for an undefined case, carrying the reason. */
export function undefinedComparison(reason: string): { value: number; reason: string } {
  return { value: Number.NaN, reason };
}

/** Clamps rounding overshoot (e.g. 1.0000000000000002) back into [lo, hi]. */
export function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/**
 * The reason a correlation-type statistic is undefined because a map is constant, or
 * undefined when neither is. `what` names the zero quantity (e.g. 'variance').
 */
export function constantMapReason(a: NumericArray, b: NumericArray, what: string): string | undefined {
  const ca = isConstant(a);
  const cb = isConstant(b);
  if (ca && cb) return `both \`a\` and \`b\` are constant, so their ${what} is zero`;
  if (ca) return `\`a\` is constant, so its ${what} is zero`;
  if (cb) return `\`b\` is constant, so its ${what} is zero`;
  return undefined;
}
