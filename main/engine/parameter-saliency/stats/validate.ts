/**
 * Argument checks shared by the parameter-saliency statistics stages. Every failure is an
 * AppError PARAM_INVALID whose message starts with the stage name and names the argument (and,
 * for per-filter data, the filter index), as style §4.4.5 asks.
 */
import { AppError } from '../../../../shared/errors';

/** Builds the PARAM_INVALID error for `stage` ("pot: `level` must lie in (0, 1), got 1.2"). */
export function invalidParam(stage: string, message: string): AppError {
  return new AppError('PARAM_INVALID', `${stage}: ${message}`);
}

/** Anything indexable by position: plain arrays and every typed array. */
export type NumericArray = ArrayLike<number>;

/** Describes a value for a message: NaN, ±Infinity and ordinary numbers all print readably. */
export function show(value: unknown): string {
  return typeof value === 'number' ? String(value) : JSON.stringify(value) ?? String(value);
}

/** Throws unless `values` is array-like with `length` entries (when given). */
export function requireArray(stage: string, name: string, values: unknown, length?: number): asserts values is NumericArray {
  const v = values as NumericArray | null | undefined;
  if (v === null || v === undefined || typeof v !== 'object' || typeof v.length !== 'number') {
    throw invalidParam(stage, `\`${name}\` must be an array of numbers`);
  }
  if (length !== undefined && v.length !== length) {
    throw invalidParam(stage, `\`${name}\` must have length ${length}, got ${v.length}`);
  }
}

/**
 * Throws on the first NaN or ±Infinity in `values`. `unit` names what an index is ("filter" for a
 * profile over filters, "index" for a plain vector), so the message points at the culprit.
 */
export function requireFiniteEntries(stage: string, name: string, values: NumericArray, unit = 'index'): void {
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      throw invalidParam(stage, `\`${name}\` must be finite, got ${show(x)} at ${unit} ${i}`);
    }
  }
}

/** Throws unless `value` is a finite number. */
export function requireFinite(stage: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw invalidParam(stage, `\`${name}\` must be a finite number, got ${show(value)}`);
  }
}

/** Throws unless `value` is an integer ≥ `min`. */
export function requireInteger(stage: string, name: string, value: unknown, min: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw invalidParam(stage, `\`${name}\` must be an integer ≥ ${min}, got ${show(value)}`);
  }
}

/** Throws unless `value` is a finite number strictly greater than zero. */
export function requirePositive(stage: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalidParam(stage, `\`${name}\` must be a finite number > 0, got ${show(value)}`);
  }
}
