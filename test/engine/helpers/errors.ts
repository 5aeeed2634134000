/** Captures the AppError a promise or function throws (fails the test when it does not throw one). */
import { expect } from 'vitest';
import { AppError } from '../../../shared/errors';

export async function appErrorOf(fn: () => unknown): Promise<AppError> {
  try {
    await fn();
  } catch (err) {
    expect(err, String(err)).toBeInstanceOf(AppError);
    return err as AppError;
  }
  return expect.fail('expected an AppError, nothing was thrown');
}
