import { expect } from 'vitest';
import { AppError } from '../../shared/errors';

/** Asserts that `fn` throws a PARAM_INVALID AppError whose message matches `pattern`. */
export function expectParamInvalid(fn: () => unknown, pattern: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(AppError);
  expect((thrown as AppError).code).toBe('PARAM_INVALID');
  expect((thrown as AppError).message).toMatch(pattern);
}
